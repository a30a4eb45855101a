#!/usr/bin/env node
// The process boundary: argv, env and the exit code live here and nowhere else.
import { main } from './main.js';

// A reader that stops early (`kbadm completion bash | head`) is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

// No top-level await: the single executable runs this module as CommonJS.
void main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }).then(
  (code) => {
    process.exitCode = code;
  },
);
