// wait-control-plane on a lab node (real containerd, the simulated kubelet): a control plane that
// comes up is reported healthy with kubeadm's lines; a kube-scheduler broken on purpose (by hand, or
// by a user's patch in a whole `kbadm init`) makes it fail once its timeout has passed, with a
// diagnosis that names the component, shows its container and log, and, for a port held by another
// process, says so.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { labDown, labUp, requireRoot, tcpReachable, type LabNode } from './lab.js';
import { eventually, kbadm, requireBuild, runOfflineInitPhases } from './lab-cli.js';

requireRoot();
requireBuild();

const TIMEOUT_S = 40;
// Above the component timeout: the kubelet check, reading the node for the diagnosis and
// starting kbadm itself. A bound on correctness (it gives up), not a measure of speed.
const MARGIN_MS = 60_000;

/** Runs the phase and measures how long it took. */
function waitPhase(node: LabNode, config: string) {
  const start = Date.now();
  const r = kbadm(node, ['init', 'phase', 'wait-control-plane', '--config', config]);
  return { ...r, elapsedMs: Date.now() - start };
}

function configYaml(node: LabNode, timeouts = ''): string {
  return (
    'apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\n' +
    `localAPIEndpoint:\n  advertiseAddress: ${node.address}\n` +
    `nodeRegistration:\n  name: ${node.name}\n  criSocket: ${node.criSocket}\n${timeouts}---\n` +
    'apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\nkubernetesVersion: v1.34.0\nencryptionAlgorithm: ECDSA-P256\n'
  );
}

describe('wait-control-plane on a lab node', { timeout: 900_000 }, () => {
  let dir: string;
  let node: LabNode;
  let manifest: string;
  let good: string;
  let holder: ChildProcess | undefined;

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kbadm-lab-wait-'));
    node = (await labUp({ nodes: 1, dir })).nodes[0]!;
    await fs.writeFile(path.join(node.rootfs, 'cfg.yaml'), configYaml(node));
    await fs.writeFile(
      path.join(node.rootfs, 'cfg-40s.yaml'),
      configYaml(node, `timeouts:\n  controlPlaneComponentHealthCheck: ${TIMEOUT_S}s\n`),
    );
    runOfflineInitPhases(node, '/cfg.yaml');
    manifest = path.join(node.rootfs, 'etc/kubernetes/manifests/kube-scheduler.yaml');
    good = await fs.readFile(manifest, 'utf8');
  });
  after(async () => {
    if (holder?.pid !== undefined && holder.exitCode === null) holder.kill('SIGKILL');
    if (dir) await labDown(dir);
  });

  /** The scheduler manifest with one more flag, as a user's patch or typo would leave it. */
  async function breakScheduler(flag: string): Promise<void> {
    assert.match(good, / {4}- --leader-elect=true\n/);
    await fs.writeFile(manifest, good.replace(/( {4}- --leader-elect=true\n)/, `$1    - ${flag}\n`));
  }

  test('a control plane that comes up: the kubelet and each component are healthy', () => {
    const r = waitPhase(node, '/cfg.yaml');
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    const out = r.stdout.split('\n');
    assert.equal(
      out[0],
      '[wait-control-plane] Waiting for the kubelet to boot up the control plane as static Pods from directory "/etc/kubernetes/manifests"',
    );
    assert.equal(
      out[1],
      '[kubelet-check] Waiting for a healthy kubelet at http://127.0.0.1:10248/healthz. This can take up to 4m0s',
    );
    assert.match(out[2]!, /^\[kubelet-check\] The kubelet is healthy after \d[\d.]*(ns|µs|ms|s)$/);
    assert.deepEqual(out.slice(3, 7), [
      '[control-plane-check] Waiting for healthy control plane components. This can take up to 4m0s',
      `[control-plane-check] Checking kube-apiserver at https://${node.address}:6443/livez`,
      '[control-plane-check] Checking kube-controller-manager at https://127.0.0.1:10257/healthz',
      '[control-plane-check] Checking kube-scheduler at https://127.0.0.1:10259/livez',
    ]);
    const done = out.slice(7).filter((l) => l !== '');
    assert.deepEqual(done.map((l) => l.replace(/ after \S+$/, '')).sort(), [
      '[control-plane-check] kube-apiserver is healthy',
      '[control-plane-check] kube-controller-manager is healthy',
      '[control-plane-check] kube-scheduler is healthy',
    ]);
  });

  test('a kube-scheduler whose port another process holds: fails after the timeout, naming it and the cause', async (t) => {
    // Something else on the node already listens where the scheduler is told to serve.
    holder = spawn(
      'nsenter',
      [
        `--net=/var/run/netns/${node.netns}`,
        process.execPath,
        '-e',
        "require('net').createServer().listen(10300, '127.0.0.1')",
      ],
      { stdio: 'ignore' },
    );
    await eventually('the port holder to listen', () => tcpReachable(node.netns, '127.0.0.1', 10300), 10_000);
    await breakScheduler('--secure-port=10300');
    try {
      const r = waitPhase(node, '/cfg-40s.yaml');
      for (const line of `exit ${r.code} after ${r.elapsedMs} ms\n${r.stdout}${r.stderr}`.split('\n'))
        t.diagnostic(line);
      assert.notEqual(r.code, 0, r.stdout);
      assert.ok(r.elapsedMs >= TIMEOUT_S * 1000, `gave up after ${r.elapsedMs} ms`);
      assert.ok(r.elapsedMs < TIMEOUT_S * 1000 + MARGIN_MS, `still waiting after ${r.elapsedMs} ms`);
      assert.match(
        r.stdout,
        /^\[control-plane-check\] Checking kube-scheduler at https:\/\/127\.0\.0\.1:10300\/livez$/m,
      );
      assert.match(r.stdout, /^\[control-plane-check\] kube-scheduler is not healthy after 40\.\d+s$/m);
      assert.match(r.stdout, /^\[control-plane-check\] kube-apiserver is healthy after /m);
      const err = r.stderr;
      assert.match(
        err,
        /error execution phase wait-control-plane: the control plane did not become healthy within 40s: kube-scheduler\n/,
      );
      assert.match(err, /^kube-scheduler is not healthy: Get "https:\/\/127\.0\.0\.1:10300\/livez": /m);
      assert.match(
        err,
        /^ {2}container [0-9a-f]{13} (exited with code 1 \(Error\)|running|created), restarted \S+/m,
      );
      assert.match(err, /^ {4}\| Error: listen EADDRINUSE: address already in use 127\.0\.0\.1:10300$/m);
      assert.match(
        err,
        /^ {2}likely cause: port 10300 is already in use by another process, so kube-scheduler cannot listen on it/m,
      );
      assert.match(err, /^kubelet: healthy at http:\/\/127\.0\.0\.1:10248\/healthz; service state unknown/m);
      assert.doesNotMatch(err, /^kube-(apiserver|controller-manager) is not healthy/m);
    } finally {
      holder.kill('SIGKILL');
      await fs.writeFile(manifest, good);
      // The kubelet brings the scheduler back in its own time: the next test must not meet it
      // starting up after that test has checked the port is free.
      await eventually(
        'the restored kube-scheduler to serve',
        () => tcpReachable(node.netns, '127.0.0.1', 10259),
        60_000,
      );
    }
  });

  test('kbadm init with a patch that breaks the kube-scheduler: init fails at wait-control-plane within the timeout, showing its exit and log line', async (t) => {
    // The whole init, not the phase alone: the user's patch (an unknown flag) reaches the manifest
    // init writes, and init itself gives up once the configured timeout has passed.
    await fs.mkdir(path.join(node.rootfs, 'patches'), { recursive: true });
    await fs.writeFile(
      path.join(node.rootfs, 'patches/kube-scheduler+json.yaml'),
      '- op: add\n  path: /spec/containers/0/command/-\n  value: --no-such-flag=1\n',
    );
    await fs.writeFile(
      path.join(node.rootfs, 'cfg-patched.yaml'),
      configYaml(
        node,
        `timeouts:\n  controlPlaneComponentHealthCheck: ${TIMEOUT_S}s\npatches:\n  directory: /patches\n`,
      ),
    );
    // A fresh node, as for a first init: no control plane runs while init writes its manifests
    // (a running scheduler would answer the health check before the kubelet replaced it).
    const manifests = path.join(node.rootfs, 'etc/kubernetes/manifests');
    for (const f of await fs.readdir(manifests)) await fs.rm(path.join(manifests, f));
    await eventually(
      'the old control plane to stop',
      () => !tcpReachable(node.netns, '127.0.0.1', 10259),
      60_000,
    );
    try {
      const start = Date.now();
      const r = kbadm(node, ['init', '--config', '/cfg-patched.yaml', '--ignore-preflight-errors', 'all']);
      const elapsedMs = Date.now() - start;
      for (const line of `exit ${r.code} after ${elapsedMs} ms\n${r.stdout}${r.stderr}`.split('\n'))
        t.diagnostic(line);
      assert.notEqual(r.code, 0, r.stdout);
      assert.ok(elapsedMs < TIMEOUT_S * 1000 + MARGIN_MS, `still waiting after ${elapsedMs} ms`);
      assert.match(
        r.stdout,
        /^\[patches\] Applied patch of type "application\/json-patch\+json" to target "kube-scheduler"$/m,
      );
      assert.match(await fs.readFile(manifest, 'utf8'), /- --no-such-flag=1\n/);
      const err = r.stderr;
      assert.match(
        err,
        /^error execution phase wait-control-plane: the control plane did not become healthy within 40s: kube-scheduler\n/m,
      );
      assert.match(err, /^kube-scheduler is not healthy: /m);
      assert.match(err, /^ {4}\| Error: unknown flag: --no-such-flag$/m);
      assert.match(
        err,
        /^ {2}last log line \(\/var\/log\/pods\/kube-system_kube-scheduler-node-1_[0-9a-f]+\/kube-scheduler\/\d+\.log\):$/m,
      );
      assert.doesNotMatch(err, /likely cause/);
      assert.doesNotMatch(r.stdout, /\[upload-config\]/, 'init stops at the phase that failed');
    } finally {
      await fs.writeFile(manifest, good);
    }
  });
});
