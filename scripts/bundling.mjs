// What both builds share: the npm build (scripts/bundle.mjs) and the single executable
// (scripts/build-sea.mjs) turn kbadm's compiled code into the same scripts (writeScripts), run by the
// loader in scripts/sea-main.cjs: kbadm's parts apart from the packages it uses, and each package
// (with everything it imports) in a script of its own, read and compiled only when first used.
import { mkdirSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { basename, join } from 'node:path';
import { build, transform } from 'esbuild';

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

/**
 * esbuild's CommonJS form of an ES module copies its exports onto a second object of getters
 * (__toCommonJS), and each `import * as` of a CommonJS module (node:path) onto another (__toESM):
 * every use of another part's export then goes through two getters, and every part loaded copies
 * them all first. Here a part's exports object is its module.exports, and a namespace delegates to
 * its module: the same values, one getter, nothing copied. A helper that esbuild writes otherwise
 * (a new release) stops the build rather than going unnoticed.
 */
const LEAN_HELPERS = [
  {
    name: '__toCommonJS',
    // esbuild renames a helper's parameters, and the helpers it calls, when a part has names of its
    // own like them: those are matched, and the lean helper calls Object.defineProperty by its name.
    written: /__toCommonJS=(\w+)=>\w+\((\w+)\(\{\},"__esModule",\{value:!0\}\),\1\)/,
    lean: '__toCommonJS=m=>$2(m,"__esModule",{value:!0})',
  },
  {
    name: '__toESM',
    // ...and Object.create by its name.
    written:
      /__toESM=\((\w+),(\w+),(\w+)\)=>\(\3=\1!=null\?(\w+)\(\w+\(\1\)\):\{\},\w+\(\2\|\|!\1\|\|!\1\.__esModule\?\w+\(\3,"default",\{value:\1,enumerable:!0\}\):\3,\1\)\)/,
    lean: '__toESM=(m,n)=>m==null?{default:m}:n||!m.__esModule?$4(m,{default:{value:m,enumerable:!0}}):m',
  },
];

function leanInterop(code, name) {
  for (const { name: helper, written, lean } of LEAN_HELPERS) {
    if (!code.includes(`${helper}=`)) continue;
    if (!written.test(code)) {
      console.error(`bundle: ${name} defines ${helper} unlike the esbuild this build knows`);
      process.exit(1);
    }
    code = code.replace(written, lean);
  }
  return code;
}

/**
 * Writes kbadm's compiled code (dist/cli.js) into `dir` as the scripts that the loader in
 * scripts/sea-main.cjs runs: the entry (`<entry>.js`), each part that a command loads when first
 * needed, and each package it uses (in `dir/<packagesDir>`). esbuild splits the code as for ES
 * modules; each part then becomes CommonJS (imports become require() calls, which the loader serves)
 * and is wrapped in a function that the loader calls with its module arguments, as Node does for a
 * CommonJS file. `import.meta.url` is the script's own file URL. Returns the scripts' names.
 */
export async function writeScripts({ root, dir, entry, target, define = {}, packagesDir = '' }) {
  const used = new Set();
  const out = await build({
    ...COMMON,
    entryPoints: { [entry]: join(root, 'dist/cli.js') },
    outdir: dir,
    write: false,
    splitting: true,
    format: 'esm',
    target,
    // Less text to read and hash at start-up; names stay, for stack traces and code that reads them.
    minifyWhitespace: true,
    minifySyntax: true,
    define: { ...define, 'import.meta.url': '__kbadmModuleUrl' },
    plugins: [followLazyRequires, packagesAsFiles(used)],
  });
  mkdirSync(join(dir, packagesDir), { recursive: true });
  const parts = [];
  for (const file of out.outputFiles) {
    const name = basename(file.path);
    const cjs = await transform(file.text, {
      format: 'cjs',
      target,
      supported: { 'dynamic-import': false },
      minifyWhitespace: true,
      minifySyntax: true,
      logLevel: 'warning',
    });
    if (name !== `${entry}.js`) parts.push(name);
    writeScript(join(dir, name), leanInterop(cjs.code, name));
  }
  for (const name of used) {
    writeScript(
      join(dir, packagesDir, packageFile(name)),
      await bundlePackage(name, { target, resolveDir: root }),
    );
  }
  return { entry: `${entry}.js`, parts: parts.sort(), packages: [...used].sort().map(packageFile) };
}

function writeScript(file, text) {
  let body = text.replace(/^#!.*\n/, '');
  if (body.includes('__kbadmModuleUrl')) {
    body = `var __kbadmModuleUrl=require("node:url").pathToFileURL(__filename).href;\n${body}`;
  }
  writeFileSync(file, `(function (require, module, exports, __filename, __dirname) {\n${body}\n})`);
}
