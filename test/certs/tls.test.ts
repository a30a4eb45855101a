// A real TLS handshake with the generated serving certificate and kubeconfig client certificates.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import tls, { type PeerCertificate } from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { generatePki, type GeneratedPki } from '../../src/certs/tree.js';
import { createCA, type CertAndKey } from '../../src/certs/x509.js';
import { currentUser, userClientCertPem, userClientKeyPem } from '../../src/kubeconfig/kubeconfig.js';
import { buildKubeconfig, kubeconfigSpec } from '../../src/kubeconfig/specs.js';
import { inputs } from '../support/certs.js';

const NOW = new Date();

describe('apiserver serving cert and admin.conf client cert in a TLS handshake', () => {
  let pki: GeneratedPki;
  let ca: CertAndKey;
  let server: https.Server;
  let port: number;
  let admin: { cert: string; key: string };
  let stranger: { cert: string; key: string };
  const seen: string[] = [];

  before(async () => {
    const i = inputs({
      advertiseAddress: '127.0.0.1',
      controlPlaneEndpoint: 'cp.example.com',
      encryptionAlgorithm: 'ECDSA-P256',
    });
    pki = await generatePki(i, NOW);
    ca = pki.certs.find((c) => c.spec.name === 'ca')!;
    const api = pki.certs.find((c) => c.spec.name === 'apiserver')!;
    const { config } = await buildKubeconfig(kubeconfigSpec('admin.conf', i, NOW), ca);
    admin = { cert: userClientCertPem(currentUser(config)!)!, key: userClientKeyPem(currentUser(config)!)! };
    // The same identity, but signed by a CA the server does not trust.
    const otherCA = await createCA({ ...pki.certs[0]!.spec, isCA: true }, 'ECDSA-P256');
    const { config: rogue } = await buildKubeconfig(kubeconfigSpec('admin.conf', i, NOW), otherCA);
    stranger = { cert: userClientCertPem(currentUser(rogue)!)!, key: userClientKeyPem(currentUser(rogue)!)! };

    server = https.createServer(
      {
        cert: api.cert.pem,
        key: api.key.toPem(),
        ca: ca.cert.pem,
        requestCert: true,
        rejectUnauthorized: true,
      },
      (req, res) => {
        const peer = (req.socket as tls.TLSSocket).getPeerCertificate();
        seen.push(`${peer.subject.CN}/${String(peer.subject.O)}`);
        res.end('ok');
      },
    );
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });
  after(() => server.close());

  function get(
    client: { cert: string; key: string },
    servername?: string,
  ): Promise<{ body: string; peer: PeerCertificate }> {
    return new Promise((resolve, reject) => {
      const req = https.get(
        {
          host: '127.0.0.1',
          port,
          path: '/',
          ca: ca.cert.pem,
          cert: client.cert,
          key: client.key,
          agent: false,
          ...(servername ? { servername } : {}),
        },
        (res) => {
          const peer = (res.socket as tls.TLSSocket).getPeerCertificate();
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve({ body, peer }));
        },
      );
      req.on('error', reject);
    });
  }

  test('admin.conf client is accepted; the server sees its CN and group', async () => {
    const { body } = await get(admin);
    assert.equal(body, 'ok');
    assert.ok(seen.includes('kubernetes-admin/kubeadm:cluster-admins'));
  });

  test('a client signed by another CA is rejected', async () => {
    const before = seen.length;
    await assert.rejects(get(stranger));
    assert.equal(seen.length, before);
  });

  test('the served certificate verifies for every SAN it must have, and not for others', async () => {
    const { peer } = await get(admin, 'kubernetes.default.svc');
    for (const host of [
      'cp-1',
      'kubernetes',
      'kubernetes.default',
      'kubernetes.default.svc',
      'kubernetes.default.svc.cluster.local',
      'cp.example.com',
      '10.96.0.1',
      '127.0.0.1',
    ]) {
      assert.equal(tls.checkServerIdentity(host, peer), undefined, host);
    }
    for (const host of ['example.com', '10.96.0.2', 'localhost'])
      assert.ok(tls.checkServerIdentity(host, peer) instanceof Error, host);
  });
});
