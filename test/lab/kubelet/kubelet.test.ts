// The simulated kubelet against the API server stand-in (real etcd, kbadm's PKI) and an in-memory
// runtime: with --hostname-override in kubeadm-flags.env it registers the Node, its mirror Pods and
// its TLS-bootstrap CSR under that name, it keeps a mirror Pod's readiness and restart count
// following the containers, and it runs the Pods bound to its Node, reporting how they end.
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import type { ContainerSpec } from '../../../src/host/runtime.js';
import { createTestRuntime, type TestRuntime } from '../../../src/host/test-runtime.js';
import { freePort, startControlPlaneFixture, type ControlPlaneFixture } from '../apiserver/fixture.js';
import { csrFacts } from '../controllers/csr-signing.js';
import { clientFromKubeconfig, type KubeClient } from '../kube-client.js';
import { SimulatedKubelet } from './kubelet.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const MANIFEST = `apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: kube-system
spec:
  hostNetwork: true
  containers:
  - name: web
    image: registry.k8s.io/pause:3.10.1
`;

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe('the simulated kubelet', () => {
  let f: ControlPlaneFixture;
  let admin: KubeClient;

  /** A node root with kbadm's CA, the kubelet's configuration and flags, and `files`. */
  async function nodeRoot(name: string, flags: string, files: Record<string, string>): Promise<string> {
    const root = path.join(f.root, 'nodes', name);
    await fs.mkdir(path.join(root, 'etc/kubernetes/pki'), { recursive: true });
    await fs.mkdir(path.join(root, 'var/lib/kubelet'), { recursive: true });
    await fs.copyFile(path.join(f.kube, 'pki/ca.crt'), path.join(root, 'etc/kubernetes/pki/ca.crt'));
    await fs.writeFile(
      path.join(root, 'var/lib/kubelet/config.yaml'),
      [
        'apiVersion: kubelet.config.k8s.io/v1beta1',
        'kind: KubeletConfiguration',
        'authentication:\n  x509:\n    clientCAFile: /etc/kubernetes/pki/ca.crt',
        'cgroupDriver: systemd',
        'failSwapOn: false',
        'healthzBindAddress: 127.0.0.1',
        `healthzPort: ${await freePort()}`,
        'staticPodPath: /etc/kubernetes/manifests',
        '',
      ].join('\n'),
    );
    await fs.writeFile(
      path.join(root, 'var/lib/kubelet/kubeadm-flags.env'),
      `KUBELET_KUBEADM_ARGS="--container-runtime-endpoint=unix:///run/containerd/containerd.sock ${flags}"\n`,
    );
    for (const [file, text] of Object.entries(files)) {
      await fs.mkdir(path.dirname(path.join(root, file)), { recursive: true });
      await fs.writeFile(path.join(root, file), text);
    }
    return root;
  }

  function kubelet(root: string, runtime: TestRuntime): SimulatedKubelet {
    return new SimulatedKubelet({
      root,
      nodeName: 'node-9',
      address: '127.0.0.1',
      connect: async () => runtime,
      intervalMs: 100,
      log: () => undefined,
    });
  }

  before(async () => {
    f = await startControlPlaneFixture('kubelet');
    admin = clientFromKubeconfig(path.join(f.kube, 'super-admin.conf'), undefined, f.url());
  });
  after(async () => {
    admin?.close();
    await f?.close();
  });

  test('registers the Node and its mirror Pods under --hostname-override; mirror status follows the containers', async () => {
    // kubelet.conf's identity is system:node:lab-1 (the fixture's node name), as kbadm writes it.
    const root = await nodeRoot('override', '--hostname-override=Lab-1', {
      // It names the node's own address (169.254.10.1), which is not this machine's: the stand-in
      // listens on loopback.
      'etc/kubernetes/kubelet.conf': (await fs.readFile(path.join(f.kube, 'kubelet.conf'), 'utf8')).replace(
        /server: .*/,
        `server: ${f.url()}`,
      ),
      'etc/kubernetes/manifests/web.yaml': MANIFEST,
    });
    const runtime = createTestRuntime();
    let failStarts = false;
    const flaky: TestRuntime = {
      ...runtime,
      startContainer: async (id) => {
        if (failStarts) throw new Error('the runtime refuses to start it');
        return runtime.startContainer(id);
      },
    };
    const k = kubelet(root, flaky);
    await k.start();
    try {
      const node = await until('the Node lab-1', () => admin.request<Obj>('GET', '/api/v1/nodes/lab-1'));
      assert.equal(node.metadata.labels['kubernetes.io/hostname'], 'lab-1');
      assert.deepEqual(
        node.status.conditions.map((c: { type: string; status: string }) => [c.type, c.status]),
        [['Ready', 'True']],
      );
      assert.ok(
        node.status.addresses.some(
          (a: { type: string; address: string }) => a.type === 'Hostname' && a.address === 'lab-1',
        ),
      );
      const nodes = await admin.request('GET', '/api/v1/nodes');
      assert.deepEqual(
        nodes.items.map((n: { metadata: { name: string } }) => n.metadata.name),
        ['lab-1'],
      );
      const mirror = await until('the mirror Pod web-lab-1', () =>
        admin.request<Obj>('GET', '/api/v1/namespaces/kube-system/pods/web-lab-1'),
      );
      assert.equal(mirror.spec.nodeName, 'lab-1');
      assert.equal(mirror.metadata.ownerReferences[0].name, 'lab-1');
      assert.equal(runtime.calls.find((c) => c.method === 'runPodSandbox')?.target, 'web-lab-1');

      const statusOf = async () => {
        const p = await admin.request('GET', '/api/v1/namespaces/kube-system/pods/web-lab-1');
        return {
          ready: p.status.conditions.find((c: { type: string }) => c.type === 'Ready').status as string,
          restarts: p.status.containerStatuses[0].restartCount as number,
        };
      };
      assert.deepEqual(await statusOf(), { ready: 'True', restarts: 0 });
      // The container exits and cannot be started again: the mirror Pod says not ready, restarted.
      failStarts = true;
      const [container] = await runtime.listContainers();
      runtime.exitContainer(container!.id, 1);
      const down = await until('the mirror Pod not ready', async () => {
        const s = await statusOf();
        return s.ready === 'False' && s.restarts >= 1 ? s : undefined;
      });
      failStarts = false;
      const up = await until('the mirror Pod ready again', async () => {
        const s = await statusOf();
        return s.ready === 'True' ? s : undefined;
      });
      assert.ok(up.restarts > down.restarts, `restarts ${down.restarts} then ${up.restarts}`);
    } finally {
      await k.stop();
    }
  });

  test('runs the Pods bound to its Node under restartPolicy Never, as their security context says, and reports how they ended', async () => {
    const root = await nodeRoot('api-pods', '--hostname-override=lab-1', {
      'etc/kubernetes/kubelet.conf': (await fs.readFile(path.join(f.kube, 'kubelet.conf'), 'utf8')).replace(
        /server: .*/,
        `server: ${f.url()}`,
      ),
    });
    const runtime = createTestRuntime().failPull('registry.k8s.io/missing:1', 'rpc error: code = NotFound');
    const created: ContainerSpec[] = [];
    const k = kubelet(root, {
      ...runtime,
      createContainer: async (sandbox, spec, sandboxSpec) => {
        created.push(spec);
        return runtime.createContainer(sandbox, spec, sandboxSpec);
      },
    });
    const pod = (name: string, image: string, security: Obj, nodeName = 'lab-1') => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'kube-system' },
      spec: {
        nodeName,
        restartPolicy: 'Never',
        securityContext: security,
        containers: [{ name: 'c', image, args: ['-v'] }],
      },
    });
    const nonRoot = { runAsUser: 999, runAsGroup: 999, runAsNonRoot: true };
    await f.create({
      apiVersion: 'v1',
      kind: 'List',
      items: [
        pod('ok', 'registry.k8s.io/pause:3.10.1', nonRoot),
        pod('fails', 'registry.k8s.io/pause:3.10.1', nonRoot),
        pod('as-root', 'registry.k8s.io/pause:3.10.1', { runAsNonRoot: true }),
        pod('no-image', 'registry.k8s.io/missing:1', nonRoot),
        pod('elsewhere', 'registry.k8s.io/pause:3.10.1', nonRoot, 'lab-9'),
      ],
    });
    const status = (name: string) =>
      admin.request<Obj>('GET', `/api/v1/namespaces/kube-system/pods/${name}`).then((p) => p.status);
    const state = (s: Obj) => s.containerStatuses?.[0]?.state ?? {};
    await k.start();
    try {
      const running = await until('ok and fails running', async () => {
        const [a, b] = [await status('ok'), await status('fails')];
        return a.phase === 'Running' && b.phase === 'Running' ? a : undefined;
      });
      assert.ok(state(running).running.startedAt);
      assert.deepEqual(
        created.map((c) => [c.args, c.runAsUser, c.runAsGroup]),
        [
          [['-v'], 999, 999],
          [['-v'], 999, 999],
        ],
      );
      const byPod = new Map(
        (await runtime.listContainers()).map((c) => [c.labels['io.kubernetes.pod.name'], c.id]),
      );
      runtime.exitContainer(byPod.get('ok')!, 0);
      runtime.exitContainer(byPod.get('fails')!, 1);
      const ok = await until('ok Succeeded', async () => {
        const s = await status('ok');
        return s.phase === 'Succeeded' ? s : undefined;
      });
      assert.deepEqual(
        { exitCode: state(ok).terminated.exitCode, reason: state(ok).terminated.reason },
        { exitCode: 0, reason: 'Completed' },
      );
      assert.equal(ok.conditions.find((c: Obj) => c.type === 'Ready').reason, 'PodCompleted');
      const failed = await until('fails Failed', async () => {
        const s = await status('fails');
        return s.phase === 'Failed' ? s : undefined;
      });
      assert.equal(state(failed).terminated.exitCode, 1);
      assert.equal(state(failed).terminated.reason, 'Error');
      assert.equal(failed.containerStatuses[0].restartCount, 0, 'Never: not restarted');
      // The sandboxes of finished Pods go; the failed container was not started again.
      await until('the sandboxes removed', async () =>
        (await runtime.listPodSandboxes()).length === 0 ? true : undefined,
      );
      assert.equal(created.length, 2);
      const asRoot = await status('as-root');
      assert.equal(asRoot.phase, 'Pending');
      assert.equal(state(asRoot).waiting.reason, 'CreateContainerConfigError');
      assert.match(
        state(asRoot).waiting.message,
        /^container has runAsNonRoot and image will run as root \(pod: "as-root_kube-system\(/,
      );
      const noImage = await until('no-image waiting for its image', async () => {
        const s = await status('no-image');
        return state(s).waiting?.reason === 'ImagePullBackOff' ? s : undefined;
      });
      assert.equal(noImage.phase, 'Pending');
      assert.match(
        state(noImage).waiting.message,
        /failed to pull image "registry\.k8s\.io\/missing:1": rpc error/,
      );
      assert.equal((await status('elsewhere')).phase, 'Pending', "another node's Pod is not this kubelet's");
    } finally {
      await k.stop();
    }
  });

  test('sends its TLS-bootstrap CSR for system:node:<--hostname-override>', async () => {
    const group = 'system:bootstrappers:kubeadm:default-node-token';
    const rbac = 'rbac.authorization.k8s.io';
    await f.create({
      apiVersion: 'v1',
      kind: 'List',
      items: [
        {
          apiVersion: 'v1',
          kind: 'Secret',
          type: 'bootstrap.kubernetes.io/token',
          metadata: { name: 'bootstrap-token-kblt01', namespace: 'kube-system' },
          stringData: {
            'token-id': 'kblt01',
            'token-secret': '0123456789abcdef',
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
      ],
    });
    const ca = await fs.readFile(path.join(f.kube, 'pki/ca.crt'));
    const root = await nodeRoot('bootstrap', '--hostname-override=worker-7', {
      'etc/kubernetes/bootstrap-kubelet.conf': [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        `- cluster:\n    certificate-authority-data: ${ca.toString('base64')}\n    server: ${f.url()}\n  name: kubernetes`,
        'contexts:',
        '- context:\n    cluster: kubernetes\n    user: tls-bootstrap-token-user\n  name: tls-bootstrap-token-user@kubernetes',
        'current-context: tls-bootstrap-token-user@kubernetes',
        'users:',
        '- name: tls-bootstrap-token-user\n  user:\n    token: kblt01.0123456789abcdef',
        '',
      ].join('\n'),
    });
    const k = kubelet(root, createTestRuntime());
    await k.start();
    try {
      const csr = await until('the bootstrap CSR', async () => {
        const list = await admin.request('GET', '/apis/certificates.k8s.io/v1/certificatesigningrequests');
        return list.items.find(
          (c: { spec: { username: string } }) => c.spec.username === 'system:bootstrap:kblt01',
        );
      });
      const facts = await csrFacts(Buffer.from(csr.spec.request, 'base64').toString('utf8'));
      assert.equal(facts.commonName, 'system:node:worker-7');
      assert.deepEqual(facts.organizations, ['system:nodes']);
    } finally {
      await k.stop();
    }
  });
});
