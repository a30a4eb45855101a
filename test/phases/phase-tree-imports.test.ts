// `kbadm init --help` and `kbadm init phase certs all` build init's whole phase tree (join's the
// same), so whatever the phase definitions import statically is loaded (and, in the bundle, read
// from disk) by every init command. The implementations of the phases (checks, manifests, patches, API calls, diagnosis)
// and the configuration loader are imported where a run needs them instead; this test keeps it so,
// by following the static imports from init's command and phase tree.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import ts from 'typescript';
import { importsOnlyTypes } from '../support/type-only-import.js';

const ROOT = new URL('../../', import.meta.url).pathname;

/**
 * What only a run needs, as path prefixes: none of it may load with the phase tree. The folders of
 * the phases' implementations, and the configuration loader (the run data reads the configuration).
 */
const RUN_ONLY = [
  ...['preflight', 'manifests', 'patches', 'diagnosis', 'cluster', 'etcd', 'tokens'].map((f) => `src/${f}/`),
  'src/phases/command-config.ts',
];

/** The src/ modules a file imports statically, leaving out type-only imports and import(). */
function staticImports(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found: string[] = [];
  for (const node of source.statements) {
    let specifier: ts.Expression | undefined;
    if (ts.isImportDeclaration(node)) {
      if (!importsOnlyTypes(node)) specifier = node.moduleSpecifier;
    } else if (ts.isExportDeclaration(node) && !node.isTypeOnly) {
      specifier = node.moduleSpecifier;
    }
    if (specifier && ts.isStringLiteral(specifier) && specifier.text.startsWith('.')) {
      found.push(path.posix.join(path.posix.dirname(file), specifier.text).replace(/\.js$/, '.ts'));
    }
  }
  return found;
}

/**
 * Every src/ module `roots` load statically, each with the chain of imports that reaches it (the
 * first found, breadth first). `read` gives a module's text.
 */
function staticClosure(roots: readonly string[], read: (file: string) => string): Map<string, string[]> {
  const chains = new Map<string, string[]>(roots.map((r) => [r, [r]]));
  const queue = [...roots];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    for (const target of staticImports(file, read(file))) {
      if (chains.has(target)) continue;
      chains.set(target, [...chains.get(file)!, target]);
      queue.push(target);
    }
  }
  return chains;
}

/** The run-only modules among `roots`' static imports, each as `root -> ... -> module`. */
function runOnlyLoads(roots: readonly string[], read: (file: string) => string): string[] {
  return [...staticClosure(roots, read).entries()]
    .filter(([file]) => RUN_ONLY.some((prefix) => file.startsWith(prefix)))
    .map(([, chain]) => chain.join(' -> '));
}

describe('the phase trees of init and join load no phase implementation', () => {
  const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

  test('the modules init and its phase definitions import statically', () => {
    const roots = ['src/commands/init.ts', 'src/phases/init/index.ts'];
    const closure = staticClosure(roots, read);
    // The walk must see the tree: every phase module and the run data are reached.
    for (const m of ['src/phases/init/certs.ts', 'src/phases/init/addon.ts', 'src/phases/init/data.ts']) {
      assert.ok(closure.has(m), `${m} not reached`);
    }
    assert.deepEqual(runOnlyLoads(roots, read), []);
  });

  test('the modules join and its phase definitions import statically', () => {
    const roots = ['src/commands/join.ts', 'src/phases/join/index.ts'];
    const closure = staticClosure(roots, read);
    for (const m of ['src/phases/join/kubelet.ts', 'src/phases/join/data.ts', 'src/phases/init/certs.ts']) {
      assert.ok(closure.has(m), `${m} not reached`);
    }
    assert.deepEqual(runOnlyLoads(roots, read), []);
  });

  test('the check names the import chain of a phase that loads its implementation', () => {
    const files: Record<string, string> = {
      'src/phases/init/index.ts':
        "import type { Phase } from '../../workflow/index.js';\nimport { a } from './a.js';\nimport { b } from './b.js';",
      'src/phases/init/a.ts':
        "import { helper } from './helper.js';\nimport type { Pod } from '../../manifests/pod.js';\nexport const a = { run: async () => (await import('../../preflight/run.js')).run() };",
      'src/phases/init/helper.ts': "export { renderPod } from '../../manifests/control-plane.js';",
      'src/phases/init/b.ts':
        "import { type X, type Y } from '../../cluster/types.js';\nimport '../../diagnosis/gather.js';",
      'src/manifests/control-plane.ts': "import { patch } from '../patches/patches.js';",
      'src/patches/patches.ts': '',
      'src/diagnosis/gather.ts': '',
      'src/workflow/index.ts': '',
    };
    const read = (file: string) => {
      const text = files[file];
      assert.notEqual(text, undefined, `unexpected read of ${file}`);
      return text!;
    };
    assert.deepEqual(runOnlyLoads(['src/phases/init/index.ts'], read), [
      'src/phases/init/index.ts -> src/phases/init/b.ts -> src/diagnosis/gather.ts',
      'src/phases/init/index.ts -> src/phases/init/a.ts -> src/phases/init/helper.ts -> src/manifests/control-plane.ts',
      'src/phases/init/index.ts -> src/phases/init/a.ts -> src/phases/init/helper.ts -> src/manifests/control-plane.ts -> src/patches/patches.ts',
    ]);
  });
});
