// `kbadm upgrade apply` in-process: a control plane made by a real `kbadm init` at v1.33.4 against an
// in-memory API server, and a stand-in for the kubelet that gives each mirror Pod a new
// kubernetes.io/config.hash when its manifest changes. The rollback of a component that does not
// come back is tested with the static Pod upgrade itself (static-pod-upgrade.test.ts).
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { controlPlaneUpgraded } from '../../../src/commands/upgrade.js';
import { runCli, virtualClock } from '../../support/cli.js';
import { fakeKubelet as kubeletFor } from '../../support/fake-kubelet.js';
import { initCluster, type Cluster } from '../../support/memory-control-plane.js';

/** The kubelet's part on cp-1: mirror Pods that follow the manifests, Running, on a Ready node. */
function fakeKubelet(c: Cluster, o: { nodeReady?: boolean; frozen?: string[] } = {}): { stop(): void } {
  return kubeletFor(c.api, [
    { name: 'cp-1', root: c.cpRoot, ready: o.nodeReady !== false, ...(o.frozen ? { frozen: o.frozen } : {}) },
  ]);
}

const APPLY = (root: string) => [
  '--rootfs',
  root,
  'upgrade',
  'apply',
  'v1.34.0',
  '--yes',
  // No etcd runs in this test to take a snapshot of: the lab covers etcd's upgrade.
  '--etcd-upgrade=false',
  '--ignore-preflight-errors',
  'ImagePull',
];

describe('kbadm upgrade apply', () => {
  test('v1.33.4 to v1.34.0: new manifests with old ones kept, the configuration stored, the closing lines', async (t) => {
    const c = await initCluster(t, { kubernetesVersion: 'v1.33.4' });
    const manifests = path.join(c.cpRoot, 'etc/kubernetes/manifests');
    const old = readFileSync(path.join(manifests, 'kube-apiserver.yaml'), 'utf8');
    assert.match(old, /kube-apiserver:v1\.33\.4/);
    const certsBefore = new Map(
      ['pki/apiserver.crt', 'pki/front-proxy-client.crt'].map((f) => [
        f,
        new X509Certificate(readFileSync(path.join(c.cpRoot, 'etc/kubernetes', f))),
      ]),
    );
    const kubelet = fakeKubelet(c);
    t.after(() => kubelet.stop());
    // Lost since init: the bootstrap-token phase puts it back.
    const getNodes = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      name: 'kubeadm:get-nodes',
    };
    assert.ok(await c.api.delete(getNodes));
    const r = await runCli(APPLY(c.cpRoot), { cluster: c.api.factory });
    assert.equal(r.code, 0, `${r.stderr}\n${r.stdout}`);
    assert.ok(r.stdout.endsWith(controlPlaneUpgraded('v1.34.0')), JSON.stringify(r.stdout.slice(-300)));
    assert.ok(c.api.storedObject(getNodes), 'kubeadm:get-nodes is back');
    assert.match(
      r.stdout,
      /^\[upgrade\/bootstrap-token\] Configuring bootstrap token and cluster-info RBAC rules\n\[bootstrap-token\] Configured RBAC rules to allow Node Bootstrap tokens to get nodes$/m,
    );
    assert.match(
      r.stdout,
      /^\[upgrade\/preflight\] Pulling images required for setting up a Kubernetes cluster$/m,
    );
    // The hidden kubeconfig phase runs between upload-config and kubelet-config.
    assert.match(
      r.stdout,
      /\[upload-config\][^\n]*\n(?:.*\n)*\[upgrade\/kubeconfig\] The kubeconfig files for this node were successfully upgraded!\n(?:.*\n)*\[upgrade\/kubelet-config\]/,
    );
    for (const component of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler']) {
      assert.match(
        readFileSync(path.join(manifests, `${component}.yaml`), 'utf8'),
        new RegExp(`${component}:v1\\.34\\.0`),
      );
      assert.match(
        r.stdout,
        new RegExp(`\\[upgrade/staticpods\\] Component "${component}" upgraded successfully!`),
      );
    }
    // Each component's certificates renewed before its manifest moved: new serials, same subjects.
    for (const [file, name] of [
      ['pki/apiserver.crt', 'apiserver'],
      ['pki/front-proxy-client.crt', 'front-proxy-client'],
    ] as const) {
      const before = certsBefore.get(file)!;
      const after = new X509Certificate(readFileSync(path.join(c.cpRoot, 'etc/kubernetes', file)));
      assert.notEqual(after.serialNumber, before.serialNumber, file);
      assert.equal(after.subject, before.subject, file);
      assert.equal(after.subjectAltName, before.subjectAltName, file);
      assert.ok(r.stdout.includes(`[upgrade/staticpods] Renewing ${name} certificate`), name);
    }
    assert.ok(r.stdout.includes('[upgrade/staticpods] Renewing scheduler.conf certificate'));
    const tmp = path.join(c.cpRoot, 'etc/kubernetes/tmp');
    const backup = readdirSync(tmp).find((d) => d.startsWith('kubeadm-backup-manifests-'))!;
    assert.equal(
      readFileSync(path.join(tmp, backup, 'kube-apiserver.yaml'), 'utf8'),
      old,
      'the old manifest kept byte for byte',
    );
    const cm = c.api.stored('ConfigMap').find((o) => o.metadata.name === 'kubeadm-config')!;
    assert.match(
      (cm as unknown as { data: Record<string, string> }).data.ClusterConfiguration!,
      /^kubernetesVersion: v1\.34\.0$/m,
    );
    const proxy = c.api.stored('DaemonSet').find((o) => o.metadata.name === 'kube-proxy')!;
    assert.match(JSON.stringify(proxy), /kube-proxy:v1\.34\.0/);
    assert.match(
      r.stdout,
      /\[upgrade\/kubelet-config\] The kubelet configuration for this node was successfully upgraded!/,
    );
  });

  test('apply again at the same version: renewed certificates restart the unchanged components; without renewal they are skipped', async (t) => {
    const c = await initCluster(t, { kubernetesVersion: 'v1.33.4' });
    const manifests = path.join(c.cpRoot, 'etc/kubernetes/manifests');
    const kubelet = fakeKubelet(c);
    t.after(() => kubelet.stop());
    assert.equal((await runCli(APPLY(c.cpRoot), { cluster: c.api.factory })).code, 0);
    const upgraded = readFileSync(path.join(manifests, 'kube-apiserver.yaml'));
    const hash = () =>
      c.api.stored('Pod').find((p) => p.metadata.name === 'kube-apiserver-cp-1')?.metadata.annotations?.[
        'kubernetes.io/config.hash'
      ];
    const hashBefore = hash();
    const serial = () =>
      new X509Certificate(readFileSync(path.join(c.cpRoot, 'etc/kubernetes/pki/apiserver.crt'))).serialNumber;
    const serialBefore = serial();
    const again = await runCli(APPLY(c.cpRoot), { cluster: c.api.factory });
    assert.equal(again.code, 0, `${again.stderr}\n${again.stdout}`);
    for (const component of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler']) {
      assert.match(
        again.stdout,
        new RegExp(
          `\\[upgrade/staticpods\\] Restarting the ${component} static pod and backing up its manifest to "/etc/kubernetes/tmp/kubeadm-backup-manifests-[0-9-]+/${component}\\.yaml"`,
        ),
      );
    }
    assert.notEqual(serial(), serialBefore, 'renewed');
    assert.deepEqual(readFileSync(path.join(manifests, 'kube-apiserver.yaml')), upgraded, 'the same bytes');
    assert.equal(hash(), hashBefore, 'the same manifest, so the same hash, after a restart');
    // Its record lists no component: rollback has nothing of it to undo.
    const records = readdirSync(path.join(c.cpRoot, 'etc/kubernetes/tmp'))
      .filter((d) => d.startsWith('kubeadm-backup-manifests-'))
      .sort()
      .map((d) =>
        JSON.parse(readFileSync(path.join(c.cpRoot, 'etc/kubernetes/tmp', d, 'kbadm-upgrade.json'), 'utf8')),
      );
    assert.equal(records.length, 2);
    assert.deepEqual(
      records.map((r) => [r.completed, r.components]),
      [
        [true, ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler']],
        [true, []],
      ],
    );
    const skipped = await runCli([...APPLY(c.cpRoot), '--certificate-renewal=false'], {
      cluster: c.api.factory,
    });
    assert.equal(skipped.code, 0, skipped.stderr);
    assert.match(skipped.stdout, /Current and new manifests of kube-apiserver are equal, skipping upgrade/);
    assert.doesNotMatch(skipped.stdout, /Restarting the|Renewing/);
  });

  test('upgrade rollback after an apply puts the old manifests back byte for byte; without a backup it refuses', async (t) => {
    const c = await initCluster(t, { kubernetesVersion: 'v1.33.4' });
    const manifests = path.join(c.cpRoot, 'etc/kubernetes/manifests');
    const before = new Map(
      ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'].map((m) => [
        m,
        readFileSync(path.join(manifests, `${m}.yaml`)),
      ]),
    );
    const none = await runCli(['--rootfs', c.cpRoot, 'upgrade', 'rollback']);
    assert.notEqual(none.code, 0);
    assert.match(
      none.stderr,
      /no manifest backup under \/etc\/kubernetes\/tmp .*there is no upgrade to roll back/,
    );
    const kubelet = fakeKubelet(c);
    t.after(() => kubelet.stop());
    const r = await runCli(APPLY(c.cpRoot), { cluster: c.api.factory });
    assert.equal(r.code, 0, r.stderr);
    const dry = await runCli(['--rootfs', c.cpRoot, 'upgrade', 'rollback', '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /Would restore "\/etc\/kubernetes\/manifests\/kube-apiserver\.yaml"/);
    assert.match(
      readFileSync(path.join(manifests, 'kube-apiserver.yaml'), 'utf8'),
      /v1\.34\.0/,
      'a dry run changes nothing',
    );
    // apply recorded the upgrade in its backup directory; rollback names it.
    const tmp = path.join(c.cpRoot, 'etc/kubernetes/tmp');
    const backup = readdirSync(tmp).find((d) => d.startsWith('kubeadm-backup-manifests-'))!;
    const record = JSON.parse(readFileSync(path.join(tmp, backup, 'kbadm-upgrade.json'), 'utf8'));
    assert.deepEqual(
      { ...record, startedAt: typeof record.startedAt },
      {
        kind: 'UpgradeRecord',
        version: 1,
        fromVersion: 'v1.33.4',
        toVersion: 'v1.34.0',
        startedAt: 'string',
        completed: true,
        components: ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'],
      },
    );
    // etcd was not upgraded, so there is nothing of etcd's to restore; both sources at once is an input error.
    const noSnapshot = await runCli(['--rootfs', c.cpRoot, 'upgrade', 'rollback', '--etcd-snapshot']);
    assert.equal(noSnapshot.code, 1);
    assert.match(
      noSnapshot.stderr,
      /cannot restore etcd: the upgrade backed up in ".*" saved no etcd snapshot/,
    );
    const both = await runCli([
      '--rootfs',
      c.cpRoot,
      'upgrade',
      'rollback',
      '--etcd-snapshot',
      '--etcd-data',
    ]);
    assert.equal(both.code, 3);
    assert.match(both.stderr, /--etcd-data: cannot be combined with --etcd-snapshot/);
    assert.match(readFileSync(path.join(manifests, 'kube-apiserver.yaml'), 'utf8'), /v1\.34\.0/);
    const back = await runCli(['--rootfs', c.cpRoot, 'upgrade', 'rollback']);
    assert.equal(back.code, 0, back.stderr);
    assert.match(
      back.stdout,
      /Using the manifests backed up in ".*": the upgrade from v1\.33\.4 to v1\.34\.0\n/,
    );
    for (const [m, bytes] of before)
      assert.deepEqual(readFileSync(path.join(manifests, `${m}.yaml`)), bytes, m);
    assert.match(back.stdout, /Restored 3 manifest\(s\)/);
    const again = await runCli(['--rootfs', c.cpRoot, 'upgrade', 'rollback']);
    assert.equal(again.code, 0);
    assert.match(again.stdout, /"kube-apiserver\.yaml" is already the backed-up version/);
  });

  test('an apply that stops half way records it; rollback undoes what it left upgraded', async (t) => {
    const c = await initCluster(t, { kubernetesVersion: 'v1.33.4' });
    const manifests = path.join(c.cpRoot, 'etc/kubernetes/manifests');
    const before = new Map(
      ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'].map((m) => [
        m,
        readFileSync(path.join(manifests, `${m}.yaml`)),
      ]),
    );
    writeFileSync(
      path.join(c.cpRoot, 'upgrade.yaml'),
      [
        'apiVersion: kubeadm.k8s.io/v1beta4',
        'kind: UpgradeConfiguration',
        'apply:',
        '  kubernetesVersion: v1.34.0',
        '  etcdUpgrade: false',
        '  ignorePreflightErrors: [ImagePull]',
        'timeouts:',
        '  upgradeManifests: 4s',
        '',
      ].join('\n'),
    );
    const kubelet = fakeKubelet(c, { frozen: ['kube-scheduler'] });
    t.after(() => kubelet.stop());
    const r = await runCli(['--rootfs', c.cpRoot, 'upgrade', 'apply', '--config', '/upgrade.yaml'], {
      cluster: c.api.factory,
    });
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, /couldn't upgrade control plane component "kube-scheduler"/);
    const tmp = path.join(c.cpRoot, 'etc/kubernetes/tmp');
    const backup = readdirSync(tmp).find((d) => d.startsWith('kubeadm-backup-manifests-'))!;
    const record = JSON.parse(readFileSync(path.join(tmp, backup, 'kbadm-upgrade.json'), 'utf8'));
    assert.equal(record.completed, false);
    assert.deepEqual(record.components, ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler']);
    assert.equal(record.failedComponent, 'kube-scheduler');
    assert.match(readFileSync(path.join(manifests, 'kube-apiserver.yaml'), 'utf8'), /v1\.34\.0/);

    const back = await runCli(['--rootfs', c.cpRoot, 'upgrade', 'rollback']);
    assert.equal(back.code, 0, back.stderr);
    assert.match(
      back.stdout,
      /: the upgrade from v1\.33\.4 to v1\.34\.0, which stopped half way with kube-apiserver, kube-controller-manager upgraded\n/,
    );
    assert.match(back.stdout, /"kube-scheduler\.yaml" is already the backed-up version/);
    for (const [m, bytes] of before)
      assert.deepEqual(readFileSync(path.join(manifests, `${m}.yaml`)), bytes, m);
  });

  test('--config: an UpgradeConfiguration gives the version and the choices; other flags beside it are refused', async (t) => {
    const c = await initCluster(t, { kubernetesVersion: 'v1.33.4' });
    writeFileSync(
      path.join(c.cpRoot, 'upgrade.yaml'),
      [
        'apiVersion: kubeadm.k8s.io/v1beta4',
        'kind: UpgradeConfiguration',
        'apply:',
        '  kubernetesVersion: v1.34.0',
        '  etcdUpgrade: false',
        '  certificateRenewal: false',
        '  ignorePreflightErrors: [ImagePull]',
        '  printConfig: true',
        'timeouts:',
        '  upgradeManifests: 1m30s',
        '',
      ].join('\n'),
    );
    const mixed = await runCli(
      ['--rootfs', c.cpRoot, 'upgrade', 'apply', '--config', '/upgrade.yaml', '--force'],
      {
        cluster: c.api.factory,
      },
    );
    assert.notEqual(mixed.code, 0);
    assert.match(mixed.stderr, /can not mix '--config' with arguments \[force\]/);
    const apiserverCert = readFileSync(path.join(c.cpRoot, 'etc/kubernetes/pki/apiserver.crt'));
    const kubelet = fakeKubelet(c);
    t.after(() => kubelet.stop());
    const r = await runCli(['--rootfs', c.cpRoot, 'upgrade', 'apply', '--config', '/upgrade.yaml'], {
      cluster: c.api.factory,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /to version "v1\.34\.0" \(timeout: 1m30s\)/);
    // printConfig: the configuration at the target version, before the first phase.
    assert.match(
      r.stdout,
      /\[upgrade\/config\] Configuration used:\n(?:\t.*\n)*\tkubernetesVersion: v1\.34\.0\n(?:\t.*\n)*\[upgrade\/preflight\] Running preflight checks\n/,
    );
    assert.doesNotMatch(r.stdout, /Renewing/);
    assert.deepEqual(readFileSync(path.join(c.cpRoot, 'etc/kubernetes/pki/apiserver.crt')), apiserverCert);
    assert.match(
      readFileSync(path.join(c.cpRoot, 'etc/kubernetes/manifests/etcd.yaml'), 'utf8'),
      /etcd:3\.5\.21-0/,
      'etcd left alone',
    );
  });

  test('a control-plane Node that is not Ready stops apply in preflight with exit code 2, before any change', async (t) => {
    const c = await initCluster(t, { kubernetesVersion: 'v1.33.4' });
    const manifest = path.join(c.cpRoot, 'etc/kubernetes/manifests/kube-apiserver.yaml');
    const before = readFileSync(manifest);
    const kubelet = fakeKubelet(c, { nodeReady: false });
    t.after(() => kubelet.stop());
    // No Node can run the health check's Pod either: its Job waits out kubeadm's 15 s, on a virtual clock.
    const r = await runCli(APPLY(c.cpRoot), { cluster: c.api.factory, clock: virtualClock() });
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      /\t\[ERROR CreateJob\]: Job "upgrade-health-check-\d+" in the namespace "kube-system" did not complete in 15s: no condition of type Complete\n/,
    );
    assert.match(
      r.stderr,
      /\t\[ERROR ControlPlaneNodesReady\]: there are NotReady control-planes in the cluster: \[cp-1\]/,
    );
    assert.deepEqual(readFileSync(manifest), before);
  });
});
