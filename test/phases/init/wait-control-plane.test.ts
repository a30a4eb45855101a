import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseDuration } from '../../../src/config/duration.js';
import { createTestRuntime } from '../../../src/host/test-runtime.js';
import { controlPlanePhase } from '../../../src/phases/init/control-plane.js';
import { runWaitControlPlane, waitControlPlanePhase } from '../../../src/phases/init/wait-control-plane.js';
import { ADMIN_CONF, ADMIN_PEMS } from '../../support/admin-conf.js';
import { fakeProbes, refused } from '../../support/health-probes.js';
import { testInitData, type TestInitDataOptions } from '../../support/init-data.js';
import { lines, loadConfigText } from '../../support/manifests.js';

function config(extra = '', kubelet = '') {
  return loadConfigText(
    'apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\nnodeRegistration:\n  name: cp-1\n' +
      `timeouts:\n  kubeletHealthCheck: 1s\n  controlPlaneComponentHealthCheck: 1s\n${extra}---\n` +
      'apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\nkubernetesVersion: v1.34.0\n' +
      (kubelet
        ? `---\napiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n${kubelet}`
        : ''),
  );
}

/** A node with the control-plane manifests and admin.conf written, as after the earlier phases. */
async function node(options: TestInitDataOptions = {}, cfg = config()) {
  const d = testInitData(cfg, options);
  for (const child of controlPlanePhase.phases!) await child.run!(d);
  d.host.seedFile('/etc/kubernetes/admin.conf', ADMIN_CONF);
  d.out.stdout.length = 0;
  return d;
}

const GO_DURATION = /after (\S+)$/;
/** The lines with each duration replaced by <d>, after checking it is a Go duration. */
function shape(out: string[]): string[] {
  return out.map((l) => {
    const m = GO_DURATION.exec(l);
    if (!m) return l;
    assert.notEqual(parseDuration(m[1]!), undefined, `${m[1]} is a Go duration`);
    assert.match(m[1]!, /^(\d+m)?\d+(\.\d+)?(ns|µs|ms|s)$/, l);
    return l.replace(GO_DURATION, 'after <d>');
  });
}

describe('init phase wait-control-plane', () => {
  test("all healthy: kubeadm's progress lines, in order, with the URLs from the manifests", async () => {
    const probes = fakeProbes();
    const d = await node({ probes });
    const changes = d.host.changes.length;
    await runWaitControlPlane(d);
    assert.deepEqual(shape(lines(d.out)), [
      '[wait-control-plane] Waiting for the kubelet to boot up the control plane as static Pods from directory "/etc/kubernetes/manifests"',
      '[kubelet-check] Waiting for a healthy kubelet at http://127.0.0.1:10248/healthz. This can take up to 1s',
      '[kubelet-check] The kubelet is healthy after <d>',
      '[control-plane-check] Waiting for healthy control plane components. This can take up to 1s',
      '[control-plane-check] Checking kube-apiserver at https://192.168.0.10:6443/livez',
      '[control-plane-check] Checking kube-controller-manager at https://127.0.0.1:10257/healthz',
      '[control-plane-check] Checking kube-scheduler at https://127.0.0.1:10259/livez',
      '[control-plane-check] kube-apiserver is healthy after <d>',
      '[control-plane-check] kube-controller-manager is healthy after <d>',
      '[control-plane-check] kube-scheduler is healthy after <d>',
    ]);
    assert.deepEqual(
      probes.calls.map((c) => `${c.kind} ${c.url}`),
      [
        'kubelet http://127.0.0.1:10248/healthz',
        'apiserver https://192.168.0.10:6443/livez',
        'component https://127.0.0.1:10257/healthz',
        'component https://127.0.0.1:10259/livez',
      ],
    );
    assert.equal(d.host.changes.length, changes, 'the wait changes nothing');
  });

  test("the API server is checked with admin.conf's credentials", async () => {
    const d = await node();
    let given: unknown;
    d.healthProbes = async (tls) => ((given = tls), fakeProbes());
    await runWaitControlPlane(d);
    assert.deepEqual(given, ADMIN_PEMS);
  });

  test('a component that never becomes healthy fails the phase after the timeout, with a diagnosis naming it', async () => {
    const probes = fakeProbes((_kind, url) => (url.includes(':10259') ? refused(url) : { healthy: true }));
    // The kubelet started the scheduler, which exited because its port was taken.
    const runtime = createTestRuntime({ cgroupDriver: 'systemd' });
    const spec = {
      name: 'kube-scheduler-cp-1',
      namespace: 'kube-system',
      uid: 'u1',
      logDirectory: '/var/log/pods/kube-system_kube-scheduler-cp-1_u1',
      labels: { component: 'kube-scheduler' },
    };
    const sandbox = await runtime.runPodSandbox(spec);
    const id = await runtime.createContainer(
      sandbox,
      {
        name: 'kube-scheduler',
        attempt: 2,
        image: 'registry.k8s.io/kube-scheduler:v1.34.0',
        logPath: 'kube-scheduler/2.log',
      },
      spec,
    );
    runtime.exitContainer(id, 1);
    const d = await node({ probes, runtime: () => runtime, portsInUse: [10259] });
    d.host.seedFile(
      `${spec.logDirectory}/kube-scheduler/2.log`,
      '2025-01-01T10:00:00.000000000Z stderr F E0101 10:00:00.000000 1 run.go:72] "command failed" err="failed to listen on 127.0.0.1:10259: listen tcp 127.0.0.1:10259: bind: address already in use"\n',
    );
    await assert.rejects(runWaitControlPlane(d), (err: Error) => {
      const message = err.message.split('\n');
      assert.equal(message[0], 'the control plane did not become healthy within 1s: kube-scheduler');
      assert.equal(
        message[1],
        'kube-scheduler is not healthy: Get "https://127.0.0.1:10259/livez": connect ECONNREFUSED 127.0.0.1:10259',
      );
      assert.match(
        message[2]!,
        /^ {2}container container-\d+ exited with code 1 \(Error\), restarted 2 times$/,
      );
      assert.ok(
        message.some((l) => l.includes('bind: address already in use')),
        err.message,
      );
      assert.ok(
        message.includes(
          '  likely cause: port 10259 is already in use by another process, so kube-scheduler cannot listen on it: find the holder with "ss -ltnp \'sport = :10259\'" and stop it, or give kube-scheduler another port',
        ),
        err.message,
      );
      assert.ok(
        message.some((l) => l.startsWith('kubelet: healthy at http://127.0.0.1:10248/healthz')),
        err.message,
      );
      assert.ok(
        !message.some((l) => l.startsWith('kube-apiserver') || l.startsWith('kube-controller-manager')),
      );
      return true;
    });
    const out = lines(d.out);
    const notHealthy = out.find((l) =>
      l.startsWith('[control-plane-check] kube-scheduler is not healthy after '),
    )!;
    assert.ok(notHealthy, out.join('\n'));
    // It gave up only once the whole second had passed, having asked again in between.
    assert.ok(parseDuration(GO_DURATION.exec(notHealthy)![1]!)! >= 1000, notHealthy);
    assert.ok(probes.calls.filter((c) => c.url.includes(':10259')).length >= 2);
    assert.ok(out.some((l) => l.startsWith('[control-plane-check] kube-apiserver is healthy after ')));
  });

  test('a kubelet that never becomes healthy fails before any component is checked', async () => {
    const probes = fakeProbes((kind, url) => (kind === 'kubelet' ? refused(url) : { healthy: true }));
    const d = await node({ probes });
    await assert.rejects(runWaitControlPlane(d), (err: Error) => {
      const message = err.message.split('\n');
      assert.equal(message[0], 'the kubelet did not become healthy within 1s');
      assert.match(
        message[1]!,
        /^kubelet: not healthy: Get "http:\/\/127.0.0.1:10248\/healthz": connect ECONNREFUSED/,
      );
      return true;
    });
    assert.ok(probes.calls.every((c) => c.kind === 'kubelet'));
    assert.match(lines(d.out).at(-1)!, /^\[kubelet-check\] The kubelet is not healthy after /);
  });

  test("healthzPort 0: the kubelet check is skipped with kubeadm's line", async () => {
    const probes = fakeProbes();
    const d = await node({ probes }, config('', 'healthzPort: 0\n'));
    await runWaitControlPlane(d);
    const out = lines(d.out);
    assert.equal(
      out[1],
      '[kubelet-check] Skipping the kubelet health check because the healthz port is set to 0',
    );
    assert.equal(
      out[2],
      '[control-plane-check] Waiting for healthy control plane components. This can take up to 1s',
    );
    assert.ok(!probes.calls.some((c) => c.kind === 'kubelet'));
  });

  test('addresses and ports follow the manifests as written (extraArgs, IPv6 brackets)', async () => {
    const probes = fakeProbes();
    const cfg = loadConfigText(
      'apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\nlocalAPIEndpoint:\n  advertiseAddress: fd00::10\n  bindPort: 7443\n' +
        'nodeRegistration:\n  name: cp-1\n---\napiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\nkubernetesVersion: v1.34.0\n' +
        'networking:\n  serviceSubnet: fd01::/108\nscheduler:\n  extraArgs:\n  - name: secure-port\n    value: "10300"\n  - name: bind-address\n    value: "::1"\n',
    );
    const d = await node({ probes }, cfg);
    await runWaitControlPlane(d);
    assert.deepEqual(
      probes.calls.filter((c) => c.kind !== 'kubelet').map((c) => c.url),
      ['https://[fd00::10]:7443/livez', 'https://127.0.0.1:10257/healthz', 'https://[::1]:10300/livez'],
    );
  });

  test('a missing manifest is an error naming it, before any waiting', async () => {
    const probes = fakeProbes();
    const d = await node({ probes });
    await d.host.remove('/etc/kubernetes/manifests/kube-controller-manager.yaml');
    await assert.rejects(runWaitControlPlane(d), {
      message: 'static Pod manifest /etc/kubernetes/manifests/kube-controller-manager.yaml does not exist',
    });
    assert.deepEqual(probes.calls, []);
  });

  test('dry run: says what it would wait for, checks nothing', async () => {
    const probes = fakeProbes();
    const d = testInitData(config(), { probes, dryRun: true });
    await waitControlPlanePhase.run!(d);
    assert.deepEqual(lines(d.out), [
      '[dryrun] Would wait up to 1s for the kubelet to answer at http://127.0.0.1:10248/healthz',
      '[dryrun] Would wait up to 1s for kube-apiserver, kube-controller-manager and kube-scheduler to answer their health checks',
    ]);
    assert.deepEqual(probes.calls, []);
  });

  test('the phase: name, a help line of its own, and --config (kubeadm has no flags here)', () => {
    assert.equal(waitControlPlanePhase.name, 'wait-control-plane');
    assert.notEqual(waitControlPlanePhase.short, 'Wait for the control plane to start');
    assert.deepEqual(waitControlPlanePhase.inheritFlags, ['config']);
  });
});
