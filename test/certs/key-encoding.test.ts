// kbadm encodes the keys it generates itself (key-encoding.ts); these must be the very bytes node's
// OpenSSL export writes, for every algorithm kbadm generates, and read back as the same key.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { test } from 'node:test';
import { privateKeyDer, spkiDer } from '../../src/certs/key-encoding.js';
import { ENCRYPTION_ALGORITHMS, generatePrivateKey, keyTypeOf } from '../../src/certs/keys.js';

function pair(algorithm: string): { privateKey: KeyObject; publicKey: KeyObject } {
  const t = keyTypeOf(algorithm);
  return t.kind === 'rsa'
    ? generateKeyPairSync('rsa', { modulusLength: t.bits, publicExponent: 65537 })
    : generateKeyPairSync('ec', { namedCurve: t.curve });
}

for (const algorithm of ENCRYPTION_ALGORITHMS) {
  test(`${algorithm}: SubjectPublicKeyInfo and the private key are OpenSSL's bytes`, () => {
    // Several keys: leading zero octets and high bits differ from one to the next.
    for (let i = 0; i < (algorithm.startsWith('RSA') ? 2 : 8); i++) {
      const { privateKey, publicKey } = pair(algorithm);
      const spki = spkiDer(publicKey.export({ format: 'jwk' }));
      assert.ok(spki.equals(publicKey.export({ format: 'der', type: 'spki' })), 'SPKI from the public JWK');
      assert.ok(spki.equals(spkiDer(privateKey.export({ format: 'jwk' }))), 'SPKI from the private JWK');
      const { type, der } = privateKeyDer(privateKey.export({ format: 'jwk' }));
      const openssl = privateKey.export({
        format: 'der',
        type: algorithm.startsWith('RSA') ? 'pkcs1' : 'sec1',
      });
      assert.equal(type, algorithm.startsWith('RSA') ? 'RSA PRIVATE KEY' : 'EC PRIVATE KEY');
      assert.ok(der.equals(openssl), 'private key DER');
    }
  });
}

test('a generated key writes the PEM OpenSSL writes, and the openssl command reads it as the same key', async () => {
  for (const algorithm of ['ECDSA-P256', 'RSA-2048']) {
    const key = await generatePrivateKey(algorithm);
    const pem = key.toPem();
    const type = algorithm.startsWith('RSA') ? 'pkcs1' : 'sec1';
    assert.equal(pem, key.keyObject.export({ format: 'pem', type }));
    assert.equal(key.publicKeyPem(), createPublicKey(key.keyObject).export({ format: 'pem', type: 'spki' }));
    const fromOpenssl = execFileSync('openssl', ['pkey', '-pubout'], { input: pem, encoding: 'utf8' });
    assert.equal(fromOpenssl, key.publicKeyPem(), `${algorithm}: openssl derives the same public key`);
    assert.ok(createPrivateKey(pem).equals(key.keyObject));
  }
});

test('a key type or curve kbadm does not generate is refused by name', () => {
  assert.throws(() => spkiDer({ kty: 'OKP', crv: 'Ed25519', x: 'AA' }), /unsupported key type OKP/);
  assert.throws(
    () => spkiDer({ kty: 'EC', crv: 'P-521', x: 'AA', y: 'AA' }),
    /unsupported elliptic curve P-521/,
  );
  assert.throws(() => privateKeyDer({ kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' }), /the key has no "d"/);
});
