// The in-memory ClusterClient the command tests use must answer like an API server does, or those
// tests prove nothing: 404/409 semantics, resourceVersions, and lists in limit/continue pages.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAlreadyExists, isConflict, isNotFound, type KubeObject } from '../../src/cluster/types.js';
import { FakeCluster } from '../support/fake-cluster.js';

const cm = (name: string, ns = 'default', data: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: ns },
  data,
});
const ref = (name: string, ns = 'default') => ({ apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name });

test('get, create, update and delete with the API server answers', async () => {
  const c = new FakeCluster();
  assert.equal(await c.get(ref('a')), undefined);
  const created = await c.create(cm('a'));
  assert.ok(created.metadata.resourceVersion);
  await assert.rejects(
    c.create(cm('a')),
    (e) => isAlreadyExists(e) && /configmaps "a" already exists/.test(String(e)),
  );
  await assert.rejects(c.update(cm('b')), isNotFound);
  await assert.rejects(
    c.update({ ...cm('a'), metadata: { ...cm('a').metadata, resourceVersion: 'stale' } }),
    isConflict,
  );
  const updated = await c.update({ ...created, data: { k: 'v' } });
  assert.notEqual(updated.metadata.resourceVersion, created.metadata.resourceVersion);
  assert.deepEqual((await c.get(ref('a')))?.['data'], { k: 'v' });
  assert.equal(await c.delete(ref('a')), true);
  assert.equal(await c.delete(ref('a')), false);
});

test('lists come in pages of `limit`, each later page asked for with the continue token', async () => {
  const c = new FakeCluster();
  for (let i = 0; i < 7; i++) c.seed(cm(`cm-${i}`));
  c.seed(cm('elsewhere', 'kube-system'));
  const names: string[] = [];
  for await (const o of c.list('v1', 'ConfigMap', { namespace: 'default', limit: 3 }))
    names.push(o.metadata.name);
  assert.deepEqual(names, ['cm-0', 'cm-1', 'cm-2', 'cm-3', 'cm-4', 'cm-5', 'cm-6']);
  assert.deepEqual(
    c.pageRequests.map((p) => [p.limit, p.continue === undefined]),
    [
      [3, true],
      [3, false],
      [3, false],
    ],
  );
  assert.notEqual(c.pageRequests[1]!.continue, c.pageRequests[2]!.continue);
});

test('field and label selectors filter what a list returns', async () => {
  const c = new FakeCluster();
  c.seed(
    { ...cm('x'), type: 'a', metadata: { name: 'x', namespace: 'default', labels: { app: 'one' } } },
    { ...cm('y'), type: 'b', metadata: { name: 'y', namespace: 'default', labels: { app: 'two' } } },
  );
  const names = async (o: { fieldSelector?: string; labelSelector?: string }) => {
    const out: string[] = [];
    for await (const item of c.list('v1', 'ConfigMap', o)) out.push(item.metadata.name);
    return out;
  };
  assert.deepEqual(await names({ fieldSelector: 'type=b' }), ['y']);
  assert.deepEqual(await names({ labelSelector: 'app=one' }), ['x']);
  assert.deepEqual(await names({ fieldSelector: 'metadata.name=x,type=b' }), []);
});
