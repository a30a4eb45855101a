// The lab end to end: a node with a real containerd and the simulated kubelet; kbadm's offline init
// phases run inside it; the control plane that comes up from kbadm's manifests is checked with
// kubectl; and a three-node lab leaves nothing behind.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { connectRuntime } from '../../src/host/cri/client.js';
import { labDown, labExec, labUp, requireRoot, type LabNode, type LabState } from './lab.js';
import { eventually, kbadm, kubectl, requireBuild, runOfflineInitPhases, writeObject } from './lab-cli.js';

requireRoot();
requireBuild();

describe("a two-node lab running kbadm's control plane", { timeout: 600_000 }, () => {
  let dir: string;
  let lab: LabState;
  let node: LabNode;
  const log = () => {
    const kubeletLog = path.join(dir, `${node.name}-kubelet.log`);
    return existsSync(kubeletLog) ? readFileSync(kubeletLog, 'utf8').slice(-3000) : '';
  };

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kbadm-lab-test-'));
    lab = await labUp({ nodes: 2, dir });
    node = lab.nodes[0]!;
    await fs.writeFile(
      path.join(node.rootfs, 'cfg.yaml'),
      'apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\n' +
        `localAPIEndpoint:\n  advertiseAddress: ${node.address}\n` +
        `nodeRegistration:\n  name: ${node.name}\n  criSocket: ${node.criSocket}\n---\n` +
        'apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\nkubernetesVersion: v1.34.0\nencryptionAlgorithm: ECDSA-P256\n',
    );
  });
  after(async () => {
    if (dir) await labDown(dir);
  });

  test('the offline init phases bring up an API server that kubectl reaches, and the node registers', async () => {
    runOfflineInitPhases(node, '/cfg.yaml');
    await eventually(
      '/livez',
      () => kubectl(node, 'super-admin.conf', ['get', '--raw', '/livez']).stdout === 'ok' || undefined,
      90_000,
    ).catch((err: Error) => assert.fail(`${err.message}\n${log()}`));
    const nodes = await eventually('the node', () => {
      const r = kubectl(node, 'super-admin.conf', ['get', 'nodes', '-o', 'name']);
      return r.stdout.includes(`node/${node.name}`) ? r.stdout : undefined;
    });
    assert.match(nodes, /node\/node-1/);
    const pods = await eventually('four mirror Pods', () => {
      const r = kubectl(node, 'super-admin.conf', ['get', 'pods', '-n', 'kube-system', '-o', 'json']);
      const items = r.code === 0 ? JSON.parse(r.stdout).items : [];
      return items.length === 4 ? items : undefined;
    });
    for (const p of pods) assert.match(p.metadata.annotations['kubernetes.io/config.hash'], /^[0-9a-f]{32}$/);
    const file = await writeObject(node, 'cm', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'lab', namespace: 'default' },
      data: { a: 'b' },
    });
    assert.equal(kubectl(node, 'super-admin.conf', ['create', '--validate=false', '-f', file]).code, 0);
    assert.match(
      kubectl(node, 'super-admin.conf', ['get', 'configmap', 'lab', '-o', 'jsonpath={.data.a}']).stdout,
      /^b$/,
    );
  });

  test('a user from kbadm kubeconfig user is refused until a RoleBinding allows it', async () => {
    const r = kbadm(node, ['kubeconfig', 'user', '--client-name', 'alice', '--config', '/cfg.yaml']);
    assert.equal(r.code, 0, r.stderr);
    await fs.writeFile(path.join(node.rootfs, 'etc/kubernetes/alice.conf'), r.stdout);
    const refused = kubectl(node, 'alice.conf', ['get', 'configmaps', '-n', 'default']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /forbidden: User "alice" cannot list resource "configmaps"/);
    const binding = await writeObject(node, 'rb', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'alice-view', namespace: 'default' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'alice' }],
    });
    assert.equal(kubectl(node, 'super-admin.conf', ['create', '--validate=false', '-f', binding]).code, 0);
    const allowed = kubectl(node, 'alice.conf', ['get', 'configmaps', '-n', 'default', '-o', 'name']);
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.match(allowed.stdout, /configmap\/lab/);
  });

  test('a bootstrap token Secret created with kubectl authenticates', async () => {
    const secret = await writeObject(node, 'token', {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'bootstrap.kubernetes.io/token',
      metadata: { name: 'bootstrap-token-labtok', namespace: 'kube-system' },
      stringData: {
        'token-id': 'labtok',
        'token-secret': '0123456789abcdef',
        'usage-bootstrap-authentication': 'true',
      },
    });
    assert.equal(kubectl(node, 'super-admin.conf', ['create', '--validate=false', '-f', secret]).code, 0);
    const server = `https://${node.address}:6443`;
    const whoami = labExec(node, 'kubectl', [
      '--kubeconfig=/dev/null',
      '--server',
      server,
      '--insecure-skip-tls-verify',
      '--token',
      'labtok.0123456789abcdef',
      'auth',
      'whoami',
      '-o',
      'jsonpath={.status.userInfo.username}',
    ]);
    assert.equal(whoami.stdout, 'system:bootstrap:labtok', whoami.stderr);
    const wrong = labExec(node, 'kubectl', [
      '--kubeconfig=/dev/null',
      '--server',
      server,
      '--insecure-skip-tls-verify',
      '--token',
      'labtok.0123456789abcdee',
      'get',
      '--raw',
      '/livez',
    ]);
    assert.match(wrong.stderr, /Unauthorized/);
  });

  test('objects survive a restart of the API server container (they live in etcd)', async () => {
    const runtime = await connectRuntime(path.join(node.rootfs, 'run/containerd/containerd.sock'), {
      timeoutMs: 10_000,
    });
    try {
      const apiserver = (await runtime.listContainers()).find(
        (c) => c.name === 'kube-apiserver' && c.state === 'running',
      );
      assert.ok(apiserver, 'the kube-apiserver container runs');
      await runtime.stopContainer(apiserver.id, 5);
      await eventually('the restarted API server', () => {
        const r = kubectl(node, 'super-admin.conf', ['get', 'configmap', 'lab', '-o', 'jsonpath={.data.a}']);
        return r.code === 0 ? r.stdout : undefined;
      });
      const after = (await runtime.listContainers()).filter((c) => c.name === 'kube-apiserver');
      assert.ok(
        after.some((c) => c.state === 'running' && c.id !== apiserver.id),
        'a new container runs',
      );
    } finally {
      runtime.close();
    }
  });

  test('a kubelet with only bootstrap-kubelet.conf joins through the TLS bootstrap once RBAC allows it', async () => {
    const worker = lab.nodes[1]!;
    const rbac = 'rbac.authorization.k8s.io';
    const group = 'system:bootstrappers:kubeadm:default-node-token';
    const objects = await writeObject(node, 'bootstrap', {
      apiVersion: 'v1',
      kind: 'List',
      items: [
        {
          apiVersion: 'v1',
          kind: 'Secret',
          type: 'bootstrap.kubernetes.io/token',
          metadata: { name: 'bootstrap-token-join01', namespace: 'kube-system' },
          stringData: {
            'token-id': 'join01',
            'token-secret': 'abcdef0123456789',
            'usage-bootstrap-authentication': 'true',
            'auth-extra-groups': group,
          },
        },
        {
          apiVersion: `${rbac}/v1`,
          kind: 'ClusterRoleBinding',
          metadata: { name: 'kubeadm:kubelet-bootstrap' },
          roleRef: { apiGroup: rbac, kind: 'ClusterRole', name: 'system:node-bootstrapper' },
          subjects: [{ apiGroup: rbac, kind: 'Group', name: group }],
        },
        {
          apiVersion: `${rbac}/v1`,
          kind: 'ClusterRoleBinding',
          metadata: { name: 'kubeadm:node-autoapprove-bootstrap' },
          roleRef: {
            apiGroup: rbac,
            kind: 'ClusterRole',
            name: 'system:certificates.k8s.io:certificatesigningrequests:nodeclient',
          },
          subjects: [{ apiGroup: rbac, kind: 'Group', name: group }],
        },
      ],
    });
    assert.equal(kubectl(node, 'super-admin.conf', ['create', '--validate=false', '-f', objects]).code, 0);
    // What a join leaves on a worker before its kubelet starts.
    const ca = await fs.readFile(path.join(node.rootfs, 'etc/kubernetes/pki/ca.crt'));
    await fs.mkdir(path.join(worker.rootfs, 'etc/kubernetes/pki'), { recursive: true });
    await fs.writeFile(path.join(worker.rootfs, 'etc/kubernetes/pki/ca.crt'), ca);
    await fs.writeFile(
      path.join(worker.rootfs, 'etc/kubernetes/bootstrap-kubelet.conf'),
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        `- cluster:\n    certificate-authority-data: ${ca.toString('base64')}\n    server: https://${node.address}:6443\n  name: kubernetes`,
        'contexts:',
        '- context:\n    cluster: kubernetes\n    user: tls-bootstrap-token-user\n  name: tls-bootstrap-token-user@kubernetes',
        'current-context: tls-bootstrap-token-user@kubernetes',
        'users:',
        '- name: tls-bootstrap-token-user\n  user:\n    token: join01.abcdef0123456789',
        '',
      ].join('\n'),
    );
    for (const f of ['var/lib/kubelet/config.yaml', 'var/lib/kubelet/kubeadm-flags.env']) {
      await fs.copyFile(path.join(node.rootfs, f), path.join(worker.rootfs, f));
    }
    await eventually(
      'kubelet.conf on the worker',
      () => existsSync(path.join(worker.rootfs, 'etc/kubernetes/kubelet.conf')) || undefined,
      90_000,
    ).catch((err: Error) =>
      assert.fail(
        `${err.message}\n${readFileSync(path.join(dir, `${worker.name}-kubelet.log`), 'utf8').slice(-2000)}`,
      ),
    );
    await eventually(
      'the worker Node',
      () =>
        kubectl(node, 'super-admin.conf', ['get', 'node', worker.name, '-o', 'name']).code === 0 || undefined,
    ).catch((err: Error) =>
      assert.fail(
        `${err.message}\n${readFileSync(path.join(dir, `${worker.name}-kubelet.log`), 'utf8').slice(-2000)}`,
      ),
    );
    const csrs = JSON.parse(kubectl(node, 'super-admin.conf', ['get', 'csr', '-o', 'json']).stdout).items;
    const csr = csrs.find(
      (c: { spec: { username: string } }) => c.spec.username === 'system:bootstrap:join01',
    );
    assert.ok(csr, 'the worker sent a CSR as the bootstrap token user');
    assert.equal(csr.status.conditions[0].type, 'Approved');
    const link = await fs.readlink(
      path.join(worker.rootfs, 'var/lib/kubelet/pki/kubelet-client-current.pem'),
    );
    assert.match(link, /^\/var\/lib\/kubelet\/pki\/kubelet-client-.*\.pem$/);
  });

  test('a manifest with a wrong --client-ca-file keeps the API server from starting, as kube-apiserver would', async () => {
    const manifest = path.join(node.rootfs, 'etc/kubernetes/manifests/kube-apiserver.yaml');
    const good = await fs.readFile(manifest, 'utf8');
    await fs.writeFile(
      manifest,
      good.replace(
        '--client-ca-file=/etc/kubernetes/pki/ca.crt',
        '--client-ca-file=/etc/kubernetes/pki/missing-ca.crt',
      ),
    );
    const logDir = path.join(node.rootfs, 'var/log/pods');
    const failure = await eventually('the start-up error in the container log', () => {
      for (const pod of listDir(logDir).filter((d) => d.includes('kube-apiserver'))) {
        for (const f of listDir(path.join(logDir, pod, 'kube-apiserver'))) {
          const text = readFileSync(path.join(logDir, pod, 'kube-apiserver', f), 'utf8');
          if (text.includes('missing-ca.crt')) return text;
        }
      }
      return undefined;
    });
    assert.match(
      failure,
      /--client-ca-file: open \/etc\/kubernetes\/pki\/missing-ca.crt: no such file or directory/,
    );
    assert.notEqual(
      kubectl(node, 'super-admin.conf', ['get', '--raw', '/livez', '--request-timeout=2s']).stdout,
      'ok',
    );
    await fs.writeFile(manifest, good);
    await eventually(
      'the API server back',
      () => kubectl(node, 'super-admin.conf', ['get', '--raw', '/livez']).stdout === 'ok' || undefined,
      90_000,
    );
  });
});

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

describe('a three-node lab', { timeout: 600_000 }, () => {
  test('down removes every process, mount, namespace and directory up made', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kbadm-lab-test-'));
    let lab: LabState | undefined;
    try {
      lab = await labUp({ nodes: 3, dir });
      assert.equal(lab.nodes.length, 3);
      assert.equal(new Set(lab.nodes.map((n) => n.address)).size, 3);
      // Nodes reach each other over the hub, each on its own loopback.
      const ping = labExec(lab.nodes[0]!, process.execPath, [
        '-e',
        `require('net').connect(5000, '169.254.200.1').on('connect', () => process.exit(0)).on('error', () => process.exit(1))`,
      ]);
      assert.equal(ping.code, 0, 'the registry is reachable from a node');
    } finally {
      await labDown(dir);
    }
    assert.equal(existsSync(dir), false, 'the lab directory is gone');
    const netns = listDir('/var/run/netns');
    for (const n of [...(lab?.nodes.map((x) => x.netns) ?? []), lab?.hubNetns])
      assert.ok(!netns.includes(n!), `namespace ${n} is gone`);
    assert.ok(
      !readFileSync('/proc/self/mountinfo', 'utf8').includes(dir),
      'no mount is left under the lab directory',
    );
    for (const pid of lab?.pids.map((p) => p.pid) ?? [])
      assert.equal(existsSync(`/proc/${pid}`), false, `process ${pid} is gone`);
    await labDown(dir);
  });
});
