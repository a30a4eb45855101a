// The main script of the single executable, and the loader that scripts/sea-code-cache.cjs trains;
// the npm build runs its scripts with this loader too (as dist/bundle/loader.cjs, see bundle.mjs).
//
// The executable holds kbadm's scripts: its entry `kbadm.js`, each part of kbadm that it loads when
// first needed (`<part>.js`, for its `require('./<part>.js')` calls), and each package that kbadm
// uses (`<file>`, for the `require('./packages/<file>')` calls; see bundling.mjs). Their sources are
// one asset, their V8 code caches another, and `index.json` says where each script's source and
// cache lie. A part or package runs only when kbadm first requires it, so `kbadm version` never runs
// or even compiles what it does not use. Each code cache is made by running common commands at
// build time: unlike Node's own `useCodeCache`, which is made before anything runs, it holds the
// functions those commands compiled. A cache that is empty or that V8 rejects is ignored, and the
// code compiles as usual.
'use strict';
const { dirname } = require('node:path');
const { Script } = require('node:vm');

/** `./packages/x.cjs` and `./x.js`, as kbadm's scripts require them, name the assets `x.cjs` and `x.js`. */
const SCRIPT_ID = /^\.\/(?:packages\/)?([^/]+)$/;

/**
 * `read(name)` gives a script's source, its code cache (or none) and the file it is (or none: the
 * executable itself); `names` lists the scripts besides `entry`. Returns `run()`, which runs kbadm
 * afresh against process.argv, and the compiled scripts.
 */
function createLoader(read, names, entry = 'kbadm.js') {
  const scripts = new Map();
  const modules = new Map();
  const known = new Set(names);

  function compile(name) {
    let compiled = scripts.get(name);
    if (!compiled) {
      const { source, cache, filename = process.execPath } = read(name);
      const script = new Script(source, {
        filename: filename === process.execPath ? name : filename,
        ...(cache ? { cachedData: cache } : {}),
      });
      compiled = { script, filename };
      scripts.set(name, compiled);
    }
    return compiled;
  }

  function evaluate(name) {
    const module = { exports: {} };
    modules.set(name, module); // before it runs, as Node does, so that a require cycle ends
    const { script, filename } = compile(name);
    script.runInThisContext()(load, module, module.exports, filename, dirname(filename));
    return module.exports;
  }

  function load(id) {
    const name = SCRIPT_ID.exec(id)?.[1];
    if (name === undefined || !known.has(name)) return require(id); // Node's built-in modules
    return modules.has(name) ? modules.get(name).exports : evaluate(name);
  }

  return { run: () => evaluate(entry), scripts };
}

module.exports = { createLoader };

if (require('node:sea').isSea()) {
  // Node's thread pool (4 threads unless told otherwise, read once when it starts, which nothing has
  // yet) runs both key generation and syncs to disk: one thread per CPU for the keys, plus two for them
  // (src/host/thread-pool.ts sizes its key jobs from this).
  process.env.UV_THREADPOOL_SIZE ??= String(Math.max(4, require('node:os').availableParallelism() + 2));
  const { getAsset, getRawAsset } = require('node:sea');
  // Three assets (see packScripts in build-sea.mjs): every source, every cache, and where each lies.
  const index = JSON.parse(getAsset('index.json', 'utf8'));
  const sources = getRawAsset('scripts.bin');
  const caches = getRawAsset('caches.bin');
  const read = (name) => {
    const [sourceAt, sourceLength, cacheAt, cacheLength] = index[name];
    return {
      source: Buffer.from(sources, sourceAt, sourceLength).toString('utf8'),
      // Only read, by V8: the bytes inside the executable serve as they are, with no copy.
      cache: cacheLength > 0 ? new Uint8Array(caches, cacheAt, cacheLength) : undefined,
    };
  };
  createLoader(
    read,
    Object.keys(index).filter((name) => name !== 'kbadm.js'),
  ).run();
}
