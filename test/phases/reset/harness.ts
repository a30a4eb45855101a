// Reset on an in-memory host: a fake container runtime, a fake etcd membership, ResetData built
// directly for phase tests, and `kbadm reset ...` through the real command module.
import { Command } from 'commander';
import { resetCommand } from '../../../src/commands/reset.js';
import { createContext, type CommandContext } from '../../../src/commands/context.js';
import { resolveResetConfig } from '../../../src/config/resolve.js';
import type { ResetConfiguration } from '../../../src/config/model.js';
import type { EtcdClientOptions } from '../../../src/etcd/client.js';
import type { EtcdMember } from '../../../src/etcd/members.js';
import { createDryRunHost } from '../../../src/host/dry-run-host.js';
import { createTestRuntime, type TestRuntime } from '../../../src/host/test-runtime.js';
import type { TestHost } from '../../../src/host/test-host.js';
import { recordOutput, type RecordedOutput } from '../../../src/output/output.js';
import type { Answer, Stdin } from '../../../src/output/prompt.js';
import type { EtcdMembership, ResetData } from '../../../src/phases/reset/data.js';

/** An in-memory CRI runtime with one running sandbox per name (ids sandbox-1, sandbox-2, ...). */
export async function runtimeWithPods(...names: string[]): Promise<TestRuntime> {
  const runtime = createTestRuntime();
  for (const name of names) {
    await runtime.runPodSandbox({ name, namespace: 'kube-system', uid: `uid-${name}` });
  }
  runtime.calls.length = 0;
  return runtime;
}

/** An etcd cluster as reset sees it, with the options each client was made with. */
export class FakeEtcd implements EtcdMembership {
  members: EtcdMember[] = [];
  clients: EtcdClientOptions[] = [];
  removed: string[] = [];
  unreachable = false;

  member(id: string, name: string, ip: string): this {
    this.members.push({
      id,
      name,
      peerURLs: [`https://${ip}:2380`],
      clientURLs: [`https://${ip}:2379`],
      isLearner: false,
    });
    return this;
  }

  connect = (options: EtcdClientOptions): EtcdMembership => {
    this.clients.push(options);
    return this;
  };

  async sync(): Promise<string[]> {
    if (this.unreachable)
      throw new Error('no etcd endpoint answered: [https://10.0.0.5:2379: connect ECONNREFUSED]');
    return this.members.flatMap((m) => m.clientURLs);
  }
  async listMembers(): Promise<EtcdMember[]> {
    return structuredClone(this.members);
  }
  async removeMember(id: string): Promise<EtcdMember[]> {
    this.removed.push(id);
    this.members = this.members.filter((m) => m.id !== id);
    return structuredClone(this.members);
  }
}

export function defaultResetConfig(over: Partial<ResetConfiguration> = {}): ResetConfiguration {
  const { config } = resolveResetConfig({ flags: {}, facts: { hostname: 'cp-1', criSocketsPresent: [] } });
  return { ...config, ...over };
}

/** ResetData over `host` for running one phase directly. */
export function resetData(
  host: TestHost,
  o: { config?: Partial<ResetConfiguration>; answer?: Answer; etcd?: FakeEtcd; dryRun?: boolean } = {},
): { data: ResetData; out: RecordedOutput; questions: string[] } {
  const out = recordOutput();
  const questions: string[] = [];
  const config = defaultResetConfig(o.config);
  const dryRun = o.dryRun ?? config.dryRun;
  const h = dryRun ? createDryRunHost(host.paths, out, { base: host }) : host;
  const data: ResetData = {
    config: { ...config, dryRun },
    paths: { ...h.paths, pkiDir: h.paths.under(config.certificatesDir) },
    host: h,
    out,
    dryRun,
    force: config.force,
    ask: async (q) => {
      questions.push(q);
      return o.answer ?? 'not-interactive';
    },
    etcd: (o.etcd ?? new FakeEtcd()).connect,
  };
  return { data, out, questions };
}

export interface ResetRun {
  stdout: string;
  stderr: string;
}

/** A terminal that answers `answer`, or a pipe when `answer` is undefined. */
export function terminal(answer: string | undefined): Stdin & { asked: number } {
  const stdin = {
    isTTY: answer !== undefined,
    asked: 0,
    async readLine() {
      stdin.asked++;
      return answer;
    },
  };
  return stdin;
}

function configure(cmd: Command, ctx: CommandContext): void {
  cmd.exitOverride();
  cmd.configureOutput({ writeOut: (s) => ctx.stdout.write(s), writeErr: (s) => ctx.stderr.write(s) });
  cmd.commands.forEach((c) => configure(c, ctx));
}

/**
 * `kbadm reset <args>` on `host`; a dry run gets a dry-run host over it. The output collects in
 * `run`, which a caller passes to read it even when the command throws.
 */
export async function runReset(
  host: TestHost,
  args: string[],
  stdin?: Stdin,
  run: ResetRun = { stdout: '', stderr: '' },
): Promise<ResetRun> {
  const base = createContext({
    stdout: { write: (s: string) => (run.stdout += s) },
    stderr: { write: (s: string) => (run.stderr += s) },
    env: {},
    ...(stdin ? { stdin } : {}),
    globals: () => ({ rootfs: host.paths.rootfs, verbosity: 0 }),
  });
  const ctx: CommandContext = {
    ...base,
    host: async (o = {}) =>
      o.dryRun ? createDryRunHost(host.paths, o.out ?? base.output(), { base: host }) : host,
  };
  const cmd = resetCommand(ctx);
  configure(cmd, ctx);
  await cmd.parseAsync(args, { from: 'user' });
  return run;
}
