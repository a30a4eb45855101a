// Bundles the tsc output into dist/bundle/, the npm package's code: kbadm's entry, each part that a
// command loads when first needed, and in dist/bundle/packages/ each package kbadm uses, all as the
// scripts that the single executable runs too (bundling.mjs), read from disk by the same loader.
// Node reads and compiles only what a command runs, synchronously, as CommonJS: a command that
// went through Node's ES module loader waited for the thread pool once or more per file.
import { copyFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeScripts } from './bundling.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = join(root, 'dist/bundle');

rmSync(dir, { recursive: true, force: true });
const { entry, parts, packages } = await writeScripts({
  root,
  dir,
  entry: 'cli',
  target: 'node20',
  packagesDir: 'packages',
});
copyFileSync(join(root, 'scripts/sea-main.cjs'), join(dir, 'loader.cjs'));
// The package is an ES module package; its bin entry and loader are CommonJS.
writeFileSync(join(dir, 'package.json'), '{ "type": "commonjs" }\n');
writeFileSync(
  join(dir, 'kbadm.js'),
  `#!/usr/bin/env node
// kbadm from npm: the scripts beside this file run as in the single executable (scripts/sea-main.cjs),
// each read from disk when first required. Written by scripts/bundle.mjs.
'use strict';
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { createLoader } = require('./loader.cjs');
const packages = new Set(${JSON.stringify(packages)});
const read = (name) => {
  const filename = join(__dirname, packages.has(name) ? 'packages' : '', name);
  return { source: readFileSync(filename, 'utf8'), filename };
};
createLoader(read, ${JSON.stringify([...parts, ...packages])}, ${JSON.stringify(entry)}).run();
`,
);
