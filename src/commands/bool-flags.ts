// pflag spellings commander does not read, rewritten before parsing: a boolean flag with an explicit
// value (`--dry-run=true`, `--upload-certs=false`; commander's switches take none) and a short flag
// with `=` before its value (`-v=5`, `-o=json`; commander would take `=5` as the value).
import type { Command } from 'commander';
import { ValidationError } from '../errors.js';

/** Boolean flags by long name; true when the flag also has a `--no-<name>` form. */
export type BoolFlags = ReadonlyMap<string, boolean>;

// The spellings Go's strconv.ParseBool accepts.
const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

export function normalizeBoolFlags(argv: readonly string[], flags: BoolFlags): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return [...out, ...argv.slice(i)];
    const m = /^--([^=]+)=(.*)$/s.exec(arg);
    const negatable = m ? flags.get(m[1]!) : undefined;
    if (!m || negatable === undefined) {
      out.push(arg);
      continue;
    }
    const [, name, value] = m;
    if (TRUE.has(value!)) out.push(`--${name}`);
    else if (!FALSE.has(value!)) {
      throw new ValidationError([
        { field: `--${name}`, value, detail: 'invalid argument: must be true or false' },
      ]);
    } else if (negatable) out.push(`--no-${name}`);
    // A false value for a switch that defaults to false is the same as leaving it out.
  }
  return out;
}

/** Every boolean flag in a command tree. */
export function boolFlagsOf(root: Command): BoolFlags {
  const flags = new Map<string, boolean>();
  const walk = (cmd: Command): void => {
    const longs = new Set(cmd.options.map((o) => o.long));
    for (const o of cmd.options) {
      if (o.required || o.optional || !o.long || o.negate) continue;
      const name = o.long.slice(2);
      flags.set(name, (flags.get(name) ?? false) || longs.has(`--no-${name}`));
    }
    cmd.commands.forEach(walk);
  };
  walk(root);
  return flags;
}

/** `-v=5` becomes `-v 5` for every short flag that takes a value, as pflag reads it. */
export function normalizeShortFlagValues(argv: readonly string[], shorts: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return [...out, ...argv.slice(i)];
    const m = /^(-[^-])=(.*)$/s.exec(arg);
    if (m && shorts.has(m[1]!)) out.push(m[1]!, m[2]!);
    else out.push(arg);
  }
  return out;
}

/** Every short flag in a command tree that takes a value (`-v`, `-o`). */
export function shortValueFlagsOf(root: Command): Set<string> {
  const shorts = new Set<string>();
  const walk = (cmd: Command): void => {
    for (const o of cmd.options) if (o.short && (o.required || o.optional)) shorts.add(o.short);
    cmd.commands.forEach(walk);
  };
  walk(root);
  return shorts;
}
