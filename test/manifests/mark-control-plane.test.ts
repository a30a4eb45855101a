// mark-control-plane: the labels and taints a control-plane node gets, the lines printed, and the
// strategic-merge patch sent for the change.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyStrategicMergePatch } from '../../src/patches/strategic.js';
import type { KubeObject } from '../../src/cluster/types.js';
import type { Json } from '../../src/patches/json-patch.js';
import { markControlPlane, nodePatch, taintString } from '../../src/manifests/mark-control-plane.js';

const LABELS_LINE =
  '[mark-control-plane] Marking the node cp-1 as control-plane by adding the labels: [node-role.kubernetes.io/control-plane node.kubernetes.io/exclude-from-external-load-balancers]';
const CP_LABELS = {
  'node-role.kubernetes.io/control-plane': '',
  'node.kubernetes.io/exclude-from-external-load-balancers': '',
};
const FOREIGN = { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' };

function node(taints?: unknown[]): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'cp-1', labels: { 'kubernetes.io/hostname': 'cp-1' } },
    spec: taints ? { podCIDR: '10.244.0.0/24', taints } : { podCIDR: '10.244.0.0/24' },
  };
}

/** The patch, applied with the project's strategic merge (no merge key for taints: replaced). */
function patched(before: KubeObject, after: KubeObject): Json {
  return applyStrategicMergePatch(before as unknown as Json, nodePatch(before, after) as Json, {});
}

describe('markControlPlane', () => {
  test('default taints (null or undefined): the control-plane NoSchedule taint, then the foreign one', () => {
    for (const configured of [null, undefined]) {
      const before = node([FOREIGN]);
      const { node: after, lines } = markControlPlane(before, configured);
      assert.deepEqual(lines, [
        LABELS_LINE,
        '[mark-control-plane] Marking the node cp-1 as control-plane by adding the taints [node-role.kubernetes.io/control-plane:NoSchedule]',
      ]);
      assert.deepEqual(after.metadata.labels, { 'kubernetes.io/hostname': 'cp-1', ...CP_LABELS });
      assert.deepEqual(after.spec, {
        podCIDR: '10.244.0.0/24',
        taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }, FOREIGN],
      });
      assert.deepEqual(before, node([FOREIGN]), 'the input node is not changed');
    }
  });

  test('explicit taints come first; an existing equal one is not repeated', () => {
    const configured = [
      { key: 'dedicated', value: 'cp', effect: 'NoExecute' },
      { key: 'node.kubernetes.io/not-ready', value: '', effect: 'NoSchedule' },
    ];
    const existing = [FOREIGN, { key: 'dedicated', value: 'other', effect: 'NoExecute' }];
    const { node: after, lines } = markControlPlane(node(existing), configured);
    assert.equal(
      lines[1],
      '[mark-control-plane] Marking the node cp-1 as control-plane by adding the taints [dedicated=cp:NoExecute node.kubernetes.io/not-ready:NoSchedule]',
    );
    assert.deepEqual((after.spec as { taints: unknown }).taints, [
      { key: 'dedicated', value: 'cp', effect: 'NoExecute' },
      FOREIGN,
      { key: 'dedicated', value: 'other', effect: 'NoExecute' },
    ]);
  });

  test('an empty list: no taint and no taints line; existing taints stay', () => {
    const { node: after, lines } = markControlPlane(node([FOREIGN]), []);
    assert.deepEqual(lines, [LABELS_LINE]);
    assert.deepEqual((after.spec as { taints: unknown }).taints, [FOREIGN]);
    const bare = markControlPlane(node(), []);
    assert.deepEqual(bare.node.spec, { podCIDR: '10.244.0.0/24' });
  });

  test('Taint.ToString forms', () => {
    assert.equal(taintString({ key: 'k', effect: 'NoSchedule' }), 'k:NoSchedule');
    assert.equal(taintString({ key: 'k', value: 'v', effect: 'NoSchedule' }), 'k=v:NoSchedule');
    assert.equal(taintString({ key: 'k', value: 'v', effect: '' }), 'k=v:');
    assert.equal(taintString({ key: 'k', effect: '' }), 'k');
  });
});

describe('nodePatch', () => {
  test('labels per key, taints as the whole new list', () => {
    const before = node([FOREIGN]);
    const { node: after } = markControlPlane(before, null);
    const patch = nodePatch(before, after);
    assert.deepEqual(patch, {
      metadata: { labels: CP_LABELS },
      spec: { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }, FOREIGN] },
    });
    assert.deepEqual(patched(before, after), after);
  });

  test('nothing changed: an empty patch', () => {
    const { node: once } = markControlPlane(node([FOREIGN]), null);
    const { node: twice } = markControlPlane(once, null);
    assert.deepEqual(nodePatch(once, twice), {});
  });

  test('no taints before or after: no spec in the patch', () => {
    const before = node();
    const { node: after } = markControlPlane(before, []);
    assert.deepEqual(nodePatch(before, after), { metadata: { labels: CP_LABELS } });
    assert.deepEqual(patched(before, after), after);
  });

  test('a removed label and an emptied taint list are sent as null', () => {
    const before = node([FOREIGN]);
    const after = structuredClone(before);
    after.metadata.labels = {};
    after.spec = { podCIDR: '10.244.0.0/24' };
    assert.deepEqual(nodePatch(before, after), {
      metadata: { labels: { 'kubernetes.io/hostname': null } },
      spec: { taints: null },
    });
    assert.deepEqual(patched(before, after), { ...after, metadata: { name: 'cp-1', labels: {} } });
  });
});
