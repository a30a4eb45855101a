// `kbadm demo-workflow`: a hidden command that shows the workflow engine (phase subcommands,
// --skip-phases, `all`, aliases) on phases that only print what they would do.
import type { Command } from 'commander';
import { createDemoWorkflowCommand } from '../workflow/demo-workflow.js';
import type { CommandContext } from './context.js';

/** Hidden: the root registers it with `hidden: true` (commander hides through the parent). */
export function workflowDemoCommand(ctx: CommandContext): Command {
  return createDemoWorkflowCommand(() => ctx.output());
}
