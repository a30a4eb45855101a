// `kbadm upgrade plan` in-process through main(), against an in-memory cluster. The `upgrade`
// command itself is assembled elsewhere; here a stand-in parent holds the plan subcommand.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Command } from 'commander';
import { parse } from 'yaml';
import { upgradePlanCommand } from '../../src/commands/upgrade-plan.js';
import { entry, optionNames, runCli } from '../support/cli.js';
import { TestCluster } from '../support/memory-cluster.js';
import { tempDir } from '../support/temp.js';
import { seedUpgradeCluster, type UpgradeClusterSeed } from '../support/upgrade-cluster.js';

const UPGRADE = entry('upgrade', (ctx) => new Command('upgrade').addCommand(upgradePlanCommand(ctx)));

/** A control-plane node's root: plan's health checks look for its static Pod manifests. */
function controlPlaneRoot(t: { after(fn: () => void): void }): string {
  const root = tempDir(t, 'kbadm-upgrade-plan-');
  const manifests = join(root, 'etc/kubernetes/manifests');
  mkdirSync(manifests, { recursive: true });
  for (const c of ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'])
    writeFileSync(join(manifests, `${c}.yaml`), 'apiVersion: v1\nkind: Pod\n');
  return root;
}

function env(t: { after(fn: () => void): void }, seed: UpgradeClusterSeed = {}) {
  const root = controlPlaneRoot(t);
  const cluster = new TestCluster();
  seedUpgradeCluster(cluster, seed);
  return {
    root,
    cluster,
    kbadm: (...args: string[]) =>
      runCli(['--rootfs', root, 'upgrade', 'plan', ...args], {
        cluster: cluster.factory,
        commands: [UPGRADE],
      }),
  };
}

const HEAD = `[upgrade/config] Reading configuration from the "kubeadm-config" ConfigMap in namespace "kube-system"...
[upgrade/config] Use 'kbadm init phase upload-config kubeadm --config your-config-file' to re-upload it.
[upgrade] Running cluster health checks
[upgrade] Looking up versions to upgrade to in kbadm's built-in release list (up to v1.34.0; no internet lookup)
[upgrade/versions] Cluster version: v1.33.1
[upgrade/versions] kbadm version: v1.34.0
[upgrade/versions] Target version: v1.34.0
[upgrade/versions] Latest version in the v1.33 series: v1.33.4

`;

describe('kbadm upgrade plan', () => {
  test('text: the version lines, then a table per upgrade and the config states', async (t) => {
    const e = env(t, { workers: [['w-1', 'v1.33.1']] });
    const r = await e.kbadm();
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.startsWith(HEAD), r.stdout);
    const rest = r.stdout.slice(HEAD.length);
    assert.ok(
      rest.startsWith(`Components that must be upgraded manually after you have upgraded the control plane with 'kbadm upgrade apply':
COMPONENT   NODE      CURRENT   TARGET
kubelet     cp-1      v1.33.1   v1.33.4
kubelet     w-1       v1.33.1   v1.33.4

Upgrade to the latest version in the v1.33 series:
`),
      rest,
    );
    assert.match(rest, /\n\tkbadm upgrade apply v1\.33\.4\n/);
    assert.match(rest, /\nUpgrade to the latest stable version:\n/);
    assert.match(rest, /\netcd {22}cp-1 {6}3\.5\.21-0 {3}3\.6\.4-0\n/);
    assert.match(rest, /\n\tkbadm upgrade apply v1\.34\.0\n/);
    assert.match(rest, /\nkubelet\.config\.k8s\.io {5}v1beta1 {11}v1beta1 {13}no\n_{69}\n\n$/);
    // kbadm says ahead what apply would make of the patch target (kubeadm's rule for a newer kbadm).
    assert.match(
      r.stderr,
      /'kbadm upgrade apply v1\.33\.4' would need --force: Kubeadm version v1\.34\.0 can only be used to upgrade to Kubernetes version 1\.34/,
    );
    assert.doesNotMatch(r.stderr, /v1\.34\.0' would/);
    assert.deepEqual(
      e.cluster.opened.map((o) => [o.kubeconfigPath, o.options.dryRun]),
      [[join(e.root, 'etc/kubernetes/admin.conf'), false]],
    );
    assert.equal(e.cluster.closed, 1);
    // Plan changes nothing but for the health check's Job, which ran to completion.
    const writes = e.cluster.requests.filter((q) => q.verb !== 'GET' && q.verb !== 'LIST');
    assert.deepEqual(
      writes.map((q) => [q.verb, q.kind, q.namespace]),
      [['CREATE', 'Job', 'kube-system']],
    );
    assert.match(writes[0]!.name!, /^upgrade-health-check-\d+$/);
  });

  test('-o json: only the UpgradePlan object on stdout', async (t) => {
    const e = env(t, { kubernetesVersion: 'v1.33.4' });
    const r = await e.kbadm('-o', 'json');
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.kind, 'UpgradePlan');
    assert.equal(doc.apiVersion, 'output.kubeadm.k8s.io/v1alpha3');
    assert.deepEqual(
      doc.availableUpgrades.map((u: { description: string }) => u.description),
      ['stable version'],
    );
    assert.deepEqual(doc.availableUpgrades[0].components[0], {
      name: 'kubelet',
      currentVersion: 'v1.33.4',
      newVersion: 'v1.34.0',
      nodeName: 'cp-1',
    });
    assert.equal(doc.configVersions.length, 2);
  });

  test('-o yaml, and an up-to-date cluster gives an empty list', async (t) => {
    const e = env(t, { kubernetesVersion: 'v1.34.0' });
    const r = await e.kbadm('-o', 'yaml');
    assert.equal(r.code, 0, r.stderr);
    const doc = parse(r.stdout);
    assert.equal(doc.kind, 'UpgradePlan');
    assert.deepEqual(doc.availableUpgrades, []);
    const text = await e.kbadm();
    assert.equal(text.code, 0, text.stderr);
    assert.match(
      text.stdout,
      /\nThe cluster is at or above every version kbadm knows of \(newest: v1\.34\.0\): there is nothing to upgrade to\.\n$/,
    );
  });

  test('[version]: the one target, even one kbadm does not know; kbadm older than it is noted', async (t) => {
    const e = env(t, { kubernetesVersion: 'v1.34.0' });
    const r = await e.kbadm('v1.34.3', '--etcd-upgrade=false');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\[upgrade\] Planning for the version given on the command line\n/);
    assert.match(r.stdout, /\[upgrade\/versions\] Target version: v1\.34\.3\n/);
    assert.doesNotMatch(r.stdout, /Latest version in the/);
    assert.match(r.stdout, /\nUpgrade to the latest version in the v1\.34 series:\n/);
    assert.match(
      r.stdout,
      /\netcd {22}cp-1 {6}3\.5\.21-0 {3}3\.5\.21-0\n/,
      '--etcd-upgrade=false keeps etcd',
    );
    assert.match(
      r.stdout,
      /\tkbadm upgrade apply v1\.34\.3\n\nNote: Before you can perform this upgrade, you have to update kbadm to v1\.34\.3\.\n/,
    );
    const same = await e.kbadm('v1.34.0');
    assert.match(
      same.stdout,
      /The cluster is already at v1\.34\.0, not below v1\.34\.0: there is nothing to upgrade to\./,
    );
  });

  test('a version that is none, or a label, is refused before the cluster is asked', async (t) => {
    const e = env(t);
    const bad = await e.kbadm('1.34');
    assert.equal(bad.code, 3);
    assert.match(bad.stderr, /\[version\]/);
    assert.match(bad.stderr, /1\.34/);
    const label = await e.kbadm('stable');
    assert.equal(label.code, 3);
    assert.match(label.stderr, /internet lookup/);
    const format = await e.kbadm('-o', 'wide');
    assert.notEqual(format.code, 0);
    assert.deepEqual(e.cluster.requests, []);
  });

  test('--config: UpgradeConfiguration.plan gives the target; other flags do not mix with it', async (t) => {
    const e = env(t);
    const file = join(e.root, 'upgrade.yaml');
    writeFileSync(
      file,
      'apiVersion: kubeadm.k8s.io/v1beta4\nkind: UpgradeConfiguration\nplan:\n  kubernetesVersion: v1.34.0\n  etcdUpgrade: false\n',
    );
    const r = await e.kbadm('--config', '/upgrade.yaml', '-o', 'json');
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.deepEqual(
      doc.availableUpgrades.map((u: { description: string }) => u.description),
      ['stable version'],
    );
    const etcd = doc.availableUpgrades[0].components.find((c: { name: string }) => c.name === 'etcd');
    assert.equal(etcd.newVersion, '3.5.21-0');
    const mixed = await e.kbadm('--config', '/upgrade.yaml', '--allow-experimental-upgrades');
    assert.notEqual(mixed.code, 0);
    assert.match(mixed.stderr, /can not mix '--config' with arguments \[allow-experimental-upgrades\]/);
  });

  test('a large cluster: a kubelet row for every node, read in pages', async (t) => {
    const workers: [string, string][] = [];
    for (let i = 0; i < 1200; i++) workers.push([`w-${i}`, i < 200 ? 'v1.32.0' : 'v1.33.1']);
    const e = env(t, {
      kubernetesVersion: 'v1.33.4',
      controlPlanes: [{ node: 'cp-1', version: 'v1.33.4' }],
      workers,
    });
    const r = await e.kbadm();
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /\nCOMPONENT {3}NODE {6}CURRENT {3}TARGET\nkubelet {5}w-0 {7}v1\.32\.0 {3}v1\.34\.0\nkubelet {5}w-1 {7}v1\.32\.0 {3}v1\.34\.0\n/,
    );
    const rows = r.stdout.match(/^kubelet {5}\S+ +v1\.3\d\.\d {3}v1\.34\.0$/gm) ?? [];
    assert.equal(rows.length, 1201);
    assert.equal(rows.filter((row) => row.includes('v1.32.0')).length, 200);
    assert.equal(rows.filter((row) => row.includes('v1.33.1')).length, 1000);
    assert.match(rows.at(-1)!, /^kubelet {5}cp-1 {6}v1\.33\.4 /);
    // The kubelets' pages (the health checks list Nodes with selectors of their own).
    const nodeLists = e.cluster.requests.filter(
      (q) => q.verb === 'LIST' && q.kind === 'Node' && !q.query?.labelSelector && !q.query?.fieldSelector,
    );
    assert.equal(nodeLists.length, 3);
  });

  test('--print-config shows the ClusterConfiguration, tab-indented, with the version asked for; a cluster newer than kbadm is warned about', async (t) => {
    const e = env(t, { kubernetesVersion: 'v1.35.1' });
    const r = await e.kbadm('--print-config');
    assert.equal(r.code, 0, r.stderr);
    const used = /\[upgrade\/config\] Configuration used:\n((?:\t.*\n)+)/.exec(r.stdout)?.[1];
    assert.ok(used, r.stdout);
    assert.match(used, /^\tapiVersion: kubeadm\.k8s\.io\/v1beta4$/m);
    assert.match(used, /^\tkind: ClusterConfiguration$/m);
    assert.match(used, /^\tkubernetesVersion: v1\.35\.1$/m);
    assert.match(used, /^\tnetworking:\n\t  dnsDomain: cluster\.local$/m);
    const asked = await e.kbadm('v1.35.2', '--print-config');
    assert.match(asked.stdout, /^\tkubernetesVersion: v1\.35\.2$/m);
    assert.match(
      r.stderr,
      /the cluster runs v1\.35\.1, outside the control-plane versions this kbadm manages \(v1\.33\.0 to v1\.34\.x\)/,
    );
    assert.match(r.stdout, /there is nothing to upgrade to/);
    const quiet = await e.kbadm();
    assert.doesNotMatch(quiet.stdout, /Configuration used/);
  });

  test('help: the flags of kubeadm’s upgrade plan', async (t) => {
    const e = env(t);
    const r = await e.kbadm('--help');
    assert.equal(r.code, 0);
    assert.deepEqual(optionNames(r.stdout).sort(), [
      'allow-experimental-upgrades',
      'allow-missing-template-keys',
      'allow-release-candidate-upgrades',
      'config',
      'etcd-upgrade',
      'ignore-preflight-errors',
      'kubeconfig',
      'output',
      'print-config',
      'show-managed-fields',
    ]);
    assert.match(r.stdout, /never looks up releases on the internet/);
  });
});
