// patch-node waits for the kubelet to register the Node, patches it from the live object and retries
// what an API server answers with "try again".
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MemoryCluster } from '../../src/cluster/memory.js';
import { HOSTNAME_LABEL, patchNode } from '../../src/cluster/patch-node.js';
import { ClusterApiError, type KubeObject, type ObjectRef } from '../../src/cluster/types.js';

const node = (labels: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name: 'n1', labels },
});
const ref = { apiVersion: 'v1', kind: 'Node', name: 'n1' };

describe('patchNode', () => {
  test('patches the live node with what the change computes from it', async () => {
    const c = new MemoryCluster();
    c.seed(node({ [HOSTNAME_LABEL]: 'n1' }));
    await patchNode(
      c,
      'n1',
      (live) => ({ metadata: { labels: { seen: live.metadata.labels![HOSTNAME_LABEL]! } } }),
      { timeoutMs: 1000 },
    );
    assert.equal((await c.get(ref))?.metadata.labels?.seen, 'n1');
    assert.deepEqual(
      c.requests.map((r) => r.verb),
      ['GET', 'PATCH', 'GET'],
    );
  });

  test('waits until the kubelet has registered the node with its hostname label', async () => {
    const c = new MemoryCluster();
    c.seed(node({}));
    setTimeout(() => c.seed(node({ [HOSTNAME_LABEL]: 'n1' })), 30);
    await patchNode(c, 'n1', () => ({ metadata: { labels: { a: '' } } }), {
      timeoutMs: 2000,
      intervalMs: 10,
    });
    assert.ok(c.requests.filter((r) => r.verb === 'GET').length > 1);
    assert.equal((await c.get(ref))?.metadata.labels?.a, '');
  });

  test('a node that never registers fails after the timeout, saying why', async () => {
    await assert.rejects(
      patchNode(new MemoryCluster(), 'n1', () => ({}), { timeoutMs: 30, intervalMs: 10 }),
      /error patching node "n1" through the API server: node "n1" not found/,
    );
  });

  test('a conflict is retried; a refusal is final', async () => {
    let conflicts = 1;
    class Racy extends MemoryCluster {
      override async patch<T extends KubeObject>(r: ObjectRef, p: unknown, t: 'strategic'): Promise<T> {
        if (conflicts-- > 0) throw new ClusterApiError('conflict', 409, 'Conflict', 'PATCH /n1');
        return super.patch<T>(r, p, t);
      }
    }
    const racy = new Racy();
    racy.seed(node({ [HOSTNAME_LABEL]: 'n1' }));
    await patchNode(racy, 'n1', () => ({ metadata: { labels: { b: '' } } }), {
      timeoutMs: 1000,
      intervalMs: 10,
    });
    assert.equal((await racy.get(ref))?.metadata.labels?.b, '');

    class Refusing extends MemoryCluster {
      override async patch<T extends KubeObject>(): Promise<T> {
        throw new ClusterApiError('nodes "n1" is forbidden', 403, 'Forbidden', 'PATCH /n1');
      }
    }
    const refusing = new Refusing();
    refusing.seed(node({ [HOSTNAME_LABEL]: 'n1' }));
    await assert.rejects(
      patchNode(refusing, 'n1', () => ({ metadata: { labels: { b: '' } } }), {
        timeoutMs: 1000,
        intervalMs: 10,
      }),
      /error patching node "n1": nodes "n1" is forbidden/,
    );
  });
});
