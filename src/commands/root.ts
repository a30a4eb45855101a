// The root `kbadm` command: global flags and the list of top-level commands.
import { Command, InvalidArgumentError, Option } from 'commander';
import type { CommandContext, CommandFactory } from './context.js';

const ROOT_DESCRIPTION = `
kbadm turns machines you already run into a Kubernetes cluster. It follows
kubeadm's interface: it reads kubeadm configuration files (kubeadm.k8s.io/v1beta3
and v1beta4), writes the same files under /etc/kubernetes and accepts the same
commands, phases and flags, so existing kubeadm scripts keep working.

Building a cluster:

    1. On the machine that is to run the control plane:

         control-plane# kbadm init

       It finishes by printing a join command for the other machines.

    2. On every machine that is to run your workloads, run that command:

         worker# kbadm join <the arguments init printed>

Add workers later the same way: run the join command on each new machine.
`;

/**
 * A top-level command, loaded only when the command line needs it: a run of `kbadm version` must
 * not pay for loading init's phase tree. Its summary lives here so help can list every command.
 */
export interface CommandEntry {
  name: string;
  summary: string;
  hidden?: boolean;
  load(): Promise<CommandFactory>;
}

export const COMMANDS: CommandEntry[] = [
  {
    name: 'certs',
    summary: 'Inspect, renew and create the cluster certificates and keys',
    load: async () => (await import('./certs.js')).certsCommand,
  },
  {
    // kubeadm's alias for `certs`; an entry of its own, because a command line selects entries by name.
    name: 'certificates',
    summary: 'Inspect, renew and create the cluster certificates and keys',
    hidden: true,
    load: async () => (await import('./certs.js')).certificatesCommand,
  },
  {
    name: 'completion',
    summary: 'Print a completion script for bash, zsh or fish',
    load: async () => (await import('./completion.js')).completionCommand,
  },
  {
    name: 'config',
    summary: 'Print, convert and check kubeadm configuration files; list or pull images',
    load: async () => (await import('./config.js')).configCommand,
  },
  {
    name: 'init',
    summary: 'Make this machine the first control-plane node of a new cluster',
    load: async () => (await import('./init.js')).initCommand,
  },
  {
    name: 'join',
    summary: 'Add this machine to an existing cluster, as a worker or a control-plane node',
    load: async () => (await import('./join.js')).joinCommand,
  },
  {
    name: 'kubeconfig',
    summary: 'Write kubeconfig files for additional users',
    load: async () => (await import('./kubeconfig.js')).kubeconfigCommand,
  },
  {
    name: 'reset',
    summary: 'Undo what kbadm init or kbadm join did to this node',
    load: async () => (await import('./reset.js')).resetCommand,
  },
  {
    name: 'token',
    summary: 'Create, list and delete the bootstrap tokens that let nodes join',
    load: async () => (await import('./token.js')).tokenCommand,
  },
  {
    name: 'upgrade',
    summary: 'Upgrade the cluster, or this node, to a newer Kubernetes release',
    load: async () => (await import('./upgrade.js')).upgradeCommand,
  },
  {
    name: 'version',
    summary: "Show kbadm's release and the build it came from",
    load: async () => (await import('./version.js')).versionCommand,
  },
];

/** Root flags that take a value, so that the word after them is not taken for a command name. */
const ROOT_VALUE_FLAGS = new Set(['--rootfs', '-v', '--v']);

/** The top-level command a command line names, or undefined (e.g. `kbadm --help`). */
export function selectedCommand(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') return argv[i + 1];
    if (!a.startsWith('-')) return a;
    if (ROOT_VALUE_FLAGS.has(a)) i++;
  }
  return undefined;
}

/** klog keeps the level in an int32. */
const MAX_VERBOSITY = 2 ** 31 - 1;

/** A klog level: a decimal integer (Go's ParseInt also takes a leading `+`), here not negative. */
export function parseVerbosity(value: string): number {
  const n = Number(value);
  if (!/^\+?\d+$/.test(value) || n > MAX_VERBOSITY) {
    throw new InvalidArgumentError(`must be a non-negative integer up to ${MAX_VERBOSITY}`);
  }
  return n;
}

/**
 * The root command. Only the command that argv selects is loaded; the others stand in as
 * placeholders with their summaries. Completion and help need the whole tree, so they load all.
 */
export async function buildProgram(
  ctx: CommandContext,
  argv: readonly string[],
  entries: CommandEntry[] = COMMANDS,
): Promise<Command> {
  const program = new Command('kbadm')
    .summary('kbadm: build and look after Kubernetes clusters, kubeadm-compatible')
    .addHelpText('before', ROOT_DESCRIPTION)
    .addOption(
      new Option(
        '--rootfs <path>',
        'Directory to treat as the host root: host paths, and paths given on the command line, are resolved under it, as after a chroot. Must be an existing absolute path. When it is not /, kbadm writes files there but does not start or stop services.',
      ).default('/'),
    )
    .addOption(
      new Option(
        '-v, --v <level>',
        'How much to log: 0 warnings only, 1-2 adds info, 3-4 debug, 5 traces and stack traces of errors',
      )
        .default(0)
        .argParser(parseVerbosity),
    )
    .showSuggestionAfterError(true);
  const selected = selectedCommand(argv);
  const loadAll = selected === 'completion' || selected === 'help';
  const commands = await Promise.all(
    entries.map(async (e) =>
      loadAll || e.name === selected ? (await e.load())(ctx) : new Command(e.name).allowUnknownOption(),
    ),
  );
  commands.forEach((cmd, i) => {
    const entry = entries[i]!;
    cmd.summary(entry.summary);
    program.addCommand(cmd, { hidden: entry.hidden ?? false });
  });
  // addCommand does not pass settings down to ready-made subcommands, so apply them to the whole tree.
  const configure = (cmd: Command): void => {
    cmd.configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
      // Parse errors are printed by main, in the one-line format every error has.
      outputError: () => {},
    });
    cmd.showSuggestionAfterError(true);
    cmd.exitOverride();
    cmd.commands.forEach(configure);
  };
  configure(program);
  return program;
}
