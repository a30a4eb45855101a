// Runs kbadm in-process with captured streams.
import type { CommandFactory } from '../../src/commands/context.js';
import { main } from '../../src/main.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(
  argv: string[],
  options: { commands?: CommandFactory[]; env?: Record<string, string> } = {},
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(
    argv,
    {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      env: options.env ?? {},
    },
    options.commands,
  );
  return { code, stdout, stderr };
}
