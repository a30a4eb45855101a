// What a command needs from the process, handed in by cli.ts so that commands never touch
// process.* themselves and tests can run them in-process.
import type { Command } from 'commander';
import { createOutput, type Output, type TextSink } from '../output/output.js';
import type { Stdin } from '../output/prompt.js';
import type { Host } from '../host/host.js';
import type { DryRunCommand } from '../host/dry-run-host.js';
import { createPaths } from '../host/paths.js';

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
   */
  host(options?: { dryRun?: boolean; out?: Output; dryRunDir?: DryRunCommand }): Promise<Host>;
}

/** Every top-level command module exports one of these. */
export type CommandFactory = (ctx: CommandContext) => Command;

export interface ContextOptions {
  stdout: TextSink;
  stderr: TextSink;
  env: Readonly<Record<string, string | undefined>>;
  stdin?: Stdin;
  globals: () => GlobalOptions;
}

export function createContext(options: ContextOptions): CommandContext {
  const ctx: CommandContext = {
    stdout: options.stdout,
    stderr: options.stderr,
    env: options.env,
    ...(options.stdin ? { stdin: options.stdin } : {}),
    globals: options.globals,
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
      await checkRootfs(paths);
      const real = createRealHost(paths, out, { searchPath: options.env['PATH'] ?? '' });
      if (!o.dryRun) return real;
      const { createDryRunHost, createDryRunDir } = await import('../host/dry-run-host.js');
      const writeDir = o.dryRunDir
        ? await createDryRunDir(real, o.dryRunDir, { env: options.env })
        : undefined;
      return createDryRunHost(paths, out, { base: real, ...(writeDir ? { writeDir } : {}) });
    },
  };
  return ctx;
}
