// The root `kbadm` command: global flags and the list of top-level commands.
import { Command, InvalidArgumentError, Option } from 'commander';
import type { CommandContext, CommandFactory } from './context.js';

const ROOT_DESCRIPTION = `
    ┌──────────────────────────────────────────────────────────┐
    │ KBADM                                                    │
    │ Easily bootstrap a secure Kubernetes cluster             │
    │                                                          │
    │ A drop-in for kubeadm: same configuration files, same    │
    │ files under /etc/kubernetes, same phases and flags.      │
    └──────────────────────────────────────────────────────────┘

Example usage:

    Create a two-machine cluster with one control-plane node
    (which controls the cluster), and one worker node
    (where your workloads, like Pods and Deployments run).

    ┌──────────────────────────────────────────────────────────┐
    │ On the first machine:                                    │
    ├──────────────────────────────────────────────────────────┤
    │ control-plane# kbadm init                                │
    └──────────────────────────────────────────────────────────┘

    ┌──────────────────────────────────────────────────────────┐
    │ On the second machine:                                   │
    ├──────────────────────────────────────────────────────────┤
    │ worker# kbadm join <arguments-returned-from-init>        │
    └──────────────────────────────────────────────────────────┘

    You can then repeat the second step on as many other machines as you like.
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
    summary: 'Commands related to handling Kubernetes certificates',
    load: async () => (await import('./certs.js')).certsCommand,
  },
  {
    // kubeadm's alias for `certs`; an entry of its own, because a command line selects entries by name.
    name: 'certificates',
    summary: 'Commands related to handling Kubernetes certificates',
    hidden: true,
    load: async () => (await import('./certs.js')).certificatesCommand,
  },
  {
    name: 'completion',
    summary: 'Output shell completion code for the specified shell (bash, zsh or fish)',
    load: async () => (await import('./completion.js')).completionCommand,
  },
  {
    name: 'config',
    summary: 'Manage configuration for a kubeadm cluster persisted in a ConfigMap in the cluster',
    load: async () => (await import('./config.js')).configCommand,
  },
  {
    name: 'init',
    summary: 'Run this command in order to set up the Kubernetes control plane',
    load: async () => (await import('./init.js')).initCommand,
  },
  {
    name: 'kubeconfig',
    summary: 'Kubeconfig file utilities',
    load: async () => (await import('./kubeconfig.js')).kubeconfigCommand,
  },
  {
    name: 'version',
    summary: 'Print the version of kbadm',
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

export function parseVerbosity(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) {
    throw new InvalidArgumentError('must be a non-negative integer');
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
    .summary('kbadm: easily bootstrap a secure Kubernetes cluster')
    .addHelpText('before', ROOT_DESCRIPTION)
    .addOption(new Option('--rootfs <path>', 'The path to the "real" host root filesystem.').default('/'))
    .addOption(
      new Option('-v, --v <level>', 'number for the log level verbosity')
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
    cmd.configureOutput({ writeOut: (s) => ctx.stdout.write(s), writeErr: (s) => ctx.stderr.write(s) });
    cmd.showSuggestionAfterError(true);
    cmd.exitOverride();
    cmd.commands.forEach(configure);
  };
  configure(program);
  return program;
}
