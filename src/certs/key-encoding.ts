// The DER encodings kbadm writes of the keys it generates, built from their JWK form. Node's own DER
// and PEM export goes through OpenSSL's encoder lookup: a tenth of a millisecond a key, a whole one
// for the first, where this takes microseconds. The bytes are those OpenSSL writes
// (key-encoding.test.ts holds them equal for every algorithm kbadm generates). Pure.
import type { JsonWebKey } from 'node:crypto';
import { KbadmError } from '../errors.js';
import { bitString, context, integer, nullValue, octetString, oid, sequence, tlv, TAG } from './der.js';

const OID = {
  ecPublicKey: '1.2.840.10045.2.1',
  rsaEncryption: '1.2.840.113549.1.1.1',
} as const;

const CURVE_OIDS: Readonly<Record<string, string>> = {
  'P-256': '1.2.840.10045.3.1.7',
  'P-384': '1.3.132.0.34',
};

/** A JWK member, as bytes. */
function member(jwk: JsonWebKey, name: keyof JsonWebKey): Buffer {
  const value = jwk[name];
  if (typeof value !== 'string') throw new KbadmError(`the key has no "${String(name)}"`);
  return Buffer.from(value, 'base64url');
}

/** A JWK unsigned integer (big-endian, no leading zero octets) as a DER INTEGER. */
function unsigned(jwk: JsonWebKey, name: keyof JsonWebKey): Buffer {
  const b = member(jwk, name);
  return tlv(TAG.integer, b.length === 0 || b[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);
}

function curveOid(jwk: JsonWebKey): string {
  const id = jwk.crv === undefined ? undefined : CURVE_OIDS[jwk.crv];
  if (id === undefined) throw new KbadmError(`unsupported elliptic curve ${String(jwk.crv)}`);
  return id;
}

/** The uncompressed point 04 || X || Y, as OpenSSL writes it by default. */
function ecPoint(jwk: JsonWebKey): Buffer {
  return Buffer.concat([Buffer.from([4]), member(jwk, 'x'), member(jwk, 'y')]);
}

/** DER SubjectPublicKeyInfo of an RSA or EC key (its public or private JWK). */
export function spkiDer(jwk: JsonWebKey): Buffer {
  if (jwk.kty === 'EC') {
    return sequence(sequence(oid(OID.ecPublicKey), oid(curveOid(jwk))), bitString(ecPoint(jwk)));
  }
  if (jwk.kty === 'RSA') {
    return sequence(
      sequence(oid(OID.rsaEncryption), nullValue()),
      bitString(sequence(unsigned(jwk, 'n'), unsigned(jwk, 'e'))),
    );
  }
  throw new KbadmError(`unsupported key type ${String(jwk.kty)}`);
}

/**
 * A private key as kubeadm writes it: SEC1 "EC PRIVATE KEY" (with the curve and the public point)
 * or PKCS#1 "RSA PRIVATE KEY", from its private JWK.
 */
export function privateKeyDer(jwk: JsonWebKey): { type: 'EC PRIVATE KEY' | 'RSA PRIVATE KEY'; der: Buffer } {
  if (jwk.kty === 'EC') {
    const der = sequence(
      integer(1n),
      octetString(member(jwk, 'd')),
      tlv(context(0, true), oid(curveOid(jwk))),
      tlv(context(1, true), bitString(ecPoint(jwk))),
    );
    return { type: 'EC PRIVATE KEY', der };
  }
  if (jwk.kty === 'RSA') {
    const fields = (['n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi'] as const).map((m) => unsigned(jwk, m));
    return { type: 'RSA PRIVATE KEY', der: sequence(integer(0n), ...fields) };
  }
  throw new KbadmError(`unsupported key type ${String(jwk.kty)}`);
}
