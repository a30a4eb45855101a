// etcdHealth against local HTTPS servers: bad endpoints and slow servers end in a result, never a throw.
import assert from 'node:assert/strict';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { generatePki, pkiFiles } from '../../src/certs/tree.js';
import { etcdHealth, type EtcdClientTLS } from '../../src/etcd/health.js';
import { inputs } from '../support/certs.js';

describe('etcdHealth', () => {
  let client: EtcdClientTLS;
  let server: https.Server;
  let endpoint: string;
  /** What the server does with the next request. */
  let handler: (res: import('node:http').ServerResponse) => void;

  before(async () => {
    const pki = await generatePki(inputs({ encryptionAlgorithm: 'ECDSA-P256' }), new Date());
    const file = (p: string) => pkiFiles(pki).find((f) => f.path === p)!.data;
    client = {
      ca: file('etcd/ca.crt'),
      cert: file('etcd/healthcheck-client.crt'),
      key: file('etcd/healthcheck-client.key'),
    };
    server = https.createServer(
      { cert: file('etcd/server.crt'), key: file('etcd/server.key'), ca: file('etcd/ca.crt') },
      (_req, res) => handler(res),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  test('a healthy answer', async () => {
    handler = (res) => res.end('{"health":"true","reason":""}');
    assert.deepEqual(await etcdHealth(endpoint, client), { healthy: true, status: 200 });
  });

  for (const bad of ['not a url', 'http://127.0.0.1:2379', '']) {
    test(`endpoint ${JSON.stringify(bad)}: an unhealthy result with the reason, not a rejection`, async () => {
      const h = await etcdHealth(bad, client);
      assert.equal(h.healthy, false);
      assert.equal(h.status, undefined);
      assert.ok(h.reason, JSON.stringify(h));
    });
  }

  test('a server that keeps sending but never finishes hits the deadline', { timeout: 20_000 }, async () => {
    // Each byte comes well within the deadline, so only a deadline on the whole request ends it.
    handler = (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const tick = setInterval(() => (res.destroyed ? clearInterval(tick) : res.write(' ')), 20);
      res.on('close', () => clearInterval(tick));
    };
    const h = await etcdHealth(endpoint, client, 300);
    assert.deepEqual(h, { healthy: false, reason: 'no answer within 300 ms' });
  });
});
