// create-or-update / create-or-retain / create-or-mutate against the in-memory client: the calls
// each makes, that a repeat converges, and the retry of failed attempts (counted, not timed).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  createOrMutate,
  createOrRetain,
  createOrUpdate,
  goTypeName,
  IdempotentWriteError,
} from '../../src/cluster/idempotency.js';
import { ClusterApiError, type KubeObject } from '../../src/cluster/types.js';
import { TestCluster } from '../support/memory-cluster.js';

const FAST = { timeoutMs: 2000, intervalMs: 1 };
const ONCE = { timeoutMs: 0, intervalMs: 1 };

function cm(data: Record<string, string>, extra: Partial<KubeObject['metadata']> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'c', namespace: 'kube-system', ...extra },
    data,
  };
}
const REF = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'kube-system', name: 'c' };

describe('goTypeName', () => {
  test('names the Go type kubeadm prints', () => {
    assert.equal(goTypeName({ apiVersion: 'v1', kind: 'ConfigMap' }), '*v1.ConfigMap');
    assert.equal(goTypeName({ apiVersion: 'apps/v1', kind: 'Deployment' }), '*v1.Deployment');
    assert.equal(goTypeName({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role' }), '*v1.Role');
  });
});

describe('createOrUpdate', () => {
  test('creates with one POST when absent', async () => {
    const c = new TestCluster();
    await createOrUpdate(c, cm({ a: '1' }), FAST);
    assert.deepEqual(c.lines(), ['CREATE ConfigMap kube-system/c']);
    assert.deepEqual(c.storedObject(REF)?.data, { a: '1' });
  });

  test('409 AlreadyExists -> PUT of the same object without a resourceVersion', async () => {
    const c = new TestCluster();
    c.seed(cm({ a: 'old' }));
    await createOrUpdate(c, cm({ a: 'new' }, { resourceVersion: '12345' }), FAST);
    assert.deepEqual(c.lines(), ['CREATE ConfigMap kube-system/c', 'UPDATE ConfigMap kube-system/c']);
    assert.equal((c.requests[1]!.body as KubeObject).metadata.resourceVersion, undefined);
    assert.deepEqual(c.storedObject(REF)?.data, { a: 'new' });
    assert.equal(c.all().length, 1);
  });

  test('other errors are retried until an attempt succeeds', async () => {
    const c = new TestCluster();
    c.failNext(3);
    await createOrUpdate(c, cm({ a: '1' }), FAST);
    assert.equal(c.requests.length, 4, 'three failed CREATEs, then one that worked');
    assert.ok(c.requests.every((x) => x.verb === 'CREATE'));
    assert.deepEqual(c.storedObject(REF)?.data, { a: '1' });
  });

  test('a failing PUT is retried from the POST', async () => {
    const c = new TestCluster();
    c.seed(cm({ a: 'old' }));
    let puts = 0;
    c.intercept = (request) =>
      request.verb === 'UPDATE' && ++puts === 1
        ? new ClusterApiError('boom', 500, 'InternalError', 'x')
        : undefined;
    await createOrUpdate(c, cm({ a: 'new' }), FAST);
    assert.deepEqual(c.lines(), [
      'CREATE ConfigMap kube-system/c',
      'UPDATE ConfigMap kube-system/c',
      'CREATE ConfigMap kube-system/c',
      'UPDATE ConfigMap kube-system/c',
    ]);
    assert.deepEqual(c.storedObject(REF)?.data, { a: 'new' });
  });

  test('after the timeout the last error is reported, worded as kubeadm does', async () => {
    const c = new TestCluster();
    c.failNext(1000, 503, 'ServiceUnavailable');
    await assert.rejects(createOrUpdate(c, cm({ a: '1' }), ONCE), (err: unknown) => {
      assert.ok(err instanceof IdempotentWriteError);
      assert.match(
        err.message,
        /^unable to create \*v1\.ConfigMap: injected failure \(ServiceUnavailable\)$/,
      );
      assert.ok(err.cause instanceof ClusterApiError && err.cause.status === 503);
      return true;
    });
    assert.equal(c.requests.length, 1, 'a zero timeout makes exactly one attempt');
  });

  test('a repeat converges: the second run PUTs, nothing is duplicated', async () => {
    const c = new TestCluster();
    await createOrUpdate(c, cm({ a: '1' }), FAST);
    await createOrUpdate(c, cm({ a: '1' }), FAST);
    assert.deepEqual(c.lines(), [
      'CREATE ConfigMap kube-system/c',
      'CREATE ConfigMap kube-system/c',
      'UPDATE ConfigMap kube-system/c',
    ]);
    assert.equal(c.all().length, 1);
  });
});

describe('createOrRetain', () => {
  test('GET, then POST only when it is absent', async () => {
    const c = new TestCluster();
    await createOrRetain(c, cm({ a: '1' }), FAST);
    assert.deepEqual(c.lines(), ['GET ConfigMap kube-system/c', 'CREATE ConfigMap kube-system/c']);
  });

  test('an existing object is kept as it is', async () => {
    const c = new TestCluster();
    c.seed(cm({ a: 'mine' }));
    await createOrRetain(c, cm({ a: 'kbadm' }), FAST);
    assert.deepEqual(c.lines(), ['GET ConfigMap kube-system/c']);
    assert.deepEqual(c.storedObject(REF)?.data, { a: 'mine' });
  });

  test('a failed GET is retried, then reported', async () => {
    const c = new TestCluster();
    c.failNext(2);
    await createOrRetain(c, cm({ a: '1' }), FAST);
    assert.deepEqual(c.lines(), [
      'GET ConfigMap kube-system/c',
      'GET ConfigMap kube-system/c',
      'GET ConfigMap kube-system/c',
      'CREATE ConfigMap kube-system/c',
    ]);
    const d = new TestCluster();
    d.failNext(5);
    await assert.rejects(
      createOrRetain(d, cm({ a: '1' }), ONCE),
      /^IdempotentWriteError: unable to get \*v1\.ConfigMap/,
    );
  });
});

describe('createOrMutate', () => {
  test('creates when absent, without calling mutate', async () => {
    const c = new TestCluster();
    await createOrMutate(c, cm({ a: '1' }), () => assert.fail('mutate must not run'), FAST);
    assert.deepEqual(c.lines(), ['CREATE ConfigMap kube-system/c']);
  });

  test('409 -> GET the live object, mutate it, PUT it with its resourceVersion', async () => {
    const c = new TestCluster();
    const live = c.seed(cm({ a: 'live', keep: 'yes' }));
    await createOrMutate(
      c,
      cm({ a: 'desired' }),
      (o) => ({ ...o, data: { ...(o.data as Record<string, string>), a: 'mutated' } }),
      FAST,
    );
    assert.deepEqual(c.lines(), [
      'CREATE ConfigMap kube-system/c',
      'GET ConfigMap kube-system/c',
      'UPDATE ConfigMap kube-system/c',
    ]);
    assert.equal((c.requests[2]!.body as KubeObject).metadata.resourceVersion, live.metadata.resourceVersion);
    assert.deepEqual(c.storedObject(REF)?.data, { a: 'mutated', keep: 'yes' });
  });

  test('a conflicting change between GET and PUT is retried with a fresh GET', async () => {
    const c = new TestCluster();
    c.seed(cm({ n: '0' }));
    let raced = false;
    await createOrMutate(
      c,
      cm({ n: '0' }),
      (o) => {
        if (!raced) {
          raced = true;
          // Someone else writes after our GET: our PUT carries a stale resourceVersion.
          c.seed(cm({ n: 'other' }));
        }
        const data = o.data as Record<string, string>;
        return { ...o, data: { ...data, seen: data.n! } };
      },
      FAST,
    );
    assert.deepEqual(c.lines(), [
      'CREATE ConfigMap kube-system/c',
      'GET ConfigMap kube-system/c',
      'UPDATE ConfigMap kube-system/c',
      'CREATE ConfigMap kube-system/c',
      'GET ConfigMap kube-system/c',
      'UPDATE ConfigMap kube-system/c',
    ]);
    assert.deepEqual(c.storedObject(REF)?.data, { n: 'other', seen: 'other' });
  });
});
