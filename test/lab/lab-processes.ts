// Finding and stopping what a lab left running: the processes `up` recorded, and those it did not
// record but that belong to the lab all the same (containers, their shims, a kbadm run inside a
// node, anything else naming the lab directory on its command line).
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether a NUL-separated command line names `dir` or a path below it. `/tmp/kbadm-lab` must not
 * match `/tmp/kbadm-lab-test-x`, so the name has to end there or go on with a `/`.
 */
export function cmdlineMentions(cmdline: string, dir: string): boolean {
  for (let i = cmdline.indexOf(dir); i !== -1; i = cmdline.indexOf(dir, i + 1)) {
    const next = cmdline[i + dir.length];
    if (next === undefined || !/[A-Za-z0-9._~+-]/.test(next)) return true;
  }
  return false;
}

/** This process and its ancestors: the caller of `down` may itself name the lab directory. */
function selfAndAncestors(): Set<number> {
  const out = new Set<number>([process.pid]);
  for (let pid = process.ppid; pid > 1 && !out.has(pid);) {
    out.add(pid);
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      pid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    } catch {
      break;
    }
  }
  return out;
}

/** Processes whose command line names `dir`, with the command each runs (its argv[0]). */
export function processesNaming(dir: string): { pid: number; command: string }[] {
  const skip = selfAndAncestors();
  const out: { pid: number; command: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || skip.has(Number(entry))) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdlineMentions(cmdline, dir)) out.push({ pid: Number(entry), command: cmdline.split('\0')[0]! });
    } catch {
      // Gone.
    }
  }
  return out;
}

/**
 * Processes that belong to the lab in `dir`: those whose root or working directory is under it
 * (containers) and those whose command line names it (shims, kubelets, anything run in a node).
 */
export function processesUnder(dir: string): number[] {
  const skip = selfAndAncestors();
  const pids = new Set(processesNaming(dir).map((p) => p.pid));
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || skip.has(Number(entry))) continue;
    for (const link of ['root', 'cwd']) {
      try {
        const target = readlinkSync(`/proc/${entry}/${link}`);
        if (target === dir || target.startsWith(`${dir}/`)) pids.add(Number(entry));
      } catch {
        // Gone, or not ours to read.
      }
    }
  }
  return [...pids];
}

/** SIGTERM, up to 5 s to exit, then SIGKILL. */
export async function killAll(pids: number[]): Promise<void> {
  const signal = (pid: number, s: NodeJS.Signals) => {
    try {
      process.kill(pid, s);
    } catch {
      // Gone in between.
    }
  };
  for (const pid of pids) if (alive(pid)) signal(pid, 'SIGTERM');
  const deadline = Date.now() + 5000;
  while (pids.some(alive) && Date.now() < deadline) await sleep(100);
  for (const pid of pids) if (alive(pid)) signal(pid, 'SIGKILL');
  while (pids.some(alive) && Date.now() < deadline + 5000) await sleep(100);
}
