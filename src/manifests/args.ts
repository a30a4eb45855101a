// Component command lines: kubeadm's default arguments merged with the user's extraArgs.
import type { Arg } from '../config/model.js';

/**
 * kubeadm's ArgumentsToCommand: every user entry for a name replaces all defaults of that name
 * (so a user can repeat a flag), then the list is sorted by name and, for equal names, by value.
 */
export function mergeArgs(defaults: readonly Arg[], overrides: readonly Arg[]): Arg[] {
  const overridden = new Set(overrides.map((a) => a.name));
  const args = [...overrides, ...defaults.filter((a) => !overridden.has(a.name))].map((a) => ({ ...a }));
  return args.sort((a, b) => compare(a.name, b.name) || compare(a.value, b.value));
}

// Go compares strings byte-wise; UTF-16 order differs only outside the BMP, which flags never use.
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function argsToFlags(args: readonly Arg[]): string[] {
  return args.map((a) => `--${a.name}=${a.value}`);
}

/** `[binary, --k=v, ...]` for a static Pod's container command. */
export function buildCommand(binary: string, defaults: readonly Arg[], overrides: readonly Arg[]): string[] {
  return [binary, ...argsToFlags(mergeArgs(defaults, overrides))];
}

/** kubeadm's SetArgValues with nArgs=1: the last entry of that name gets the value, or one is appended. */
export function setArg(args: Arg[], name: string, value: string): Arg[] {
  for (let i = args.length - 1; i >= 0; i--) {
    if (args[i]!.name === name) {
      args[i] = { name, value };
      return args;
    }
  }
  args.push({ name, value });
  return args;
}

/** kubeadm's GetArgValue(args, name, -1): the last value given for a name, or undefined. */
export function getArg(args: readonly Arg[], name: string): string | undefined {
  for (let i = args.length - 1; i >= 0; i--) if (args[i]!.name === name) return args[i]!.value;
  return undefined;
}

/**
 * A command line read back into name/value pairs (`--k=v`; a bare `--k` reads as "true").
 * The binary and anything that is not a long flag are skipped.
 */
export function parseFlags(command: readonly string[]): Arg[] {
  const out: Arg[] = [];
  for (const part of command) {
    if (!part.startsWith('--')) continue;
    const eq = part.indexOf('=');
    out.push(
      eq === -1
        ? { name: part.slice(2), value: 'true' }
        : { name: part.slice(2, eq), value: part.slice(eq + 1) },
    );
  }
  return out;
}
