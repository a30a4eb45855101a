import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createDryRunHost, describeChange } from '../../src/host/dry-run-host.js';
import { createTestHost } from '../../src/host/test-host.js';
import { createTestRuntime } from '../../src/host/test-runtime.js';
import { recordOutput } from '../../src/output/output.js';

const PAUSE = 'registry.k8s.io/pause:3.10.1';
const ENDPOINT = 'unix:///var/run/containerd/containerd.sock';

async function setup() {
  const real = createTestRuntime({ images: [PAUSE] });
  const sandbox = await real.runPodSandbox({ name: 'etcd-cp-1', namespace: 'kube-system', uid: 'u1' });
  const ctr = await real.createContainer(
    sandbox,
    { name: 'etcd', image: PAUSE },
    {
      name: 'etcd-cp-1',
      namespace: 'kube-system',
      uid: 'u1',
    },
  );
  real.calls.length = 0;
  const base = createTestHost().setRuntime(() => real);
  const out = recordOutput();
  const host = createDryRunHost(base.paths, out, { base });
  const runtime = await host.runtime(ENDPOINT);
  return { real, sandbox, ctr, host, out, runtime };
}

describe('dry-run container runtime', () => {
  test('reads reach the real runtime', async () => {
    const { real, runtime, sandbox } = await setup();
    assert.equal((await runtime.version()).runtimeApiVersion, 'v1');
    assert.deepEqual(
      (await runtime.listPodSandboxes()).map((s) => s.id),
      [sandbox],
    );
    assert.equal(await runtime.imageExists(PAUSE), true);
    assert.deepEqual(
      real.calls.map((c) => c.method),
      ['version', 'listPodSandboxes', 'imageExists'],
    );
  });

  test('pulls, stops and removals are printed and recorded, and never reach the runtime', async () => {
    const { real, runtime, sandbox, ctr, host, out } = await setup();
    await runtime.pullImage('registry.k8s.io/etcd:3.6.5-0');
    await runtime.removeContainer(ctr);
    await runtime.stopPodSandbox(sandbox);
    await runtime.removePodSandbox(sandbox);
    assert.deepEqual(real.calls, []);
    assert.deepEqual(host.changes, [
      { kind: 'cri', action: 'pull', target: 'registry.k8s.io/etcd:3.6.5-0' },
      { kind: 'cri', action: 'remove-container', target: ctr },
      { kind: 'cri', action: 'stop-sandbox', target: sandbox },
      { kind: 'cri', action: 'remove-sandbox', target: sandbox },
    ]);
    assert.deepEqual(out.stdout, [
      '[dryrun] Would pull image "registry.k8s.io/etcd:3.6.5-0"\n',
      `[dryrun] Would remove container "${ctr}"\n`,
      `[dryrun] Would stop Pod sandbox "${sandbox}"\n`,
      `[dryrun] Would remove Pod sandbox "${sandbox}"\n`,
    ]);
    assert.equal((await real.listPodSandboxes()).length, 1);
  });

  test('later reads see what the run would have done', async () => {
    const { runtime, sandbox, ctr } = await setup();
    await runtime.pullImage('registry.k8s.io/etcd:3.6.5-0');
    assert.equal(await runtime.imageExists('registry.k8s.io/etcd:3.6.5-0'), true);
    assert.ok((await runtime.listImages()).includes('registry.k8s.io/etcd:3.6.5-0'));
    await runtime.stopPodSandbox(sandbox);
    assert.equal((await runtime.listPodSandboxes())[0]!.state, 'notready');
    await runtime.removeContainer(ctr);
    assert.deepEqual(await runtime.listContainers(), []);
    await runtime.removePodSandbox(sandbox);
    assert.deepEqual(await runtime.listPodSandboxes(), []);
  });

  test('each kind of runtime change has its own line', () => {
    assert.equal(
      describeChange({ kind: 'cri', action: 'pull', target: PAUSE }),
      `Would pull image "${PAUSE}"`,
    );
    assert.equal(
      describeChange({ kind: 'cri', action: 'stop-sandbox', target: 'abc' }),
      'Would stop Pod sandbox "abc"',
    );
    assert.equal(
      describeChange({ kind: 'cri', action: 'remove-sandbox', target: 'abc' }),
      'Would remove Pod sandbox "abc"',
    );
    assert.equal(
      describeChange({ kind: 'cri', action: 'remove-container', target: 'abc' }),
      'Would remove container "abc"',
    );
  });
});
