// The lab end to end: a node with a real containerd and the simulated kubelet; kbadm's offline init
// phases run inside it; the control plane that comes up from kbadm's manifests is checked with
// kubectl (done means `kubectl --kubeconfig admin.conf get --raw /livez` answers ok); a three-node
// lab whose processes are killed mid-run leaves nothing behind after `down`; and the lab command
// itself (up, exec, down) works from any directory.
import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse as parseYaml, stringify } from 'yaml';
import { connectRuntime } from '../../src/host/cri/client.js';
import { IMAGE_CACHE, labDown, labExec, labUp, requireRoot, type LabNode, type LabState } from './lab.js';
import { csrFacts } from './controllers/csr-signing.js';
import { eventually, kbadm, kubectl, requireBuild, runOfflineInitPhases, writeObject } from './lab-cli.js';

requireRoot();
requireBuild();

/** An init configuration for `node` at /cfg.yaml in its root. */
async function writeInitConfig(node: LabNode): Promise<void> {
  await fs.writeFile(
    path.join(node.rootfs, 'cfg.yaml'),
    'apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\n' +
      `localAPIEndpoint:\n  advertiseAddress: ${node.address}\n` +
      `nodeRegistration:\n  name: ${node.name}\n  criSocket: ${node.criSocket}\n---\n` +
      'apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\nkubernetesVersion: v1.34.0\nencryptionAlgorithm: ECDSA-P256\n',
  );
}

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The mirror Pod `name` as JSON, or undefined while it does not exist. */
function mirrorPod(node: LabNode, name: string): Obj | undefined {
  const r = kubectl(node, 'super-admin.conf', ['get', 'pod', '-n', 'kube-system', name, '-o', 'json']);
  return r.code === 0 ? JSON.parse(r.stdout) : undefined;
}

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
    await writeInitConfig(node);
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
    // admin.conf authenticates and may read /livez; anything more waits for init's RBAC binding.
    const livez = kubectl(node, 'admin.conf', ['get', '--raw', '/livez']);
    assert.equal(livez.stdout, 'ok', livez.stderr);
    assert.match(kubectl(node, 'admin.conf', ['get', 'nodes']).stderr, /forbidden/);
    const nodes = await eventually('the node', () => {
      const r = kubectl(node, 'super-admin.conf', ['get', 'nodes', '-o', 'name']);
      return r.stdout.includes(`node/${node.name}`) ? r.stdout : undefined;
    });
    assert.match(nodes, /node\/node-1/);
    const ready = kubectl(node, 'super-admin.conf', [
      'get',
      'node',
      node.name,
      '-o',
      'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
    ]);
    assert.equal(ready.stdout, 'True', ready.stderr);
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

  test('a changed static Pod manifest gets a mirror Pod with the new kubernetes.io/config.hash', async () => {
    const name = `kube-scheduler-${node.name}`;
    const before = mirrorPod(node, name)?.metadata.annotations['kubernetes.io/config.hash'];
    assert.match(before ?? '', /^[0-9a-f]{32}$/);
    const manifest = path.join(node.rootfs, 'etc/kubernetes/manifests/kube-scheduler.yaml');
    const pod = parseYaml(await fs.readFile(manifest, 'utf8'));
    pod.metadata.annotations = { ...pod.metadata.annotations, 'lab.kbadm.io/touched': 'yes' };
    await fs.writeFile(manifest, stringify(pod));
    const changed = await eventually('the mirror Pod with a new hash', () => {
      const p = mirrorPod(node, name);
      const hash = p?.metadata.annotations['kubernetes.io/config.hash'];
      return hash !== undefined && hash !== before ? p : undefined;
    }).catch((err: Error) => assert.fail(`${err.message}\n${log()}`));
    assert.equal(changed.metadata.annotations['lab.kbadm.io/touched'], 'yes');
    assert.equal(
      changed.metadata.annotations['kubernetes.io/config.mirror'],
      changed.metadata.annotations['kubernetes.io/config.hash'],
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
      // The mirror Pod's status follows: one restart more, and Ready again.
      await eventually('the mirror Pod to count the restart', () => {
        const status = mirrorPod(node, `kube-apiserver-${node.name}`)?.status;
        const ready = status?.conditions?.find((c: { type: string }) => c.type === 'Ready')?.status;
        return status?.containerStatuses?.[0]?.restartCount >= 1 && ready === 'True' ? status : undefined;
      }).catch((err: Error) => assert.fail(`${err.message}\n${log()}`));
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
    await fs.copyFile(
      path.join(node.rootfs, 'var/lib/kubelet/config.yaml'),
      path.join(worker.rootfs, 'var/lib/kubelet/config.yaml'),
    );
    // The flags name the node (--hostname-override): the worker's are its own, as join writes them.
    const flags = await fs.readFile(path.join(node.rootfs, 'var/lib/kubelet/kubeadm-flags.env'), 'utf8');
    await fs.writeFile(
      path.join(worker.rootfs, 'var/lib/kubelet/kubeadm-flags.env'),
      flags.replace(`--hostname-override=${node.name}`, `--hostname-override=${worker.name}`),
    );
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
    const { commonName } = await csrFacts(Buffer.from(csr.spec.request, 'base64').toString('utf8'));
    assert.equal(commonName, `system:node:${worker.name}`);
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

/** Processes that still belong to the lab in `dir`: naming it, or rooted or working under it. */
function leftoverProcesses(dir: string): string[] {
  const left: string[] = [];
  for (const pid of listDir('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const under = ['root', 'cwd'].some((l) => {
        try {
          return readlinkSync(`/proc/${pid}/${l}`).startsWith(`${dir}/`);
        } catch {
          return false;
        }
      });
      if (cmdline.includes(dir) || under) left.push(`${pid} ${cmdline.replace(/\0/g, ' ')}`);
    } catch {
      // Gone.
    }
  }
  return left;
}

describe('a three-node lab', { timeout: 600_000 }, () => {
  test('down after a crash removes every process, mount, namespace and directory up made', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kbadm-lab-test-'));
    // What a lab killed while building its images leaves: a build directory of a dead process.
    const dead = spawnSync('true').pid;
    const staleBuild = path.join(IMAGE_CACHE, `0000000000000000.building-${dead}-test00`);
    await fs.mkdir(staleBuild, { recursive: true });
    let lab: LabState | undefined;
    try {
      lab = await labUp({ nodes: 3, dir });
      assert.equal(existsSync(staleBuild), false, 'the dead build directory is gone');
      assert.equal(lab.nodes.length, 3);
      assert.equal(new Set(lab.nodes.map((n) => n.address)).size, 3);
      // Nodes reach each other over the hub, each on its own loopback.
      const node = lab.nodes[0]!;
      const ping = labExec(node, process.execPath, [
        '-e',
        `require('net').connect(5000, '169.254.200.1').on('connect', () => process.exit(0)).on('error', () => process.exit(1))`,
      ]);
      assert.equal(ping.code, 0, 'the registry is reachable from a node');
      const big = labExec(node, 'head', ['-c', String(3 * 1024 * 1024), '/dev/zero']);
      assert.equal(big.code, 0, big.stderr);
      assert.equal(big.stdout.length, 3 * 1024 * 1024, "labExec returns more than node's default 1 MiB");
      // A control plane running in containers, then a crash: every process the lab recorded dies at once.
      await writeInitConfig(node);
      runOfflineInitPhases(node, '/cfg.yaml');
      await eventually(
        '/livez',
        () => kubectl(node, 'super-admin.conf', ['get', '--raw', '/livez']).stdout === 'ok' || undefined,
        90_000,
      );
      // Something the lab did not record but that works on its files, as a kbadm run in a node would.
      spawn(
        process.execPath,
        ['-e', 'setInterval(() => {}, 1000)', path.join(node.rootfs, 'etc/kubernetes')],
        {
          detached: true,
          stdio: 'ignore',
        },
      ).unref();
      for (const { pid } of lab.pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
      await eventually(
        'the recorded processes to die',
        () =>
          lab!.pids.every(
            (p) =>
              !existsSync(`/proc/${p.pid}/cmdline`) || readFileSync(`/proc/${p.pid}/cmdline`, 'utf8') === '',
          ) || undefined,
      );
      assert.ok(
        leftoverProcesses(dir).some((p) => p.includes('containerd-shim')),
        'the containers and their shims outlive the crash',
      );
    } finally {
      await labDown(dir);
      await fs.rm(staleBuild, { recursive: true, force: true });
    }
    assert.deepEqual(leftoverProcesses(dir), [], 'no process of the lab is left');
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

const run = promisify(execFile);
const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));

describe('the lab command', { timeout: 600_000 }, () => {
  test('up prints the nodes as JSON, exec passes the exit code through, down is safe to repeat', async () => {
    const base = await fs.mkdtemp(path.join(os.tmpdir(), 'kbadm-lab-cli-'));
    const dir = path.join(base, 'lab');
    // Started from another directory than the repository's: the lab must not depend on it.
    const lab = (...args: string[]) =>
      run(process.execPath, ['--import', import.meta.resolve('tsx'), CLI, ...args], {
        cwd: base,
        env: { ...process.env, KBADM_LAB_DIR: dir },
        maxBuffer: 16 * 1024 * 1024,
      });
    try {
      const up = await lab('up', '--nodes', '1', '-o', 'json');
      const view = JSON.parse(up.stdout);
      assert.deepEqual(Object.keys(view).sort(), ['nodes', 'registry']);
      assert.equal(view.registry, '169.254.200.1:5000');
      assert.equal(view.nodes.length, 1);
      const [node] = view.nodes;
      assert.deepEqual(Object.keys(node).sort(), ['address', 'criSocket', 'name', 'netns', 'rootfs']);
      assert.equal(node.name, 'node-1');
      assert.equal(node.rootfs, path.join(dir, 'nodes/node-1'));
      assert.equal(node.address, '169.254.200.11');
      assert.match(node.netns, /^kbl-[0-9a-f]{6}-n1$/);
      assert.equal(node.criSocket, 'unix:///run/containerd/containerd.sock');
      // The kubelet runs (waiting for its configuration) although `up` ran outside the repository.
      const kubeletLog = path.join(dir, 'node-1-kubelet.log');
      await eventually(
        'the kubelet waiting for its configuration',
        () =>
          (existsSync(kubeletLog) &&
            readFileSync(kubeletLog, 'utf8').includes('failed to load kubelet config file')) ||
          undefined,
      ).catch((err: Error) =>
        assert.fail(
          `${err.message}\n${existsSync(kubeletLog) ? readFileSync(kubeletLog, 'utf8').slice(-2000) : ''}`,
        ),
      );
      await assert.rejects(lab('exec', 'node-1', '--', 'sh', '-c', 'exit 3'), (err: { code?: number }) => {
        assert.equal(err.code, 3);
        return true;
      });
      const inside = await lab('exec', 'node-1', '--', 'cat', '/proc/self/net/dev');
      assert.match(inside.stdout, /eth0/, "exec runs in the node's network namespace");
    } finally {
      await lab('down');
    }
    assert.equal(existsSync(dir), false, 'down removes the lab directory');
    await lab('down');
    await fs.rm(base, { recursive: true, force: true });
  });
});
