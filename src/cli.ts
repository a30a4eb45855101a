#!/usr/bin/env node
// The process boundary: argv, env and the exit code live here and nowhere else.
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
