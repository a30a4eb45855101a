// Vectors from kubeadm's pubkeypin tests.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { caCertHash } from '../../src/certs/ca-hash.js';
import { createCA } from '../../src/certs/x509.js';
import { execFileSync } from 'node:child_process';
import { PIN_CERT_A, PIN_CERT_B } from '../support/pin-certs.js';

const KEYPINS_TEST_CERT = PIN_CERT_A;
const TEST_CERT_2 = PIN_CERT_B;

test('hash of the kubeadm-keypins-test certificate', () => {
  assert.equal(
    caCertHash(KEYPINS_TEST_CERT),
    'sha256:345959acb2c3b2feb87d281961c893f62a314207ef02599f1cc4a5fb255480b3',
  );
  assert.equal(
    caCertHash(Buffer.from(KEYPINS_TEST_CERT)),
    'sha256:345959acb2c3b2feb87d281961c893f62a314207ef02599f1cc4a5fb255480b3',
  );
});

test('a different certificate has a different hash', () => {
  assert.equal(
    caCertHash(TEST_CERT_2),
    'sha256:d1ef16989563fe7775f81a7dc55ce16a467ca9baedae2d081cb0a068b6a81971',
  );
});

test('DER input and the openssl recipe agree for a generated ECDSA CA', async () => {
  const now = new Date();
  const ca = await createCA(
    {
      commonName: 'kubernetes',
      organization: [],
      extKeyUsage: [],
      altNames: { dnsNames: ['kubernetes'], ips: [] },
      isCA: true,
      notBefore: now,
      notAfter: new Date(now.getTime() + 3600_000),
    },
    'ECDSA-P256',
  );
  const viaOpenssl = execFileSync(
    'sh',
    ['-c', 'openssl x509 -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -r'],
    { input: ca.cert.pem, encoding: 'utf8' },
  ).split(' ')[0];
  assert.equal(caCertHash(ca.cert.pem), `sha256:${viaOpenssl}`);
  assert.equal(caCertHash(ca.cert.der), caCertHash(ca.cert.pem));
  assert.match(caCertHash(ca.cert.der), /^sha256:[0-9a-f]{64}$/);
});

test('garbage is rejected', () => {
  assert.throws(() => caCertHash('not a certificate'), /does not contain any valid/);
});
