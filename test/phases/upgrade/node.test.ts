// `kbadm upgrade node` in-process, against an in-memory API server and a control plane made by a
// real `kbadm init`. A worker: a root with the kubelet's credentials, and the cluster's
// kubelet-config changed as an upgraded control plane would have uploaded it. A second control
// plane: a real `kbadm join --control-plane` (no etcd or kubelet runs here, so etcd's own upgrade
// is left to the lab), `kbadm upgrade apply` on the first, and a stand-in kubelet for both.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { controlPlaneNodeUpgraded, NODE_UPGRADED } from '../../../src/commands/upgrade.js';
import { CRI_SOCKET_ANNOTATION } from '../../../src/manifests/cri-socket.js';
import { runCli } from '../../support/cli.js';
import { fakeKubelet } from '../../support/fake-kubelet.js';
import { initCluster, KEY, TOKEN, type Cluster } from '../../support/memory-control-plane.js';
import { memoryDiscovery } from '../../support/memory-discovery.js';
import { tempDir } from '../../support/temp.js';
import { IGNORE_IN_TEMP_ROOT } from '../../support/temp-root-preflight.js';

const SOCKET = 'unix:///var/run/containerd/containerd.sock';

/** A worker's root as join left it: kubelet.conf for system:node:worker-1 and the kubelet's files. */
/** A kubeconfig for `node`'s kubelet (system:node:<node> in system:nodes), made on the control plane. */
async function kubeletConf(c: Cluster, node: string): Promise<string> {
  const user = await runCli([
    '--rootfs',
    c.cpRoot,
    'kubeconfig',
    'user',
    '--config',
    '/cfg.yaml',
    '--client-name',
    `system:node:${node}`,
    '--org',
    'system:nodes',
  ]);
  assert.equal(user.code, 0, user.stderr);
  return user.stdout;
}

async function workerRoot(t: { after(fn: () => void): void }, c: Cluster): Promise<string> {
  const root = tempDir(t, 'kbadm-upgrade-node-');
  mkdirSync(path.join(root, 'etc/kubernetes'), { recursive: true });
  mkdirSync(path.join(root, 'var/lib/kubelet'), { recursive: true });
  writeFileSync(path.join(root, 'etc/kubernetes/kubelet.conf'), await kubeletConf(c, 'worker-1'));
  writeFileSync(path.join(root, 'var/lib/kubelet/config.yaml'), 'kind: KubeletConfiguration\nold: true\n');
  writeFileSync(
    path.join(root, 'var/lib/kubelet/kubeadm-flags.env'),
    `KUBELET_KUBEADM_ARGS="--container-runtime-endpoint=${SOCKET} --hostname-override=worker-1"\n`,
  );
  c.api.seed({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: 'worker-1',
      labels: { 'kubernetes.io/hostname': 'worker-1' },
      annotations: { [CRI_SOCKET_ANNOTATION]: SOCKET },
    },
    spec: {},
  });
  // The upgraded control plane's kubelet configuration.
  const cm = c.api.stored('ConfigMap').find((o) => o.metadata.name === 'kubelet-config')!;
  const data = (cm as unknown as { data: Record<string, string> }).data;
  data.kubelet = `${data.kubelet!.trimEnd()}\nmaxPods: 42\n`;
  c.api.seed(cm);
  return root;
}

// cp-2 has no etcd here (its etcd-join did not run).
const COMPONENTS = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'];

/** A second control-plane node, cp-2 (10.0.0.6), joined with the commands' own join, and its kubelet.conf. */
async function secondControlPlane(t: { after(fn: () => void): void }, c: Cluster): Promise<string> {
  const root = tempDir(t, 'kbadm-upgrade-cp2-');
  const join = await runCli(
    [
      '--rootfs',
      root,
      'join',
      '10.0.0.5:6443',
      '--token',
      TOKEN,
      '--discovery-token-ca-cert-hash',
      c.caHash,
      '--node-name',
      'cp-2',
      '--control-plane',
      '--apiserver-advertise-address',
      '10.0.0.6',
      '--certificate-key',
      KEY,
      '--skip-phases',
      'check-etcd,etcd-join,kubelet-wait-bootstrap,wait-control-plane',
      ...IGNORE_IN_TEMP_ROOT,
    ],
    { cluster: c.api.factory, discovery: memoryDiscovery(c.api, root) },
  );
  assert.equal(join.code, 0, join.stderr);
  // The kubelet's TLS bootstrap did not run: its client credentials, as it would have them.
  writeFileSync(path.join(root, 'etc/kubernetes/kubelet.conf'), await kubeletConf(c, 'cp-2'));
  return root;
}

/** v1.33.4 on cp-1 and cp-2, then `upgrade apply v1.34.0` on cp-1, a stand-in kubelet on both. */
async function appliedOnFirst(t: { after(fn: () => void): void }): Promise<{ c: Cluster; root2: string }> {
  const c = await initCluster(t, { kubernetesVersion: 'v1.33.4' });
  const root2 = await secondControlPlane(t, c);
  const kubelet = fakeKubelet(c.api, [
    { name: 'cp-1', root: c.cpRoot },
    { name: 'cp-2', root: root2 },
  ]);
  t.after(() => kubelet.stop());
  const apply = await runCli(
    [
      '--rootfs',
      c.cpRoot,
      'upgrade',
      'apply',
      'v1.34.0',
      '--yes',
      '--etcd-upgrade=false',
      '--ignore-preflight-errors',
      'ImagePull,IsPrivilegedUser',
    ],
    { cluster: c.api.factory },
  );
  assert.equal(apply.code, 0, `${apply.stderr}\n${apply.stdout}`);
  // cp-2 still runs v1.33.4: apply leaves the addons alone, once for each.
  const waiting =
    '[upgrade/addon] Skipping upgrade of addons because control plane instances [cp-2] have not been upgraded\n';
  assert.equal(apply.stdout.split(waiting).length - 1, 2, apply.stdout);
  assert.equal(kubeProxyImage(c), 'registry.k8s.io/kube-proxy:v1.33.4');
  return { c, root2 };
}

const kubeProxyImage = (c: Cluster): string | undefined =>
  (
    c.api.storedObject({
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      namespace: 'kube-system',
      name: 'kube-proxy',
    }) as { spec?: { template?: { spec?: { containers?: { image?: string }[] } } } } | undefined
  )?.spec?.template?.spec?.containers?.[0]?.image;

const cert = (root: string, file: string) =>
  new X509Certificate(readFileSync(path.join(root, 'etc/kubernetes/pki', file)));

/** The one directory under the root's /etc/kubernetes/tmp whose name starts with `prefix`. */
function onlyDir(root: string, prefix: string): string {
  const tmp = path.join(root, 'etc/kubernetes/tmp');
  const found = readdirSync(tmp).filter((d) => d.startsWith(prefix));
  assert.equal(found.length, 1, `${prefix}: ${found.join(' ')}`);
  return path.join(tmp, found[0]!);
}

describe('kbadm upgrade node', () => {
  test('a worker: the kubelet configuration from the cluster, the old one kept, the flags cleaned up', async (t) => {
    const c = await initCluster(t);
    const root = await workerRoot(t, c);
    c.api.requests.length = 0;
    const r = await runCli(['--rootfs', root, 'upgrade', 'node'], { cluster: c.api.factory });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.endsWith(NODE_UPGRADED), r.stdout);
    assert.match(r.stdout, /\[upgrade\/preflight\] Skipping prepull\. Not a control plane node\./);
    assert.match(r.stdout, /^\[upgrade\/control-plane\] Skipping phase\. Not a control plane node\.$/m);
    for (const addon of ['coredns', 'kube-proxy'])
      assert.match(
        r.stdout,
        new RegExp(
          `^\\[upgrade/addon\\] Skipping the addon/${addon} phase\\. Not a control plane node\\.$`,
          'm',
        ),
      );
    const config = readFileSync(path.join(root, 'var/lib/kubelet/config.yaml'), 'utf8');
    assert.match(config, /^maxPods: 42$/m);
    assert.match(config, /^containerRuntimeEndpoint: unix:\/\/\/var\/run\/containerd\/containerd\.sock$/m);
    const backups = readdirSync(path.join(root, 'etc/kubernetes/tmp')).filter((d) =>
      d.startsWith('kubeadm-kubelet-config'),
    );
    assert.equal(backups.length, 1);
    assert.equal(
      readFileSync(path.join(root, 'etc/kubernetes/tmp', backups[0]!, 'config.yaml'), 'utf8'),
      'kind: KubeletConfiguration\nold: true\n',
    );
    assert.match(
      r.stdout,
      new RegExp(`Backing up kubelet config file to /etc/kubernetes/tmp/${backups[0]}/config\\.yaml`),
    );
    assert.equal(
      readFileSync(path.join(root, 'var/lib/kubelet/kubeadm-flags.env'), 'utf8'),
      'KUBELET_KUBEADM_ARGS="--hostname-override=worker-1"\n',
    );
    assert.equal(
      readFileSync(path.join(root, 'var/lib/kubelet/instance-config.yaml'), 'utf8'),
      `containerRuntimeEndpoint: "${SOCKET}"\n`,
    );
    const node = c.api.storedObject({ apiVersion: 'v1', kind: 'Node', name: 'worker-1' })!;
    assert.equal(node.metadata.annotations?.[CRI_SOCKET_ANNOTATION], undefined);
    // Read as the kubelet (no admin.conf on a worker): the configuration, then its own Node.
    assert.deepEqual(c.api.lines().slice(0, 4), [
      'GET ConfigMap kube-system/kubeadm-config',
      'GET ConfigMap kube-system/kubelet-config',
      'GET ConfigMap kube-system/kube-proxy',
      'GET Node worker-1',
    ]);
    assert.equal(c.api.opened.at(-1)?.kubeconfigPath, path.join(root, 'etc/kubernetes/kubelet.conf'));
  });

  test('with kubelet-config skipped, no claim that the node was upgraded', async (t) => {
    const c = await initCluster(t);
    const root = await workerRoot(t, c);
    const r = await runCli(['--rootfs', root, 'upgrade', 'node', '--skip-phases', 'kubelet-config'], {
      cluster: c.api.factory,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /successfully upgraded/);
    assert.equal(
      readFileSync(path.join(root, 'var/lib/kubelet/config.yaml'), 'utf8'),
      'kind: KubeletConfiguration\nold: true\n',
    );
  });

  test('a second control-plane node, after apply on the first: its static Pods at the stored version with backups and renewed certificates, its kubelet configuration, then the addons', async (t) => {
    const { c, root2 } = await appliedOnFirst(t);
    const manifestsBefore = new Map(
      COMPONENTS.map((m) => [m, readFileSync(path.join(root2, 'etc/kubernetes/manifests', `${m}.yaml`))]),
    );
    const cp1Before = readFileSync(path.join(c.cpRoot, 'etc/kubernetes/manifests/kube-apiserver.yaml'));
    const certBefore = cert(root2, 'apiserver.crt');
    const kubeletBefore = readFileSync(path.join(root2, 'var/lib/kubelet/config.yaml'));
    const r = await runCli(
      [
        '--rootfs',
        root2,
        'upgrade',
        'node',
        // No etcd runs in this test: the lab upgrades a second etcd member.
        '--etcd-upgrade=false',
        '--ignore-preflight-errors',
        'ImagePull,IsPrivilegedUser',
      ],
      { cluster: c.api.factory },
    );
    assert.equal(r.code, 0, `${r.stderr}\n${r.stdout}`);
    assert.match(
      r.stdout,
      /^\[upgrade\/preflight\] Pulling images required for setting up a Kubernetes cluster$/m,
    );
    assert.match(
      r.stdout,
      /^\[upgrade\/control-plane\] Upgrading your Static Pod-hosted control plane instance to version "v1\.34\.0"\.\.\.$/m,
    );
    const backup = onlyDir(root2, 'kubeadm-backup-manifests-');
    for (const m of COMPONENTS) {
      const text = readFileSync(path.join(root2, 'etc/kubernetes/manifests', `${m}.yaml`), 'utf8');
      assert.match(text, new RegExp(`image: registry\\.k8s\\.io/${m}:v1\\.34\\.0\\n`), m);
      assert.match(r.stdout, new RegExp(`\\[upgrade/staticpods\\] Component "${m}" upgraded successfully!`));
      assert.deepEqual(
        readFileSync(path.join(backup, `${m}.yaml`)),
        manifestsBefore.get(m),
        `${m} kept byte for byte`,
      );
    }
    // Rendered for this node, not for the first one.
    assert.match(
      readFileSync(path.join(root2, 'etc/kubernetes/manifests/kube-apiserver.yaml'), 'utf8'),
      /--advertise-address=10\.0\.0\.6/,
    );
    assert.deepEqual(
      readFileSync(path.join(c.cpRoot, 'etc/kubernetes/manifests/kube-apiserver.yaml')),
      cp1Before,
    );
    const certAfter = cert(root2, 'apiserver.crt');
    assert.notEqual(certAfter.serialNumber, certBefore.serialNumber, 'apiserver.crt renewed');
    assert.equal(certAfter.subjectAltName, certBefore.subjectAltName);
    assert.ok(r.stdout.includes('[upgrade/staticpods] Renewing controller-manager.conf certificate'));
    // The kubelet configuration, the old one kept.
    assert.deepEqual(
      readFileSync(path.join(onlyDir(root2, 'kubeadm-kubelet-config'), 'config.yaml')),
      kubeletBefore,
    );
    assert.match(
      r.stdout,
      /\[upgrade\/kubelet-config\] The kubelet configuration for this node was successfully upgraded!/,
    );
    // The last control plane is upgraded: now the addons follow.
    assert.doesNotMatch(r.stdout, /Skipping upgrade of addons/);
    assert.equal(kubeProxyImage(c), 'registry.k8s.io/kube-proxy:v1.34.0');
    assert.ok(
      r.stdout.endsWith(controlPlaneNodeUpgraded('v1.34.0', true)),
      JSON.stringify(r.stdout.slice(-300)),
    );
  });

  test('--config: the node section and timeouts decide; --dry-run may stand beside it, other flags may not', async (t) => {
    const { c, root2 } = await appliedOnFirst(t);
    mkdirSync(path.join(root2, 'patches'));
    writeFileSync(
      path.join(root2, 'patches/kube-scheduler.yaml'),
      'metadata:\n  annotations:\n    lab.kbadm.io/patched: "yes"\n',
    );
    writeFileSync(
      path.join(root2, 'upgrade.yaml'),
      [
        'apiVersion: kubeadm.k8s.io/v1beta4',
        'kind: UpgradeConfiguration',
        'node:',
        '  certificateRenewal: false',
        '  etcdUpgrade: false',
        // No image is present in this test's runtime: with Never the image check has nothing to pull.
        '  imagePullPolicy: Never',
        '  ignorePreflightErrors: [IsPrivilegedUser]',
        '  patches: {directory: /patches}',
        '  skipPhases: [addon]',
        'timeouts:',
        '  upgradeManifests: 1m30s',
        '',
      ].join('\n'),
    );
    const manifest = path.join(root2, 'etc/kubernetes/manifests/kube-scheduler.yaml');
    const before = readFileSync(manifest);
    const node = (extra: string[]) =>
      runCli(['--rootfs', root2, 'upgrade', 'node', '--config', '/upgrade.yaml', ...extra], {
        cluster: c.api.factory,
      });
    const mixed = await node(['--etcd-upgrade=false', '--patches', '/patches']);
    assert.notEqual(mixed.code, 0);
    assert.equal(
      mixed.stderr.trim().split('\n')[0],
      "can not mix '--config' with arguments [etcd-upgrade patches]",
    );
    const dry = await node(['--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /Finished dry-running successfully/);
    assert.deepEqual(readFileSync(manifest), before, 'a dry run changes nothing');
    const apiserverCert = readFileSync(path.join(root2, 'etc/kubernetes/pki/apiserver.crt'));
    const r = await node([]);
    assert.equal(r.code, 0, `${r.stderr}\n${r.stdout}`);
    assert.match(r.stdout, /\[upgrade\/staticpods\] This can take up to 1m30s/);
    assert.doesNotMatch(r.stdout, /Renewing/);
    assert.deepEqual(readFileSync(path.join(root2, 'etc/kubernetes/pki/apiserver.crt')), apiserverCert);
    assert.match(readFileSync(manifest, 'utf8'), /lab\.kbadm\.io\/patched: "yes"/);
    assert.match(readFileSync(manifest, 'utf8'), /kube-scheduler:v1\.34\.0/);
    // The addon phase was left out by the configuration.
    assert.doesNotMatch(r.stdout, /\[upgrade\/addon\]/);
    assert.equal(kubeProxyImage(c), 'registry.k8s.io/kube-proxy:v1.33.4');
  });
});
