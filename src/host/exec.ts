// Running host commands (systemctl, mount...) through execa: no shell, a timeout, and
// errors that say what went wrong. `input` may carry secrets, so no message ever includes it.
import { accessSync, constants as fsConstants, statSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import * as path from 'node:path';
import { KbadmError } from '../errors.js';
import type { RunOptions, ExecResult } from './host.js';

export const DEFAULT_TIMEOUT_MS = 30_000;
const STDERR_LINES_IN_ERRORS = 5;

/** The command line as a user would type it, for messages: `systemctl restart kubelet`. */
export function describeCommand(command: string, args: readonly string[]): string {
  return [command, ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');
}

/** The last `n` non-empty lines of `text`. */
export function lastLines(text: string, n: number): string[] {
  return text
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l !== '')
    .slice(-n);
}

export class CommandNotFoundError extends KbadmError {
  constructor(readonly command: string) {
    super(
      command.includes('/') ? `command "${command}" not found` : `command "${command}" not found in PATH`,
    );
  }
}

export class CommandFailedError extends KbadmError {
  constructor(
    readonly command: string,
    readonly args: readonly string[],
    readonly result: ExecResult,
    reason = `failed with exit code ${result.exitCode}`,
  ) {
    const lines = lastLines(result.stderr, STDERR_LINES_IN_ERRORS);
    const detail =
      lines.length === 0
        ? ''
        : lines.length === 1
          ? `: ${lines[0]}`
          : `:\n${lines.map((l) => `\t${l}`).join('\n')}`;
    super(`command "${describeCommand(command, args)}" ${reason}${detail}`);
  }
}

/** Applies `allowFailure`: a non-zero exit throws unless the caller asked for the result. */
export function settle(
  command: string,
  args: readonly string[],
  result: ExecResult,
  options: RunOptions,
): ExecResult {
  if (result.exitCode !== 0 && !options.allowFailure) throw new CommandFailedError(command, args, result);
  return result;
}

export async function runCommand(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<ExecResult> {
  const { execa } = await import('execa');
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const r = await execa(command, args, {
    reject: false,
    timeout: timeoutMs,
    ...(options.env ? { env: options.env } : {}),
    // Without input, a command that reads stdin sees EOF instead of waiting for the timeout.
    ...(options.input === undefined ? { stdin: 'ignore' as const } : { input: options.input }),
  });
  if (r.code === 'ENOENT') throw new CommandNotFoundError(command);
  if (r.code === 'EACCES') throw new KbadmError(`command "${command}" is not executable (permission denied)`);
  const result: ExecResult = { exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
  if (r.timedOut) {
    throw new CommandFailedError(command, args, result, `timed out after ${timeoutMs / 1000} s`);
  }
  if (r.exitCode === undefined && r.signal !== undefined) {
    // A shell reports death by signal N as exit code 128+N; do the same so callers see non-zero.
    result.exitCode = 128 + (osConstants.signals[r.signal] ?? 0);
    if (!options.allowFailure) {
      throw new CommandFailedError(command, args, result, `was terminated by signal ${r.signal}`);
    }
    return result;
  }
  if (r.exitCode === undefined) {
    throw new KbadmError(
      `command "${command}" could not be run: ${r.code ?? r.originalMessage ?? 'unknown error'}`,
    );
  }
  return settle(command, args, result, options);
}

/** The absolute path of `command` found on `searchPath` (PATH syntax), without spawning anything. */
export async function which(command: string, searchPath: string | undefined): Promise<string | undefined> {
  if (command === '') return undefined;
  if (command.includes('/')) return (await isExecutableFile(command)) ? path.resolve(command) : undefined;
  for (const dir of (searchPath ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.resolve(dir, command);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

// Synchronous: a PATH search looks into several directories that lack the command, and a failed
// asynchronous stat costs a hundred times the lookup.
async function isExecutableFile(p: string): Promise<boolean> {
  try {
    if (!statSync(p, { throwIfNoEntry: false })?.isFile()) return false;
    accessSync(p, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}
