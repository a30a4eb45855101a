// esbuild plugins shared by the bundles.

/**
 * kbadm loads some CommonJS packages synchronously on first use with
 * `createRequire(import.meta.url)('name')`, which a bundler cannot follow. In kbadm's own compiled
 * modules (dist/) that call becomes a plain `require('name')`, which esbuild bundles as a module that
 * is evaluated when the call runs, so the package is still loaded on first use only.
 */
export const bundleEverything = {
  name: 'bundle-everything',
  setup(build) {
    build.onLoad({ filter: /[\\/]dist[\\/].*\.js$/ }, async (args) => {
      const { readFile } = await import('node:fs/promises');
      const source = await readFile(args.path, 'utf8');
      return {
        contents: source.replace(/\bcreateRequire\(import\.meta\.url\)\(/g, 'require('),
        loader: 'js',
      };
    });
  },
};
