import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { laggingControlPlanes } from '../../src/upgrade/lagging-control-planes.js';

const pod = (node: string, tag: string | undefined) => ({
  pod: `kube-apiserver-${node}`,
  node,
  image: tag === undefined ? undefined : `registry.k8s.io/kube-apiserver:${tag}`,
});

describe('control-plane nodes not at this node’s kube-apiserver image', () => {
  test('the others with another image, sorted; none when all match', () => {
    assert.deepEqual(
      laggingControlPlanes(
        [pod('cp-3', 'v1.33.4'), pod('cp-1', 'v1.34.0'), pod('cp-2', 'v1.33.4'), pod('cp-4', 'v1.34.0')],
        'cp-1',
      ),
      ['cp-2', 'cp-3'],
    );
    assert.deepEqual(laggingControlPlanes([pod('cp-1', 'v1.34.0'), pod('cp-2', 'v1.34.0')], 'cp-2'), []);
  });

  test('a different repository counts as not upgraded, as kubeadm compares whole images', () => {
    const other = { ...pod('cp-2', 'v1.34.0'), image: 'mirror.example/kube-apiserver:v1.34.0' };
    assert.deepEqual(laggingControlPlanes([pod('cp-1', 'v1.34.0'), other], 'cp-1'), ['cp-2']);
  });

  test('no Pod, no Pod of this node, or a Pod without the container: an error naming what is missing', () => {
    assert.throws(
      () => laggingControlPlanes([], 'cp-1'),
      /cannot find kube-apiserver Pod by label selector: component=kube-apiserver/,
    );
    assert.throws(
      () => laggingControlPlanes([pod('cp-2', 'v1.34.0')], 'cp-1'),
      /cannot find kube-apiserver image for current control plane instance cp-1/,
    );
    assert.throws(
      () => laggingControlPlanes([pod('cp-1', 'v1.34.0'), pod('cp-2', undefined)], 'cp-1'),
      /cannot find container by name "kube-apiserver" for Pod kube-system\/kube-apiserver-cp-2/,
    );
  });
});
