import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generatePrivateKey, parsePrivateKeyPem, type PrivateKey } from '../../src/certs/keys.js';
import { ParsedByContent, pemText } from '../../src/certs/parsed-by-content.js';
import { parseCertificateChain, signCertificate } from '../../src/certs/x509.js';

const NOW = new Date('2025-06-01T12:00:00Z');

function selfSignedCA(key: PrivateKey) {
  return signCertificate(
    {
      commonName: 'c',
      organization: [],
      extKeyUsage: [],
      altNames: { dnsNames: [], ips: [] },
      isCA: true,
      notBefore: NOW,
      notAfter: new Date(NOW.getTime() + 1000_000),
    },
    key,
  );
}

test('entries are found by exact content; the oldest goes once the bound is passed', () => {
  const memo = new ParsedByContent<number>();
  for (let i = 0; i < 65; i++) memo.set(`file ${i}`, i);
  assert.equal(memo.get('file 0'), undefined);
  assert.equal(memo.get('file 1'), 1);
  assert.equal(memo.get('file 64'), 64);
  assert.equal(memo.get('file 64\n'), undefined);
});

test('bytes and text of the same PEM share an entry', () => {
  assert.equal(pemText(Buffer.from('-----BEGIN X-----\n')), '-----BEGIN X-----\n');
  const slice = Buffer.from('xxabc').subarray(2);
  assert.equal(pemText(slice), 'abc');
});

test('a key and a certificate read back from what was written are the ones made', async () => {
  const key = await generatePrivateKey('ECDSA-P256');
  const pem = key.toPem();
  assert.equal(parsePrivateKeyPem(Buffer.from(pem)), key);
  const cert = await selfSignedCA(key);
  const [read] = await parseCertificateChain(Buffer.from(cert.pem));
  assert.equal(read, cert);
});

test('another file is parsed for itself, and a caller changing its chain changes no later read', async () => {
  const [a, b] = await Promise.all([generatePrivateKey('ECDSA-P256'), generatePrivateKey('ECDSA-P256')]);
  const other = parsePrivateKeyPem(b.toPem().replace(/\n$/, '\n\n'));
  assert.notEqual(other, b);
  assert.equal(other.toPem(), b.toPem());
  assert.notEqual(parsePrivateKeyPem(a.toPem()), other);

  const cert = await selfSignedCA(a);
  const first = await parseCertificateChain(cert.pem);
  first.pop();
  assert.equal((await parseCertificateChain(cert.pem)).length, 1);
});
