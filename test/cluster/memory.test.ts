// The in-memory cluster answers like an API server for what kbadm does, and the dry-run client
// prints every request with Secret values masked.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DryRunCluster, MASKED } from '../../src/cluster/dry-run.js';
import { MemoryCluster } from '../../src/cluster/memory.js';
import { isAlreadyExists, isConflict, isNotFound, type KubeObject } from '../../src/cluster/types.js';
import { recordOutput } from '../../src/output/output.js';

const cm = (name: string, data: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'kube-system' },
  data,
});
const ref = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'kube-system', name });

describe('MemoryCluster', () => {
  test('answers 404 as undefined, 409 AlreadyExists on a second create, and keeps the uid on update', async () => {
    const c = new MemoryCluster();
    assert.equal(await c.get(ref('a')), undefined);
    const created = await c.create(cm('a', { k: '1' }));
    assert.ok(created.metadata.uid);
    await assert.rejects(c.create(cm('a')), isAlreadyExists);
    const updated = await c.update(cm('a', { k: '2' }));
    assert.equal(updated.metadata.uid, created.metadata.uid);
    assert.deepEqual((await c.get(ref('a')))?.data, { k: '2' });
    await assert.rejects(
      c.update({
        ...cm('a'),
        metadata: { ...cm('a').metadata, resourceVersion: created.metadata.resourceVersion! },
      }),
      isConflict,
    );
    assert.deepEqual(
      c.requests.map((r) => `${r.verb} ${r.path}`),
      [
        'GET /api/v1/namespaces/kube-system/configmaps/a',
        'CREATE /api/v1/namespaces/kube-system/configmaps/a',
        'CREATE /api/v1/namespaces/kube-system/configmaps/a',
        'UPDATE /api/v1/namespaces/kube-system/configmaps/a',
        'GET /api/v1/namespaces/kube-system/configmaps/a',
        'UPDATE /api/v1/namespaces/kube-system/configmaps/a',
      ],
    );
  });

  test("answers the API server's messages; an update of a missing object is 404; delete says whether it removed one", async () => {
    const c = new MemoryCluster();
    await c.create(cm('a'));
    await assert.rejects(
      c.create(cm('a')),
      (e) => isAlreadyExists(e) && /configmaps "a" already exists/.test(String(e)),
    );
    await assert.rejects(
      c.update(cm('b')),
      (e) => isNotFound(e) && /configmaps "b" not found/.test(String(e)),
    );
    assert.equal(await c.delete(ref('a')), true);
    assert.equal(await c.delete(ref('a')), false);
    assert.equal(await c.get(ref('a')), undefined);
  });

  test('lists page by page with limit and continue, filtered by label and field selectors', async () => {
    const c = new MemoryCluster();
    for (let i = 0; i < 1203; i++)
      c.seed({ ...cm(`c${i}`), metadata: { ...cm(`c${i}`).metadata, labels: { n: String(i % 2) } } });
    c.seed({ ...cm('other'), metadata: { name: 'other', namespace: 'default' } });
    const names: string[] = [];
    for await (const o of c.list('v1', 'ConfigMap', { namespace: 'kube-system', limit: 500 }))
      names.push(o.metadata.name);
    assert.equal(names.length, 1203);
    assert.equal(new Set(names).size, 1203);
    assert.deepEqual(
      c.requests.map((r) => r.query?.continue),
      [undefined, '500', '1000'],
    );
    let odd = 0;
    for await (const _ of c.list('v1', 'ConfigMap', { labelSelector: 'n=1' })) odd++;
    assert.equal(odd, 601);
    let named = 0;
    for await (const _ of c.list('v1', 'ConfigMap', { fieldSelector: 'metadata.name=other' })) named++;
    assert.equal(named, 1);
  });

  test('a merge patch changes only what it names; null removes a key', async () => {
    const c = new MemoryCluster();
    c.seed({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n', labels: { a: '1', b: '2' } }, spec: {} });
    const patched = await c.patch(
      { apiVersion: 'v1', kind: 'Node', name: 'n' },
      { metadata: { labels: { b: null, c: '' } }, spec: { taints: [{ key: 'k', effect: 'NoSchedule' }] } },
      'strategic',
    );
    assert.deepEqual(patched.metadata.labels, { a: '1', c: '' });
    assert.deepEqual(patched.spec, { taints: [{ key: 'k', effect: 'NoSchedule' }] });
  });
});

describe('DryRunCluster', () => {
  test('prints each request and the object sent, with Secret values masked', async () => {
    const out = recordOutput();
    const c = new DryRunCluster(out);
    await c.get({
      apiVersion: 'v1',
      kind: 'Secret',
      namespace: 'kube-system',
      name: 'bootstrap-token-abcdef',
    });
    await c.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'bootstrap-token-abcdef', namespace: 'kube-system' },
      data: { 'token-secret': Buffer.from('0123456789abcdef').toString('base64') },
    });
    const text = out.text();
    assert.match(text, /\[dryrun\] Would perform action GET on resource "secrets" in API group "core\/v1"\n/);
    assert.match(text, /\[dryrun\] Resource name "bootstrap-token-abcdef", namespace "kube-system"\n/);
    assert.match(text, /\[dryrun\] Would perform action CREATE on resource "secrets"/);
    assert.match(text, new RegExp(`token-secret: ${MASKED}`));
    assert.doesNotMatch(text, /MDEyMzQ1Njc4OWFiY2RlZg|0123456789abcdef/);
  });

  test('answers a node the run never created, as the kubelet would have registered it', async () => {
    const c = new DryRunCluster(recordOutput());
    const node = await c.get({ apiVersion: 'v1', kind: 'Node', name: 'cp-1' });
    assert.equal(node?.metadata.labels?.['kubernetes.io/hostname'], 'cp-1');
  });
});
