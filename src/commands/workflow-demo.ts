// `kbadm demo-workflow`: a hidden command that shows the workflow engine (phase subcommands,
// --skip-phases, `all`, aliases) on phases that only print what they would do.
import type { Command } from 'commander';
import { createDemoWorkflowCommand } from '../workflow/demo-workflow.js';
import type { CommandContext } from './context.js';

export function workflowDemoCommand(ctx: CommandContext): Command {
  const cmd = createDemoWorkflowCommand(() => ctx.output());
  // commander exposes hiding only through the parent's addCommand(cmd, { hidden }); the flag it
  // sets is this field, so the command stays hidden however the root adds it.
  (cmd as unknown as { _hidden: boolean })._hidden = true;
  return cmd;
}
