// `kbadm reset` against a real containerd of the test's own: the Pod sandboxes (and their
// containers) the test runs as the kubelet would are stopped and removed over CRI; a dry run only
// says so. The node is a temporary --rootfs whose CRI socket leads to the test's containerd.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pauseImage } from '../../src/config/images.js';
import type { RuntimeForLab } from '../../src/host/runtime.js';
import { runCli } from '../support/cli.js';
import { RUNTIME_TOOLS, mirrorsFor, startContainerd, type Containerd } from '../support/containerd.js';
import { runPod, staticPodSandbox } from '../support/cri-lab.js';
import { IMAGE_TOOLS, pushTestImages } from '../support/images.js';
import { REGISTRY_BINARY, startRegistry, type Registry } from '../support/registry.js';

const missing = [...RUNTIME_TOOLS, REGISTRY_BINARY, ...IMAGE_TOOLS].filter((f) => !existsSync(f));
const skip =
  missing.length > 0
    ? `not installed: ${missing.join(', ')}`
    : os.userInfo().uid !== 0
      ? 'a containerd of its own needs root'
      : false;

const PAUSE = pauseImage('registry.k8s.io');
const SOCKET = '/run/containerd/containerd.sock';

describe('kbadm reset removes Pod sandboxes through CRI', { skip }, () => {
  let registry: Registry | undefined;
  let containerd: Containerd | undefined;
  let runtime: RuntimeForLab | undefined;
  let root: string | undefined;

  before(async () => {
    registry = await startRegistry();
    await pushTestImages(registry, [PAUSE]);
    containerd = await startContainerd({ mirrors: mirrorsFor(registry) });
    runtime = await containerd.connect({ timeoutMs: 30_000 });
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'kbadm-reset-cri-'));
    // The node's containerd socket is the test's containerd.
    await fs.mkdir(path.join(root, path.dirname(SOCKET)), { recursive: true });
    await fs.symlink(containerd.socket, path.join(root, SOCKET));
    await fs.mkdir(path.join(root, 'etc/kubernetes/pki'), { recursive: true });
    await fs.writeFile(path.join(root, 'etc/kubernetes/admin.conf'), 'kubeconfig');
    for (const component of ['etcd', 'kube-apiserver']) {
      await runPod(runtime, staticPodSandbox(component, 'cp-1'), {
        name: component,
        image: PAUSE,
        command: ['/bin/sleep', '3600'],
      });
    }
  });

  after(async () => {
    runtime?.close();
    await containerd?.destroy();
    await registry?.stop();
    if (root) await fs.rm(root, { recursive: true, force: true });
  });

  test('--dry-run names each sandbox it would stop and remove, and leaves them running', async () => {
    const ids = (await runtime!.listPodSandboxes()).map((s) => s.id);
    assert.equal(ids.length, 2);
    const r = await runCli(['--rootfs', root!, 'reset', '--dry-run', '--cri-socket', `unix://${SOCKET}`]);
    assert.equal(r.code, 0, r.stderr);
    for (const id of ids) {
      assert.ok(r.stdout.includes(`[dryrun] Would stop Pod sandbox "${id}"\n`), r.stdout);
      assert.ok(r.stdout.includes(`[dryrun] Would remove Pod sandbox "${id}"\n`), r.stdout);
    }
    assert.deepEqual(
      (await runtime!.listPodSandboxes()).map((s) => [s.id, s.state]).sort(),
      ids.map((id) => [id, 'ready']).sort(),
    );
    assert.ok(existsSync(path.join(root!, 'etc/kubernetes/admin.conf')));
  });

  test('--force stops and removes every sandbox and its containers', async () => {
    const r = await runCli(['--rootfs', root!, 'reset', '--force', '--cri-socket', `unix://${SOCKET}`]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!r.stderr.includes('Failed to remove containers'), r.stderr);
    assert.deepEqual(await runtime!.listPodSandboxes(), []);
    assert.deepEqual(await runtime!.listContainers(), []);
    assert.ok(!existsSync(path.join(root!, 'etc/kubernetes/admin.conf')));
  });
});
