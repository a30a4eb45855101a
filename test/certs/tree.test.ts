// The whole tree, checked by the real openssl and by Node's own X509Certificate.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generatePki, pkiFiles, type GeneratedPki } from '../../src/certs/tree.js';
import { inputs, openssl, tempDir, writeFiles } from '../support/certs.js';

const NOW = new Date('2025-06-01T12:00:00.000Z');
const YEAR = 8760 * 3600 * 1000;
// openssl checks validity at this instant rather than the machine clock.
const AT = String(NOW.getTime() / 1000 + 3600);

interface Expect {
  file: string;
  ca: string;
  subject: string;
  eku?: string;
  san?: string;
}

const APISERVER_SAN =
  'DNS:cp-1, DNS:cp.example.com, DNS:kubernetes, DNS:kubernetes.default, DNS:kubernetes.default.svc, DNS:kubernetes.default.svc.cluster.local, ' +
  'IP Address:10.96.0.1, IP Address:192.168.56.102, IP Address:10.0.0.9';
const ETCD_SAN =
  'DNS:cp-1, DNS:localhost, IP Address:192.168.56.102, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1';

const EXPECTED: Expect[] = [
  { file: 'ca', ca: 'ca', subject: 'CN = kubernetes', san: 'DNS:kubernetes' },
  {
    file: 'apiserver',
    ca: 'ca',
    subject: 'CN = kube-apiserver',
    eku: 'TLS Web Server Authentication',
    san: APISERVER_SAN,
  },
  {
    file: 'apiserver-kubelet-client',
    ca: 'ca',
    subject: 'O = kubeadm:cluster-admins, CN = kube-apiserver-kubelet-client',
    eku: 'TLS Web Client Authentication',
  },
  { file: 'front-proxy-ca', ca: 'front-proxy-ca', subject: 'CN = front-proxy-ca', san: 'DNS:front-proxy-ca' },
  {
    file: 'front-proxy-client',
    ca: 'front-proxy-ca',
    subject: 'CN = front-proxy-client',
    eku: 'TLS Web Client Authentication',
  },
  { file: 'etcd/ca', ca: 'etcd/ca', subject: 'CN = etcd-ca', san: 'DNS:etcd-ca' },
  {
    file: 'etcd/server',
    ca: 'etcd/ca',
    subject: 'CN = cp-1',
    eku: 'TLS Web Server Authentication, TLS Web Client Authentication',
    san: ETCD_SAN,
  },
  {
    file: 'etcd/peer',
    ca: 'etcd/ca',
    subject: 'CN = cp-1',
    eku: 'TLS Web Server Authentication, TLS Web Client Authentication',
    san: ETCD_SAN,
  },
  {
    file: 'etcd/healthcheck-client',
    ca: 'etcd/ca',
    subject: 'CN = kube-etcd-healthcheck-client',
    eku: 'TLS Web Client Authentication',
  },
  {
    file: 'apiserver-etcd-client',
    ca: 'etcd/ca',
    subject: 'CN = kube-apiserver-etcd-client',
    eku: 'TLS Web Client Authentication',
  },
];

/** The value lines that follow an extension header in `openssl x509 -text`. */
function extension(text: string, header: string): { critical: boolean; value: string } | undefined {
  const re = new RegExp(`X509v3 ${header}:( critical)? *\\n\\s+(.*)`);
  const m = re.exec(text);
  return m ? { critical: m[1] !== undefined, value: m[2]!.trim() } : undefined;
}

for (const algorithm of ['RSA-2048', 'ECDSA-P256'] as const) {
  describe(`${algorithm} tree checked by openssl`, () => {
    const tmp = tempDir('kbadm-pki-');
    let pki: GeneratedPki;
    before(async () => {
      pki = await generatePki(
        inputs({
          encryptionAlgorithm: algorithm,
          advertiseAddress: '192.168.56.102',
          controlPlaneEndpoint: 'cp.example.com:6443',
          apiServerCertSANs: ['10.0.0.9', 'kubernetes', 'not_valid!'],
        }),
        NOW,
      );
      writeFiles(tmp.dir, pkiFiles(pki));
    });
    after(() => tmp.cleanup());

    test('every expected file exists with kubeadm modes and PEM types', () => {
      for (const e of EXPECTED) {
        const key = readFileSync(join(tmp.dir, `${e.file}.key`), 'utf8');
        assert.match(
          key,
          algorithm === 'RSA-2048'
            ? /^-----BEGIN RSA PRIVATE KEY-----\n/
            : /^-----BEGIN EC PRIVATE KEY-----\n/,
        );
        assert.equal(statSync(join(tmp.dir, `${e.file}.key`)).mode & 0o777, 0o600);
        assert.equal(statSync(join(tmp.dir, `${e.file}.crt`)).mode & 0o777, 0o644);
        const crt = readFileSync(join(tmp.dir, `${e.file}.crt`), 'utf8');
        assert.match(
          crt,
          /^-----BEGIN CERTIFICATE-----\n([A-Za-z0-9+/=]{64}\n)+[A-Za-z0-9+/=]{1,64}\n-----END CERTIFICATE-----\n$/,
        );
        // The key belongs to the certificate.
        const certPub = openssl(['x509', '-in', join(tmp.dir, `${e.file}.crt`), '-noout', '-pubkey']);
        const keyPub = openssl(['pkey', '-in', join(tmp.dir, `${e.file}.key`), '-pubout']);
        assert.equal(certPub, keyPub, e.file);
      }
      assert.match(readFileSync(join(tmp.dir, 'sa.pub'), 'utf8'), /^-----BEGIN PUBLIC KEY-----\n/);
      assert.equal(statSync(join(tmp.dir, 'sa.pub')).mode & 0o777, 0o600);
      assert.equal(
        openssl(['pkey', '-in', join(tmp.dir, 'sa.key'), '-pubout']),
        readFileSync(join(tmp.dir, 'sa.pub'), 'utf8'),
      );
    });

    test('openssl verifies every leaf against its CA (and not against another CA)', () => {
      for (const e of EXPECTED.filter((x) => x.ca !== x.file)) {
        const out = openssl([
          'verify',
          '-attime',
          AT,
          '-CAfile',
          join(tmp.dir, `${e.ca}.crt`),
          join(tmp.dir, `${e.file}.crt`),
        ]);
        assert.match(out, /: OK\n$/, e.file);
        const other = e.ca === 'ca' ? 'front-proxy-ca' : 'ca';
        assert.throws(
          () =>
            openssl([
              'verify',
              '-attime',
              AT,
              '-CAfile',
              join(tmp.dir, `${other}.crt`),
              join(tmp.dir, `${e.file}.crt`),
            ]),
          e.file,
        );
      }
    });

    test('subject, issuer, SANs, key usages, basic constraints and validity match kubeadm', () => {
      for (const e of EXPECTED) {
        const path = join(tmp.dir, `${e.file}.crt`);
        const isCA = e.ca === e.file;
        const head = openssl([
          'x509',
          '-in',
          path,
          '-noout',
          '-subject',
          '-issuer',
          '-dates',
          '-dateopt',
          'iso_8601',
        ]);
        assert.match(head, new RegExp(`^subject=${e.subject}$`, 'm'), e.file);
        const issuerCN = EXPECTED.find((x) => x.file === e.ca)!.subject;
        assert.match(head, new RegExp(`^issuer=${issuerCN}$`, 'm'), e.file);
        const nb = /notBefore=(.*)/.exec(head)![1]!;
        const na = /notAfter=(.*)/.exec(head)![1]!;
        assert.equal(new Date(nb.replace(' ', 'T')).toISOString(), '2025-06-01T11:55:00.000Z', e.file);
        const wantAfter = new Date(NOW.getTime() + (isCA ? 10 * YEAR : YEAR)).toISOString();
        assert.equal(new Date(na.replace(' ', 'T')).toISOString(), wantAfter, e.file);

        const text = openssl(['x509', '-in', path, '-noout', '-text']);
        assert.match(text, /Version: 3 \(0x2\)/);
        const ku = extension(text, 'Key Usage');
        assert.deepEqual(ku, {
          critical: true,
          value: isCA
            ? 'Digital Signature, Key Encipherment, Certificate Sign'
            : 'Digital Signature, Key Encipherment',
        });
        assert.deepEqual(extension(text, 'Basic Constraints'), {
          critical: true,
          value: isCA ? 'CA:TRUE' : 'CA:FALSE',
        });
        assert.equal(extension(text, 'Extended Key Usage')?.value, e.eku, e.file);
        assert.equal(extension(text, 'Subject Alternative Name')?.value, e.san, e.file);
        if (isCA) assert.ok(extension(text, 'Subject Key Identifier'), e.file);
        else {
          const caText = openssl(['x509', '-in', join(tmp.dir, `${e.ca}.crt`), '-noout', '-text']);
          assert.equal(
            extension(text, 'Authority Key Identifier')?.value,
            extension(caText, 'Subject Key Identifier')?.value,
          );
        }
        assert.match(
          text,
          algorithm === 'RSA-2048'
            ? /Signature Algorithm: sha256WithRSAEncryption/
            : /Signature Algorithm: ecdsa-with-SHA256/,
        );
        assert.match(text, algorithm === 'RSA-2048' ? /Public-Key: \(2048 bit\)/ : /NIST CURVE: P-256/);
        const serial = BigInt(
          `0x${openssl(['x509', '-in', path, '-noout', '-serial']).trim().split('=')[1]}`,
        );
        assert.ok(serial >= 1n && serial < (1n << 63n) - 1n, `serial ${serial}`);
      }
    });

    test("Node's X509Certificate agrees", () => {
      for (const e of EXPECTED) {
        const cert = new X509Certificate(readFileSync(join(tmp.dir, `${e.file}.crt`)));
        const ca = new X509Certificate(readFileSync(join(tmp.dir, `${e.ca}.crt`)));
        assert.equal(cert.ca, e.ca === e.file, e.file);
        assert.ok(cert.checkIssued(ca), e.file);
        assert.ok(cert.verify(ca.publicKey), e.file);
        assert.equal(cert.subject, e.subject.replace(/ = /g, '=').replace(', ', '\n'), e.file);
        assert.equal(
          cert.subjectAltName ?? undefined,
          e.san?.replace(/0:0:0:0:0:0:0:1/, '0:0:0:0:0:0:0:1'),
          e.file,
        );
      }
    });

    test('the tree carries the SAN warning for the invalid user SAN, once', () => {
      const api = pki.certs.find((c) => c.spec.name === 'apiserver')!;
      assert.deepEqual(api.spec.warnings, [
        "[certificates] WARNING: 'not_valid!' was not added to the 'apiserver.crt' SAN, because it is not a valid IP or RFC-1123 compliant DNS entry",
      ]);
    });
  });
}

test('all keys of the tree are requested before any of them is ready', async () => {
  const { generatePrivateKey } = await import('../../src/certs/keys.js');
  const pending: (() => void)[] = [];
  const requested: string[] = [];
  let firstResolvedAt = -1;
  const generateKey = (alg: string) => {
    requested.push(alg);
    return new Promise<Awaited<ReturnType<typeof generatePrivateKey>>>((resolve, reject) => {
      pending.push(() => {
        if (firstResolvedAt === -1) firstResolvedAt = requested.length;
        generatePrivateKey(alg).then(resolve, reject);
      });
    });
  };
  const done = generatePki(inputs({ encryptionAlgorithm: 'ECDSA-P256' }), NOW, { generateKey });
  // Let the generator issue its requests; none of them is allowed to complete yet.
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  assert.equal(requested.length, 11, 'ten certificates and the service-account key, all at once');
  for (const release of pending) release();
  const pki = await done;
  assert.equal(firstResolvedAt, 11);
  const pems = new Set([...pki.certs.map((c) => c.key.toPem()), pki.serviceAccountKey.toPem()]);
  assert.equal(pems.size, 11);
});

test('external etcd: only the five non-etcd certificates', async () => {
  const pki = await generatePki(inputs({ encryptionAlgorithm: 'ECDSA-P256', etcd: { external: {} } }), NOW);
  assert.deepEqual(
    pki.certs.map((c) => c.spec.baseName),
    ['ca', 'apiserver', 'apiserver-kubelet-client', 'front-proxy-ca', 'front-proxy-client'],
  );
});
