import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  cgroupDriverFromInfo,
  containerConfig,
  containerState,
  podSandbox,
  podSandboxConfig,
  sandboxImageFromInfo,
} from '../../../src/host/cri/convert.js';
import { NamespaceMode, PodSandbox } from '../../../src/host/cri/messages.js';

describe('CRI messages and the runtime port', () => {
  test("a hostNetwork sandbox uses the node's network namespace and sends no hostname", () => {
    const config = podSandboxConfig({
      name: 'etcd-cp',
      namespace: 'kube-system',
      uid: 'u',
      hostNetwork: true,
    });
    assert.equal(config.hostname, '');
    assert.deepEqual(config.linux?.securityContext?.namespaceOptions, {
      network: NamespaceMode.NODE,
      pid: NamespaceMode.CONTAINER,
      ipc: NamespaceMode.POD,
    });
    assert.deepEqual(config.metadata, { name: 'etcd-cp', namespace: 'kube-system', uid: 'u', attempt: 0 });
  });

  test('an ordinary sandbox gets a network namespace of its own', () => {
    const config = podSandboxConfig({ name: 'p', namespace: 'default', uid: 'u', hostname: 'p' });
    assert.equal(config.linux?.securityContext?.namespaceOptions?.network, NamespaceMode.POD);
    assert.equal(config.hostname, 'p');
  });

  test('a container spec becomes a ContainerConfig with env pairs, mounts and the pod namespaces', () => {
    const config = containerConfig(
      {
        name: 'etcd',
        image: 'registry.k8s.io/etcd:3.6.5-0',
        command: ['etcd'],
        env: { A: '1' },
        mounts: [{ containerPath: '/var/lib/etcd', hostPath: '/srv/etcd' }],
      },
      { name: 'etcd-cp', namespace: 'kube-system', uid: 'u', hostNetwork: true },
    );
    assert.deepEqual(config.envs, [{ key: 'A', value: '1' }]);
    assert.deepEqual(config.mounts, [
      { containerPath: '/var/lib/etcd', hostPath: '/srv/etcd', readonly: false },
    ]);
    assert.deepEqual(config.image, { image: 'registry.k8s.io/etcd:3.6.5-0' });
    assert.equal(config.linux?.securityContext?.namespaceOptions?.network, NamespaceMode.NODE);
    assert.equal(config.linux?.securityContext?.runAsUser, undefined, "the image's user");
  });

  test("a Pod's user and group go to the container's security context, root included", () => {
    const sandbox = { name: 'p', namespace: 'default', uid: 'u' };
    let config = containerConfig({ name: 'c', image: 'i', runAsUser: 999, runAsGroup: 998 }, sandbox);
    assert.deepEqual(config.linux?.securityContext?.runAsUser, { value: 999n });
    assert.deepEqual(config.linux?.securityContext?.runAsGroup, { value: 998n });
    config = containerConfig({ name: 'c', image: 'i', runAsUser: 0 }, sandbox);
    assert.deepEqual(config.linux?.securityContext?.runAsUser, { value: 0n });
    assert.equal(config.linux?.securityContext?.runAsGroup, undefined);
  });

  test('states read as words; an unknown number is unknown', () => {
    assert.deepEqual([0, 1, 2, 3, 9].map(containerState), [
      'created',
      'running',
      'exited',
      'unknown',
      'unknown',
    ]);
    const decoded = PodSandbox.decode(
      PodSandbox.encode({ id: 'x', state: 1, metadata: { name: 'n', namespace: 'ns', uid: 'u' } }),
    );
    assert.deepEqual(podSandbox(decoded), {
      id: 'x',
      name: 'n',
      namespace: 'ns',
      uid: 'u',
      state: 'notready',
      labels: {},
      annotations: {},
    });
  });

  test("the sandbox image comes from the runtime's verbose config, when it says", () => {
    assert.equal(
      sandboxImageFromInfo({ config: JSON.stringify({ sandboxImage: 'registry.k8s.io/pause:3.10.1' }) }),
      'registry.k8s.io/pause:3.10.1',
    );
    assert.equal(sandboxImageFromInfo({}), undefined);
    assert.equal(sandboxImageFromInfo({ config: '{}' }), undefined);
    assert.equal(sandboxImageFromInfo({ config: 'not json' }), undefined);
  });

  test("the cgroup driver comes from containerd's config: the default runc handler's SystemdCgroup", () => {
    const info = (containerd: unknown, extra: object = {}) => ({
      config: JSON.stringify({ containerd, ...extra }),
    });
    const runc = (options: unknown) => ({
      defaultRuntimeName: 'runc',
      runtimes: { runc: { runtimeType: 'io.containerd.runc.v2', options } },
    });
    assert.equal(cgroupDriverFromInfo(info(runc({ SystemdCgroup: true }))), 'systemd');
    assert.equal(cgroupDriverFromInfo(info(runc({ SystemdCgroup: false }))), 'cgroupfs');
    assert.equal(cgroupDriverFromInfo(info(runc(null))), 'cgroupfs', "runc's default");
    const v1 = {
      defaultRuntimeName: 'legacy',
      runtimes: { legacy: { runtimeType: 'io.containerd.runtime.v1.linux' } },
    };
    assert.equal(cgroupDriverFromInfo(info(v1, { systemdCgroup: true })), 'systemd');
    const kata = { defaultRuntimeName: 'kata', runtimes: { kata: { runtimeType: 'io.containerd.kata.v2' } } };
    assert.equal(cgroupDriverFromInfo(info(kata)), undefined, 'another runtime: unknown');
    assert.equal(cgroupDriverFromInfo({}), undefined);
    assert.equal(cgroupDriverFromInfo({ config: 'not json' }), undefined);
  });
});
