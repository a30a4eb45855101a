import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PatchError, type Json } from '../../src/patches/json-patch.js';
import {
  applyStrategicMergePatch,
  KUBELET_CONFIGURATION_SCHEMA,
  POD_SCHEMA,
} from '../../src/patches/strategic.js';

const pod = (): Json => ({
  metadata: { name: 'kube-apiserver', labels: { component: 'kube-apiserver' }, finalizers: ['a'] },
  spec: {
    containers: [
      {
        name: 'kube-apiserver',
        command: ['kube-apiserver', '--a=1'],
        env: [{ name: 'A', value: '1' }],
        ports: [{ name: 'probe-port', containerPort: 6443, protocol: 'TCP' }],
        volumeMounts: [{ name: 'k8s-certs', mountPath: '/etc/kubernetes/pki', readOnly: true }],
      },
    ],
    volumes: [{ name: 'k8s-certs', hostPath: { path: '/etc/kubernetes/pki', type: 'DirectoryOrCreate' } }],
    tolerations: [{ operator: 'Exists' }],
  },
});

const merge = (patch: Json, original: Json = pod()) =>
  applyStrategicMergePatch(original, patch, POD_SCHEMA) as any;

describe('strategic merge patch for Pods', () => {
  test('containers merge by name; env by name; fields inside merge', () => {
    const r = merge({
      spec: {
        containers: [
          {
            name: 'kube-apiserver',
            env: [
              { name: 'B', value: '2' },
              { name: 'A', value: 'x' },
            ],
          },
        ],
      },
    });
    assert.equal(r.spec.containers.length, 1);
    // Every item named by the patch takes the patch's order (apimachinery normalizeElementOrder).
    assert.deepEqual(r.spec.containers[0].env, [
      { name: 'B', value: '2' },
      { name: 'A', value: 'x' },
    ]);
    assert.deepEqual(r.spec.containers[0].command, ['kube-apiserver', '--a=1'], 'untouched fields stay');
  });
  test('a container with a new name goes before the original ones, as apimachinery orders it', () => {
    const r = merge({ spec: { containers: [{ name: 'sidecar', image: 'busybox' }] } });
    assert.deepEqual(
      r.spec.containers.map((c: { name: string }) => c.name),
      ['sidecar', 'kube-apiserver'],
    );
  });
  test('list order: patch items keep the patch order, original-only items their place', () => {
    const names = (patch: string[], original = ['a', 'b', 'c']) =>
      (
        merge(
          { spec: { volumes: patch.map((name) => ({ name, emptyDir: {} })) } },
          { spec: { volumes: original.map((name) => ({ name })) } },
        ).spec.volumes as { name: string }[]
      ).map((v) => v.name);
    assert.deepEqual(names(['b']), ['a', 'b', 'c'], 'a merged item stays in place');
    assert.deepEqual(names(['new']), ['new', 'a', 'b', 'c']);
    assert.deepEqual(names(['b', 'new']), ['a', 'b', 'new', 'c']);
    assert.deepEqual(names(['new', 'b']), ['new', 'a', 'b', 'c']);
    // b sits before c in the original, so it is placed before the first patch item.
    assert.deepEqual(names(['c', 'a']), ['b', 'c', 'a'], 'the patch reorders the items it names');
    assert.deepEqual(names(['x'], []), ['x']);
  });
  test('$patch: delete removes every item with that key; $patch: merge in a list is an error', () => {
    const r = merge(
      { spec: { volumes: [{ name: 'a', $patch: 'delete' }] } },
      { spec: { volumes: [{ name: 'a' }, { name: 'b' }, { name: 'a', x: 1 }] } },
    );
    assert.deepEqual(r.spec.volumes, [{ name: 'b' }]);
    assert.throws(
      () => merge({ spec: { volumes: [{ name: 'a', $patch: 'merge' }] } }),
      /merging lists cannot yet be specified/,
    );
  });
  test('ports merge by containerPort, volumeMounts by mountPath, volumes by name', () => {
    const r = merge({
      spec: {
        containers: [
          {
            name: 'kube-apiserver',
            ports: [{ containerPort: 6443, name: 'probe-port', hostPort: 6443 }],
            volumeMounts: [{ name: 'renamed', mountPath: '/etc/kubernetes/pki' }],
          },
        ],
        volumes: [{ name: 'audit', hostPath: { path: '/var/log/audit' } }],
      },
    });
    assert.deepEqual(r.spec.containers[0].ports, [
      { name: 'probe-port', containerPort: 6443, protocol: 'TCP', hostPort: 6443 },
    ]);
    assert.deepEqual(r.spec.containers[0].volumeMounts, [
      { name: 'renamed', mountPath: '/etc/kubernetes/pki', readOnly: true },
    ]);
    assert.equal(r.spec.volumes.length, 2);
  });
  test('lists without a merge key (command, tolerations) are replaced', () => {
    const r = merge({ spec: { containers: [{ name: 'kube-apiserver', command: ['x'] }], tolerations: [] } });
    assert.deepEqual(r.spec.containers[0].command, ['x']);
    assert.deepEqual(r.spec.tolerations, []);
  });
  test('null deletes a field; $patch: delete removes a list item; $patch: replace replaces', () => {
    const r = merge({
      metadata: { labels: null },
      spec: {
        containers: [{ name: 'kube-apiserver', env: [{ name: 'A', $patch: 'delete' }] }],
        volumes: [{ $patch: 'replace' }, { name: 'only', emptyDir: {} }],
      },
    });
    assert.equal(r.metadata.labels, undefined);
    assert.deepEqual(r.spec.containers[0].env, []);
    assert.deepEqual(r.spec.volumes, [{ name: 'only', emptyDir: {} }]);
    const replaced = merge({ spec: { $patch: 'replace', hostNetwork: true } });
    assert.deepEqual(replaced.spec, { hostNetwork: true });
  });
  test('finalizers merge as a set; $deleteFromPrimitiveList removes; $setElementOrder is ignored', () => {
    const r = merge({
      metadata: {
        finalizers: ['a', 'b'],
        '$deleteFromPrimitiveList/finalizers': ['a'],
        '$setElementOrder/finalizers': ['b'],
      },
    });
    assert.deepEqual(r.metadata.finalizers, ['b']);
    const added = merge({ metadata: { finalizers: ['z', 'a'] } });
    assert.deepEqual(added.metadata.finalizers, ['z', 'a'], 'new scalars first, the patch order wins');
  });
  test('$retainKeys keeps only the listed fields before merging', () => {
    const r = merge({
      spec: { containers: [{ name: 'kube-apiserver', $retainKeys: ['name', 'image'], image: 'i' }] },
    });
    assert.deepEqual(r.spec.containers[0], { name: 'kube-apiserver', image: 'i' });
  });
  test('a list item without its merge key is an error', () => {
    assert.throws(
      () => merge({ spec: { containers: [{ image: 'x' }] } }),
      (e: unknown) => {
        assert.ok(e instanceof PatchError);
        assert.match(e.message, /does not contain declared merge key: name/);
        return true;
      },
    );
  });
  test('the original is not modified', () => {
    const original = pod();
    merge({ spec: { containers: [{ name: 'kube-apiserver', image: 'x' }] } }, original);
    assert.deepEqual(original, pod());
  });
});

describe('strategic merge patch for the KubeletConfiguration', () => {
  test('maps merge, lists are replaced', () => {
    const r = applyStrategicMergePatch(
      { clusterDNS: ['10.96.0.10'], evictionHard: { 'memory.available': '100Mi' } },
      { clusterDNS: ['169.254.20.10'], evictionHard: { 'nodefs.available': '10%' } },
      KUBELET_CONFIGURATION_SCHEMA,
    );
    assert.deepEqual(r, {
      clusterDNS: ['169.254.20.10'],
      evictionHard: { 'memory.available': '100Mi', 'nodefs.available': '10%' },
    });
  });
});
