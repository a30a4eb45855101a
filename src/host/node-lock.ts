// One writer per node: a command that changes the node's files first takes an exclusive lock on
// /run/lock/kbadm.lock under --rootfs, and holds it until it ends.
//
// The lock is flock(2) on that file, taken by util-linux's `flock` on a descriptor this process
// opened and shares with it: the lock belongs to the open file, so it stays ours after `flock`
// exits and the kernel drops it when this process ends, however it ends. A kill -9 therefore never
// leaves a lock behind. The file itself is never deleted (deleting a lock file lets two processes
// lock two different files); it holds the holder's pid, for the message another run prints.
//
// Why /run/lock: it is where Linux keeps lock files (FHS), it is emptied at boot, and it is
// outside /etc/kubernetes and the other directories kbadm writes, backs up or a reset empties.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KbadmError, ValidationError } from '../errors.js';
import type { Output } from '../output/output.js';
import { confineToRoot } from './confine.js';
import { which } from './exec.js';
import { mkdirp } from './files.js';
import type { Paths } from './paths.js';

export const NODE_LOCK_FILE = '/run/lock/kbadm.lock';
export const DEFAULT_LOCK_TIMEOUT_MS = 10_000;
/** How long a command waits for the lock, in seconds (default 10). */
export const LOCK_TIMEOUT_ENV = 'KBADM_LOCK_TIMEOUT';

/** How often, and how far apart, an empty lock file is read again for its holder's pid. */
const HOLDER_PID_READS = 25;
const HOLDER_PID_WAIT_MS = 20;

/** Where `flock` is looked for besides PATH: a root shell's PATH may lack the sbin directories. */
const SYSTEM_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

export interface NodeLock {
  /** The lock file, under --rootfs. */
  readonly file: string;
  release(): Promise<void>;
}

export interface NodeLockOptions {
  out: Output;
  timeoutMs?: number;
  /** PATH, to find `flock`. */
  searchPath?: string;
}

/** The lock wait from the environment: KBADM_LOCK_TIMEOUT seconds, else the default. */
export function lockTimeoutFromEnv(env: Readonly<Record<string, string | undefined>>): number {
  const given = env[LOCK_TIMEOUT_ENV];
  if (given === undefined || given === '') return DEFAULT_LOCK_TIMEOUT_MS;
  const seconds = Number(given);
  if (!/^\d+(\.\d+)?$/.test(given) || !Number.isFinite(seconds)) {
    throw new ValidationError([
      { field: LOCK_TIMEOUT_ENV, value: given, detail: 'must be a number of seconds, such as 10 or 0.5' },
    ]);
  }
  return seconds * 1000;
}

/**
 * Takes the node lock, waiting up to `timeoutMs` (saying so on stderr) while another kbadm holds
 * it; throws a KbadmError naming the holder's pid when it does not come free in time.
 */
export async function lockNode(paths: Paths, options: NodeLockOptions): Promise<NodeLock> {
  const file = paths.under(NODE_LOCK_FILE);
  const shown = paths.onHost(file);
  const timeoutMs = options.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  const flock = await which('flock', [options.searchPath ?? '', ...SYSTEM_DIRS].join(path.delimiter));
  if (flock === undefined) {
    throw new KbadmError(
      `cannot lock the node: the flock command (util-linux) is not installed; kbadm needs it to keep two commands from changing ${shown} at once`,
    );
  }
  await confineToRoot(paths, path.dirname(file));
  await mkdirp(path.dirname(file), 0o755);
  // Nothing before flock starts goes through the thread pool: flock then runs while the caller goes
  // on (init generates its keys meanwhile). The descriptor is a plain one, passed on to flock.
  const fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
  try {
    const tryLock = () => runFlock(flock, fd, ['--exclusive', '--nonblock']);
    if (!(await tryLock())) {
      let seen = await holder(fd);
      // A lock file that stays empty while the lock is held means its holder just let go.
      if (!(seen === undefined && (await tryLock()))) {
        const waitFor = `${timeoutMs / 1000}s`;
        // With no wait allowed (KBADM_LOCK_TIMEOUT=0), the error below is the only line to print.
        if (timeoutMs > 0) {
          options.out.warn(
            `${holderName(seen)} is changing this node; waiting up to ${waitFor} for it to finish (lock ${shown})`,
          );
        }
        if (
          timeoutMs === 0 ||
          !(await runFlock(flock, fd, ['--exclusive', '--wait', String(timeoutMs / 1000)]))
        ) {
          // The holder may let go (emptying the file) between the failed wait and this read: then
          // the one seen before is still the one that kept this run out.
          if (timeoutMs > 0) seen = pidIn(fd) ?? seen;
          throw new KbadmError(
            `${holderName(seen)} is still changing this node after ${waitFor} (lock ${shown}); run this command again once it has finished`,
          );
        }
      }
    }
    // At once, not through the thread pool, where generated keys may be queued: a run that meets
    // the lock names its holder from this pid, and waits for it only a moment.
    fs.ftruncateSync(fd, 0);
    fs.writeSync(fd, `${process.pid}\n`, 0);
  } catch (err) {
    fs.closeSync(fd);
    throw err;
  }
  let released = false;
  return {
    file,
    async release() {
      if (released) return;
      released = true;
      try {
        fs.ftruncateSync(fd, 0);
      } catch {
        // The kernel drops the lock with the descriptor anyway; only the pid stays behind.
      }
      fs.closeSync(fd);
    },
  };
}

/** "another kbadm command (pid N)", or without the pid when its holder wrote none. */
function holderName(pid: string | undefined): string {
  return pid === undefined ? 'another kbadm command' : `another kbadm command (pid ${pid})`;
}

/**
 * The pid the lock's holder wrote into the lock file. The holder writes it just after it takes the
 * lock, so a file still empty is read again for a moment before it counts as holding none.
 */
async function holder(fd: number): Promise<string | undefined> {
  for (let attempt = 0; ; attempt++) {
    const pid = pidIn(fd);
    if (pid !== undefined || attempt === HOLDER_PID_READS) return pid;
    await new Promise((resolve) => setTimeout(resolve, HOLDER_PID_WAIT_MS));
  }
}

/** The pid in the lock file now, if any. */
function pidIn(fd: number): string | undefined {
  const buffer = Buffer.alloc(32);
  const bytesRead = fs.readSync(fd, buffer, 0, 32, 0);
  return /^\d+/.exec(buffer.subarray(0, bytesRead).toString('utf8'))?.[0];
}

/** Runs `flock <args> 3` on our descriptor: true when the lock was taken, false when it is held. */
function runFlock(flock: string, fd: number, args: string[]): Promise<boolean> {
  return new Promise((resolve, reject) => {
    // No pipe for its stderr: setting one up costs more than taking the lock. What flock has to
    // say is asked again only when it fails in a way it should not.
    const child = spawn(flock, [...args, '3'], { stdio: ['ignore', 'ignore', 'ignore', fd] });
    child.on('error', (err) =>
      reject(new KbadmError(`cannot lock the node: ${err.message}`, { cause: err })),
    );
    child.on('close', (code) => {
      if (code === 0) resolve(true);
      else if (code === 1) resolve(false);
      else reject(new KbadmError(`cannot lock the node: flock exited with ${code}${flockSays(flock, fd)}`));
    });
  });
}

/** What flock prints when it is run once more without waiting (": <message>"), or nothing. */
function flockSays(flock: string, fd: number): string {
  const r = spawnSync(flock, ['--exclusive', '--nonblock', '3'], {
    stdio: ['ignore', 'ignore', 'pipe', fd],
    encoding: 'utf8',
    timeout: 5000,
  });
  const said = r.stderr?.trim().split('\n')[0];
  return said ? `: ${said}` : '';
}
