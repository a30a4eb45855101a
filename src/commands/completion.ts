// `kbadm completion bash|zsh|fish`: a completion script generated from the live command tree,
// so every command, phase subcommand and flag is covered without a list kept by hand.
import { Command } from 'commander';
import { ValidationError } from '../errors.js';
import type { CommandContext } from './context.js';
import { completionModel } from './completion/model.js';
import { bashCompletion, zshCompletion } from './completion/posix.js';
import { fishCompletion } from './completion/fish.js';

const SHELLS = { bash: bashCompletion, zsh: zshCompletion, fish: fishCompletion } as const;

function rootOf(cmd: Command): Command {
  let c = cmd;
  while (c.parent) c = c.parent;
  return c;
}

export function completionScript(root: Command, shell: string): string {
  const render = SHELLS[shell as keyof typeof SHELLS];
  if (!render) {
    throw new ValidationError([
      {
        field: 'shell',
        value: shell,
        detail: `unsupported shell type; supported: ${Object.keys(SHELLS).join(', ')}`,
      },
    ]);
  }
  return render(root.name(), completionModel(root));
}

export function completionCommand(ctx: CommandContext): Command {
  return new Command('completion')
    .summary('Print a completion script for bash, zsh or fish')
    .description(
      'Prints a script that teaches the shell to complete kbadm commands, phases, flags and flag values. ' +
        'Load it into the running shell, or save it where your shell reads completions at start-up.',
    )
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  # bash\n' +
        '  source <(kbadm completion bash)\n\n' +
        '  # zsh (after compinit)\n' +
        '  source <(kbadm completion zsh)\n\n' +
        '  # fish\n' +
        '  kbadm completion fish | source\n',
    )
    .argument('<shell>', 'the shell to write the script for: bash, zsh or fish')
    .action(function (this: Command, shell: string) {
      ctx.stdout.write(completionScript(rootOf(this), shell));
    });
}
