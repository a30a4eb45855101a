// kbadm's CRI client against a real containerd (Debian's 1.6, runtime.v1) started by the test with
// its own directories and socket, pulling from a private registry: Version and Status, images,
// kubeadm's pull retries and messages, sandboxes the test runs as the kubelet would, and a
// runtime that goes away.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { pauseImage } from '../../../src/config/images.js';
import { connectRuntime } from '../../../src/host/cri/client.js';
import { CriError } from '../../../src/host/cri/errors.js';
import { createPaths } from '../../../src/host/paths.js';
import { createRealHost } from '../../../src/host/real-host.js';
import type { RuntimeForLab } from '../../../src/host/runtime.js';
import {
  checkRuntimeRunning,
  PULL_IMAGE_RETRIES,
  pullImageWithRetries,
  removePodSandboxes,
} from '../../../src/host/runtime-ops.js';
import { recordOutput } from '../../../src/output/output.js';
import { RUNTIME_TOOLS, mirrorsFor, startContainerd, type Containerd } from '../../support/containerd.js';
import { runPod, staticPodSandbox } from '../../support/cri-lab.js';
import { IMAGE_TOOLS, pushTestImages } from '../../support/images.js';
import { REGISTRY_BINARY, startRegistry, type Registry } from '../../support/registry.js';
import { requireTool } from '../../support/tools.js';

const missing = [...RUNTIME_TOOLS, REGISTRY_BINARY, ...IMAGE_TOOLS].filter((f) => !existsSync(f));
// A missing tool fails the run (npm test installs them all); the suites below then skip rather
// than fail one by one.
test('the container runtime tools are installed', () => {
  for (const t of ['containerd', 'runc', 'docker-registry', 'skopeo', 'umoci', 'busybox']) requireTool(t);
  assert.deepEqual(missing, []);
});
const skip =
  missing.length > 0
    ? `not installed: ${missing.join(', ')}`
    : process.getuid?.() !== 0
      ? 'a containerd of its own needs root'
      : false;

const PAUSE = pauseImage('registry.k8s.io');

describe('CRI client against a real containerd', { skip }, () => {
  let registry: Registry | undefined;
  let containerd: Containerd | undefined;
  let runtime: RuntimeForLab;
  let logRoot: string;

  before(async () => {
    registry = await startRegistry();
    await pushTestImages(registry, [PAUSE]);
    containerd = await startContainerd({ mirrors: mirrorsFor(registry) });
    logRoot = `${containerd.dir}/pods`;
    // Generous deadlines: the machine is shared, and these tests are about answers, not speed.
    runtime = await containerd.connect({ timeoutMs: 30_000 });
  });

  after(async () => {
    runtime?.close();
    await containerd?.destroy();
    await registry?.stop();
  });

  test('Version names the runtime and runtime.v1; Status has RuntimeReady; the sandbox image is ours', async () => {
    assert.deepEqual(await runtime.version(), {
      runtimeName: 'containerd',
      runtimeVersion: (await runtime.version()).runtimeVersion,
      runtimeApiVersion: 'v1',
    });
    assert.match((await runtime.version()).runtimeVersion, /^1\.\d+\.\d+/);
    const conditions = await runtime.status();
    assert.deepEqual(
      conditions.map((c) => c.type),
      ['RuntimeReady', 'NetworkReady'],
    );
    await checkRuntimeRunning(runtime);
    assert.equal(await runtime.sandboxImage(), PAUSE);
    // The test containerd leaves runc's SystemdCgroup at its default.
    assert.equal(await runtime.cgroupDriver(), 'cgroupfs');
  });

  test("an image under kbadm's default name is pulled from the local registry through the mirror", async () => {
    assert.equal(await runtime.imageExists(PAUSE), false);
    assert.match(await runtime.pullImage(PAUSE), /^sha256:[0-9a-f]{64}$/);
    assert.equal(await runtime.imageExists(PAUSE), true);
    assert.ok((await runtime.listImages()).includes(PAUSE));
  });

  test("a missing image fails after kubeadm's five attempts, with the runtime's NotFound", async () => {
    const image = `${registry!.host}/kube-apiserver:v0.0.0-missing`;
    let attempts = 0;
    const counting: RuntimeForLab = Object.create(runtime);
    counting.pullImage = (i) => {
      attempts++;
      return runtime.pullImage(i);
    };
    await assert.rejects(pullImageWithRetries(counting, image), (err: Error) => {
      assert.equal(
        err.message,
        `failed to pull image ${image}: rpc error: code = NotFound desc = failed to pull and unpack image "${image}": failed to resolve reference "${image}": ${image}: not found`,
      );
      return true;
    });
    assert.equal(attempts, PULL_IMAGE_RETRIES);
  });

  test('a hostNetwork sandbox without hostname runs, is listed, stopped and removed', async () => {
    const pod = await runPod(runtime, staticPodSandbox('etcd', 'lab-node', logRoot), {
      name: 'etcd',
      image: PAUSE,
      command: ['/bin/sleep', '3600'],
    });
    const listed = (await runtime.listPodSandboxes()).find((s) => s.id === pod.sandboxId);
    assert.ok(listed, 'the sandbox is listed');
    assert.equal(listed.state, 'ready');
    assert.equal(listed.name, 'etcd-lab-node');
    assert.equal(listed.namespace, 'kube-system');
    assert.equal(listed.labels['component'], 'etcd');

    const containers = await runtime.listContainers({ podSandboxId: pod.sandboxId });
    assert.deepEqual(
      containers.map((c) => [c.id, c.name, c.state, c.image]),
      [[pod.containerId, 'etcd', 'running', PAUSE]],
    );
    const status = await runtime.containerStatus(pod.containerId);
    assert.equal(status.state, 'running');
    assert.equal(status.podSandboxId, pod.sandboxId);
    assert.equal(status.logPath, `${pod.sandbox.logDirectory}/etcd/0.log`);

    await runtime.stopPodSandbox(pod.sandboxId);
    assert.equal((await runtime.listPodSandboxes()).find((s) => s.id === pod.sandboxId)?.state, 'notready');
    assert.equal((await runtime.containerStatus(pod.containerId)).state, 'exited');

    await runtime.removeContainer(pod.containerId);
    assert.deepEqual(await runtime.listContainers({ podSandboxId: pod.sandboxId }), []);
    await runtime.removePodSandbox(pod.sandboxId);
    assert.equal(
      (await runtime.listPodSandboxes()).find((s) => s.id === pod.sandboxId),
      undefined,
    );
  });

  test("reset's stop-and-remove takes every sandbox and its containers", async () => {
    for (const component of ['kube-apiserver', 'kube-scheduler']) {
      await runPod(runtime, staticPodSandbox(component, 'lab-node'), {
        name: component,
        image: PAUSE,
        command: ['/bin/sleep', '3600'],
      });
    }
    const ids = (await runtime.listPodSandboxes()).map((s) => s.id);
    assert.equal(ids.length, 2);
    assert.deepEqual(await removePodSandboxes(runtime, ids), []);
    assert.deepEqual(await runtime.listPodSandboxes(), []);
    assert.deepEqual(await runtime.listContainers(), []);
  });

  test('a container that does not exist is NotFound in Go words', async () => {
    await assert.rejects(runtime.containerStatus('0123456789abcdef'), (err: CriError) => {
      assert.equal(err.code, 5);
      assert.match(err.message, /^rpc error: code = NotFound desc = /);
      return true;
    });
  });

  test('the real host connects through Host.runtime', async () => {
    const host = createRealHost(createPaths('/'), recordOutput());
    const r = await host.runtime(containerd!.endpoint);
    try {
      assert.equal((await r.version()).runtimeName, 'containerd');
      assert.equal(await host.socketAnswers(containerd!.socket), true);
    } finally {
      r.close();
    }
  });
});

describe('a containerd that stops', { skip }, () => {
  let containerd: Containerd | undefined;

  before(async () => {
    containerd = await startContainerd();
  });
  after(async () => {
    await containerd?.destroy();
  });

  test('calls after it died, and new connections, fail once, naming the socket', async () => {
    const c = containerd!;
    const runtime = await c.connect();
    assert.equal((await runtime.version()).runtimeName, 'containerd');

    // Killed: the socket file stays, nobody answers on it.
    await c.stop({ kill: true });
    assert.equal((await fs.stat(c.socket)).isSocket(), true);
    await assert.rejects(runtime.listPodSandboxes(), {
      message: `rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial unix ${c.socket}: connect: connection refused"`,
    });
    runtime.close();
    await assert.rejects(connectRuntime(c.endpoint), {
      message: `failed to create new CRI runtime service: validate service connection: validate CRI v1 runtime API for endpoint "${c.endpoint}": rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial unix ${c.socket}: connect: connection refused"`,
    });
    const host = createRealHost(createPaths('/'), recordOutput());
    assert.equal(await host.socketAnswers(c.socket), false);

    // Gone altogether.
    await fs.rm(c.socket);
    await assert.rejects(host.runtime(c.endpoint), {
      message: `failed to create new CRI runtime service: validate service connection: validate CRI v1 runtime API for endpoint "${c.endpoint}": rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial unix ${c.socket}: connect: no such file or directory"`,
    });
  });
});
