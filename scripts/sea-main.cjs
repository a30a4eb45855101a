// The main script of the single executable, and the loader that scripts/sea-code-cache.cjs trains.
//
// The executable holds kbadm's own code as the asset `kbadm.js`, and each package that kbadm uses as
// an asset of its own, `<file>` for the `require('./packages/<file>')` calls in kbadm.js (see
// bundling.mjs). A package runs only when kbadm first requires it, so `kbadm version` never runs or
// even compiles the packages it does not use. Each script comes with a V8 code cache (`<name>.cache`)
// made by running common commands at build time: unlike Node's own `useCodeCache`, which is made
// before anything runs, it holds the functions those commands compiled. A cache that is empty or
// that V8 rejects is ignored, and the code compiles as usual.
'use strict';
const { dirname } = require('node:path');
const { Script } = require('node:vm');

const PACKAGES_DIR = './packages/';

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
      const { source, cache } = read(name);
      script = new Script(source, { filename: name, ...(cache ? { cachedData: cache } : {}) });
      scripts.set(name, script);
    }
    return script;
  }

  function evaluate(name) {
    const module = { exports: {} };
    modules.set(name, module); // before it runs, as Node does, so that a require cycle ends
    const run = compile(name).runInThisContext();
    run(load, module, module.exports, process.execPath, dirname(process.execPath));
    return module.exports;
  }

  function load(id) {
    const name = id.startsWith(PACKAGES_DIR) ? id.slice(PACKAGES_DIR.length) : undefined;
    if (name === undefined || !known.has(name)) return require(id); // Node's built-in modules
    return modules.has(name) ? modules.get(name).exports : evaluate(name);
  }

  return { run: () => evaluate('kbadm.js'), scripts };
}

module.exports = { createLoader };

if (require('node:sea').isSea()) {
  const { getAsset } = require('node:sea');
  const read = (name) => {
    const cache = new Uint8Array(getAsset(`${name}.cache`));
    return { source: getAsset(name, 'utf8'), cache: cache.length > 0 ? cache : undefined };
  };
  createLoader(read, JSON.parse(getAsset('packages.json', 'utf8'))).run();
}
