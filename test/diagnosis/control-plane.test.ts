import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  componentCause,
  describeControlPlane,
  describeKubelet,
  kubeletCause,
  parseCriLog,
  type ComponentFacts,
  type ControlPlaneFacts,
  type KubeletFacts,
} from '../../src/diagnosis/control-plane.js';

const SCHEDULER = 'registry.k8s.io/kube-scheduler:v1.34.0';

function kubelet(overrides: Partial<KubeletFacts> = {}): KubeletFacts {
  return {
    url: 'http://127.0.0.1:10248/healthz',
    healthy: true,
    serviceActive: true,
    swapOn: false,
    failSwapOn: true,
    cgroupDriver: 'systemd',
    runtimeCgroupDriver: 'systemd',
    journal: [],
    ...overrides,
  };
}

function scheduler(overrides: Partial<ComponentFacts> = {}): ComponentFacts {
  return {
    component: 'kube-scheduler',
    url: 'https://127.0.0.1:10259/livez',
    port: 10259,
    image: SCHEDULER,
    probeError: 'Get "https://127.0.0.1:10259/livez": connect ECONNREFUSED 127.0.0.1:10259',
    sandbox: 'ready',
    container: {
      id: 'c0ffee1234567890',
      state: 'exited',
      exitCode: 1,
      reason: 'Error',
      message: '',
      restarts: 3,
    },
    logTail: ['I0101 10:00:00.000000       1 serving.go:386] Generated self-signed cert in-memory'],
    logFile: '/var/log/pods/kube-system_kube-scheduler-cp-1_abc/kube-scheduler/3.log',
    ...overrides,
  };
}

function facts(c: ComponentFacts, k: KubeletFacts = kubelet()): ControlPlaneFacts {
  return { kubelet: k, components: [c], criSocket: 'unix:///var/run/containerd/containerd.sock' };
}

const causeLine = (lines: string[]) => lines.filter((l) => l.startsWith('  likely cause: '));

describe('parseCriLog', () => {
  test('keeps the messages of the CRI log format, joining partial lines', () => {
    const text = [
      '2025-01-01T10:00:00.000000001Z stderr F first line',
      '2025-01-01T10:00:00.000000002Z stdout P a long li',
      '2025-01-01T10:00:00.000000003Z stdout F ne, joined',
      'not a CRI line',
      '',
    ].join('\n');
    assert.deepEqual(parseCriLog(text), ['first line', 'a long line, joined', 'not a CRI line']);
  });
});

describe('the likely cause of an unhealthy component', () => {
  test('a port in use, from the log line (the port it names, not a timestamp)', () => {
    const c = scheduler({
      logTail: [
        'E0101 10:00:01.000000       1 run.go:72] "command failed" err="failed to create listener: failed to listen on 127.0.0.1:10300: listen tcp 127.0.0.1:10300: bind: address already in use"',
      ],
    });
    assert.match(
      componentCause(c, kubelet())!,
      /^port 10300 is already in use by another process, so kube-scheduler cannot listen on it/,
    );
  });

  test('a port in use, from the port check while the container does not run', () => {
    const c = scheduler({ logTail: [], portError: 'EADDRINUSE' });
    assert.match(componentCause(c, kubelet())!, /^port 10259 is already in use/);
    // A running component holds its own port: that says nothing.
    const running = scheduler({
      logTail: [],
      portError: 'EADDRINUSE',
      container: { ...scheduler().container!, state: 'running' },
    });
    assert.equal(componentCause(running, kubelet()), undefined);
  });

  test('an image that cannot be pulled: no container and the image is not on the node', () => {
    const c = scheduler({ container: undefined, logTail: [], imagePresent: false });
    assert.match(
      componentCause(c, kubelet())!,
      new RegExp(`^the image ${SCHEDULER} is not on the node and was not pulled`),
    );
  });

  test('an image that cannot be pulled: the runtime says so in the container state', () => {
    const c = scheduler({
      container: { ...scheduler().container!, state: 'created', reason: 'ErrImagePull' },
    });
    assert.match(componentCause(c, kubelet())!, /cannot be pulled \(ErrImagePull\)/);
  });

  test('a cgroup-driver mismatch when the Pod never got a sandbox', () => {
    const c = scheduler({ sandbox: undefined, container: undefined, logTail: [], imagePresent: true });
    const k = kubelet({ runtimeCgroupDriver: 'cgroupfs' });
    assert.match(
      componentCause(c, k)!,
      /^the kubelet uses the "systemd" cgroup driver but the container runtime uses "cgroupfs"/,
    );
    // The same mismatch is not blamed for a component that failed on its own (exit code 1).
    assert.equal(componentCause(scheduler(), k), undefined);
  });

  test('unknown: no likely-cause line, but the state and the log lines', () => {
    const lines = describeControlPlane(facts(scheduler()));
    assert.deepEqual(causeLine(lines), []);
    assert.deepEqual(lines.slice(0, 5), [
      'kube-scheduler is not healthy: Get "https://127.0.0.1:10259/livez": connect ECONNREFUSED 127.0.0.1:10259',
      '  container c0ffee1234567 exited with code 1 (Error), restarted 3 times',
      '  last log line (/var/log/pods/kube-system_kube-scheduler-cp-1_abc/kube-scheduler/3.log):',
      '    | I0101 10:00:00.000000       1 serving.go:386] Generated self-signed cert in-memory',
      'kubelet: healthy at http://127.0.0.1:10248/healthz; service active',
    ]);
  });
});

describe('the diagnosis lines', () => {
  test('name each unhealthy component, at most 10 log lines, one likely cause, then the kubelet', () => {
    const tail = Array.from({ length: 14 }, (_, i) => `line ${i + 1}`);
    tail.push('Error: listen EADDRINUSE: address already in use 127.0.0.1:10259');
    const lines = describeControlPlane(facts(scheduler({ logTail: tail })));
    const logged = lines.filter((l) => l.startsWith('    | '));
    assert.equal(logged.length, 10);
    assert.equal(logged[9], '    | Error: listen EADDRINUSE: address already in use 127.0.0.1:10259');
    assert.equal(causeLine(lines).length, 1);
    assert.match(causeLine(lines)[0]!, /port 10259 is already in use/);
    assert.ok(lines.some((l) => l.startsWith('kubelet: healthy at ')));
    assert.ok(lines.some((l) => l.includes('journalctl -u kubelet')));
  });

  test('no sandbox: the kubelet has not started the Pod', () => {
    const lines = describeControlPlane(
      facts(scheduler({ sandbox: undefined, container: undefined, logTail: [] })),
    );
    assert.equal(lines[1], '  no Pod sandbox: the kubelet has not started this static Pod');
  });

  test('a runtime that cannot be asked is said once per component, not guessed around', () => {
    const f = { ...facts(scheduler({ container: undefined, logTail: [] })), runtimeError: 'no such socket' };
    assert.equal(describeControlPlane(f)[1], '  its container could not be looked at: no such socket');
  });

  test('a cgroup mismatch that is not the cause is still noted under the kubelet', () => {
    const lines = describeControlPlane(facts(scheduler(), kubelet({ runtimeCgroupDriver: 'cgroupfs' })));
    assert.ok(lines.some((l) => l.startsWith('  note: the kubelet uses the "systemd" cgroup driver')));
  });
});

describe('the likely cause of an unhealthy kubelet', () => {
  const down = (o: Partial<KubeletFacts>) =>
    kubelet({
      healthy: false,
      probeError: 'Get "http://127.0.0.1:10248/healthz": connect ECONNREFUSED',
      ...o,
    });

  test('swap on while failSwapOn is true', () => {
    assert.match(kubeletCause(down({ swapOn: true }))!, /^swap is on and the kubelet refuses to run with it/);
    assert.equal(kubeletCause(down({ swapOn: true, failSwapOn: false })), undefined);
  });

  test('swap, as the kubelet says it in its journal', () => {
    const journal = ['E0101 command failed: running with swap on is not supported, please disable swap'];
    assert.match(kubeletCause(down({ journal }))!, /^swap is on/);
  });

  test('a cgroup-driver mismatch', () => {
    assert.match(
      kubeletCause(down({ cgroupDriver: 'cgroupfs', runtimeCgroupDriver: 'systemd' }))!,
      /"cgroupfs" cgroup driver but the container runtime uses "systemd"/,
    );
  });

  test('a port in use, from its journal', () => {
    const journal = [
      'E0101 failed to listen on 0.0.0.0:10250: listen tcp 0.0.0.0:10250: bind: address already in use',
    ];
    assert.match(
      kubeletCause(down({ journal }))!,
      /^port 10250 is already in use by another process, so the kubelet/,
    );
  });

  test('a service that does not run', () => {
    assert.match(kubeletCause(down({ serviceActive: false }))!, /^the kubelet service is not running/);
  });

  test('unknown: state and journal lines, no likely cause', () => {
    const lines = describeKubelet(down({ journal: ['I0101 something else'] }));
    assert.deepEqual(lines.slice(0, 3), [
      'kubelet: not healthy: Get "http://127.0.0.1:10248/healthz": connect ECONNREFUSED; service active',
      '  last journal lines:',
      '    | I0101 something else',
    ]);
    assert.ok(!lines.some((l) => l.includes('likely cause')));
  });
});
