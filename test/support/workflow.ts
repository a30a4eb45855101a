// Shared helpers for the workflow tests: a recording phase tree and in-process commander runs.
import { Command, CommanderError } from 'commander';
import type { Phase } from '../../src/workflow/index.js';

export interface Recorded {
  calls: string[];
}

/** A phase that records `run:<label>` when it runs. */
export function leaf<D extends Recorded = Recorded>(name: string, extra: Partial<Phase<D>> = {}): Phase<D> {
  const label = name.split(' ')[0]!.toLowerCase();
  return {
    name,
    short: `Short for ${label}`,
    run: async (d) => {
      d.calls.push(`run:${label}`);
    },
    ...extra,
  };
}

export function group<D extends Recorded = Recorded>(
  name: string,
  phases: Phase<D>[],
  extra: Partial<Phase<D>> = {},
): Phase<D> {
  return { name, short: `Short for ${name}`, phases, ...extra };
}

export interface Captured {
  out: string[];
  err: string[];
  stdout(): string;
  stderr(): string;
}

/** Routes a command's output into memory and makes errors throw instead of exiting. */
export function capture(cmd: Command): Captured {
  const out: string[] = [];
  const err: string[] = [];
  cmd.exitOverride().configureOutput({
    writeOut: (s) => out.push(s),
    writeErr: (s) => err.push(s),
    getOutHelpWidth: () => 200,
    getErrHelpWidth: () => 200,
  });
  return { out, err, stdout: () => out.join(''), stderr: () => err.join('') };
}

/** Parses `argv` and returns the thrown error, if any. */
export async function parse(cmd: Command, argv: string[]): Promise<unknown> {
  try {
    await cmd.parseAsync(argv, { from: 'user' });
    return undefined;
  } catch (err) {
    return err;
  }
}

export function isCommanderError(err: unknown, code?: string): err is CommanderError {
  return err instanceof CommanderError && (code === undefined || err.code === code);
}
