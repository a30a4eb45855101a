// API endpoints, ports, the control-plane endpoint and the upload-certs certificate key.
import type { FieldProblem } from '../../errors.js';
import type { APIEndpoint } from '../model.js';
import { parseHostPort, parseIPSloppy } from '../net.js';
import { invalid, invalidSecret } from './common.js';
import { goHexDecode } from './go-compat.js';

/** AES-256: upload-certs encrypts the shared certificates with a 32-byte key. */
export const CERTIFICATE_KEY_SIZE = 32;

/** kubeadm's ValidateIPFromString (sloppy: leading zeros in IPv4 are read as decimal). */
export function validateIPFromString(ip: string, field: string): FieldProblem[] {
  return parseIPSloppy(ip) ? [] : [invalid(field, ip, 'ip address is not valid')];
}

/** kubeadm's ValidatePort: 1-65535. */
export function validatePort(port: number, field: string): FieldProblem[] {
  return Number.isInteger(port) && port >= 1 && port <= 65535
    ? []
    : [invalid(field, port, 'port number is not valid')];
}

/** kubeadm's ValidateAPIEndpoint. */
export function validateAPIEndpoint(ep: APIEndpoint, path: string): FieldProblem[] {
  return [
    ...validateIPFromString(ep.advertiseAddress, `${path}.advertiseAddress`),
    ...validatePort(ep.bindPort, `${path}.bindPort`),
  ];
}

/** kubeadm's ValidateHostPort for controlPlaneEndpoint: `host` or `host:port`, empty allowed. */
export function validateHostPort(endpoint: string, field: string): FieldProblem[] {
  if (endpoint === '' || !('error' in parseHostPort(endpoint))) return [];
  return [invalid(field, endpoint, 'endpoint is not valid')];
}

/**
 * JoinConfiguration.controlPlaneEndpoint (kbadm's own): the rules of init's controlPlaneEndpoint,
 * reported with the reason its defaulting gives (`hostport x: port 0 must be ...`).
 */
export function validateJoinControlPlaneEndpoint(endpoint: string, field: string): FieldProblem[] {
  const hp = parseHostPort(endpoint);
  return 'error' in hp ? [invalid(field, endpoint, hp.error)] : [];
}

/** kubeadm's ValidateCertificateKey: empty, or 32 bytes of hex. The key itself is never echoed. */
export function validateCertificateKey(key: string, field: string): FieldProblem[] {
  if (key === '') return [];
  const d = goHexDecode(key);
  if ('error' in d) return [invalidSecret(field, `certificate key decoding error: ${d.error}`)];
  if (d.bytes !== CERTIFICATE_KEY_SIZE) {
    return [
      invalidSecret(
        field,
        `invalid certificate key size ${d.bytes}, the key must be an AES key of size ${CERTIFICATE_KEY_SIZE}`,
      ),
    ];
  }
  return [];
}
