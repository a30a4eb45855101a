// `kbadm upgrade diff` in-process: a real `kbadm init` under a temporary root writes the manifests
// and stores the configuration in an in-memory API server; diff then renders from that stored
// configuration and compares with the files init wrote.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Command } from 'commander';
import { upgradeDiffCommand } from '../../src/commands/upgrade-diff.js';
import { entry, runCli } from '../support/cli.js';
import { TestCluster } from '../support/memory-cluster.js';
import { IGNORE_IN_TEMP_ROOT } from '../support/temp-root-preflight.js';

const INIT_CONFIG = `apiVersion: kubeadm.k8s.io/v1beta4
kind: InitConfiguration
localAPIEndpoint:
  advertiseAddress: 10.0.0.5
nodeRegistration:
  name: cp-1
  criSocket: unix:///var/run/containerd/containerd.sock
---
apiVersion: kubeadm.k8s.io/v1beta4
kind: ClusterConfiguration
kubernetesVersion: v1.34.0
encryptionAlgorithm: ECDSA-P256
apiServer:
  extraArgs:
  - name: audit-log-maxage
    value: "30"
`;

const UPGRADE = [entry('upgrade', (ctx) => new Command('upgrade').addCommand(upgradeDiffCommand(ctx)))];
const MANIFESTS = '/etc/kubernetes/manifests';

describe('kbadm upgrade diff', () => {
  let root: string;
  let api: TestCluster;

  after(() => rmSync(root, { recursive: true, force: true }));

  before(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'kbadm-upgrade-diff-'));
    writeFileSync(path.join(root, 'cfg.yaml'), INIT_CONFIG);
    api = new TestCluster('https://10.0.0.5:6443', { registerNodes: true });
    const r = await runCli(
      [
        '--rootfs',
        root,
        'init',
        '--config',
        '/cfg.yaml',
        '--skip-phases',
        'wait-control-plane',
        ...IGNORE_IN_TEMP_ROOT,
      ],
      { cluster: api.factory },
    );
    assert.equal(r.code, 0, r.stderr);
  });

  const diff = (...args: string[]) =>
    runCli(['--rootfs', root, 'upgrade', 'diff', ...args], { commands: UPGRADE, cluster: api.factory });

  test("the cluster's own version renders exactly what init wrote: no diff", async () => {
    const r = await diff();
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '[upgrade/diff] Reading configuration from the cluster...\n');
    const last = api.requests.filter((q) => q.kind === 'ConfigMap').map((q) => q.name);
    assert.ok(last.includes('kubeadm-config'));
  });

  test('a newer patch release changes the image of each of the three manifests', async () => {
    const r = await diff('v1.34.2');
    assert.equal(r.code, 0, r.stderr);
    const headers = r.stdout.split('\n').filter((l) => l.startsWith('--- ') || l.startsWith('+++ '));
    assert.deepEqual(headers, [
      `--- ${MANIFESTS}/kube-apiserver.yaml`,
      '+++ new manifest',
      `--- ${MANIFESTS}/kube-controller-manager.yaml`,
      '+++ new manifest',
      `--- ${MANIFESTS}/kube-scheduler.yaml`,
      '+++ new manifest',
    ]);
    for (const c of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler']) {
      assert.match(r.stdout, new RegExp(`^-    image: registry\\.k8s\\.io/${c}:v1\\.34\\.0$`, 'm'));
      assert.match(r.stdout, new RegExp(`^\\+    image: registry\\.k8s\\.io/${c}:v1\\.34\\.2$`, 'm'));
    }
    assert.doesNotMatch(r.stdout, /etcd\.yaml/);
    // Three context lines around each one-line change by default.
    assert.equal((r.stdout.match(/^@@ -\d+,7 \+\d+,7 @@$/gm) ?? []).length, 3);
  });

  test('-c sets the context lines; --config supplies the version', async () => {
    writeFileSync(
      path.join(root, 'upgrade.yaml'),
      'apiVersion: kubeadm.k8s.io/v1beta4\nkind: UpgradeConfiguration\ndiff:\n  kubernetesVersion: v1.34.1\n',
    );
    const r = await diff('--config', '/upgrade.yaml', '-c', '0');
    assert.equal(r.code, 0, r.stderr);
    const hunk = r.stdout.split('\n').filter((l) => /^[-+ @]/.test(l) && !/^(---|\+\+\+) /.test(l));
    assert.deepEqual(hunk.slice(0, 3), [
      hunk[0],
      '-    image: registry.k8s.io/kube-apiserver:v1.34.0',
      '+    image: registry.k8s.io/kube-apiserver:v1.34.1',
    ]);
    assert.match(hunk[0]!, /^@@ -\d+ \+\d+ @@$/);
  });

  test('a hand-edited manifest shows up against the stored configuration', async () => {
    const file = path.join(root, MANIFESTS, 'kube-scheduler.yaml');
    const original = readFileSync(file, 'utf8');
    try {
      writeFileSync(file, original.replace('    - --leader-elect=true\n', ''));
      const r = await diff();
      assert.equal(r.code, 0, r.stderr);
      assert.match(
        r.stdout,
        new RegExp(`^--- ${MANIFESTS}/kube-scheduler.yaml\n\\+\\+\\+ new manifest\n`, 'm'),
      );
      assert.match(r.stdout, /^\+    - --leader-elect=true$/m);
      assert.doesNotMatch(r.stdout, /kube-apiserver\.yaml/);
    } finally {
      writeFileSync(file, original);
    }
  });

  test('bad input: a version that is none, a negative -c, a missing manifest', async () => {
    let r = await diff('latest');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /version argument: "latest": illegal version string/);
    r = await diff('-c', '-1');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /--context-lines/);
    const file = path.join(root, MANIFESTS, 'kube-apiserver.yaml');
    const original = readFileSync(file, 'utf8');
    rmSync(file);
    try {
      r = await diff();
      assert.equal(r.code, 1);
      assert.match(
        r.stderr,
        /static Pod manifest \/etc\/kubernetes\/manifests\/kube-apiserver\.yaml does not exist/,
      );
    } finally {
      writeFileSync(file, original);
    }
  });
});
