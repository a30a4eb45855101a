// Pulling the images init needs through the ContainerRuntime port: policies, retries, serial and
// parallel pulls, and what the ImagePull and CRI checks report.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { NodeProbe } from '../../src/preflight/check.js';
import {
  criCheck,
  imagePullCheck,
  PULL_IMAGE_RETRIES,
  pullImages,
} from '../../src/preflight/runtime-checks.js';
import { memoryRuntime, type MemoryRuntime } from '../support/memory-runtime.js';

const IMAGES = [
  'registry.k8s.io/kube-apiserver:v1.34.0',
  'registry.k8s.io/pause:3.10.1',
  'registry.k8s.io/etcd:3.6.4-0',
];
const quiet = () => undefined;

/** A probe whose only fact is the runtime (or why it cannot be reached). */
function runtimeProbe(runtime: MemoryRuntime | Error): NodeProbe {
  return {
    runtime: async () => {
      if (runtime instanceof Error) throw runtime;
      return runtime;
    },
    log: quiet,
  } as unknown as NodeProbe;
}

describe('pullImages', () => {
  test('IfNotPresent (and the empty default) pulls only missing images, in order', async () => {
    for (const policy of ['IfNotPresent', '']) {
      const rt = memoryRuntime({ images: [IMAGES[1]!] });
      assert.deepEqual(await pullImages(rt, { images: IMAGES, policy, serial: true }, quiet), []);
      assert.deepEqual(rt.pulls, [IMAGES[0], IMAGES[2]]);
    }
  });

  test('Always pulls every image; Never pulls none', async () => {
    const always = memoryRuntime({ images: IMAGES });
    await pullImages(always, { images: IMAGES, policy: 'Always', serial: true }, quiet);
    assert.deepEqual(always.pulls, IMAGES);
    const never = memoryRuntime();
    assert.deepEqual(await pullImages(never, { images: IMAGES, policy: 'Never', serial: true }, quiet), []);
    assert.deepEqual(never.pulls, []);
  });

  test(`a failing pull is retried up to ${PULL_IMAGE_RETRIES} times; the error names the image and the last failure`, async () => {
    const flaky = memoryRuntime({ pullFailures: { [IMAGES[0]!]: PULL_IMAGE_RETRIES - 1 } });
    assert.deepEqual(
      await pullImages(flaky, { images: [IMAGES[0]!], policy: 'Always', serial: true }, quiet),
      [],
    );
    assert.equal(flaky.pulls.length, PULL_IMAGE_RETRIES);

    const broken = memoryRuntime({ pullFailures: { [IMAGES[2]!]: Infinity } });
    const errors = await pullImages(broken, { images: IMAGES, policy: 'Always', serial: true }, quiet);
    assert.deepEqual(errors, [
      `failed to pull image ${IMAGES[2]}: rpc error: code = NotFound desc = ${IMAGES[2]}: not found`,
    ]);
    assert.equal(broken.pulls.filter((i) => i === IMAGES[2]).length, PULL_IMAGE_RETRIES);
    assert.ok(broken.images.has(IMAGES[0]!), 'the other images were still pulled');
  });

  test('imagePullSerial: one pull at a time when true, all at once when false', async () => {
    const gated = () => {
      const waiting: (() => void)[] = [];
      const rt = memoryRuntime({ pullGate: () => new Promise<void>((r) => waiting.push(r)) });
      const release = setInterval(() => waiting.splice(0).forEach((r) => r()), 5);
      return { rt, stop: () => clearInterval(release) };
    };
    const serial = gated();
    await pullImages(serial.rt, { images: IMAGES, policy: 'IfNotPresent', serial: true }, quiet);
    serial.stop();
    assert.equal(serial.rt.maxConcurrentPulls, 1);
    const parallel = gated();
    await pullImages(parallel.rt, { images: IMAGES, policy: 'IfNotPresent', serial: false }, quiet);
    parallel.stop();
    assert.equal(parallel.rt.maxConcurrentPulls, IMAGES.length);
  });

  test('an unknown policy is an error and pulls nothing', async () => {
    const rt = memoryRuntime();
    assert.deepEqual(await pullImages(rt, { images: IMAGES, policy: 'Sometimes', serial: true }, quiet), [
      'unsupported pull policy "Sometimes"',
    ]);
    assert.deepEqual(rt.pulls, []);
  });
});

describe('ImagePull and CRI checks', () => {
  test('ImagePull reports every failed image as one error each', async () => {
    const rt = memoryRuntime({ pullFailures: { [IMAGES[0]!]: Infinity, [IMAGES[1]!]: Infinity } });
    const r = await imagePullCheck({ images: IMAGES, policy: 'IfNotPresent', serial: false }).run(
      runtimeProbe(rt),
    );
    assert.equal(r.errors.length, 2);
    assert.match(r.errors[0]!, /^failed to pull image registry\.k8s\.io\/kube-apiserver:v1\.34\.0: /);
  });

  test('ImagePull without a reachable runtime is one error; with policy Never it does not even connect', async () => {
    const down = runtimeProbe(
      new Error('cannot connect to "unix:///var/run/containerd/containerd.sock": no such socket'),
    );
    const r = await imagePullCheck({ images: IMAGES, policy: 'IfNotPresent', serial: true }).run(down);
    assert.deepEqual(r.errors, [
      'no image was pulled: cannot connect to "unix:///var/run/containerd/containerd.sock": no such socket',
    ]);
    const never = await imagePullCheck({ images: IMAGES, policy: 'Never', serial: true }).run(down);
    assert.deepEqual([never.errors, never.warnings], [[], []]);
  });

  test('CRI asks the runtime for its status', async () => {
    assert.deepEqual((await criCheck().run(runtimeProbe(memoryRuntime()))).errors, []);
    assert.deepEqual((await criCheck().run(runtimeProbe(memoryRuntime({ ready: false })))).errors, [
      'container runtime condition "RuntimeReady" is not true. reason: RuntimeStopped, message: the runtime is shutting down',
    ]);
    assert.deepEqual((await criCheck().run(runtimeProbe(new Error('refused')))).errors, [
      'container runtime is not running: refused',
    ]);
  });
});
