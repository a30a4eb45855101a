// `kubeadm certs check-expiration`: rows, the text table (Go tabwriter layout) and the
// output.kubeadm.k8s.io/v1alpha3 CertificateExpirationInfo object.
import { shortHumanDuration, tabwrite } from '../output/table.js';

// Shared with `token list`; re-exported so callers of this module keep one import.
export { shortHumanDuration, tabwrite };

export interface ExpirationRow {
  name: string;
  missing: boolean;
  expirationDate?: Date;
  /** Whole seconds until expiry (negative when expired), truncated toward zero as Go's int64(d / time.Second). */
  residualTimeSeconds?: number;
  /** Empty for CA rows. */
  caName?: string;
  externallyManaged: boolean;
}

export interface ExpirationInfo {
  certificates: ExpirationRow[];
  certificateAuthorities: ExpirationRow[];
}

/** A row for a certificate that exists. */
export function expirationRow(
  name: string,
  notAfter: Date,
  now: Date,
  opts: { caName?: string; externallyManaged?: boolean } = {},
): ExpirationRow {
  return {
    name,
    missing: false,
    expirationDate: notAfter,
    residualTimeSeconds: Math.trunc((notAfter.getTime() - now.getTime()) / 1000),
    ...(opts.caName ? { caName: opts.caName } : {}),
    externallyManaged: opts.externallyManaged ?? false,
  };
}

export function missingRow(name: string): ExpirationRow {
  return { name, missing: true, externallyManaged: false };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Go layout `Jan 02, 2006 15:04 MST` in UTC. */
export function formatExpiry(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${p(d.getUTCDate())}, ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())} UTC`;
}

/** The text kubeadm prints for check-expiration. */
export function formatExpirationTable(info: ExpirationInfo): string {
  const yesNo = (b: boolean) => (b ? 'yes' : 'no').padEnd(8, ' ');
  const lines = ['CERTIFICATE\tEXPIRES\tRESIDUAL TIME\tCERTIFICATE AUTHORITY\tEXTERNALLY MANAGED'];
  for (const c of info.certificates) {
    if (c.missing) lines.push(`!MISSING! ${c.name}\t\t\t\t`);
    else {
      lines.push(
        `${c.name}\t${formatExpiry(c.expirationDate!)}\t${shortHumanDuration(c.residualTimeSeconds!)}\t${c.caName ?? ''}\t${yesNo(c.externallyManaged)}`,
      );
    }
  }
  lines.push('');
  lines.push('CERTIFICATE AUTHORITY\tEXPIRES\tRESIDUAL TIME\tEXTERNALLY MANAGED');
  for (const c of info.certificateAuthorities) {
    if (c.missing) lines.push(`!MISSING! ${c.name}\t\t\t`);
    else {
      lines.push(
        `${c.name}\t${formatExpiry(c.expirationDate!)}\t${shortHumanDuration(c.residualTimeSeconds!)}\t${yesNo(c.externallyManaged)}`,
      );
    }
  }
  return tabwrite(lines);
}

/**
 * The object printed for `-o json|yaml`: output.kubeadm.k8s.io/v1alpha3 Certificate fields in their
 * Go declaration order; `missing` is always there (no omitempty), `caName` only when set, and a
 * missing certificate's zero time is null.
 */
export function expirationInfoObject(info: ExpirationInfo): Record<string, unknown> {
  const row = (r: ExpirationRow) => ({
    name: r.name,
    expirationDate: r.expirationDate ? r.expirationDate.toISOString().replace(/\.\d{3}Z$/, 'Z') : null,
    residualTime: r.residualTimeSeconds ?? 0,
    externallyManaged: r.externallyManaged,
    ...(r.caName ? { caName: r.caName } : {}),
    missing: r.missing,
  });
  return {
    kind: 'CertificateExpirationInfo',
    apiVersion: 'output.kubeadm.k8s.io/v1alpha3',
    certificates: info.certificates.map(row),
    certificateAuthorities: info.certificateAuthorities.map(row),
  };
}
