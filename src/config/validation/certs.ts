// Certificate settings: SANs, the key algorithm and the validity periods.
import type { FieldProblem } from '../../errors.js';
import { formatDuration } from '../duration.js';
import type { ClusterConfiguration } from '../model.js';
import { dns1123SubdomainErrors, wildcardDNS1123SubdomainErrors } from '../names.js';
import { parseIPSloppy } from '../net.js';
import { invalid } from './common.js';
import { goQuote } from './go-compat.js';

/** v1beta4 encryptionAlgorithm values; ECDSA-P384 arrived in v1.34. Sorted, as kubeadm lists them. */
export const ENCRYPTION_ALGORITHMS = [
  'ECDSA-P256',
  'ECDSA-P384',
  'RSA-2048',
  'RSA-3072',
  'RSA-4096',
] as const;

const HOUR = 3_600_000;
/** kubeadm's recommended maximum leaf lifetime (one year). */
export const CERTIFICATE_VALIDITY_PERIOD = 8760 * HOUR;
/** kubeadm's recommended maximum CA lifetime (ten years). */
export const CA_CERTIFICATE_VALIDITY_PERIOD = 87600 * HOUR;

/** kubeadm's ValidateCertSANs: each an IP, a DNS-1123 subdomain or a wildcard subdomain. */
export function validateCertSANs(sans: readonly string[], field: string): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const san of sans) {
    const dnsErrs = dns1123SubdomainErrors(san);
    if (dnsErrs.length === 0) continue;
    const wildErrs = wildcardDNS1123SubdomainErrors(san);
    if (wildErrs.length === 0 || parseIPSloppy(san)) continue;
    out.push(
      invalid(
        field,
        san,
        `altname is not a valid IP address, DNS label or a DNS label with subdomain wildcards: ${dnsErrs.join('; ')}; ${wildErrs.join('; ')}`,
      ),
    );
  }
  return out;
}

/** kubeadm's ValidateEncryptionAlgorithm. */
export function validateEncryptionAlgorithm(algo: string, field: string): FieldProblem[] {
  if ((ENCRYPTION_ALGORITHMS as readonly string[]).includes(algo)) return [];
  return [
    invalid(
      field,
      algo,
      `Invalid encryption algorithm ${goQuote(algo)}. Must be one of [${ENCRYPTION_ALGORITHMS.join(' ')}]`,
    ),
  ];
}

/**
 * kubeadm's ValidateCertValidity: lifetimes above the recommended defaults, and a leaf outliving
 * its CA, are warnings only.
 */
export function certValidityWarnings(
  cluster: Pick<ClusterConfiguration, 'certificateValidityPeriod' | 'caCertificateValidityPeriod'>,
): string[] {
  const out: string[] = [];
  const leaf = cluster.certificateValidityPeriod;
  const ca = cluster.caCertificateValidityPeriod;
  if (leaf > CERTIFICATE_VALIDITY_PERIOD) {
    out.push(
      `certificateValidityPeriod: the value ${formatDuration(leaf)} is more than the recommended default for certificate expiration: ${formatDuration(CERTIFICATE_VALIDITY_PERIOD)}`,
    );
  }
  if (ca > CA_CERTIFICATE_VALIDITY_PERIOD) {
    out.push(
      `caCertificateValidityPeriod: the value ${formatDuration(ca)} is more than the recommended default for CA certificate expiration: ${formatDuration(CA_CERTIFICATE_VALIDITY_PERIOD)}`,
    );
  }
  if (leaf > ca) {
    out.push(
      `certificateValidityPeriod: the value ${formatDuration(leaf)} is more than the caCertificateValidityPeriod: ${formatDuration(ca)}`,
    );
  }
  return out;
}

/**
 * kbadm's own rule (kubeadm has none): a zero or negative lifetime would produce certificates
 * that are already expired when written.
 */
export function validateCertValidityPeriods(
  cluster: Pick<ClusterConfiguration, 'certificateValidityPeriod' | 'caCertificateValidityPeriod'>,
  path: string,
): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const k of ['certificateValidityPeriod', 'caCertificateValidityPeriod'] as const) {
    const v = cluster[k];
    if (!(v > 0))
      out.push(invalid(`${path}.${k}`, formatDuration(v), 'the validity period must be greater than zero'));
  }
  return out;
}
