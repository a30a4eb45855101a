// Flags declared once as data: commands turn them into commander Options, phase subcommands
// copy the ones they inherit, and data initializers read values back by flag name.
import { InvalidArgumentError, Option, type Command } from 'commander';
import { formatDuration, parseDuration } from '../config/duration.js';

export interface FlagValueTypes {
  string: string;
  boolean: boolean;
  int: number;
  /** A list: comma-separated and/or repeated (`--x a,b --x c`), like pflag's StringSlice. */
  strings: string[];
  /** A Go duration (`24h0m0s`), read back as milliseconds. */
  duration: number;
}

export type FlagType = keyof FlagValueTypes;

interface FlagSpecBase {
  /** Long name without dashes, e.g. `cert-dir`. */
  name: string;
  /** One letter, e.g. `o` for `-o`. */
  short?: string;
  description: string;
  hidden?: boolean;
  /** Hides the flag and warns on use: `Flag --<name> has been deprecated, <message>`. */
  deprecated?: string;
}

export type FlagSpec =
  | (FlagSpecBase & { type: 'string'; default?: string; choices?: readonly string[] })
  | (FlagSpecBase & { type: 'boolean'; default?: boolean })
  | (FlagSpecBase & { type: 'int'; default?: number })
  | (FlagSpecBase & { type: 'strings'; default?: readonly string[] })
  | (FlagSpecBase & { type: 'duration'; default?: string });

/** Typed access to parsed flag values, by flag name. */
export interface FlagValues {
  /** Whether the command exposes this flag (phase subcommands expose only some). */
  has(name: string): boolean;
  /** Whether the user gave this flag on the command line (pflag's `Changed`). */
  isSet(name: string): boolean;
  /** Names of every flag the user gave, in declaration order. */
  setNames(): string[];
  string(name: string): string;
  boolean(name: string): boolean;
  int(name: string): number;
  strings(name: string): string[];
  /** Milliseconds. */
  duration(name: string): number;
}

const PLACEHOLDER: Readonly<Record<FlagType, string>> = {
  string: 'string',
  boolean: '',
  int: 'int',
  strings: 'strings',
  duration: 'duration',
};

/** A fresh commander Option for a spec (fresh, so one spec can serve several commands). */
export function toOption(spec: FlagSpec): Option {
  const flags =
    (spec.short ? `-${spec.short}, ` : '') +
    `--${spec.name}` +
    (spec.type === 'boolean' ? '' : ` <${PLACEHOLDER[spec.type]}>`);
  const option = new Option(flags, spec.description);
  if (spec.hidden || spec.deprecated !== undefined) option.hideHelp();
  switch (spec.type) {
    case 'string':
      // Listed in help and offered by shell completion; the command checks the value itself, so
      // that a bad one is a validation error (exit 3) like any other bad input.
      if (spec.choices) option.argChoices = [...spec.choices];
      if (spec.default !== undefined) option.default(spec.default);
      break;
    case 'boolean':
      // pflag shows no default for false booleans; commander would print "(default: false)".
      if (spec.default) option.default(true);
      break;
    case 'int':
      option.argParser(parseInteger);
      if (spec.default !== undefined) option.default(spec.default);
      break;
    case 'strings': {
      const initial = spec.default ? [...spec.default] : undefined;
      // The first use on the command line replaces the default, later uses append (pflag).
      option.argParser((value: string, previous: string[] | undefined) =>
        (previous === undefined || previous === initial ? [] : previous).concat(splitList(value)),
      );
      if (initial && initial.length > 0) option.default(initial, `[${initial.join(',')}]`);
      break;
    }
    case 'duration':
      option.argParser(parseDurationArg);
      if (spec.default !== undefined) {
        const ms = durationOrThrow(spec.default);
        option.default(ms, formatDuration(ms));
      }
      break;
  }
  return option;
}

/** Adds an Option for each spec the command does not already have; warns on deprecated ones. */
export function addFlags(cmd: Command, specs: readonly FlagSpec[]): Command {
  for (const spec of specs) {
    if (findOption(cmd, spec.name)) continue;
    const option = toOption(spec);
    cmd.addOption(option);
    // A switch that defaults to on needs an off form; `--name=false` is rewritten to it.
    if (spec.type === 'boolean' && spec.default) cmd.addOption(new Option(`--no-${spec.name}`).hideHelp());
    if (spec.deprecated !== undefined) {
      const message = `Flag --${spec.name} has been deprecated, ${spec.deprecated}\n`;
      cmd.on(`option:${option.name()}`, () => {
        const writeErr = cmd.configureOutput().writeErr ?? ((s: string) => process.stderr.write(s));
        writeErr(message);
      });
    }
  }
  return cmd;
}

export function findOption(cmd: Command, name: string): Option | undefined {
  return cmd.options.find((o) => o.long === `--${name}`);
}

export interface ReadFlagsOptions {
  /**
   * A command whose command-line values count when `cmd` has the flag only at its default.
   * Phase subcommands use the main command: without positional options, commander lets the
   * main command consume its own flags even when they are written after `phase <name>`.
   */
  fallback?: Command;
}

/** Reads a command's parsed values; flags it does not expose read as their spec's default. */
export function readFlags(
  cmd: Command,
  specs: readonly FlagSpec[],
  options: ReadFlagsOptions = {},
): FlagValues {
  const given = (c: Command | undefined, name: string): boolean => {
    const option = c && findOption(c, name);
    if (!option) return false;
    const source = c.getOptionValueSource(option.attributeName());
    return source === 'cli' || source === 'env';
  };
  return flagValues(specs, (name) => {
    const own = findOption(cmd, name);
    const exposed = own !== undefined;
    if (own && given(cmd, name))
      return { value: cmd.getOptionValue(own.attributeName()), set: true, exposed };
    const fallback = options.fallback && findOption(options.fallback, name);
    if (fallback && given(options.fallback, name)) {
      return { value: options.fallback!.getOptionValue(fallback.attributeName()), set: true, exposed };
    }
    if (own) return { value: cmd.getOptionValue(own.attributeName()), set: false, exposed };
    return undefined;
  });
}

/** FlagValues over plain values, for callers and tests that have no command. */
export function flagValuesOf(
  specs: readonly FlagSpec[],
  values: Readonly<Record<string, unknown>> = {},
): FlagValues {
  return flagValues(specs, (name) =>
    Object.hasOwn(values, name)
      ? { value: normalize(specOf(specs, name), values[name]), set: true, exposed: true }
      : undefined,
  );
}

interface Lookup {
  value: unknown;
  set: boolean;
  exposed: boolean;
}

function flagValues(specs: readonly FlagSpec[], lookup: (name: string) => Lookup | undefined): FlagValues {
  const read = <T extends FlagType>(name: string, type: T): FlagValueTypes[T] => {
    const spec = specOf(specs, name);
    if (spec.type !== type) throw new TypeError(`flag --${name} is a ${spec.type} flag, not ${type}`);
    const found = lookup(name);
    const value = found?.value !== undefined ? found.value : defaultOf(spec);
    return (value ?? ZERO[type]()) as FlagValueTypes[T];
  };
  return {
    has: (name) => lookup(name)?.exposed === true,
    isSet: (name) => lookup(name)?.set === true,
    setNames: () => specs.map((s) => s.name).filter((n) => lookup(n)?.set === true),
    string: (name) => read(name, 'string'),
    boolean: (name) => read(name, 'boolean'),
    int: (name) => read(name, 'int'),
    strings: (name) => [...read(name, 'strings')],
    duration: (name) => read(name, 'duration'),
  };
}

const ZERO: { [T in FlagType]: () => FlagValueTypes[T] } = {
  string: () => '',
  boolean: () => false,
  int: () => 0,
  strings: () => [],
  duration: () => 0,
};

function specOf(specs: readonly FlagSpec[], name: string): FlagSpec {
  const spec = specs.find((s) => s.name === name);
  if (!spec) throw new Error(`unknown flag --${name}`);
  return spec;
}

function defaultOf(spec: FlagSpec): unknown {
  if (spec.default === undefined) return undefined;
  return spec.type === 'duration' ? durationOrThrow(spec.default) : spec.default;
}

function normalize(spec: FlagSpec, value: unknown): unknown {
  if (spec.type === 'duration' && typeof value === 'string') return durationOrThrow(value);
  return value;
}

function parseInteger(value: string): number {
  if (!/^[+-]?\d+$/.test(value)) throw new InvalidArgumentError('not an integer.');
  return Number(value);
}

function parseDurationArg(value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined) throw new InvalidArgumentError('not a duration (e.g. 1h30m, 90s).');
  return ms;
}

function durationOrThrow(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined) throw new Error(`invalid duration "${text}"`);
  return ms;
}

function splitList(value: string): string[] {
  return value === '' ? [] : value.split(',');
}

/**
 * The flags the user set (except --config), by name, with values as the config API takes them
 * (config/flags.ts `SetFlags`).
 */
export function userSetFlags(flags: FlagValues, specs: readonly FlagSpec[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const spec of specs) {
    if (spec.name === 'config' || !flags.isSet(spec.name)) continue;
    switch (spec.type) {
      case 'string':
        out[spec.name] = flags.string(spec.name);
        break;
      case 'boolean':
        out[spec.name] = flags.boolean(spec.name);
        break;
      case 'int':
        out[spec.name] = flags.int(spec.name);
        break;
      case 'strings':
        out[spec.name] = flags.strings(spec.name);
        break;
      case 'duration':
        // The config API reads durations in Go's notation.
        out[spec.name] = formatDuration(flags.duration(spec.name));
        break;
    }
  }
  return out;
}
