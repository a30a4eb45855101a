// The certificate an API server endpoint presents, read over a TLS handshake that trusts only the
// cluster CA but skips the host name check: join's preflight reports SAN coverage itself (see
// tokens/join-endpoint.ts), as a warning rather than a failed connection.
import { isIP } from 'node:net';
import * as tls from 'node:tls';
import type { AltNames } from '../certs/sans.js';
import { parseCertificateDer } from '../certs/x509.js';
import { KbadmError } from '../errors.js';
import { describeNetworkFailure } from './net-errors.js';

/** Per handshake, as kubeadm's discovery requests. */
export const SERVING_CERTIFICATE_TIMEOUT_MS = 10_000;

/**
 * Why no certificate could be read: `unreachable` when no TLS session came up (refused, no route,
 * no answer, a peer that does not speak TLS), `untrusted` when the certificate does not chain to
 * the cluster CA or is outside its validity period.
 */
export type ServingCertificateFailure = 'unreachable' | 'untrusted';

export class ServingCertificateError extends Error {
  override readonly name = 'ServingCertificateError';
  constructor(
    readonly reason: ServingCertificateFailure,
    readonly server: string,
    detail: string,
  ) {
    super(`could not read the API server certificate at ${JSON.stringify(server)}: ${detail}`);
  }
}

const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_SIGNATURE_FAILURE',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'INVALID_CA',
]);

/**
 * The SANs (DNS names, canonical IPs) of the certificate `server` (`https://host:port`) presents,
 * the chain verified against `caPem` (the system's roots when it is empty) and the host name not
 * checked. Fails with a ServingCertificateError when the endpoint cannot be read or is not trusted.
 */
export function fetchServingCertificate(
  server: string,
  caPem: string,
  timeoutMs = SERVING_CERTIFICATE_TIMEOUT_MS,
): Promise<AltNames> {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    return Promise.reject(new KbadmError(`invalid API server URL ${JSON.stringify(server)}`));
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = Number(url.port || 443);
  return new Promise<Buffer>((resolve, reject) => {
    const socket = tls.connect({
      host,
      port,
      ...(caPem !== '' ? { ca: caPem } : {}),
      // SNI carries names only (RFC 6066), as Go's client sends it.
      ...(isIP(host) === 0 ? { servername: host } : {}),
      rejectUnauthorized: true,
      checkServerIdentity: () => undefined,
    });
    let connected = false;
    const timer = setTimeout(() => {
      const why = connected ? 'net/http: TLS handshake timeout' : `dial tcp ${url.host}: i/o timeout`;
      socket.destroy();
      reject(new ServingCertificateError('unreachable', server, why));
    }, timeoutMs);
    socket.once('connect', () => (connected = true));
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const der = socket.getPeerCertificate().raw;
      socket.destroy();
      resolve(der);
    });
    socket.once('error', (err: Error & { code?: string }) => {
      clearTimeout(timer);
      socket.destroy();
      const reason = err.code !== undefined && UNTRUSTED.has(err.code) ? 'untrusted' : 'unreachable';
      reject(new ServingCertificateError(reason, server, describeNetworkFailure(url, err)));
    });
  }).then(async (der) => {
    const cert = await parseCertificateDer(der);
    return { dnsNames: cert.dnsNames, ips: cert.ips };
  });
}
