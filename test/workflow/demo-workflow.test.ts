import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { createContext } from '../../src/commands/context.js';
import { workflowDemoCommand } from '../../src/commands/workflow-demo.js';
import { capture, parse } from './harness.js';

function demo() {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const ctx = createContext({
    stdout: { write: (s: string) => stdout.push(s) },
    stderr: { write: (s: string) => stderr.push(s) },
    env: {},
    globals: () => ({ rootfs: '/', verbosity: 0 }),
  });
  const root = new Command('kbadm');
  const cmd = workflowDemoCommand(ctx);
  root.addCommand(cmd);
  const io = capture(root);
  cmd.copyInheritedSettings(root);
  return {
    root,
    io,
    lines: () =>
      stdout
        .join('')
        .split('\n')
        .filter((l) => l !== ''),
  };
}

test('demo-workflow is hidden from the root help but runs', async () => {
  const { root, lines } = demo();
  assert.doesNotMatch(root.helpInformation(), /demo-workflow/);
  assert.equal(await parse(root, ['demo-workflow']), undefined);
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
  const { root, lines } = demo();
  assert.equal(
    await parse(root, ['demo-workflow', '--dry-run', '--skip-phases', 'prepare/cfg,debug', 'hello']),
    undefined,
  );
  assert.deepEqual(lines(), [
    '[demo-workflow] Initializing run data',
    '[prepare/keys] Generating rsa keys for SANs []',
    '[render/files] Writing files for node "demo-node"',
    '[finish] Done (kubeconfig /etc/kubernetes/admin.conf, timeout 60000ms): hello',
  ]);
});

test('demo-workflow: `phase <parent> all` with inherited and local flags', async () => {
  const { root, lines } = demo();
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
  assert.equal(await parse(root, argv), undefined);
  assert.deepEqual(lines(), [
    '[demo-workflow] Initializing run data for phase prepare',
    '[prepare/config] Using config "c.yaml" (dry-run: false)',
    '[prepare/keys] Generating ecdsa keys for SANs [a,b]',
  ]);
});

test('demo-workflow: a parent without run prints help, with no data built', async () => {
  const { root, io, lines } = demo();
  assert.equal(await parse(root, ['demo-workflow', 'phase', 'render']), undefined);
  assert.deepEqual(lines(), []);
  assert.match(io.stdout(), /manifests\|manifest \[options\]/);
});

test('demo-workflow: aliases, local flags, arguments and phase-only flags', async () => {
  const a = demo();
  assert.equal(
    await parse(a.root, ['demo-workflow', 'phase', 'render', 'manifest', '--print-manifest']),
    undefined,
  );
  assert.deepEqual(a.lines().slice(1), ['[render/manifests] Printing manifests']);
  const b = demo();
  const argv = ['demo-workflow', 'phase', 'done', 'bye', '--kubeconfig', '/k', '--timeout', '2m'];
  assert.equal(await parse(b.root, argv), undefined);
  assert.deepEqual(b.lines().slice(1), ['[finish] Done (kubeconfig /k, timeout 120000ms): bye']);
});
