// The CRI and ImagePull checks over the ContainerRuntime port (pulling itself is runtime-ops',
// tested on its own): what they report for a ready, a stopped and an unreachable runtime.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createTestRuntime, type TestRuntime } from '../../src/host/test-runtime.js';
import { recordOutput } from '../../src/output/output.js';
import type { NodeProbe } from '../../src/preflight/check.js';
import { criCheck, imagePullCheck, sandboxImageWarnings } from '../../src/preflight/runtime-checks.js';
import { pulls } from '../support/prepared-node.js';

const PAUSE = 'registry.k8s.io/pause:3.10.1';
const IMAGES = ['registry.k8s.io/kube-apiserver:v1.34.0', PAUSE, 'registry.k8s.io/etcd:3.6.4-0'];
const plan = (more: { policy?: string; serial?: boolean } = {}) => ({
  images: IMAGES,
  sandboxImage: PAUSE,
  policy: 'IfNotPresent',
  serial: true,
  ...more,
});

/** A probe whose only fact is the runtime (or why it cannot be reached). */
function runtimeProbe(runtime: TestRuntime | Error): NodeProbe & { asked: number } {
  const probe = {
    asked: 0,
    async runtime() {
      probe.asked++;
      if (runtime instanceof Error) throw runtime;
      return runtime;
    },
    log: recordOutput().log,
  };
  return probe as unknown as NodeProbe & { asked: number };
}

describe('CRI', () => {
  test('a ready runtime passes (NetworkReady is not judged)', async () => {
    assert.deepEqual((await criCheck().run(runtimeProbe(createTestRuntime()))).errors, []);
  });

  test('RuntimeReady false, a failing Status call and an unreachable runtime are errors', async () => {
    const stopping = createTestRuntime({
      conditions: [{ type: 'RuntimeReady', status: false, reason: 'Down', message: 'stopping' }],
    });
    assert.deepEqual((await criCheck().run(runtimeProbe(stopping))).errors, [
      'container runtime condition "RuntimeReady" is not true. reason: Down, message: stopping',
    ]);
    const broken = createTestRuntime().breakDown('connection refused');
    assert.deepEqual((await criCheck().run(runtimeProbe(broken))).errors, [
      'container runtime is not running: connection refused',
    ]);
    const absent = runtimeProbe(new Error('cannot connect to "unix:///run/x.sock": no such socket'));
    assert.deepEqual((await criCheck().run(absent)).errors, [
      'container runtime is not running: cannot connect to "unix:///run/x.sock": no such socket',
    ]);
  });
});

describe('ImagePull', () => {
  test('missing images are pulled in order; present ones are skipped', async () => {
    const rt = createTestRuntime({ images: [PAUSE] });
    const r = await imagePullCheck(plan()).run(runtimeProbe(rt));
    assert.deepEqual([r.errors, r.warnings], [[], []]);
    assert.deepEqual(pulls(rt), [IMAGES[0], IMAGES[2]]);
  });

  test('each image that cannot be pulled is one error (serial)', async () => {
    const rt = createTestRuntime()
      .failPull(IMAGES[0]!, 'rpc error: code = NotFound desc = not found')
      .failPull(IMAGES[2]!, 'rpc error: code = Unavailable desc = registry down');
    const r = await imagePullCheck(plan()).run(runtimeProbe(rt));
    assert.equal(r.errors.length, 2);
    assert.match(
      r.errors[0]!,
      /^failed to pull image registry\.k8s\.io\/kube-apiserver:v1\.34\.0: .*NotFound/,
    );
    assert.ok(rt.images.includes(PAUSE), 'the other images were still pulled');
  });

  test('no reachable runtime: one error and no pull; policy Never does not even connect', async () => {
    const down = runtimeProbe(
      new Error('cannot connect to "unix:///var/run/containerd/containerd.sock": no such socket'),
    );
    assert.deepEqual((await imagePullCheck(plan()).run(down)).errors, [
      'no image was pulled: cannot connect to "unix:///var/run/containerd/containerd.sock": no such socket',
    ]);
    const never = runtimeProbe(createTestRuntime());
    const r = await imagePullCheck(plan({ policy: 'Never' })).run(never);
    assert.deepEqual([r.errors, r.warnings, never.asked], [[], [], 0]);
  });

  test('a runtime configured with another pause image gets kubeadm’s warning', async () => {
    const rt = createTestRuntime({ images: IMAGES, sandboxImage: 'registry.k8s.io/pause:3.8' });
    const r = await imagePullCheck(plan()).run(runtimeProbe(rt));
    assert.deepEqual(r.warnings, [
      'detected that the sandbox image "registry.k8s.io/pause:3.8" of the container runtime is inconsistent with that used by kubeadm. It is recommended to use "registry.k8s.io/pause:3.10.1" as the CRI sandbox image.',
    ]);
    assert.deepEqual(sandboxImageWarnings(PAUSE, PAUSE), []);
    assert.deepEqual(sandboxImageWarnings(undefined, PAUSE), [], 'a runtime that does not say');
  });
});
