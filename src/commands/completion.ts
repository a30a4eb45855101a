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
    .summary('Output shell completion code for the specified shell (bash, zsh or fish)')
    .description(
      `Output shell completion code for the specified shell (bash, zsh or fish).
The shell code must be evaluated to provide interactive completion of kbadm commands.

  # bash: load completion into the current shell
  source <(kbadm completion bash)

  # zsh: load completion into the current shell
  source <(kbadm completion zsh)

  # fish: load completion into the current shell
  kbadm completion fish | source`,
    )
    .argument('<shell>', 'bash, zsh or fish')
    .action(function (this: Command, shell: string) {
      ctx.stdout.write(completionScript(rootOf(this), shell));
    });
}
