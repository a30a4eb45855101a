import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  checkRuntimeRunning,
  PULL_IMAGE_RETRIES,
  pullImages,
  pullImageWithRetries,
  removePodSandboxes,
} from '../../src/host/runtime-ops.js';
import { createTestRuntime, type TestRuntime } from '../../src/host/test-runtime.js';

const PAUSE = 'registry.k8s.io/pause:3.10.1';
const ETCD = 'registry.k8s.io/etcd:3.6.5-0';
const APISERVER = 'registry.k8s.io/kube-apiserver:v1.34.0';

const pulled = (r: TestRuntime) => r.calls.filter((c) => c.method === 'pullImage').map((c) => c.target);
const messages = (errors: Error[]) => errors.map((e) => e.message);

describe('checkRuntimeRunning', () => {
  test('a runtime whose RuntimeReady is true passes, whatever NetworkReady says', async () => {
    await checkRuntimeRunning(createTestRuntime());
  });

  test('RuntimeReady false fails with its reason and message', async () => {
    const runtime = createTestRuntime({
      conditions: [{ type: 'RuntimeReady', status: false, reason: 'Starting', message: 'not yet' }],
    });
    await assert.rejects(checkRuntimeRunning(runtime), {
      message: 'container runtime condition "RuntimeReady" is not true. reason: Starting, message: not yet',
    });
  });

  test('a failed Status call says the runtime is not running', async () => {
    const runtime = createTestRuntime().breakDown('rpc error: code = Unavailable desc = gone');
    await assert.rejects(checkRuntimeRunning(runtime), {
      message: 'container runtime is not running: rpc error: code = Unavailable desc = gone',
    });
  });
});

describe('pullImageWithRetries', () => {
  test('a pull that fails a few times and then succeeds is a success', async () => {
    const runtime = createTestRuntime().failPull(PAUSE, 'rpc error: code = Unavailable desc = busy', 4);
    await pullImageWithRetries(runtime, PAUSE);
    assert.equal(pulled(runtime).length, 5);
    assert.ok(runtime.images.includes(PAUSE));
  });

  test(`after ${PULL_IMAGE_RETRIES} failures the error names the image and carries the last attempt's`, async () => {
    let attempt = 0;
    const runtime = createTestRuntime();
    runtime.pullImage = async () => {
      throw new Error(`attempt ${++attempt}`);
    };
    await assert.rejects(pullImageWithRetries(runtime, PAUSE), {
      message: `failed to pull image ${PAUSE}: attempt 5`,
    });
    assert.equal(attempt, PULL_IMAGE_RETRIES);
  });
});

describe('pullImages: pull policy and imagePullSerial', () => {
  const images = [APISERVER, PAUSE, ETCD];

  test('Never pulls nothing', async () => {
    const runtime = createTestRuntime();
    assert.deepEqual(await pullImages(runtime, images, { policy: 'Never', serial: true }), []);
    assert.deepEqual(runtime.calls, []);
  });

  test('IfNotPresent skips the images the runtime already holds', async () => {
    const runtime = createTestRuntime({ images: [PAUSE] });
    assert.deepEqual(await pullImages(runtime, images, { policy: 'IfNotPresent', serial: true }), []);
    assert.deepEqual(pulled(runtime), [APISERVER, ETCD]);
  });

  test('Always pulls every image, held or not', async () => {
    const runtime = createTestRuntime({ images: [PAUSE] });
    assert.deepEqual(await pullImages(runtime, images, { policy: 'Always', serial: true }), []);
    assert.deepEqual(pulled(runtime), images);
  });

  test('an image whose status cannot be read is pulled, with a warning', async () => {
    const runtime = createTestRuntime({ images: [PAUSE] });
    runtime.imageExists = async () => {
      throw new Error('rpc error: code = Unknown desc = boom');
    };
    const warnings: string[] = [];
    await pullImages(runtime, [PAUSE], {
      policy: 'IfNotPresent',
      serial: true,
      log: { debug: () => {}, warn: (m) => warnings.push(m) },
    });
    assert.deepEqual(pulled(runtime), [PAUSE]);
    assert.deepEqual(warnings, [
      `Failed to get image status, image: "${PAUSE}", error: rpc error: code = Unknown desc = boom`,
    ]);
  });

  test('serial: one image at a time, in order, and one error per failed image', async () => {
    const runtime = createTestRuntime().failPull(PAUSE, 'p').failPull(ETCD, 'e');
    let inFlight = 0;
    let most = 0;
    const pull = runtime.pullImage.bind(runtime);
    runtime.pullImage = async (image) => {
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setImmediate(r));
      try {
        return await pull(image);
      } finally {
        inFlight--;
      }
    };
    const errors = await pullImages(runtime, images, { policy: 'Always', serial: true });
    assert.equal(most, 1);
    assert.deepEqual(messages(errors), [
      `failed to pull image ${PAUSE}: failed to pull image ${PAUSE}: p`,
      `failed to pull image ${ETCD}: failed to pull image ${ETCD}: e`,
    ]);
  });

  test('parallel: all images at once, the failures aggregated into one error', async () => {
    const runtime = createTestRuntime().failPull(PAUSE, 'p').failPull(ETCD, 'e');
    const started: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const pull = runtime.pullImage.bind(runtime);
    runtime.pullImage = async (image) => {
      started.push(image);
      if (started.length === images.length) release();
      await gate;
      return pull(image);
    };
    const errors = await pullImages(runtime, images, { policy: 'Always', serial: false });
    assert.deepEqual(new Set(started), new Set(images));
    assert.equal(errors.length, 1);
    assert.match(errors[0]!.message, /^\[failed to pull image .*, failed to pull image .*\]$/);
    assert.match(
      errors[0]!.message,
      new RegExp(`failed to pull image ${ETCD}: failed to pull image ${ETCD}: e`),
    );
  });

  test('an unknown policy is an error and pulls nothing', async () => {
    const runtime = createTestRuntime();
    assert.deepEqual(messages(await pullImages(runtime, images, { policy: 'Sometimes', serial: true })), [
      'unsupported pull policy "Sometimes"',
    ]);
    assert.deepEqual(runtime.calls, []);
  });
});

describe('removePodSandboxes', () => {
  test('every sandbox is stopped, then removed', async () => {
    const runtime = createTestRuntime();
    const a = await runtime.runPodSandbox({ name: 'etcd', namespace: 'kube-system', uid: '1' });
    const b = await runtime.runPodSandbox({ name: 'apiserver', namespace: 'kube-system', uid: '2' });
    assert.deepEqual(await removePodSandboxes(runtime, [a, b]), []);
    assert.deepEqual(await runtime.listPodSandboxes(), []);
    assert.deepEqual(
      runtime.calls.slice(2, 6).map((c) => `${c.method} ${c.target}`),
      [`stopPodSandbox ${a}`, `removePodSandbox ${a}`, `stopPodSandbox ${b}`, `removePodSandbox ${b}`],
    );
  });

  test('a sandbox that cannot be stopped is tried five times; the others are still removed', async () => {
    const runtime = createTestRuntime();
    const good = await runtime.runPodSandbox({ name: 'etcd', namespace: 'kube-system', uid: '1' });
    const errors = await removePodSandboxes(runtime, ['missing', good]);
    assert.deepEqual(messages(errors), [
      'failed to stop running pod missing: rpc error: code = NotFound desc = an error occurred when try to find sandbox "missing": not found',
    ]);
    assert.equal(runtime.calls.filter((c) => c.target === 'missing').length, 5);
    assert.deepEqual(await runtime.listPodSandboxes(), []);
  });
});
