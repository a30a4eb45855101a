// The simulated kubelet reads kbadm's kubelet files the way the kubelet does and refuses the same
// mistakes; static Pods map onto CRI specs with hostPath volumes under the node's root.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { kubeletSettings, parseFlagsEnv, swapDevices } from './kubelet-config.js';
import { ManifestError, staticPodFromManifest } from './static-pod.js';

const CONFIG = `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication:
  x509:
    clientCAFile: /etc/kubernetes/pki/ca.crt
cgroupDriver: systemd
staticPodPath: /etc/kubernetes/manifests
`;
const FLAGS =
  'KUBELET_KUBEADM_ARGS="--container-runtime-endpoint=unix:///run/containerd/containerd.sock --node-labels=a=b,c= --register-with-taints=node-role.kubernetes.io/control-plane:NoSchedule"\n';

describe('kubelet settings', () => {
  test("reads kbadm's config.yaml and kubeadm-flags.env", () => {
    const s = kubeletSettings(CONFIG, FLAGS);
    assert.equal(s.criEndpoint, 'unix:///run/containerd/containerd.sock');
    assert.deepEqual(s.nodeLabels, { a: 'b', c: '' });
    assert.deepEqual(s.taints, [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }]);
    assert.equal(s.healthzPort, 10248);
  });

  test('refuses an unknown field, a wrong kind, an unknown cgroup driver and an unknown flag', () => {
    assert.throws(
      () => kubeletSettings(`${CONFIG}cgroupDriverr: systemd\n`, FLAGS),
      /unknown field "cgroupDriverr"/,
    );
    assert.throws(
      () => kubeletSettings(CONFIG.replace('KubeletConfiguration', 'KubeProxyConfiguration'), FLAGS),
      /no kind "KubeProxyConfiguration"/,
    );
    assert.throws(
      () => kubeletSettings(CONFIG.replace('cgroupDriver: systemd', 'cgroupDriver: nope'), FLAGS),
      /cgroupDriver "nope" is not supported/,
    );
    assert.throws(
      () => parseFlagsEnv('KUBELET_KUBEADM_ARGS="--no-such-flag=1"'),
      /unknown flag: --no-such-flag/,
    );
    assert.throws(
      () =>
        kubeletSettings(
          CONFIG,
          'KUBELET_KUBEADM_ARGS="--container-runtime-endpoint=unix:///x.sock --register-with-taints=bad"',
        ),
      /invalid taint spec/,
    );
  });

  test('reads swap devices from /proc/swaps', () => {
    assert.deepEqual(swapDevices('Filename\tType\tSize\tUsed\tPriority\n'), []);
    assert.deepEqual(swapDevices('Filename Type Size Used Priority\n/dev/sda2 partition 1 0 -2\n'), [
      '/dev/sda2',
    ]);
  });
});

describe('static Pods', () => {
  const manifest = `apiVersion: v1
kind: Pod
metadata:
  name: etcd
  namespace: kube-system
spec:
  hostNetwork: true
  containers:
  - name: etcd
    image: registry.k8s.io/etcd:3.6.4-0
    command: [etcd, --data-dir=/var/lib/etcd]
    env: [{name: A, value: b}]
    volumeMounts: [{name: data, mountPath: /var/lib/etcd}]
  volumes:
  - name: data
    hostPath: {path: /var/lib/etcd, type: DirectoryOrCreate}
`;

  test('map to a hostNetwork sandbox with volumes under the node root; the hash follows the content', () => {
    const p = staticPodFromManifest('etcd.yaml', manifest, 'node-1', '/lab/node-1');
    assert.equal(p.sandbox.name, 'etcd-node-1');
    assert.equal(p.sandbox.hostNetwork, true);
    assert.equal(p.sandbox.hostname, undefined);
    assert.deepEqual(p.containers[0]!.mounts, [
      { containerPath: '/var/lib/etcd', hostPath: '/lab/node-1/var/lib/etcd', readonly: false },
    ]);
    assert.deepEqual(p.containers[0]!.env, { A: 'b' });
    const changed = staticPodFromManifest(
      'etcd.yaml',
      manifest.replace('3.6.4-0', '3.6.5-0'),
      'node-1',
      '/lab/node-1',
    );
    assert.notEqual(changed.hash, p.hash);
    assert.match(p.hash, /^[0-9a-f]{32}$/);
  });

  test('refuse what the lab cannot run', () => {
    assert.throws(
      () =>
        staticPodFromManifest(
          'x.yaml',
          manifest.replace('hostNetwork: true', 'hostNetwork: false'),
          'n',
          '/r',
        ),
      ManifestError,
    );
    assert.throws(() => staticPodFromManifest('x.yaml', 'kind: Service', 'n', '/r'), /not a v1 Pod/);
  });
});
