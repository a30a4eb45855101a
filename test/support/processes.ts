// Child processes that tests start and must end, whatever happens: wait for a line in their log,
// stop them by pid (SIGTERM, then SIGKILL), and a last-resort cleanup when the test process exits
// without having reached its `after` hooks.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Started {
  child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  log(): string;
  exited(): boolean;
}

/** Spawns `command` with its output collected (no shell). */
export function startProcess(command: string, args: string[], options: { cwd?: string } = {}): Started {
  const child = spawn(command, args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  // A missing binary is an 'error' event; keep it in the log rather than crash the test process.
  child.on('error', (err) => (log += `\n${err.message}\n`));
  return { child, log: () => log, exited: () => child.exitCode !== null || child.signalCode !== null };
}

/** Resolves with the first match of `pattern` in the process's log, or rejects with the log. */
export async function waitForLog(
  p: Started,
  pattern: RegExp,
  timeoutMs: number,
  what: string,
): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = pattern.exec(p.log());
    if (m) return m;
    if (p.exited() || Date.now() > deadline) {
      throw new Error(
        `${what} did not start (${p.exited() ? 'it exited' : 'timed out'}):\n${p.log().slice(-3000)}`,
      );
    }
    await sleep(50);
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
export async function stopProcess(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  if (await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)])) return;
  child.kill('SIGKILL');
  await exited;
}

/** Whether a pid is still alive (and not a zombie). */
export function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z /s.test(stat);
  } catch {
    return false;
  }
}

const exitCleanups = new Set<() => void>();
let hooked = false;

/**
 * Registers a synchronous cleanup for when the test process exits before the test's own teardown
 * ran (a crash, a timeout). The returned function unregisters it once the teardown is done.
 */
export function onExitCleanup(cleanup: () => void): () => void {
  if (!hooked) {
    hooked = true;
    process.once('exit', () => {
      for (const c of exitCleanups) {
        try {
          c();
        } catch {
          // Best effort: the process is going away.
        }
      }
    });
  }
  exitCleanups.add(cleanup);
  return () => exitCleanups.delete(cleanup);
}
