// Bundles the tsc output into dist/bundle/: one entry module plus one chunk per lazily loaded
// command. Node then resolves a handful of files instead of every module, which is most of what
// a short command like `kbadm version` costs beyond Node itself (bench/version-startup.mjs).
import { build } from 'esbuild';

await build({
  entryPoints: { kbadm: 'dist/cli.js' },
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  // Loaded on first use only, from node_modules, as in the unbundled build.
  external: [
    'pino',
    'yaml',
    'execa',
    '@peculiar/x509',
    'reflect-metadata',
    '@kubernetes/client-node',
    '@grpc/grpc-js',
  ],
  // commander is CommonJS; its require() calls need a real require inside an ES module.
  banner: {
    js: "import { createRequire as __kbadmRequire } from 'node:module'; const require = __kbadmRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
