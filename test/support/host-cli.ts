// Runs one kbadm command module against an in-memory test host, with output kept in memory.
import type { Command } from 'commander';
import { createContext, type CommandContext, type CommandFactory } from '../../src/commands/context.js';
import { DryRunCluster } from '../../src/cluster/dry-run.js';
import { MemoryCluster } from '../../src/cluster/memory.js';
import type { TestHost } from '../../src/host/test-host.js';
import { fakeProbes } from './health-probes.js';

const clusters = new WeakMap<TestHost, MemoryCluster>();

/** The API server of a test host's node: in memory, kept across runs on that host. */
export function clusterOf(host: TestHost): MemoryCluster {
  let c = clusters.get(host);
  if (!c) clusters.set(host, (c = new MemoryCluster('https://memory.invalid', { registerNodes: true })));
  return c;
}

export interface HostRun {
  stdout: string;
  stderr: string;
  host: TestHost;
}

function configure(cmd: Command, ctx: CommandContext): void {
  cmd.exitOverride();
  cmd.configureOutput({ writeOut: (s) => ctx.stdout.write(s), writeErr: (s) => ctx.stderr.write(s) });
  cmd.commands.forEach((c) => configure(c, ctx));
}

/**
 * `kbadm <command> <args>` where every host the command asks for is `host`, and every health
 * check (wait-control-plane) answers healthy: the in-memory node has no network of its own.
 */
export async function runOnHost(factory: CommandFactory, args: string[], host: TestHost): Promise<HostRun> {
  const r = await settleOnHost(factory, args, host);
  if (r.error) throw r.error;
  return r;
}

/** Like runOnHost, but a failure comes back with the output printed before it. */
export async function settleOnHost(
  factory: CommandFactory,
  args: string[],
  host: TestHost,
): Promise<HostRun & { error?: Error }> {
  const out: HostRun & { error?: Error } = { stdout: '', stderr: '', host };
  const base = createContext({
    stdout: { write: (s: string) => (out.stdout += s) },
    stderr: { write: (s: string) => (out.stderr += s) },
    env: {},
    globals: () => ({ rootfs: '/', verbosity: 0 }),
  });
  const ctx: CommandContext = {
    ...base,
    host: async () => host,
    cluster: async (_path, o) => (o.dryRun ? new DryRunCluster(o.out ?? base.output()) : clusterOf(host)),
    healthProbes: async () => fakeProbes(),
  };
  const cmd = factory(ctx);
  configure(cmd, ctx);
  try {
    await cmd.parseAsync(args, { from: 'user' });
  } catch (err) {
    out.error = err as Error;
  }
  return out;
}
