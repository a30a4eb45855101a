// What both builds share: the npm build (scripts/bundle.mjs) and the single executable
// (scripts/build-sea.mjs) bundle kbadm's compiled code apart from the packages it uses, and each
// package (with everything it imports) into a CommonJS file of its own. A package is then one file
// to read and compile, loaded only when kbadm first uses it, as from node_modules.
import { isBuiltin } from 'node:module';
import { build } from 'esbuild';

/** esbuild options both builds use. */
export const COMMON = {
  bundle: true,
  platform: 'node',
  legalComments: 'none',
  logLevel: 'warning',
};

/** The file name of a package's bundle: `@peculiar/x509` becomes `peculiar+x509.cjs`. */
export function packageFile(name) {
  return `${name.replace(/^@/, '').replaceAll('/', '+')}.cjs`;
}

/**
 * kbadm loads some CommonJS packages synchronously on first use with
 * `createRequire(import.meta.url)('name')`, which a bundler cannot follow, and others with
 * `import('name')`. In kbadm's own compiled modules (dist/) the first becomes a plain
 * `require('name')`, which esbuild can see and redirect, and the second a require() in a promise, so
 * that the named exports of a package that is now a CommonJS file stay where the code expects them.
 */
export const followLazyRequires = {
  name: 'follow-lazy-requires',
  setup(b) {
    b.onLoad({ filter: /[\\/]dist[\\/].*\.js$/ }, async (args) => {
      const { readFile } = await import('node:fs/promises');
      const source = await readFile(args.path, 'utf8');
      const contents = source
        .replace(/\bcreateRequire\(import\.meta\.url\)\(/g, 'require(')
        .replace(/\bimport\((['"])([^'"]+)\1\)/g, (call, quote, name) =>
          /^[./]/.test(name) || isBuiltin(name)
            ? call
            : `Promise.resolve().then(() => require(${quote}${name}${quote}))`,
        );
      return { contents, loader: 'js' };
    });
  },
};

/** Where kbadm's code finds the package files at run time: beside its own chunks. */
export const PACKAGES_DIR = './packages/';

/**
 * Sends every package import to `./packages/<packageFile(name)>`, a CommonJS file loaded with
 * require() at run time (named imports read its exports then); the names of the packages that
 * kbadm's code imports are added to `used`.
 */
export function packagesAsFiles(used) {
  return {
    name: 'packages-as-files',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        if (isBuiltin(args.path)) return { path: args.path, external: true };
        used.add(args.path);
        return { path: args.path, namespace: 'package-file' };
      });
      b.onLoad({ filter: /.*/, namespace: 'package-file' }, (args) => ({
        contents: `module.exports = require(${JSON.stringify(PACKAGES_DIR + packageFile(args.path))});`,
        loader: 'js',
      }));
      b.onResolve({ filter: /^\.\/packages\// }, (args) => ({ path: args.path, external: true }));
    },
  };
}

/** One package and everything it imports as CommonJS text, for `target` (e.g. node20). */
export async function bundlePackage(name, { target, resolveDir }) {
  const r = await build({
    ...COMMON,
    target,
    write: false,
    format: 'cjs',
    // require() inside a package must stay synchronous, so its own dynamic imports become requires.
    supported: { 'dynamic-import': false },
    minifyWhitespace: true,
    minifySyntax: true,
    stdin: {
      contents: `module.exports = require(${JSON.stringify(name)});`,
      resolveDir,
    },
  });
  return r.outputFiles[0].text;
}
