// `kbadm upgrade node` on a worker, in-process: a control plane made by a real `kbadm init` against
// an in-memory API server, a worker root with the kubelet's credentials, and the cluster's
// kubelet-config changed as an upgraded control plane would have uploaded it.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { NODE_UPGRADED } from '../../../src/commands/upgrade.js';
import { CRI_SOCKET_ANNOTATION } from '../../../src/manifests/cri-socket.js';
import { runCli } from '../../support/cli.js';
import { initCluster, type Cluster } from '../../support/memory-control-plane.js';
import { tempDir } from '../../support/temp.js';

const SOCKET = 'unix:///var/run/containerd/containerd.sock';

/** A worker's root as join left it: kubelet.conf for system:node:worker-1 and the kubelet's files. */
async function workerRoot(t: { after(fn: () => void): void }, c: Cluster): Promise<string> {
  const user = await runCli([
    '--rootfs',
    c.cpRoot,
    'kubeconfig',
    'user',
    '--config',
    '/cfg.yaml',
    '--client-name',
    'system:node:worker-1',
    '--org',
    'system:nodes',
  ]);
  assert.equal(user.code, 0, user.stderr);
  const root = tempDir(t, 'kbadm-upgrade-node-');
  mkdirSync(path.join(root, 'etc/kubernetes'), { recursive: true });
  mkdirSync(path.join(root, 'var/lib/kubelet'), { recursive: true });
  writeFileSync(path.join(root, 'etc/kubernetes/kubelet.conf'), user.stdout);
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

describe('kbadm upgrade node', () => {
  test('a worker: the kubelet configuration from the cluster, the old one kept, the flags cleaned up', async (t) => {
    const c = await initCluster(t);
    const root = await workerRoot(t, c);
    c.api.requests.length = 0;
    const r = await runCli(['--rootfs', root, 'upgrade', 'node'], { cluster: c.api.factory });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.endsWith(NODE_UPGRADED), r.stdout);
    assert.match(r.stdout, /\[upgrade\/preflight\] Skipping prepull\. Not a control plane node\./);
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

  test('a control-plane node is refused before anything changes', async (t) => {
    const c = await initCluster(t);
    const before = readFileSync(path.join(c.cpRoot, 'var/lib/kubelet/config.yaml'));
    const r = await runCli(['--rootfs', c.cpRoot, 'upgrade', 'node'], { cluster: c.api.factory });
    assert.notEqual(r.code, 0);
    assert.match(
      r.stderr,
      /this node runs a control plane .* kbadm upgrade node does not upgrade static Pods yet/,
    );
    assert.deepEqual(readFileSync(path.join(c.cpRoot, 'var/lib/kubelet/config.yaml')), before);
  });
});
