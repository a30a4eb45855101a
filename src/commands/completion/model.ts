// The command tree reduced to what a shell needs to complete it: per command path, the
// subcommands (with aliases), the flags, and what each value-taking flag accepts.
import type { Command, Option } from 'commander';

export interface FlagCompletion {
  /** `--name` and, when it has one, `-n`. */
  names: string[];
  description: string;
  /** undefined: a switch. [] : any value (files are offered). Otherwise the allowed values. */
  values?: string[];
}

export interface CommandCompletion {
  /** Canonical names from the root, space-separated; '' is the root. */
  path: string;
  description: string;
  /** Child name → canonical child name (aliases included). */
  children: { name: string; canonical: string; description: string }[];
  /** The command's own flags; the root's flags are in CompletionModel.globalFlags. */
  flags: FlagCompletion[];
}

export interface CompletionModel {
  /** Flags accepted at every level. */
  globalFlags: FlagCompletion[];
  commands: CommandCompletion[];
}

function flagOf(o: Option): FlagCompletion {
  const names = [o.long, o.short].filter((n): n is string => !!n);
  const takesValue = o.required || o.optional;
  return {
    names,
    description: o.description,
    ...(takesValue ? { values: o.argChoices ? [...o.argChoices] : [] } : {}),
  };
}

/** Walks the visible tree. Root flags count everywhere, as commander accepts them after a subcommand. */
export function completionModel(root: Command): CompletionModel {
  const help = root.createHelp();
  const globalFlags = help.visibleOptions(root).map(flagOf);
  const commands: CommandCompletion[] = [];
  const walk = (cmd: Command, path: string): void => {
    const subs = help.visibleCommands(cmd).filter((c) => c.name() !== 'help');
    commands.push({
      path,
      description: cmd.summary() || cmd.description(),
      children: subs.flatMap((c) =>
        [c.name(), ...c.aliases()].map((name) => ({
          name,
          canonical: c.name(),
          description: c.summary() || c.description().split('\n')[0] || '',
        })),
      ),
      flags: cmd === root ? [] : help.visibleOptions(cmd).map(flagOf),
    });
    for (const c of subs) walk(c, path ? `${path} ${c.name()}` : c.name());
  };
  walk(root, '');
  return { globalFlags, commands };
}

/** The flags valid at one command: its own, then the root's that it does not shadow. */
export function flagsAt(model: CompletionModel, cmd: CommandCompletion): FlagCompletion[] {
  const own = new Set(cmd.flags.flatMap((f) => f.names));
  return [...cmd.flags, ...model.globalFlags.filter((f) => !f.names.some((n) => own.has(n)))];
}
