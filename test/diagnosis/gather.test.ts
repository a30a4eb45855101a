import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { gatherControlPlaneFacts, gatherKubeletFacts } from '../../src/diagnosis/gather.js';
import { createTestHost } from '../../src/host/test-host.js';
import { createTestRuntime } from '../../src/host/test-runtime.js';

const SOCKET = 'unix:///var/run/containerd/containerd.sock';
const SCHEDULER_IMAGE = 'registry.k8s.io/kube-scheduler:v1.34.0';
const KCM_IMAGE = 'registry.k8s.io/kube-controller-manager:v1.34.0';
const LOG_DIR = '/var/log/pods/kube-system_kube-scheduler-cp-1_0123';

const cri = (text: string) => `2025-01-01T10:00:00.000000000Z stderr F ${text}\n`;

/** A node whose scheduler crashed twice (its newest attempt has logged nothing yet). */
async function node() {
  const runtime = createTestRuntime({ images: [SCHEDULER_IMAGE], cgroupDriver: 'cgroupfs' });
  const sandboxSpec = {
    name: 'kube-scheduler-cp-1',
    namespace: 'kube-system',
    uid: '0123',
    logDirectory: LOG_DIR,
    labels: { component: 'kube-scheduler', tier: 'control-plane' },
  };
  const sandbox = await runtime.runPodSandbox(sandboxSpec);
  for (const attempt of [0, 1]) {
    const id = await runtime.createContainer(
      sandbox,
      { name: 'kube-scheduler', attempt, image: SCHEDULER_IMAGE, logPath: `kube-scheduler/${attempt}.log` },
      sandboxSpec,
    );
    runtime.exitContainer(id, 1);
  }
  const host = createTestHost({ portsInUse: [10259] })
    .seedFile(
      `${LOG_DIR}/kube-scheduler/0.log`,
      cri('starting') + cri('Error: listen EADDRINUSE: address already in use 127.0.0.1:10259'),
    )
    .seedFile(`${LOG_DIR}/kube-scheduler/1.log`, '')
    .seedFile('/proc/swaps', 'Filename\tType\tSize\tUsed\tPriority\n/swapfile\tfile\t1024\t0\t-2\n')
    .onRun('systemctl', (args) => {
      if (args[0] === 'status') return { stdout: 'kubelet.service - kubelet\n   Loaded: loaded\n' };
      return args[0] === 'is-active' ? { stdout: 'active\n' } : {};
    })
    .onRun('journalctl', { stdout: 'I0101 kubelet started\nE0101 something went wrong\n' })
    .setRuntime(() => runtime);
  return { host, runtime };
}

const unhealthy = [
  {
    component: 'kube-controller-manager',
    url: 'https://127.0.0.1:10257/healthz',
    port: 10257,
    image: KCM_IMAGE,
    probeError: 'refused',
  },
  {
    component: 'kube-scheduler',
    url: 'https://127.0.0.1:10259/livez',
    port: 10259,
    image: SCHEDULER_IMAGE,
    probeError: 'refused',
  },
];

describe('gathering the facts of an unhealthy control plane', () => {
  test('containers, log lines (from the attempt before an empty one), images, ports and the kubelet', async () => {
    const { host, runtime } = await node();
    const f = await gatherControlPlaneFacts(
      {
        host,
        criSocket: SOCKET,
        kubeletConfig: { cgroupDriver: 'systemd' },
        kubelet: { url: 'http://127.0.0.1:10248/healthz', healthy: true },
      },
      unhealthy,
    );
    assert.equal(f.runtimeError, undefined);
    const [kcm, scheduler] = f.components;
    assert.equal(kcm!.sandbox, undefined);
    assert.equal(kcm!.container, undefined);
    assert.equal(kcm!.imagePresent, false);
    assert.equal(scheduler!.sandbox, 'ready');
    assert.deepEqual(
      { ...scheduler!.container, id: '' },
      { id: '', state: 'exited', exitCode: 1, reason: 'Error', message: '', restarts: 1 },
    );
    assert.deepEqual(scheduler!.logTail, [
      'starting',
      'Error: listen EADDRINUSE: address already in use 127.0.0.1:10259',
    ]);
    assert.equal(scheduler!.logFile, `${LOG_DIR}/kube-scheduler/0.log`);
    assert.equal(scheduler!.portError, 'EADDRINUSE');
    assert.equal(f.kubelet.serviceActive, true);
    assert.equal(f.kubelet.swapOn, true);
    assert.equal(f.kubelet.failSwapOn, true);
    assert.equal(f.kubelet.cgroupDriver, 'systemd');
    assert.equal(f.kubelet.runtimeCgroupDriver, 'cgroupfs');
    // A healthy kubelet's journal is not read.
    assert.deepEqual(f.kubelet.journal, []);
    assert.ok(runtime.closed, 'the runtime connection is closed');
    // Nothing was changed on the node.
    assert.deepEqual(host.changes, []);
    assert.ok(!runtime.calls.some((c) => /pull|remove|stop/i.test(c.method)));
  });

  test('an unhealthy kubelet: its journal lines', async () => {
    const { host } = await node();
    const k = await gatherKubeletFacts({
      host,
      criSocket: SOCKET,
      kubelet: { url: 'http://127.0.0.1:10248/healthz', healthy: false, probeError: 'refused' },
    });
    assert.deepEqual(k.journal, ['I0101 kubelet started', 'E0101 something went wrong']);
    assert.deepEqual(host.runs.find((r) => r.command === 'journalctl')?.args, [
      '-u',
      'kubelet',
      '-n',
      '10',
      '--no-pager',
      '-o',
      'cat',
    ]);
    assert.equal(k.cgroupDriver, undefined);
  });

  test('a runtime that does not answer leaves the containers unknown, and says why', async () => {
    const host = createTestHost();
    const f = await gatherControlPlaneFacts({ host, criSocket: SOCKET, kubelet: {} }, unhealthy);
    assert.match(f.runtimeError!, /no container runtime at unix:\/\/\/var\/run\/containerd\/containerd.sock/);
    assert.deepEqual(
      f.components.map((c) => c.component),
      ['kube-controller-manager', 'kube-scheduler'],
    );
  });

  test('under another --rootfs: log paths the runtime names under the root, no service questions', async () => {
    const root = '/srv/node-1';
    const runtime = createTestRuntime({ images: [SCHEDULER_IMAGE] });
    const logDirectory = `${root}${LOG_DIR}`;
    const spec = { name: 'kube-scheduler-cp-1', namespace: 'kube-system', uid: '0123', logDirectory };
    const sandbox = await runtime.runPodSandbox(spec);
    const id = await runtime.createContainer(
      sandbox,
      { name: 'kube-scheduler', image: SCHEDULER_IMAGE, logPath: 'kube-scheduler/0.log' },
      spec,
    );
    runtime.exitContainer(id, 1);
    const host = createTestHost({ rootfs: root })
      .seedFile(`${logDirectory}/kube-scheduler/0.log`, cri('Error: unknown flag: --no-such-flag'))
      .setRuntime(() => runtime);
    const f = await gatherControlPlaneFacts({ host, criSocket: SOCKET, kubelet: {} }, unhealthy.slice(1));
    assert.deepEqual(f.components[0]!.logTail, ['Error: unknown flag: --no-such-flag']);
    assert.equal(f.components[0]!.logFile, `${LOG_DIR}/kube-scheduler/0.log`);
    assert.equal(f.kubelet.serviceActive, undefined);
    assert.match(f.kubelet.serviceNote!, /--rootfs \/srv\/node-1/);
    assert.deepEqual(host.runs, []);
  });
});
