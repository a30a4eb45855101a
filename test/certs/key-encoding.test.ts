// kbadm encodes the P-256 keys it generates itself (key-encoding.ts): these must be the very bytes
// OpenSSL writes for the same key, and read back as that key.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createECDH, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CURVES, ecPrivateKeyDer, ecSpkiDer, type Curve } from '../../src/certs/key-encoding.js';
import { generatePrivateKey } from '../../src/certs/keys.js';

const OPENSSL_CURVE: Record<Curve, string> = { 'P-256': 'prime256v1', 'P-384': 'secp384r1' };

/** A key's raw halves, and the same key as OpenSSL holds it. */
function rawKey(curve: Curve, shortScalar = false) {
  for (;;) {
    const ecdh = createECDH(OPENSSL_CURVE[curve]);
    const point = ecdh.generateKeys();
    const scalar = ecdh.getPrivateKey();
    // One scalar in 256 has a leading zero byte, which getPrivateKey leaves out.
    if (shortScalar && scalar.length === CURVES[curve].bytes) continue;
    const size = CURVES[curve].bytes;
    const keyObject: KeyObject = createPrivateKey({
      key: {
        kty: 'EC',
        crv: curve,
        x: point.subarray(1, 1 + size).toString('base64url'),
        y: point.subarray(1 + size).toString('base64url'),
        d: Buffer.concat([Buffer.alloc(size - scalar.length), scalar]).toString('base64url'),
      },
      format: 'jwk',
    });
    return { point, scalar, keyObject };
  }
}

for (const curve of Object.keys(CURVES) as Curve[]) {
  test(`${curve}: SubjectPublicKeyInfo and SEC1 private key are OpenSSL's bytes`, () => {
    for (const short of [false, false, false, true]) {
      const { point, scalar, keyObject } = rawKey(curve, short);
      const spki = createPublicKey(keyObject).export({ format: 'der', type: 'spki' });
      assert.ok(ecSpkiDer(curve, point).equals(spki), 'SubjectPublicKeyInfo');
      const sec1 = keyObject.export({ format: 'der', type: 'sec1' });
      assert.ok(ecPrivateKeyDer(curve, scalar, point).equals(sec1), `SEC1${short ? ', short scalar' : ''}`);
    }
  });
}

test('a generated P-256 key writes the PEM OpenSSL writes, and the openssl command reads it as the same key', async () => {
  const key = await generatePrivateKey('ECDSA-P256');
  const pem = key.toPem();
  assert.equal(pem, key.keyObject.export({ format: 'pem', type: 'sec1' }));
  const spkiPem = createPublicKey(key.keyObject).export({ format: 'pem', type: 'spki' });
  assert.equal(key.publicKeyPem(), spkiPem);
  assert.equal(execFileSync('openssl', ['pkey', '-pubout'], { input: pem, encoding: 'utf8' }), spkiPem);
  assert.equal(key.keyObject.asymmetricKeyDetails?.namedCurve, 'prime256v1');
});

test('what is not an uncompressed point or a scalar of the curve is refused by name', () => {
  const { point, scalar } = rawKey('P-256');
  assert.throws(() => ecSpkiDer('P-384', point), /not an uncompressed P-384 point/);
  assert.throws(() => ecSpkiDer('P-256', point.subarray(1)), /not an uncompressed P-256 point/);
  assert.throws(
    () => ecPrivateKeyDer('P-256', Buffer.concat([scalar, scalar]), point),
    /not a P-256 private key/,
  );
});

test('generating and encoding P-256 keys under garbage-collector pressure never hangs (Node 20 could)', () => {
  // A KeyObject that generateKeyPairSync made, exported as JWK while a collection finalizes the job
  // that made it, deadlocks Node 20: a small young generation makes collections constant.
  const keys = fileURLToPath(new URL('../../src/certs/keys.ts', import.meta.url));
  const script =
    `const { generatePrivateKey } = await import(${JSON.stringify(keys)});` +
    'for (let i = 0; i < 3000; i++) { const k = await generatePrivateKey("ECDSA-P256"); k.toPem(); k.publicKeyDer(); k.publicKeyPem(); }';
  const r = spawnSync(
    process.execPath,
    ['--max-semi-space-size=1', '--import', 'tsx', '--input-type=module', '-e', script],
    { encoding: 'utf8', timeout: 60_000 },
  );
  assert.equal(r.signal, null, 'the loop finished instead of hanging until the timeout');
  assert.equal(r.status, 0, r.stderr);
});
