// Runs kbadm in-process with captured streams.
import type { ClusterFactory, CommandFactory, DiscoveryFactory } from '../../src/commands/context.js';
import type { CommandEntry } from '../../src/commands/root.js';
import { main } from '../../src/main.js';
import type { Clock } from '../../src/phases/clock.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(
  argv: string[],
  options: {
    commands?: CommandEntry[];
    env?: Record<string, string>;
    cluster?: ClusterFactory;
    discovery?: DiscoveryFactory;
    clock?: Clock;
  } = {},
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(
    argv,
    {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      env: options.env ?? {},
      ...(options.cluster ? { cluster: options.cluster } : {}),
      ...(options.discovery ? { discovery: options.discovery } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
    },
    options.commands,
  );
  return { code, stdout, stderr };
}

/** A command entry for a factory written in a test. */
export function entry(name: string, factory: CommandFactory): CommandEntry {
  return { name, summary: `test command ${name}`, load: async () => factory };
}

/** The long flag names a command's --help lists, without --help itself. */
export function optionNames(help: string): string[] {
  return [...help.matchAll(/^ {2}(?:-\w, )?--([\w-]+)/gm)].map((m) => m[1]!).filter((n) => n !== 'help');
}

/** A clock on which every wait passes at once: a 15-second timeout costs no real time. */
export function virtualClock(start = 1_700_000_000_000): Clock & { slept: number[] } {
  let now = start;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
      // Let other work (a test's stand-in for a kubelet) run between the waits, as real time would.
      await new Promise((r) => setImmediate(r));
    },
  };
}
