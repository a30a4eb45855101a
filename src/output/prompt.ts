// Asking the user a yes/no question: the question on stdout, one line of answer from stdin.
// stdin comes from cli.ts; without a terminal there is nobody to ask, and waiting would hang.
import type { TextSink } from './output.js';

/** The process's standard input, as cli.ts hands it to commands. */
export interface Stdin {
  /** Whether a person can answer (stdin is a terminal). */
  readonly isTTY: boolean;
  /** One line without its newline, or undefined at end of input. */
  readLine(): Promise<string | undefined>;
}

export type Answer = 'yes' | 'no' | 'not-interactive';

/**
 * Prints `<prompt> [y/N]: ` and reads one line. "y" and "yes" (any case) are yes; anything
 * else, an empty line or end of input is no. Asks nothing when stdin is not a terminal.
 */
export async function askYesNo(stdout: TextSink, stdin: Stdin | undefined, prompt: string): Promise<Answer> {
  if (!stdin?.isTTY) return 'not-interactive';
  stdout.write(`${prompt} [y/N]: `);
  const line = (await stdin.readLine())?.trim().toLowerCase();
  return line === 'y' || line === 'yes' ? 'yes' : 'no';
}
