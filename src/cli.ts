#!/usr/bin/env node
// The process boundary: argv, env, stdin and the exit code live here and nowhere else.
import { main } from './main.js';

for (const [name, stream] of [
  ['stdout', process.stdout],
  ['stderr', process.stderr],
] as const) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    // A reader that stops early (`kbadm completion bash | head`) is not an error worth a stack trace.
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    // Any other failed write (`> /dev/full`, a full disk) is one line on stderr, when stderr works.
    if (stream !== process.stderr) process.stderr.write(`${writeErrorLine(name, err)}\n`);
    process.exit(1);
  });
}

/** `error writing to stdout: no space left on device`, from node's `ENOSPC: no space left on device, write`. */
function writeErrorLine(name: string, err: NodeJS.ErrnoException): string {
  const reason = /^[A-Z0-9]+: (.*), \w+$/.exec(err.message)?.[1] ?? err.message;
  return `error writing to ${name}: ${reason}`;
}

/** One line from stdin, read only when a command asks (reset's confirmation). */
async function readLine(): Promise<string | undefined> {
  // Loaded here: node:readline costs every command a few milliseconds, and only this one reads.
  const { createInterface } = await import('node:readline');
  const rl = createInterface({ input: process.stdin, terminal: false });
  return new Promise((resolve) => {
    let line: string | undefined;
    rl.once('line', (l) => {
      line = l;
      rl.close();
    });
    rl.once('close', () => resolve(line));
  });
}

// No top-level await: the single executable runs this module as CommonJS.
void main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  // isatty rather than process.stdin.isTTY: touching process.stdin would open the stream for
  // every command, though only reset's confirmation reads it; and asked only then, since loading
  // node:tty costs every command a millisecond or two.
  stdin: {
    get isTTY() {
      return process.getBuiltinModule('node:tty').isatty(0);
    },
    readLine,
  },
}).then((code) => {
  process.exitCode = code;
  // The command is done: the process ends once its output is out, rather than after Node has taken
  // every module and handle down one by one (milliseconds that a short command feels). A turn of
  // the event loop first, so that an error from the last write is reported before.
  setImmediate(() => afterOutput(() => process.exit()));
});

/** Calls `then` once stdout and stderr have passed on all that was written to them (a pipe may hold some back). */
function afterOutput(then: () => void): void {
  const pending = [process.stdout, process.stderr].filter((s) => s.writableLength > 0);
  let left = pending.length;
  if (left === 0) return then();
  for (const stream of pending) stream.write('', () => --left === 0 && then());
}
