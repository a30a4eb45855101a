// The runtime-side signal a restart with an unchanged manifest waits on.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SandboxSpec } from '../../../src/host/runtime.js';
import { createTestRuntime } from '../../../src/host/test-runtime.js';
import { staticPodRunningProbe } from '../../../src/phases/upgrade/pod-containers.js';

const sandbox = (name: string, namespace = 'kube-system'): SandboxSpec => ({
  name,
  namespace,
  uid: `uid-${name}`,
  attempt: 0,
  hostNetwork: true,
  logDirectory: `/var/log/pods/${namespace}_${name}`,
  labels: {},
  annotations: {},
});

test('a static Pod runs while a ready sandbox of <component>-<node> in kube-system has a running container', async () => {
  const rt = createTestRuntime({ images: ['registry.k8s.io/etcd:3.6.4-0'] });
  const running = staticPodRunningProbe(async () => rt, 'cp-1');
  assert.equal(await running('etcd'), false, 'no sandbox at all');
  // Same Pod name in another namespace, another node's Pod: neither counts.
  await rt.runPodSandbox(sandbox('etcd-cp-1', 'default'));
  await rt.runPodSandbox(sandbox('etcd-cp-2'));
  const spec = sandbox('etcd-cp-1');
  const id = await rt.runPodSandbox(spec);
  assert.equal(await running('etcd'), false, 'a sandbox without a container');
  const c = await rt.createContainer(
    id,
    { name: 'etcd', image: 'registry.k8s.io/etcd:3.6.4-0', attempt: 0, logPath: 'etcd/0.log' },
    spec,
  );
  assert.equal(await running('etcd'), false, 'created, not started');
  await rt.startContainer(c);
  assert.equal(await running('etcd'), true);
  assert.equal(await running('kube-apiserver'), false);
  rt.exitContainer(c, 0);
  assert.equal(await running('etcd'), false, 'its container exited');
  await rt.stopPodSandbox(id);
  assert.equal(await running('etcd'), false, 'a stopped sandbox');
});
