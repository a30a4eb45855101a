// Bundles the tsc output into dist/bundle/: the `kbadm` entry module plus one chunk per lazily loaded
// command, and in dist/bundle/packages/ one CommonJS file per package that kbadm uses (see
// bundling.mjs). Node then reads a handful of files instead of every module of kbadm and of its
// dependencies, which is most of what a command costs beyond Node itself (bench/).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';
import { bundlePackage, COMMON, followLazyRequires, packageFile, packagesAsFiles } from './bundling.mjs';

const root = new URL('..', import.meta.url).pathname;
const used = new Set();

rmSync('dist/bundle', { recursive: true, force: true });
await build({
  ...COMMON,
  entryPoints: { kbadm: 'dist/cli.js' },
  outdir: 'dist/bundle',
  splitting: true,
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  // Less text for Node to read and parse on every start (Node 20 keeps no code cache); names stay,
  // and the source maps lead back to the code.
  minifyWhitespace: true,
  minifySyntax: true,
  plugins: [followLazyRequires, packagesAsFiles(used)],
  // The packages are CommonJS files; their require() calls need a real require inside an ES module.
  banner: {
    js: "import { createRequire as __kbadmRequire } from 'node:module'; const require = __kbadmRequire(import.meta.url);",
  },
});

mkdirSync('dist/bundle/packages', { recursive: true });
for (const name of [...used].sort()) {
  writeFileSync(
    `dist/bundle/packages/${packageFile(name)}`,
    await bundlePackage(name, { target: 'node20', resolveDir: root }),
  );
}
