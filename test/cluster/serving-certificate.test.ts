// Reading an endpoint's serving certificate over real TLS: local servers with certificates from
// kbadm's own PKI code, one whose SANs cover the name asked for and one whose SANs do not (both
// are read: the host name is not checked), one signed by another CA, an expired one, a closed
// port and a peer that never answers the handshake. Then join's endpoint preflight over them.
import assert from 'node:assert/strict';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { fetchServingCertificate, ServingCertificateError } from '../../src/cluster/serving-certificate.js';
import type { AltNames } from '../../src/certs/sans.js';
import { createCA, signCertificate, type CertAndKey } from '../../src/certs/x509.js';
import { generatePrivateKey } from '../../src/certs/keys.js';
import { createBasic } from '../../src/kubeconfig/kubeconfig.js';
import { endpointPreflightWarnings } from '../../src/preflight/control-plane-endpoint.js';
import type { DiscoveredCluster } from '../../src/tokens/discovery.js';

const DAY = 24 * 3600 * 1000;

async function ca(name: string): Promise<CertAndKey> {
  return createCA(
    {
      commonName: name,
      organization: [],
      extKeyUsage: [],
      altNames: { dnsNames: [], ips: [] },
      isCA: true,
      notBefore: new Date(Date.now() - DAY),
      notAfter: new Date(Date.now() + 10 * DAY),
    },
    'ECDSA-P256',
  );
}

async function servingPair(
  issuer: CertAndKey,
  altNames: AltNames,
  notAfter = new Date(Date.now() + DAY),
): Promise<{ key: string; cert: string }> {
  const key = await generatePrivateKey('ECDSA-P256');
  const cert = await signCertificate(
    {
      commonName: 'kube-apiserver',
      organization: [],
      extKeyUsage: ['serverAuth'],
      altNames,
      isCA: false,
      notBefore: new Date(Date.now() - 2 * DAY),
      notAfter,
    },
    key,
    issuer,
  );
  return { key: key.toPem(), cert: cert.pem };
}

interface Served {
  port: number;
  /** The SNI names handshakes sent (recorded before the server answers, so never late). */
  sni: string[];
  close(): Promise<void>;
}

function serve(pair: { key: string; cert: string }, host = '127.0.0.1'): Promise<Served> {
  const sni: string[] = [];
  const context = tls.createSecureContext(pair);
  const server = tls.createServer(
    {
      ...pair,
      SNICallback: (name, cb) => {
        sni.push(name);
        cb(null, context);
      },
    },
    (s) => s.end(),
  );
  server.on('tlsClientError', () => {});
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () =>
      resolve({
        port: (server.address() as net.AddressInfo).port,
        sni,
        close: () => new Promise((r) => server.close(() => r())),
      }),
    );
  });
}

async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

const discovered = (server: string, caPem: string): DiscoveredCluster => ({
  server,
  caPem,
  clusterName: '',
  kubeconfig: createBasic(server, '', 'u', caPem),
});

describe('fetchServingCertificate against local TLS servers', () => {
  let clusterCA: CertAndKey;
  let caPem: string;
  let covering: Served;
  let notCovering: Served;
  let foreign: Served;
  let expired: Served;
  let v6: Served;
  let silent: net.Server;
  let silentPort: number;

  before(async () => {
    clusterCA = await ca('kubernetes');
    caPem = clusterCA.cert.pem;
    const other = await ca('someone-else');
    covering = await serve(
      await servingPair(clusterCA, {
        dnsNames: ['kubernetes', 'localhost'],
        ips: ['10.96.0.1', '127.0.0.1'],
      }),
    );
    notCovering = await serve(
      await servingPair(clusterCA, { dnsNames: ['cp-1.example'], ips: ['10.0.0.10'] }),
    );
    foreign = await serve(await servingPair(other, { dnsNames: ['localhost'], ips: ['127.0.0.1'] }));
    expired = await serve(
      await servingPair(clusterCA, { dnsNames: [], ips: ['127.0.0.1'] }, new Date(Date.now() - DAY)),
    );
    v6 = await serve(await servingPair(clusterCA, { dnsNames: [], ips: ['::1'] }), '::1');
    // Accepts TCP connections and never says a word.
    silent = net.createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    silentPort = (silent.address() as net.AddressInfo).port;
  });
  after(async () => {
    await Promise.all([covering, notCovering, foreign, expired, v6].map((s) => s?.close()));
    silent?.close();
  });

  test('returns the SANs of a certificate that covers the address asked for', async () => {
    const sans = await fetchServingCertificate(`https://127.0.0.1:${covering.port}`, caPem);
    assert.deepEqual(sans, { dnsNames: ['kubernetes', 'localhost'], ips: ['10.96.0.1', '127.0.0.1'] });
  });

  test('returns the SANs of one that does not: the host name is not checked', async () => {
    const sans = await fetchServingCertificate(`https://127.0.0.1:${notCovering.port}`, caPem);
    assert.deepEqual(sans, { dnsNames: ['cp-1.example'], ips: ['10.0.0.10'] });
  });

  test('sends SNI for a name, none for an IP', async () => {
    const before = covering.sni.length;
    await fetchServingCertificate(`https://localhost:${covering.port}`, caPem);
    await fetchServingCertificate(`https://127.0.0.1:${covering.port}`, caPem);
    assert.deepEqual(covering.sni.slice(before), ['localhost']);
  });

  test('reads an IPv6 endpoint written in brackets', async () => {
    const sans = await fetchServingCertificate(`https://[::1]:${v6.port}`, caPem);
    assert.deepEqual(sans.ips, ['::1']);
  });

  test('a certificate from another CA is untrusted', async () => {
    await assert.rejects(
      fetchServingCertificate(`https://127.0.0.1:${foreign.port}`, caPem),
      (e: unknown) =>
        e instanceof ServingCertificateError &&
        e.reason === 'untrusted' &&
        /certificate signed by unknown authority/.test(e.message),
    );
  });

  test('an expired certificate is untrusted', async () => {
    await assert.rejects(
      fetchServingCertificate(`https://127.0.0.1:${expired.port}`, caPem),
      (e: unknown) =>
        e instanceof ServingCertificateError &&
        e.reason === 'untrusted' &&
        /has expired or is not yet valid/.test(e.message),
    );
  });

  test('a closed port is unreachable, in Go words naming the address', async () => {
    const port = await closedPort();
    await assert.rejects(
      fetchServingCertificate(`https://127.0.0.1:${port}`, caPem),
      (e: unknown) =>
        e instanceof ServingCertificateError &&
        e.reason === 'unreachable' &&
        e.message ===
          `could not read the API server certificate at "https://127.0.0.1:${port}": dial tcp 127.0.0.1:${port}: connect: connection refused`,
    );
  });

  test('a peer that never finishes the handshake is unreachable once the timeout passes', async () => {
    await assert.rejects(
      fetchServingCertificate(`https://127.0.0.1:${silentPort}`, caPem, 50),
      (e: unknown) =>
        e instanceof ServingCertificateError &&
        e.reason === 'unreachable' &&
        /TLS handshake timeout/.test(e.message),
    );
  });

  describe('endpointPreflightWarnings over the real fetch', () => {
    const fetch = (server: string, pem: string) => fetchServingCertificate(server, pem, 5_000);

    test('an endpoint the certificate covers, equal to the discovered server: no warning', async () => {
      const url = `https://127.0.0.1:${covering.port}`;
      assert.deepEqual(
        await endpointPreflightWarnings(discovered(url, caPem), `127.0.0.1:${covering.port}`, fetch),
        [],
      );
    });

    test('a name the certificate covers, different from the discovered server: only the mismatch', async () => {
      const w = await endpointPreflightWarnings(
        discovered(`https://10.0.0.10:${covering.port}`, caPem),
        'localhost',
        fetch,
      );
      assert.equal(w.length, 1, w.join('\n'));
      assert.match(w[0]!, new RegExp(`"https://localhost:${covering.port}" differs from the API server`));
    });

    test('an endpoint the certificate does not cover: the SAN warning', async () => {
      const w = await endpointPreflightWarnings(
        discovered(`https://127.0.0.1:${notCovering.port}`, caPem),
        `127.0.0.1:${notCovering.port}`,
        fetch,
      );
      assert.equal(w.length, 1, w.join('\n'));
      assert.match(
        w[0]!,
        /does not cover "127\.0\.0\.1" \(x509: certificate is valid for 10\.0\.0\.10, not 127\.0\.0\.1\)/,
      );
    });

    test('an unreachable endpoint: the mismatch and why the certificate could not be read', async () => {
      const port = await closedPort();
      const w = await endpointPreflightWarnings(
        discovered(`https://127.0.0.1:${covering.port}`, caPem),
        `127.0.0.1:${port}`,
        fetch,
      );
      assert.equal(w.length, 2, w.join('\n'));
      assert.match(w[1]!, /connection refused/);
    });

    test('nothing is fetched when no endpoint was given', async () => {
      let calls = 0;
      const counting = async (s: string, p: string) => {
        calls++;
        return fetch(s, p);
      };
      assert.deepEqual(
        await endpointPreflightWarnings(
          discovered(`https://127.0.0.1:${covering.port}`, caPem),
          undefined,
          counting,
        ),
        [],
      );
      assert.equal(calls, 0);
    });
  });
});
