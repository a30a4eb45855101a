// A bootstrap token as the API server stores it: a Secret `kube-system/bootstrap-token-<id>` of type
// bootstrap.kubernetes.io/token whose data keys the token authenticator and the bootstrap signer read.
// Both directions live here: kubeadm's options → Secret, and Secret → what `token list` shows.
import type { KubeObject } from '../cluster/types.js';
import { formatDuration } from '../config/duration.js';
import type { BootstrapToken } from '../config/model.js';
import { validateTokenGroups, validateTokenUsages } from '../config/validation/tokens.js';
import { KbadmError, ValidationError, type FieldProblem } from '../errors.js';
import { BOOTSTRAP_TOKEN_RE, parseBootstrapToken } from './token-format.js';

export const BOOTSTRAP_TOKEN_SECRET_TYPE = 'bootstrap.kubernetes.io/token';
export const BOOTSTRAP_TOKEN_SECRET_PREFIX = 'bootstrap-token-';
export const BOOTSTRAP_TOKEN_NAMESPACE = 'kube-system';

/** The Secret data keys (k8s.io/cluster-bootstrap token/api). */
export const SECRET_KEYS = {
  id: 'token-id',
  secret: 'token-secret',
  description: 'description',
  expiration: 'expiration',
  usagePrefix: 'usage-bootstrap-',
  extraGroups: 'auth-extra-groups',
} as const;

export interface Secret extends KubeObject {
  apiVersion: 'v1';
  kind: 'Secret';
  type: string;
  /** Values base64-encoded, as the API carries them. */
  data: Record<string, string>;
}

/** What a token Secret says about its token (kubeadm's BootstrapTokenFromSecret). */
export interface BootstrapTokenInfo {
  /** `<id>.<secret>`. A secret: never log it. */
  token: string;
  id: string;
  description: string;
  /** The expiration exactly as stored (RFC 3339); absent when the token never expires. */
  expires?: string;
  /** Usages whose key holds `true`, sorted. */
  usages: string[];
  groups: string[];
}

export function bootstrapTokenSecretName(tokenID: string): string {
  return `${BOOTSTRAP_TOKEN_SECRET_PREFIX}${tokenID}`;
}

/** RFC 3339 in UTC with whole seconds, as Go's time.RFC3339 layout prints a UTC time. */
export function formatRFC3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const RFC3339_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-](\d{2}):(\d{2}))$/;

/** A time in RFC 3339 as Go's time.Parse(time.RFC3339, ...) accepts it (no Feb 30), or undefined. */
export function parseRFC3339(s: string): Date | undefined {
  const m = RFC3339_RE.exec(s);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  if (m[9] !== undefined && (Number(m[9]) > 23 || Number(m[10]) > 59)) return undefined;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/**
 * The Secret for a token (kubeadm's BootstrapTokenToSecret). The expiration is `expires` when set,
 * else `now + ttl` when the lifetime is positive; a token without either never expires.
 */
export function bootstrapTokenToSecret(t: BootstrapToken, now: Date): Secret {
  const parsed = parseBootstrapToken(t.token);
  // Callers validate first; this guards the invariant without echoing the secret.
  if (!parsed) throw new KbadmError('cannot store a bootstrap token that is not of the form <id>.<secret>');
  const data: Record<string, string> = {
    [SECRET_KEYS.id]: parsed.id,
    [SECRET_KEYS.secret]: parsed.secret,
  };
  if (t.description !== '') data[SECRET_KEYS.description] = t.description;
  const expiration = expirationOf(t, now);
  if (expiration !== undefined) data[SECRET_KEYS.expiration] = expiration;
  for (const usage of t.usages) data[`${SECRET_KEYS.usagePrefix}${usage}`] = 'true';
  if (t.groups.length > 0) data[SECRET_KEYS.extraGroups] = t.groups.join(',');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: bootstrapTokenSecretName(parsed.id), namespace: BOOTSTRAP_TOKEN_NAMESPACE },
    type: BOOTSTRAP_TOKEN_SECRET_TYPE,
    data: Object.fromEntries(
      Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('base64')]),
    ),
  };
}

function expirationOf(t: BootstrapToken, now: Date): string | undefined {
  if (t.expires !== undefined) {
    const at = parseRFC3339(t.expires);
    if (!at)
      throw new KbadmError(
        `the bootstrap token expiration ${JSON.stringify(t.expires)} is not an RFC 3339 time`,
      );
    return formatRFC3339(at);
  }
  if (t.ttl !== undefined && t.ttl > 0) return formatRFC3339(new Date(now.getTime() + t.ttl));
  return undefined;
}

/** One data value of a Secret, decoded; '' when absent (cluster-bootstrap's GetData). */
function dataOf(secret: KubeObject, key: string): string {
  const data = secret['data'];
  if (typeof data !== 'object' || data === null) return '';
  const v = (data as Record<string, unknown>)[key];
  return typeof v === 'string' ? Buffer.from(v, 'base64').toString('utf8') : '';
}

/**
 * Reads a token Secret back (kubeadm's BootstrapTokenFromSecret), with kubeadm's errors for Secrets
 * that do not hold a usable token. Unlike kubeadm, no message carries the token secret.
 */
export function bootstrapTokenFromSecret(secret: KubeObject): BootstrapTokenInfo {
  const name = secret.metadata.name;
  const id = dataOf(secret, SECRET_KEYS.id);
  if (id === '') throw new KbadmError(`bootstrap Token Secret has no token-id data: ${name}`);
  const expected = bootstrapTokenSecretName(id);
  if (name !== expected) {
    throw new KbadmError(
      `bootstrap token name is not of the form '${BOOTSTRAP_TOKEN_SECRET_PREFIX}(token-id)'. Actual: ${JSON.stringify(name)}. Expected: ${JSON.stringify(expected)}`,
    );
  }
  const tokenSecret = dataOf(secret, SECRET_KEYS.secret);
  if (tokenSecret === '') throw new KbadmError(`bootstrap Token Secret has no token-secret data: ${name}`);
  const token = `${id}.${tokenSecret}`;
  if (!BOOTSTRAP_TOKEN_RE.test(token)) {
    throw new KbadmError(
      `bootstrap Token Secret is invalid and couldn't be parsed: the token in ${name} is not of the form <6 of [a-z0-9]>.<16 of [a-z0-9]>`,
    );
  }
  const info: BootstrapTokenInfo = {
    token,
    id,
    description: dataOf(secret, SECRET_KEYS.description),
    usages: usagesOf(secret),
    groups: groupsOf(dataOf(secret, SECRET_KEYS.extraGroups)),
  };
  const expiration = dataOf(secret, SECRET_KEYS.expiration);
  if (expiration !== '') {
    if (!parseRFC3339(expiration)) {
      throw new KbadmError(
        `can't parse expiration time of bootstrap token ${JSON.stringify(name)}: ${JSON.stringify(expiration)} is not an RFC 3339 time`,
      );
    }
    info.expires = expiration;
  }
  return info;
}

function usagesOf(secret: KubeObject): string[] {
  const data = secret['data'];
  if (typeof data !== 'object' || data === null) return [];
  return Object.keys(data)
    .filter((k) => k.startsWith(SECRET_KEYS.usagePrefix) && dataOf(secret, k) === 'true')
    .map((k) => k.slice(SECRET_KEYS.usagePrefix.length))
    .sort();
}

/** An empty value, or one starting with a comma, means no groups (as kubeadm splits it). */
function groupsOf(value: string): string[] {
  const groups = value.split(',');
  return groups[0] === '' ? [] : groups;
}

/** The fields of a token the user chose on the command line, checked as kubeadm checks them. */
export interface TokenOptionFields {
  usages: string;
  groups: string;
  ttl: string;
}

/**
 * kubeadm's checks of a token's usages and groups, plus one of its own: a negative lifetime, which
 * kubeadm silently turns into a token that never expires. Problems name the given fields (flags).
 */
export function tokenOptionProblems(t: BootstrapToken, fields: TokenOptionFields): FieldProblem[] {
  const problems = [
    ...validateTokenUsages(t.usages, fields.usages),
    ...validateTokenGroups(t.usages, t.groups, fields.groups),
  ];
  if (t.ttl !== undefined && t.ttl < 0) {
    problems.push({
      field: fields.ttl,
      value: formatDuration(t.ttl),
      detail: 'must not be negative (0 makes a token that never expires)',
    });
  }
  return problems;
}

/** Throws one ValidationError (exit 3) listing every problem of the token's options. */
export function validateTokenOptions(t: BootstrapToken, fields: TokenOptionFields): void {
  const problems = tokenOptionProblems(t, fields);
  if (problems.length > 0) throw new ValidationError(problems);
}
