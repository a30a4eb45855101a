// The root `kbadm` command: global flags and the list of top-level commands.
import { Command, InvalidArgumentError, Option } from 'commander';
import type { CommandContext, CommandFactory } from './context.js';
import { versionCommand } from './version.js';
import { completionCommand } from './completion.js';

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

/** Top-level commands, in help order. Each module stays light: heavy work is imported in actions. */
export const COMMANDS: CommandFactory[] = [completionCommand, versionCommand];

export function parseVerbosity(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) {
    throw new InvalidArgumentError('must be a non-negative integer');
  }
  return n;
}

export function buildProgram(ctx: CommandContext, commands: CommandFactory[] = COMMANDS): Command {
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
  for (const make of commands) program.addCommand(make(ctx));
  // addCommand does not pass settings down to ready-made subcommands, so apply them to the whole tree.
  const configure = (cmd: Command): void => {
    cmd.configureOutput({ writeOut: (s) => ctx.stdout.write(s), writeErr: (s) => ctx.stderr.write(s) });
    cmd.showSuggestionAfterError(true);
    cmd.commands.forEach(configure);
  };
  configure(program);
  return program;
}
