import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createContext } from '../../src/commands/context.js';
import { buildProgram, COMMANDS } from '../../src/commands/root.js';
import { demoWorkflowEntry } from '../support/demo-workflow.js';
import { parse } from '../support/workflow.js';

/** The real root with the demo loaded, as `kbadm <argv>` builds it; output stays in memory. */
async function demo(argv: string[]) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const ctx = createContext({
    stdout: { write: (s: string) => stdout.push(s) },
    stderr: { write: (s: string) => stderr.push(s) },
    env: {},
    globals: () => ({ rootfs: '/', verbosity: 0 }),
  });
  const root = await buildProgram(ctx, argv, [...COMMANDS, demoWorkflowEntry]);
  const err = await parse(root, argv);
  return {
    root,
    err,
    stdout: () => stdout.join(''),
    lines: () =>
      stdout
        .join('')
        .split('\n')
        .filter((l) => l.startsWith('[')),
  };
}

test('demo-workflow is hidden from the root help but runs', async () => {
  const { root, err, lines } = await demo(['demo-workflow']);
  assert.equal(err, undefined);
  assert.doesNotMatch(root.helpInformation(), /demo-workflow/);
  assert.deepEqual(lines(), [
    '[demo-workflow] Initializing run data',
    '[prepare/config] Using config "" (dry-run: false)',
    '[prepare/keys] Generating rsa keys for SANs []',
    '[render/files] Writing files for node "demo-node"',
    '[render/manifests] Writing manifests',
    '[debug] node=demo-node timeout=60000ms args=[]',
    '[finish] Done (kubeconfig /etc/kubernetes/admin.conf, timeout 60000ms)',
  ]);
});

test('demo-workflow: runIf and --skip-phases with an alias', async () => {
  const { err, lines } = await demo([
    'demo-workflow',
    '--dry-run',
    '--skip-phases',
    'prepare/cfg,debug',
    'hello',
  ]);
  assert.equal(err, undefined);
  assert.deepEqual(lines(), [
    '[demo-workflow] Initializing run data',
    '[prepare/keys] Generating rsa keys for SANs []',
    '[render/files] Writing files for node "demo-node"',
    '[finish] Done (kubeconfig /etc/kubernetes/admin.conf, timeout 60000ms): hello',
  ]);
});

test('demo-workflow: `phase <parent> all` with inherited and local flags', async () => {
  const argv = [
    'demo-workflow',
    'phase',
    'prepare',
    'all',
    '--key-type',
    'ecdsa',
    '--extra-sans',
    'a,b',
    '--config',
    'c.yaml',
  ];
  const { err, lines } = await demo(argv);
  assert.equal(err, undefined);
  assert.deepEqual(lines(), [
    '[demo-workflow] Initializing run data for phase prepare',
    '[prepare/config] Using config "c.yaml" (dry-run: false)',
    '[prepare/keys] Generating ecdsa keys for SANs [a,b]',
  ]);
});

test('demo-workflow: a parent without run prints help, with no data built', async () => {
  const { err, lines, stdout } = await demo(['demo-workflow', 'phase', 'render']);
  assert.equal(err, undefined);
  assert.deepEqual(lines(), []);
  assert.match(stdout(), /manifests\|manifest \[options\]/);
});

test('demo-workflow: aliases, local flags, arguments and phase-only flags', async () => {
  const a = await demo(['demo-workflow', 'phase', 'render', 'manifest', '--print-manifest']);
  assert.equal(a.err, undefined);
  assert.deepEqual(a.lines().slice(1), ['[render/manifests] Printing manifests']);
  const b = await demo(['demo-workflow', 'phase', 'done', 'bye', '--kubeconfig', '/k', '--timeout', '2m']);
  assert.equal(b.err, undefined);
  assert.deepEqual(b.lines().slice(1), ['[finish] Done (kubeconfig /k, timeout 120000ms): bye']);
});
