// Binds a Runner to a commander command the way kubeadm binds its workflows to cobra:
// --skip-phases, the phase table in the long help, and `<cmd> phase <name> [<child>]`.
import { errorMessage } from '../errors.js';
import { Argument, Command } from 'commander';
import { addFlags, readFlags, type FlagSpec } from './flags.js';
import type { Invocation } from './phase.js';
import type { Runner } from './runner.js';
import type { PhaseNode } from './tree.js';

export const SKIP_PHASES_FLAG: FlagSpec = {
  name: 'skip-phases',
  type: 'strings',
  description:
    'Phases to leave out, by their path in the table above (e.g. certs/etcd-ca,kubelet-start), comma-separated or repeated; leaving out a phase leaves out its sub-phases too.',
};

export interface BindOptions {
  /** The main command's flags; those it does not have yet are added. */
  flags: readonly FlagSpec[];
  /** Flags phases may inherit that the main command lacks (init's `--kubeconfig`). */
  phaseFlags?: readonly FlagSpec[];
  /** The command's use line for the phase table; defaults to its name and arguments. */
  use?: string;
  /** Runs after a successful full workflow (not after `phase` runs), e.g. to print results. */
  afterRun?: (context: Invocation) => Promise<void>;
}

/**
 * Wires `runner` into `cmd`: adds the flags and `--skip-phases`, sets the action that runs the
 * whole workflow, moves the description into a help header followed by the phase table (the
 * first line stays as the summary), and adds the `phase` subcommand tree. Returns `phase`.
 */
export function bindRunner<D>(cmd: Command, runner: Runner<D>, options: BindOptions): Command {
  addFlags(cmd, [...options.flags, SKIP_PHASES_FLAG]);
  const known = knownFlags(runner, [...options.flags, SKIP_PHASES_FLAG, ...(options.phaseFlags ?? [])]);
  const inheritable = [...options.flags, ...(options.phaseFlags ?? [])];

  cmd.action(async () => {
    const flags = readFlags(cmd, known);
    const context: Invocation = { flags, args: argsOf(cmd) };
    await runner.run({ skip: flags.strings(SKIP_PHASES_FLAG.name), context });
    await options.afterRun?.(context);
  });

  const long = cmd.description();
  const short = cmd.summary() || long.split('\n')[0] || '';
  cmd.summary(short);
  cmd.description('');
  cmd.addHelpText('before', `${long || short}\n\n${runner.help(options.use ?? useLine(cmd))}\n`);

  const generated = new Map<Command, (c: Command) => void>();
  const attach = (parent: Command, child: Command, hidden: boolean, tweak: (c: Command) => void) => {
    tweak(child);
    generated.set(child, tweak);
    parent.addCommand(child, { hidden });
  };
  // Generated subcommands take the output, exit and help settings their parent has when the
  // user actually dispatches to them, so settings applied after binding still reach them.
  const inheritOnDispatch = (parent: Command) =>
    parent.hook('preSubcommand', (thisCommand, sub) => {
      const tweak = generated.get(sub);
      if (!tweak) return;
      sub.copyInheritedSettings(thisCommand);
      tweak(sub);
    });

  const flagsFor = (phaseCmd: Command) => readFlags(phaseCmd, known, { fallback: cmd });
  // Without positional options, commander lets the main command consume its own flags even
  // when they come after `phase <name>`; reject those the phase does not expose, as cobra does.
  const rejectForeignFlags = (phaseCmd: Command, exposed: ReadonlySet<string>) => {
    for (const option of cmd.options) {
      const name = option.long?.slice(2);
      if (name === undefined || exposed.has(name)) continue;
      if (cmd.getOptionValueSource(option.attributeName()) === 'cli') {
        phaseCmd.error(`error: unknown option '${option.long}'`, { code: 'commander.unknownOption' });
      }
    }
  };
  const runPhase = async (phaseCmd: Command, path: string) => {
    const context: Invocation = {
      flags: flagsFor(phaseCmd),
      args: argsOf(phaseCmd),
      phase: path,
    };
    await runner.run({ filter: [path], context });
  };
  const addFlagsFrom = (
    phaseCmd: Command,
    path: string,
    inherit: readonly string[],
    local: readonly FlagSpec[],
  ) => {
    const specs = inherit.map((name) => {
      const spec = inheritable.find((s) => s.name === name);
      if (!spec) throw new Error(`phase "${path}" inherits unknown flag --${name}`);
      return spec;
    });
    addFlags(phaseCmd, [...specs, ...local]);
    return new Set([...inherit, ...local.map((s) => s.name)]);
  };
  const leafArguments = (phaseCmd: Command, node: PhaseNode<D> | undefined) => {
    if (node?.argsUsage) phaseCmd.arguments(node.argsUsage);
    else if (node?.phase.argsValidator) phaseCmd.argument('[args...]');
    else for (const arg of cmd.registeredArguments) phaseCmd.addArgument(copyArgument(arg));
  };

  const phaseCmd = new Command('phase')
    .summary(`Run one step of ${cmd.name()} by itself`)
    .description(
      `Runs a single phase of ${cmd.name()} on its own, with only the flags that phase reads. ` +
        'A phase with sub-phases lists them; its "all" subcommand runs each of them in order.',
    );
  phaseCmd.action(() => {
    rejectForeignFlags(phaseCmd, new Set());
    helpOrUnknown(phaseCmd);
  });
  attach(cmd, phaseCmd, false, (c) => c.allowExcessArguments(true));
  inheritOnDispatch(cmd);
  inheritOnDispatch(phaseCmd);

  const addPhase = (parent: Command, node: PhaseNode<D>) => {
    const { phase } = node;
    const sub = new Command(node.name).summary(phase.short).description(phase.long || phase.short);
    if (node.aliases.length > 0) sub.aliases([...node.aliases]);
    if (phase.example) sub.addHelpText('after', `\nExamples:\n${phase.example}`);
    const exposed = addFlagsFrom(sub, node.path, phase.inheritFlags ?? [], phase.localFlags ?? []);
    const parentPhase = node.children.length > 0;
    if (!parentPhase) leafArguments(sub, node);
    sub.action(async () => {
      rejectForeignFlags(sub, exposed);
      // As kubeadm: a phase with children only prints its help; `<parent> all` runs them.
      if (parentPhase) {
        helpOrUnknown(sub);
        return;
      } else if (phase.argsValidator) {
        try {
          phase.argsValidator(argsOf(sub));
        } catch (err) {
          sub.error(`error: ${errorMessage(err)}`, {
            code: 'kbadm.invalidArguments',
          });
        }
      }
      await runPhase(sub, node.path);
    });
    // Parents take no arguments and report unknown child names themselves; declared phase
    // arguments are checked by the validator, when there is one.
    const excess = parentPhase || (node.argsUsage !== '' && phase.argsValidator !== undefined);
    attach(parent, sub, phase.hidden === true, (c) => c.allowExcessArguments(excess));
    if (parentPhase) inheritOnDispatch(sub);
    for (const child of node.children) addPhase(sub, child);
    if (node.hasAll) addAll(sub, node);
  };

  const addAll = (parent: Command, node: PhaseNode<D>) => {
    const opts = node.phase.all || {};
    const descendants = [
      node,
      ...node.children.flatMap(function all(n): PhaseNode<D>[] {
        return [n, ...n.children.flatMap(all)];
      }),
    ];
    const inherit = opts.inheritFlags ?? unique(descendants.flatMap((n) => n.phase.inheritFlags ?? []));
    const local = opts.localFlags ?? uniqueSpecs(descendants.flatMap((n) => n.phase.localFlags ?? []));
    const short = opts.short ?? `Run every ${node.name} sub-phase, in order`;
    const sub = new Command('all').summary(short).description(opts.long || short);
    if (opts.example) sub.addHelpText('after', `\nExamples:\n${opts.example}`);
    const exposed = addFlagsFrom(sub, `${node.path}/all`, inherit, local);
    leafArguments(sub, undefined);
    sub.action(async () => {
      rejectForeignFlags(sub, exposed);
      await runPhase(sub, node.path);
    });
    attach(parent, sub, false, (c) => c.allowExcessArguments(false));
  };

  for (const node of runner.nodes) if (node.level === 0) addPhase(phaseCmd, node);
  return phaseCmd;
}

/** Prints help when there are no arguments, errors on an unknown child name. */
function helpOrUnknown(cmd: Command): void {
  const [first] = argsOf(cmd);
  if (first !== undefined)
    cmd.error(`error: unknown command '${first}'`, { code: 'commander.unknownCommand' });
  cmd.outputHelp();
}

// The raw operands: processedArgs would drop the excess an argsValidator must see.
function argsOf(cmd: Command): string[] {
  return [...cmd.args];
}

function useLine(cmd: Command): string {
  return [cmd.name(), ...cmd.registeredArguments.map(argumentUsage)].join(' ');
}

function argumentUsage(arg: Argument): string {
  const inner = `${arg.name()}${arg.variadic ? '...' : ''}`;
  return arg.required ? `<${inner}>` : `[${inner}]`;
}

function copyArgument(arg: Argument): Argument {
  return new Argument(argumentUsage(arg), arg.description);
}

function knownFlags<D>(runner: Runner<D>, base: readonly FlagSpec[]): FlagSpec[] {
  const local = runner.nodes.flatMap((n) => [
    ...(n.phase.localFlags ?? []),
    ...((n.phase.all && n.phase.all.localFlags) || []),
  ]);
  return uniqueSpecs([...base, ...local]);
}

function unique(names: readonly string[]): string[] {
  return [...new Set(names)];
}

function uniqueSpecs(specs: readonly FlagSpec[]): FlagSpec[] {
  const seen = new Set<string>();
  return specs.filter((s) => !seen.has(s.name) && seen.add(s.name) !== undefined);
}
