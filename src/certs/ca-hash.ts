// The CA public key pin used by `kubeadm join --discovery-token-ca-cert-hash`: "sha256:" and the hex
// SHA-256 of the certificate's DER SubjectPublicKeyInfo (not of the whole certificate).
import { createHash, X509Certificate } from 'node:crypto';
import { KbadmError } from '../errors.js';
import { certificateDers } from './pem.js';

/** The pin of a CA certificate given as PEM (first certificate) or DER. */
export function caCertHash(cert: string | Uint8Array): string {
  const der = typeof cert === 'string' || isPemBytes(cert) ? certificateDers(cert)[0]! : Buffer.from(cert);
  let spki: Buffer;
  try {
    spki = new X509Certificate(der).publicKey.export({ format: 'der', type: 'spki' });
  } catch (cause) {
    throw new KbadmError('failed to parse certificate', { cause });
  }
  return `sha256:${createHash('sha256').update(spki).digest('hex')}`;
}

function isPemBytes(b: Uint8Array): boolean {
  return Buffer.from(b.subarray(0, 11)).toString('latin1') === '-----BEGIN ';
}
