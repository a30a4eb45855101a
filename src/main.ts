// Runs one kbadm invocation against the given streams and returns its exit code. Errors become
// kubeadm's one-line message plus the --v=5 hint (or the full stack at --v=5 and above).
import { CommanderError, type Command } from 'commander';
import { EXIT_GENERIC, EXIT_VALIDATION, exitCodeOf } from './errors.js';
import {
  createContext,
  type ClusterFactory,
  type DiscoveryFactory,
  type GlobalOptions,
} from './commands/context.js';
import type { FileSystem } from './host/file-system.js';
import type { Clock } from './phases/clock.js';
import type { TextSink } from './output/output.js';
import type { Stdin } from './output/prompt.js';
import { buildProgram, type CommandEntry } from './commands/root.js';
import {
  boolFlagsOf,
  normalizeBoolFlags,
  normalizeShortFlagValues,
  shortValueFlagsOf,
} from './commands/bool-flags.js';

export const STACK_HINT = 'To see the stack trace of this error execute with --v=5 or higher';

export interface ProcessIO {
  stdout: TextSink;
  stderr: TextSink;
  env: Readonly<Record<string, string | undefined>>;
  /** For questions such as reset's confirmation; absent means nobody can answer. */
  stdin?: Stdin;
  /** The calls behind file reads and writes; node's own unless a test injects faults. */
  fileSystem?: FileSystem;
  /** The API client behind commands that talk to the cluster; the real one unless a test injects one. */
  cluster?: ClusterFactory;
  /** How join's discovery reaches the network; the real one unless a test injects one. */
  discovery?: DiscoveryFactory;
  /** Time for the waits that take a clock; the real one unless a test injects one. */
  clock?: Clock;
}

export async function main(argv: string[], io: ProcessIO, commands?: CommandEntry[]): Promise<number> {
  let program: Command | undefined;
  const globals = (): GlobalOptions => {
    const opts = program?.opts() ?? {};
    return { rootfs: String(opts['rootfs'] ?? '/'), verbosity: Number(opts['v'] ?? 0) };
  };
  const ctx = createContext({ ...io, globals });
  try {
    program = await buildProgram(ctx, argv, commands);
    const args = normalizeShortFlagValues(argv, shortValueFlagsOf(program));
    await program.parseAsync(normalizeBoolFlags(args, boolFlagsOf(program)), { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and --version were printed by commander and carry their own exit code.
      if (PRINTED_BY_COMMANDER.has(err.code)) return err.exitCode;
      io.stderr.write(`${commanderErrorLine(err)}\n${STACK_HINT}\n`);
      return BAD_FLAG_VALUE.has(err.code) ? EXIT_VALIDATION : EXIT_GENERIC;
    }
    io.stderr.write(`${describeError(err, globals().verbosity)}\n`);
    return exitCodeOf(err);
  } finally {
    await ctx.close();
  }
}

const PRINTED_BY_COMMANDER = new Set(['commander.help', 'commander.helpDisplayed', 'commander.version']);

/** Parse errors about a flag's value: invalid input (exit 3), like a bad value in a config file. */
const BAD_FLAG_VALUE = new Set([
  'commander.invalidArgument',
  'commander.optionMissingArgument',
  'commander.missingMandatoryOptionValue',
  'commander.conflictingOption',
]);

/** A parse error as one line, like every other error: no `error:` prefix, a suggestion on the same line. */
export function commanderErrorLine(err: CommanderError): string {
  return err.message
    .replace(/^error: /, '')
    .replace(/\s*\n\s*/g, ' ')
    .trim();
}

export function describeError(err: unknown, verbosity: number): string {
  if (!(err instanceof Error)) return `${String(err)}\n${STACK_HINT}`;
  if (verbosity < 5) return `${err.message}\n${STACK_HINT}`;
  const parts: string[] = [];
  for (let e: unknown = err; e instanceof Error; e = e.cause) parts.push(e.stack ?? e.message);
  return parts.join('\nCaused by: ');
}
