// The main script of the single executable, and the loader that scripts/sea-code-cache.cjs trains.
//
// The executable holds kbadm's own code as the asset `kbadm`, and each package that kbadm requires as
// an asset of its own, named by the package (scripts/build-sea.mjs bundles them). A package is run
// only when kbadm first requires it, as from node_modules, so `kbadm version` never runs or even
// compiles the X.509 library. Each asset comes with a V8 code cache made by running common commands
// at build time: unlike Node's own `useCodeCache`, which is made before anything runs, it holds the
// functions those commands compiled. A cache that V8 rejects is ignored and the code compiles as usual.
'use strict';
const { dirname } = require('node:path');
const { Script } = require('node:vm');

/** Asset file names: package names hold `/` and `@`. */
const assetName = (name) => encodeURIComponent(name);

/**
 * `read(name)` gives an asset's source and code cache (or no cache); `packages` names the package
 * assets. Returns `run()`, which runs kbadm afresh against process.argv, and the compiled scripts.
 */
function createLoader(read, packages) {
  const scripts = new Map();
  const modules = new Map();
  const known = new Set(packages);

  function compile(name) {
    let script = scripts.get(name);
    if (!script) {
      const { source, cache } = read(assetName(name));
      script = new Script(source, { filename: name, ...(cache ? { cachedData: cache } : {}) });
      scripts.set(name, script);
    }
    return script;
  }

  function evaluate(name) {
    const module = { exports: {} };
    modules.set(name, module); // before it runs, as Node does, so that a require cycle ends
    compile(name).runInThisContext()(
      load,
      module,
      module.exports,
      process.execPath,
      dirname(process.execPath),
    );
    return module.exports;
  }

  function load(id) {
    if (!known.has(id)) return require(id); // Node's built-in modules
    return modules.has(id) ? modules.get(id).exports : evaluate(id);
  }

  return { run: () => evaluate('kbadm'), scripts };
}

module.exports = { createLoader, assetName };

if (require('node:sea').isSea()) {
  const { getAsset } = require('node:sea');
  const packages = JSON.parse(getAsset('packages.json', 'utf8'));
  createLoader((name) => {
    const cache = new Uint8Array(getAsset(`${name}.cache`));
    return { source: getAsset(`${name}.js`, 'utf8'), cache: cache.length > 0 ? cache : undefined };
  }, packages).run();
}
