// The DER encodings of an elliptic-curve key, built from its raw halves: the private scalar and the
// uncompressed public point. Node's own DER and PEM export goes through OpenSSL's encoder lookup, a
// tenth of a millisecond a key (a whole one for the first); this takes microseconds, and the bytes
// are those OpenSSL writes (key-encoding.test.ts holds them equal). Pure.
import { KbadmError } from '../errors.js';
import { bitString, context, integer, octetString, oid, sequence, tlv } from './der.js';

const EC_PUBLIC_KEY = '1.2.840.10045.2.1';

/** The curves kbadm generates keys on, with their object identifiers and field sizes in bytes. */
export const CURVES = {
  'P-256': { oid: '1.2.840.10045.3.1.7', bytes: 32 },
  'P-384': { oid: '1.3.132.0.34', bytes: 48 },
} as const;
export type Curve = keyof typeof CURVES;

/** The point as 04 || X || Y, as OpenSSL writes it by default. */
function checkedPoint(curve: Curve, point: Uint8Array): Uint8Array {
  if (point.length !== 1 + 2 * CURVES[curve].bytes || point[0] !== 4) {
    throw new KbadmError(`not an uncompressed ${curve} point`);
  }
  return point;
}

/** DER SubjectPublicKeyInfo of the public point. */
export function ecSpkiDer(curve: Curve, point: Uint8Array): Buffer {
  return sequence(
    sequence(oid(EC_PUBLIC_KEY), oid(CURVES[curve].oid)),
    bitString(checkedPoint(curve, point)),
  );
}

/** The private scalar at the curve's full size: ECDH leaves out leading zero bytes, SEC1 and JWK keep them. */
export function fullScalar(curve: Curve, scalar: Uint8Array): Buffer {
  const size = CURVES[curve].bytes;
  if (scalar.length > size) throw new KbadmError(`not a ${curve} private key`);
  return Buffer.concat([Buffer.alloc(size - scalar.length), scalar]);
}

/**
 * SEC1 ECPrivateKey, the "EC PRIVATE KEY" kubeadm writes: version 1, the scalar at the curve's full
 * size, the curve and the public point.
 */
export function ecPrivateKeyDer(curve: Curve, scalar: Uint8Array, point: Uint8Array): Buffer {
  return sequence(
    integer(1n),
    octetString(fullScalar(curve, scalar)),
    tlv(context(0, true), oid(CURVES[curve].oid)),
    tlv(context(1, true), bitString(checkedPoint(curve, point))),
  );
}
