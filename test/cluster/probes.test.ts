// The health probes against real servers on loopback: plain HTTP, HTTPS with a certificate nobody
// vouches for, and an API server that demands admin.conf's client certificate.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createHealthProbes, type ApiserverClientTLS } from '../../src/cluster/probes.js';
import { generatePki } from '../../src/certs/tree.js';
import { currentUser, userClientCertPem, userClientKeyPem } from '../../src/kubeconfig/kubeconfig.js';
import { buildKubeconfig, kubeconfigSpec } from '../../src/kubeconfig/specs.js';
import { inputs } from '../support/certs.js';

async function listen(server: net.Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

describe('health probes', () => {
  const servers: net.Server[] = [];
  let admin: ApiserverClientTLS;
  let apiserverPort: number;
  let componentPort: number;
  let kubeletPort: number;
  let failing = false;
  let silentPort: number;

  before(async () => {
    const i = inputs({ advertiseAddress: '127.0.0.1', encryptionAlgorithm: 'ECDSA-P256' });
    const now = new Date();
    const pki = await generatePki(i, now);
    const ca = pki.certs.find((c) => c.spec.name === 'ca')!;
    const api = pki.certs.find((c) => c.spec.name === 'apiserver')!;
    const front = pki.certs.find((c) => c.spec.name === 'front-proxy-client')!;
    const user = currentUser((await buildKubeconfig(kubeconfigSpec('admin.conf', i, now), ca)).config)!;
    admin = { ca: ca.cert.pem, cert: userClientCertPem(user)!, key: userClientKeyPem(user)! };

    const apiserver = https.createServer(
      {
        cert: api.cert.pem,
        key: api.key.toPem(),
        ca: ca.cert.pem,
        requestCert: true,
        rejectUnauthorized: true,
      },
      (req, res) => res.end(req.url === '/livez' ? 'ok' : 'no'),
    );
    // Signed by the front-proxy CA: not one admin.conf's CA vouches for, as a self-signed one.
    const component = https.createServer({ cert: front.cert.pem, key: front.key.toPem() }, (_req, res) => {
      res.writeHead(failing ? 500 : 200);
      res.end(failing ? '[-]leaderElection failed\nhealthz check failed' : 'ok');
    });
    const kubelet = http.createServer((_req, res) => res.end('ok'));
    const silent = net.createServer(() => undefined);
    servers.push(apiserver, component, kubelet, silent);
    apiserverPort = await listen(apiserver);
    componentPort = await listen(component);
    kubeletPort = await listen(kubelet);
    silentPort = await listen(silent);
  });
  after(() => {
    for (const s of servers) {
      (s as http.Server).closeAllConnections?.();
      s.close();
    }
  });

  test('the kubelet over plain HTTP', async () => {
    const p = createHealthProbes(admin);
    assert.deepEqual(await p.kubelet(`http://127.0.0.1:${kubeletPort}/healthz`, { timeoutMs: 5000 }), {
      healthy: true,
    });
  });

  test('a component with an unverifiable certificate: healthy on 200, its answer otherwise', async () => {
    const p = createHealthProbes(admin);
    const url = `https://127.0.0.1:${componentPort}/livez`;
    assert.deepEqual(await p.component(url, { timeoutMs: 5000 }), { healthy: true });
    failing = true;
    try {
      assert.deepEqual(await p.component(url, { timeoutMs: 5000 }), {
        healthy: false,
        error: `GET ${url}: status 500: [-]leaderElection failed healthz check failed`,
      });
    } finally {
      failing = false;
    }
  });

  test("the API server with admin.conf's client certificate, its CA verified", async () => {
    const url = `https://127.0.0.1:${apiserverPort}/livez`;
    assert.deepEqual(await createHealthProbes(admin).apiserver(url, { timeoutMs: 5000 }), { healthy: true });
    // The component check (no client certificate) is refused by this server.
    assert.equal((await createHealthProbes(admin).component(url, { timeoutMs: 5000 })).healthy, false);
    // Another CA: the server is not trusted.
    const wrongCA = await createHealthProbes({
      ...admin,
      ca: (await generatePki(inputs({ encryptionAlgorithm: 'ECDSA-P256' }), new Date())).certs[0]!.cert.pem,
    }).apiserver(url, { timeoutMs: 5000 });
    assert.equal(wrongCA.healthy, false);
    assert.match(wrongCA.error!, /^Get "https:\/\/127\.0\.0\.1:\d+\/livez": /);
  });

  test('a closed port and a server that never answers fail with the reason, within the time given', async () => {
    const probe = net.createServer();
    const port = await listen(probe);
    probe.close();
    const p = createHealthProbes(admin);
    const refused = await p.kubelet(`http://127.0.0.1:${port}/healthz`, { timeoutMs: 5000 });
    assert.deepEqual(refused, {
      healthy: false,
      error: `Get "http://127.0.0.1:${port}/healthz": dial tcp 127.0.0.1:${port}: connect: connection refused`,
    });
    const silent = await p.component(`https://127.0.0.1:${silentPort}/livez`, { timeoutMs: 300 });
    assert.deepEqual(silent, {
      healthy: false,
      error: `Get "https://127.0.0.1:${silentPort}/livez": no answer within 300 ms`,
    });
    const bad = await p.component('https://127.0.0.1:abc/livez', { timeoutMs: 300 });
    assert.equal(bad.healthy, false);
    assert.match(bad.error!, /^Get "https:\/\/127.0.0.1:abc\/livez": Invalid URL/);
  });
});
