// The I/O rule and the layering (DESIGN "How data flows"), checked over every import of every
// src/**/*.ts file:
//
// - Only src/host touches the machine: files, processes, host facts (node:fs, node:child_process,
//   node:os, node:dns, execa).
// - The exceptions, all in RESTRICTED below: src/etcd (etcd's client) and src/cluster (the API
//   server's) open network connections (node:net, node:tls, node:http, node:https); src/host/cri,
//   the CRI client, alone uses @grpc/grpc-js; src/cluster alone uses @kubernetes/client-node.
//   Type-only imports carry no I/O and are allowed everywhere.
// - Domain folders (DOMAIN) are pure. Each may have one adapter, `<something>-files.ts`, which alone
//   may use the Host interface (host/host.ts) and the --rootfs path rules (host/paths.ts); the rest
//   of the folder imports at most types from src/host.
// - commands/, phases/ and preflight/ act through the Host and the other ports, so they may use
//   any src/host module. Nothing below commands/ imports it, and nothing below commands/ and
//   phases/ imports phases/ or the workflow engine; the workflow engine and output use no host.
//
// The checker reads imports with the TypeScript parser: static and re-exported imports, import()
// (also in types), require() and createRequire(...)(...). A module name computed at run time
// would escape it, so that is a violation too. It is tested on made-up trees below, so a rule
// that stops catching what it should fails here rather than passing silently.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import ts from 'typescript';
import { importsOnlyTypes } from './support/type-only-import.js';

interface Violation {
  file: string;
  imports: string;
  rule: string;
}

/** Pure domain folders: values in, values out; one `*-files.ts` adapter each. */
const DOMAIN = ['config', 'certs', 'kubeconfig', 'manifests', 'tokens', 'patches', 'upgrade'];
/**
 * Folders that act through the Host and the other ports (runtime, service facts) and so may use
 * any src/host module, but never the machine modules themselves.
 */
const PORT_USERS = ['commands', 'phases', 'preflight'];
/** The process boundary: builds the program and the context (main.ts, cli.ts). */
const ENTRY_FILES = ['src/cli.ts', 'src/main.ts'];

const MACHINE = 'only src/host touches the machine';
const NETWORK = 'only src/etcd and src/cluster open network connections (and src/host, for local sockets)';

/**
 * Modules that reach outside the process, and the folders allowed to import them. Everything not
 * listed (node:path, node:crypto, node:util, yaml, commander, ...) is allowed everywhere.
 */
const RESTRICTED: Record<string, { allowed: readonly string[]; rule: string }> = {
  'node:fs': { allowed: ['host'], rule: MACHINE },
  'node:child_process': { allowed: ['host'], rule: MACHINE },
  'node:os': { allowed: ['host'], rule: MACHINE },
  'node:worker_threads': { allowed: ['host'], rule: MACHINE },
  execa: { allowed: ['host'], rule: MACHINE },
  // Unix sockets (CRI endpoints) are the machine's; TCP/TLS reach etcd and the API server.
  'node:net': { allowed: ['host', 'etcd', 'cluster'], rule: NETWORK },
  'node:tls': { allowed: ['etcd', 'cluster'], rule: NETWORK },
  'node:http': { allowed: ['etcd', 'cluster'], rule: NETWORK },
  'node:https': { allowed: ['etcd', 'cluster'], rule: NETWORK },
  'node:http2': { allowed: ['host/cri'], rule: NETWORK },
  'node:dgram': { allowed: [], rule: NETWORK },
  // The machine's resolver: host facts (does the node name resolve?).
  'node:dns': { allowed: ['host'], rule: MACHINE },
  '@grpc/grpc-js': { allowed: ['host/cri'], rule: 'only src/host/cri speaks gRPC (the CRI client)' },
  '@kubernetes/client-node': {
    allowed: ['cluster'],
    rule: 'only src/cluster talks to the Kubernetes API',
  },
};

/** Host modules a domain adapter may use: the port itself and the --rootfs path rules. */
const ADAPTER_HOST_MODULES = ['src/host/host.ts', 'src/host/paths.ts'];

interface ModuleImport {
  specifier: string;
  typeOnly: boolean;
}

/** Every module `text` imports, however it is written. */
function importsOf(fileName: string, text: string): ModuleImport[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: ModuleImport[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push({ specifier: node.moduleSpecifier.text, typeOnly: importsOnlyTypes(node) });
    } else if (
      ts.isExportDeclaration(node) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      found.push({ specifier: node.moduleSpecifier.text, typeOnly: node.isTypeOnly });
    } else if (ts.isImportTypeNode(node)) {
      const arg = node.argument;
      if (ts.isLiteralTypeNode(arg) && ts.isStringLiteral(arg.literal)) {
        found.push({ specifier: arg.literal.text, typeOnly: true });
      }
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const loads =
        callee.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(callee) && callee.text === 'require') ||
        (ts.isCallExpression(callee) &&
          ts.isIdentifier(callee.expression) &&
          callee.expression.text === 'createRequire');
      if (loads) {
        const arg = node.arguments[0];
        found.push({
          specifier: arg !== undefined && ts.isStringLiteralLike(arg) ? arg.text : '<computed>',
          typeOnly: false,
        });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** `src/host/host.ts` for a relative import, `node:fs` for a builtin, the package name otherwise. */
function resolve(file: string, specifier: string): string {
  if (specifier.startsWith('.')) {
    return path.posix.join(path.posix.dirname(file), specifier).replace(/\.js$/, '.ts');
  }
  const bare = specifier.replace(/^node:/, '');
  const first = bare.split('/')[0]!;
  if (specifier.startsWith('node:') || builtinModules.includes(first)) return `node:${first}`;
  return specifier.startsWith('@') ? bare.split('/').slice(0, 2).join('/') : first;
}

/** `host/cri` for src/host/cri/client.ts, `certs` for src/certs/x.ts, '' for src/main.ts. */
function folderOf(file: string): string {
  return path.posix.dirname(file).replace(/^src\/?/, '');
}

function topFolder(file: string): string {
  return folderOf(file).split('/')[0]!;
}

function within(file: string, folder: string): boolean {
  const f = folderOf(file);
  return f === folder || f.startsWith(`${folder}/`);
}

const isAdapter = (file: string): boolean => file.endsWith('-files.ts');

/** Every broken rule in a set of files (paths relative to the repository, e.g. src/certs/x.ts). */
function checkArchitecture(files: ReadonlyMap<string, string>): Violation[] {
  const out: Violation[] = [];
  const adapters = new Map<string, string[]>();
  for (const [file, text] of files) {
    const top = topFolder(file);
    const add = (imports: string, rule: string) => out.push({ file, imports, rule });
    if (DOMAIN.includes(top) && isAdapter(file)) {
      adapters.set(folderOf(file), [...(adapters.get(folderOf(file)) ?? []), file]);
    }
    for (const { specifier, typeOnly } of importsOf(file, text)) {
      if (specifier === '<computed>') {
        add(specifier, 'modules are named by string literals, so that this check sees them');
        continue;
      }
      const target = resolve(file, specifier);
      const restricted = RESTRICTED[target];
      if (restricted && !typeOnly && !restricted.allowed.some((f) => within(file, f))) {
        add(target, restricted.rule);
      }
      if (!target.startsWith('src/')) continue;
      const targetTop = topFolder(target);
      const entry = ENTRY_FILES.includes(file);
      if (targetTop === 'commands' && top !== 'commands' && !entry) {
        add(target, 'only the entry points and commands/ import commands/');
      }
      if (
        (targetTop === 'phases' || targetTop === 'workflow') &&
        !PORT_USERS.includes(top) &&
        !entry &&
        top !== targetTop
      ) {
        add(target, `only commands/ and phases/ import ${targetTop}/`);
      }
      if (targetTop === 'host' && DOMAIN.includes(top)) {
        const port = ADAPTER_HOST_MODULES.includes(target);
        if (isAdapter(file) ? !port : target === 'src/host/host.ts' || !typeOnly) {
          add(
            target,
            isAdapter(file)
              ? 'a domain adapter reaches the machine only through the Host interface and the path rules'
              : 'domain modules are pure: only their *-files.ts adapter uses the Host, the rest imports at most types from src/host',
          );
        }
      }
      if (targetTop === 'host' && ['workflow', 'output', ''].includes(top) && !entry) {
        add(target, 'the workflow engine, output and shared modules do not use the host');
      }
    }
  }
  for (const [folder, list] of adapters) {
    if (list.length > 1) {
      for (const file of list.slice(1)) {
        out.push({ file, imports: '', rule: `src/${folder} has one *-files.ts adapter (${list[0]})` });
      }
    }
  }
  return out;
}

const ROOT = new URL('../', import.meta.url).pathname;

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true })
    .flatMap((e) => {
      const rel = path.posix.join(dir, e.name);
      if (e.isDirectory()) return sourceFiles(rel);
      return e.name.endsWith('.ts') ? [rel] : [];
    })
    .sort();
}

const tree = (files: Record<string, string>): Map<string, string> => new Map(Object.entries(files));
const rulesBroken = (files: Record<string, string>): string[] =>
  checkArchitecture(tree(files)).map((v) => `${v.file} -> ${v.imports}`);

describe('architecture', () => {
  test('every src/**/*.ts file keeps the I/O rule and the layering', () => {
    const files = new Map(sourceFiles('src').map((f) => [f, readFileSync(path.join(ROOT, f), 'utf8')]));
    assert.ok(files.size > 100, `only ${files.size} source files found`);
    // The check must see what it guards: the real host does import node:fs and execa.
    const hostImports = importsOf('src/host/exec.ts', files.get('src/host/exec.ts')!).map((i) =>
      resolve('src/host/exec.ts', i.specifier),
    );
    assert.ok(hostImports.includes('execa'), hostImports.join(', '));
    assert.deepEqual(checkArchitecture(files), []);
  });

  describe('the checker, on small made-up trees', () => {
    test('a clean tree passes', () => {
      assert.deepEqual(
        rulesBroken({
          'src/host/exec.ts': "import { execa } from 'execa';\nimport { readFile } from 'node:fs/promises';",
          'src/host/cri/client.ts':
            "import * as grpc from '@grpc/grpc-js';\nimport * as net from 'node:net';",
          'src/etcd/client.ts':
            "import * as https from 'node:https';\nimport type { ClientRequest } from 'node:http';",
          'src/cluster/client.ts': "const lib = () => import('@kubernetes/client-node');",
          'src/certs/specs.ts':
            "import * as path from 'node:path';\nimport { randomBytes } from 'node:crypto';\nimport type { Paths } from '../host/paths.js';",
          'src/certs/pki-files.ts':
            "import type { Host } from '../host/host.js';\nimport { userPath } from '../host/paths.js';\nimport { certSpec } from './specs.js';",
          'src/phases/init/certs.ts':
            "import { pkiStore } from '../../certs/pki-files.js';\nimport { serviceIsActive } from '../../host/services.js';\nimport type { Phase } from '../../workflow/index.js';",
          'src/commands/init.ts': "import { initPhases } from '../phases/init/index.js';",
          'src/main.ts': "import { buildProgram } from './commands/root.js';",
        }),
        [],
      );
    });

    test('machine modules outside src/host, however they are loaded', () => {
      assert.deepEqual(
        rulesBroken({
          'src/certs/a.ts': "import { readFileSync } from 'node:fs';",
          'src/certs/b.ts': "import { readFile } from 'fs/promises';",
          'src/manifests/c.ts': "const cp = createRequire(import.meta.url)('child_process');",
          'src/config/d.ts': "const { execa } = await import('execa');",
          'src/commands/version.ts': "export { readFileSync } from 'node:fs';",
          'src/phases/e.ts': "const os = require('node:os');",
          'src/tokens/f.ts': 'const m = await import(name);',
        }),
        [
          'src/certs/a.ts -> node:fs',
          'src/certs/b.ts -> node:fs',
          'src/manifests/c.ts -> node:child_process',
          'src/config/d.ts -> execa',
          'src/commands/version.ts -> node:fs',
          'src/phases/e.ts -> node:os',
          'src/tokens/f.ts -> <computed>',
        ],
      );
    });

    test('network and client libraries only where they belong', () => {
      assert.deepEqual(
        rulesBroken({
          'src/etcd/a.ts': "import { readFile } from 'node:fs/promises';",
          'src/phases/b.ts': "import * as https from 'node:https';",
          'src/host/exec.ts': "import * as grpc from '@grpc/grpc-js';",
          'src/phases/c.ts':
            "type Lib = typeof import('@kubernetes/client-node');\nconst lib = () => import('@kubernetes/client-node');",
          'src/manifests/d.ts': "import * as net from 'node:net';",
        }),
        [
          'src/etcd/a.ts -> node:fs',
          'src/phases/b.ts -> node:https',
          'src/host/exec.ts -> @grpc/grpc-js',
          'src/phases/c.ts -> @kubernetes/client-node',
          'src/manifests/d.ts -> node:net',
        ],
      );
    });

    test('domain modules reach the Host only from their one adapter, and only the port and path rules', () => {
      assert.deepEqual(
        rulesBroken({
          'src/manifests/kubelet.ts': "import type { Host } from '../host/host.js';",
          'src/patches/patches.ts': "import { userPath } from '../host/paths.js';",
          'src/certs/pki-files.ts': "import { serviceIsActive } from '../host/services.js';",
          'src/manifests/manifest-files.ts': "import type { Host } from '../host/host.js';",
          'src/manifests/more-files.ts': "import type { Host } from '../host/host.js';",
          'src/certs/renewal.ts': "import type { ContainerRuntime } from '../host/runtime.js';",
        }),
        [
          'src/manifests/kubelet.ts -> src/host/host.ts',
          'src/patches/patches.ts -> src/host/paths.ts',
          'src/certs/pki-files.ts -> src/host/services.ts',
          'src/manifests/more-files.ts -> ',
        ],
      );
    });

    test('nothing below commands/ and phases/ imports them or the workflow engine', () => {
      assert.deepEqual(
        rulesBroken({
          'src/manifests/a.ts': "import type { InitData } from '../phases/init/data.js';",
          'src/certs/b.ts': "import type { Phase } from '../workflow/index.js';",
          'src/workflow/c.ts': "import { initPhases } from '../phases/init/index.js';",
          'src/phases/d.ts': "import { initFlags } from '../commands/init.js';",
          'src/output/e.ts': "import type { Host } from '../host/host.js';",
          'src/workflow/f.ts': "import type { Phase } from './phase.js';",
        }),
        [
          'src/manifests/a.ts -> src/phases/init/data.ts',
          'src/certs/b.ts -> src/workflow/index.ts',
          'src/workflow/c.ts -> src/phases/init/index.ts',
          'src/phases/d.ts -> src/commands/init.ts',
          'src/output/e.ts -> src/host/host.ts',
        ],
      );
    });
  });
});
