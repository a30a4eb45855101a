// What a command needs from the process, handed in by cli.ts so that commands never touch
// process.* themselves and tests can run them in-process.
import type { Command } from 'commander';
import type { ClusterClient, ClusterSource } from '../cluster/types.js';
import { createOutput, type Output, type TextSink } from '../output/output.js';
import type { Stdin } from '../output/prompt.js';
import type { ApiserverClientTLS, HealthProbes } from '../cluster/probes.js';
import type { Host } from '../host/host.js';
import type { DryRunCommand } from '../host/dry-run-host.js';
import type { FileSystem } from '../host/file-system.js';
import type { NodeLock } from '../host/node-lock.js';
import { createPaths } from '../host/paths.js';
import type { DiscoveryIO } from '../tokens/discovery-run.js';
import type { Clock } from '../phases/clock.js';

export interface GlobalOptions {
  /** --rootfs: every host path lives under it. */
  rootfs: string;
  /** -v/--v: log verbosity. */
  verbosity: number;
}

export interface CommandContext {
  readonly stdout: TextSink;
  readonly stderr: TextSink;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Where answers to questions come from; absent when nobody can answer. */
  readonly stdin?: Stdin;
  /** The global flags, as parsed on the root command. */
  globals(): GlobalOptions;
  /** Progress and logs; `quiet` drops progress lines when stdout carries a -o json|yaml result. */
  output(options?: { quiet?: boolean }): Output;
  /**
   * The machine under --rootfs: real, or one that only records and prints changes. A dry run of
   * init, join or upgrade also writes its files into that command's dry-run directory.
   *
   * `writes`: the command is about to change the node's files. The node lock is taken first (once
   * per command, held until it ends; see host/node-lock.ts), and the host finishes or cleans up
   * what an interrupted run left in each directory before reading it. Ignored for a dry run.
   */
  host(options?: HostOptions): Promise<Host>;
  /**
   * The API server that the kubeconfig at `kubeconfigPath` (a path under --rootfs) names. With
   * `dryRun`, a client that reads from the cluster but only prints the writes it would make.
   * The caller closes it.
   */
  cluster(kubeconfig: ClusterSource, options: ClusterOptions): Promise<ClusterClient>;
  /** How join's discovery fetches cluster-info and discovery files, and waits between tries. */
  discoveryIO(host: Host, out: Output): Promise<DiscoveryIO>;
  /** Health checks over the network (the API server's as the user of the given credentials). */
  healthProbes(apiserver?: ApiserverClientTLS): Promise<HealthProbes>;
  /** The clock of waits that go by the clock (upgrade's health-check Job); the real one when absent. */
  readonly clock?: Clock;
  /** Gives back what the command held (the node lock). main() calls it when the command ends. */
  close(): Promise<void>;
}

export interface ClusterOptions {
  dryRun: boolean;
  /** Where a dry run prints its actions; the context's default output when absent. */
  out?: Output;
}

/** Makes the cluster client; tests hand in one that returns an in-memory cluster. */
export type ClusterFactory = (kubeconfig: ClusterSource, options: ClusterOptions) => Promise<ClusterClient>;

export interface HostOptions {
  dryRun?: boolean;
  out?: Output;
  dryRunDir?: DryRunCommand;
  writes?: boolean;
}

/** Makes join's discovery I/O; tests hand in one that answers from an in-memory cluster. */
export type DiscoveryFactory = (host: Host, out: Output) => Promise<DiscoveryIO>;

/** Every top-level command module exports one of these. */
export type CommandFactory = (ctx: CommandContext) => Command;

export interface ContextOptions {
  stdout: TextSink;
  stderr: TextSink;
  env: Readonly<Record<string, string | undefined>>;
  stdin?: Stdin;
  globals: () => GlobalOptions;
  /** The calls behind the real host's file operations (node's own unless a test injects faults). */
  fileSystem?: FileSystem;
  /** Replaces the real API client (tests). */
  cluster?: ClusterFactory;
  /** Replaces join's network discovery (tests). */
  discovery?: DiscoveryFactory;
  /** Replaces real time in the waits that take a clock (tests). */
  clock?: Clock;
}

export function createContext(options: ContextOptions): CommandContext {
  let lock: Promise<NodeLock> | undefined;
  /** --rootfs is checked once per command, not for every host asked for. */
  const checkedRoots = new Map<string, Promise<void>>();
  const ctx: CommandContext = {
    stdout: options.stdout,
    stderr: options.stderr,
    env: options.env,
    ...(options.stdin ? { stdin: options.stdin } : {}),
    globals: options.globals,
    ...(options.clock ? { clock: options.clock } : {}),
    output: (o = {}) =>
      createOutput({
        stdout: options.stdout,
        stderr: options.stderr,
        verbosity: options.globals().verbosity,
        quiet: o.quiet ?? false,
      }),
    async host(o = {}) {
      const paths = createPaths(options.globals().rootfs);
      const out = o.out ?? ctx.output();
      const [{ createRealHost }, { checkRootfs }] = await Promise.all([
        import('../host/real-host.js'),
        import('../host/confine.js'),
      ]);
      let checked = checkedRoots.get(paths.rootfs);
      if (!checked) checkedRoots.set(paths.rootfs, (checked = checkRootfs(paths)));
      await checked;
      const searchPath = options.env['PATH'] ?? '';
      const fileSystem = options.fileSystem ? { fileSystem: options.fileSystem } : {};
      if (o.writes && !o.dryRun) {
        if (!lock) {
          const { lockNode, lockTimeoutFromEnv } = await import('../host/node-lock.js');
          lock = lockNode(paths, { out, timeoutMs: lockTimeoutFromEnv(options.env), searchPath });
        }
        await lock;
        return createRealHost(paths, out, { searchPath, recover: true, ...fileSystem });
      }
      const real = createRealHost(paths, out, { searchPath, ...fileSystem });
      if (!o.dryRun) return real;
      const { createDryRunHost, createDryRunDir } = await import('../host/dry-run-host.js');
      const writeDir = o.dryRunDir
        ? await createDryRunDir(real, o.dryRunDir, { env: options.env })
        : undefined;
      return createDryRunHost(paths, out, { base: real, ...(writeDir ? { writeDir } : {}) });
    },
    async cluster(kubeconfig, o) {
      if (options.cluster) return options.cluster(kubeconfig, o);
      const out = o.out ?? ctx.output();
      // Loaded on first use: the Kubernetes client library costs more than the rest of kbadm.
      const { openCluster, openClusterFromKubeconfig } = await import('../cluster/connect.js');
      if (typeof kubeconfig !== 'string')
        return openClusterFromKubeconfig(kubeconfig.kubeconfig, kubeconfig.source, { dryRun: o.dryRun, out });
      const host = await ctx.host({ out });
      return openCluster(host, kubeconfig, { dryRun: o.dryRun, out });
    },
    async discoveryIO(host, out) {
      if (options.discovery) return options.discovery(host, out);
      const { realDiscoveryIO } = await import('../phases/join-discovery.js');
      return realDiscoveryIO(host, out);
    },
    async healthProbes(apiserver) {
      const { createHealthProbes } = await import('../cluster/probes.js');
      return createHealthProbes(apiserver);
    },
    async close() {
      const held = lock;
      lock = undefined;
      // A lock that was never taken (it timed out) has nothing to give back; the kernel drops the
      // lock with the process anyway, so a failure to give it back is not the command's failure.
      await (await held?.catch(() => undefined))?.release().catch(() => undefined);
    },
  };
  return ctx;
}
