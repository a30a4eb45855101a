// What `token list` prints: kubeadm's text table, or per token one output.kubeadm.k8s.io/v1alpha3
// BootstrapToken object for -o json|yaml.
import { shortHumanDuration, tabwrite } from '../output/table.js';
import { dumpYaml } from '../output/yaml.js';
import { formatRFC3339, parseRFC3339, type BootstrapTokenInfo } from './bootstrap-secret.js';

export const TOKEN_COLUMNS = ['TOKEN', 'TTL', 'EXPIRES', 'USAGES', 'DESCRIPTION', 'EXTRA GROUPS'] as const;

/**
 * An expiration as Go's time.RFC3339 layout prints the parsed time: whole seconds, the offset it was
 * written with, `Z` for a zero offset.
 */
function expiresText(expires: string): string {
  return expires.replace(/\.\d+(?=Z|[+-]\d{2}:\d{2}$)/, '').replace(/[+-]00:00$/, 'Z');
}

/**
 * One token's line, cells separated by tabs. Cells are padded to fixed widths before the tabwriter
 * sees them: kubeadm flushes its tabwriter after every token, so only this keeps later rows roughly
 * under the header.
 */
export function tokenRow(t: BootstrapTokenInfo, now: Date): string {
  let ttl = '<forever>';
  let expires = '<never>';
  if (t.expires !== undefined) {
    const at = parseRFC3339(t.expires)!;
    ttl = shortHumanDuration((at.getTime() - now.getTime()) / 1000);
    expires = expiresText(t.expires);
  }
  const usages = t.usages.length > 0 ? t.usages.join(',') : '<none>';
  const description = t.description !== '' ? t.description : '<none>';
  const groups = t.groups.length > 0 ? t.groups.join(',') : '<none>';
  return [t.token, ttl.padEnd(9), expires, usages.padEnd(22), description.padEnd(56), groups].join('\t');
}

/**
 * One token as kubeadm prints it into the table: laid out by a tabwriter of its own (kubeadm flushes
 * after every token), together with the header for the first token only.
 */
export function tokenTableChunk(t: BootstrapTokenInfo, now: Date, withHeader: boolean): string {
  const row = tokenRow(t, now);
  return tabwrite(withHeader ? [TOKEN_COLUMNS.join('\t'), row] : [row]);
}

/** The whole text table. No tokens, no output (not even the header). */
export function tokenTable(tokens: readonly BootstrapTokenInfo[], now: Date): string {
  return tokens.map((t, i) => tokenTableChunk(t, now, i === 0)).join('');
}

/**
 * The -o json|yaml object of one token: output.kubeadm.k8s.io/v1alpha3 BootstrapToken, fields in Go's
 * declaration order (TypeMeta first), empty ones left out; `expires` in UTC as metav1.Time writes it.
 */
export function bootstrapTokenObject(t: BootstrapTokenInfo): Record<string, unknown> {
  const at = t.expires !== undefined ? parseRFC3339(t.expires) : undefined;
  return {
    kind: 'BootstrapToken',
    apiVersion: 'output.kubeadm.k8s.io/v1alpha3',
    token: t.token,
    ...(t.description !== '' ? { description: t.description } : {}),
    ...(at ? { expires: formatRFC3339(at) } : {}),
    ...(t.usages.length > 0 ? { usages: t.usages } : {}),
    ...(t.groups.length > 0 ? { groups: t.groups } : {}),
  };
}

/**
 * One token for -o json|yaml, as kubectl's printers write a stream of objects: JSON objects one
 * after another (4-space indent), YAML documents with `---` before every document but the first.
 */
export function tokenDocument(format: 'json' | 'yaml', t: BootstrapTokenInfo, index: number): string {
  const obj = bootstrapTokenObject(t);
  if (format === 'json') return `${JSON.stringify(obj, null, 4)}\n`;
  return `${index > 0 ? '---\n' : ''}${dumpYaml(obj)}`;
}
