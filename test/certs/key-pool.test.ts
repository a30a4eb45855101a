// The key pool makes keys ahead, a few at a time, so that the run's file I/O (which shares Node's
// thread pool with key generation) is never queued behind every key.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PrivateKey } from '../../src/certs/keys.js';
import { KeyPool } from '../../src/certs/pki-files.js';

/** A generator whose keys appear when the test says so. */
function manualGenerator() {
  const started: { algorithm: string; finish: () => void }[] = [];
  const generate = (algorithm: string) =>
    new Promise<PrivateKey>((resolve) => {
      started.push({ algorithm, finish: () => resolve({ algorithm } as unknown as PrivateKey) });
    });
  return { started, generate };
}

const tick = () => new Promise((r) => setImmediate(r));

test('no more keys are made at once than the concurrency allows, and the rest follow in order', async () => {
  const g = manualGenerator();
  const pool = new KeyPool('RSA-2048', 2, g.generate);
  pool.prefetch(['ca', 'front-proxy-ca', 'etcd-ca', 'apiserver']);
  await tick();
  assert.equal(g.started.length, 2);
  g.started[0]!.finish();
  await tick();
  assert.equal(g.started.length, 3, 'a finished key lets the next one start');
  assert.deepEqual(pool.names, ['ca', 'front-proxy-ca', 'etcd-ca', 'apiserver']);
  const ca = await pool.take('ca', 'RSA-2048');
  assert.deepEqual(ca, { algorithm: 'RSA-2048' });
  assert.deepEqual(pool.names, ['front-proxy-ca', 'etcd-ca', 'apiserver']);
});

test('a key someone waits for starts at once, ahead of its turn', async () => {
  const g = manualGenerator();
  const pool = new KeyPool('ECDSA-P256', 1, g.generate);
  pool.prefetch(['ca', 'sa', 'apiserver']);
  await tick();
  assert.equal(g.started.length, 1);
  const apiserver = pool.take('apiserver', 'ECDSA-P256');
  await tick();
  assert.equal(g.started.length, 2, 'the taken key started although the pool was full');
  g.started[1]!.finish();
  assert.deepEqual(await apiserver, { algorithm: 'ECDSA-P256' });
  g.started[0]!.finish();
  await tick();
  assert.equal(g.started.length, 3, 'sa starts once both running keys are done');
});

test('a key of another algorithm, or one never asked for, is made on the spot', async () => {
  const g = manualGenerator();
  const pool = new KeyPool('RSA-2048', 1, g.generate);
  pool.prefetch(['ca']);
  const other = pool.take('ca', 'ECDSA-P256');
  const fresh = pool.take('sa', 'RSA-2048');
  await tick();
  assert.deepEqual(g.started.map((s) => s.algorithm).sort(), ['ECDSA-P256', 'RSA-2048', 'RSA-2048']);
  for (const s of g.started) s.finish();
  assert.deepEqual(await other, { algorithm: 'ECDSA-P256' });
  assert.deepEqual(await fresh, { algorithm: 'RSA-2048' });
  assert.deepEqual(pool.names, ['ca'], 'the prefetched ca key is still there for its own algorithm');
});

test('a key that fails to generate fails its taker only, and frees its slot', async () => {
  let calls = 0;
  const pool = new KeyPool('RSA-2048', 1, async () => {
    calls++;
    if (calls === 1) throw new Error('no entropy');
    return {} as PrivateKey;
  });
  pool.prefetch(['ca', 'sa']);
  await assert.rejects(pool.take('ca', 'RSA-2048'), /no entropy/);
  await pool.take('sa', 'RSA-2048');
  assert.equal(calls, 2);
});
