// Bootstrap tokens: InitConfiguration.bootstrapTokens and the join tokens.
import type { FieldProblem } from '../../errors.js';
import type { BootstrapToken } from '../model.js';
import { parseBootstrapToken } from '../../tokens/token-format.js';
import { invalid, invalidSecret } from './common.js';
import { goQuote } from './go-compat.js';

/** k8s.io/cluster-bootstrap's KnownTokenUsages, in its order (used in the message). */
export const KNOWN_TOKEN_USAGES = ['signing', 'authentication'] as const;
/** The pattern as cluster-bootstrap prints it. */
export const BOOTSTRAP_GROUP_PATTERN = '\\Asystem:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]\\z';
const BOOTSTRAP_GROUP_RE = /^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$/;

/** kubeadm's ValidateToken. The token is a secret, so the problem does not carry it. */
export function validateToken(token: string, field: string): FieldProblem[] {
  return parseBootstrapToken(token) ? [] : [invalidSecret(field, 'the bootstrap token is invalid')];
}

/** cluster-bootstrap's ValidateUsages, as kubeadm's ValidateTokenUsages reports it. */
export function validateTokenUsages(usages: readonly string[], field: string): FieldProblem[] {
  const known = new Set<string>(KNOWN_TOKEN_USAGES);
  const bad = [...new Set(usages.filter((u) => !known.has(u)))].sort();
  if (bad.length === 0) return [];
  return [
    invalid(
      field,
      usages,
      `invalid bootstrap token usage string: ${bad.join(',')}, valid usage options: ${KNOWN_TOKEN_USAGES.join(',')}`,
    ),
  ];
}

/** kubeadm's ValidateTokenGroups: groups only with the authentication usage, each a bootstrap group. */
export function validateTokenGroups(
  usages: readonly string[],
  groups: readonly string[],
  field: string,
): FieldProblem[] {
  const out: FieldProblem[] = [];
  if (groups.length > 0 && !usages.includes('authentication')) {
    out.push(
      invalid(field, groups, 'token groups cannot be specified unless --usages includes "authentication"'),
    );
  }
  for (const g of groups) {
    if (!BOOTSTRAP_GROUP_RE.test(g)) {
      out.push(
        invalid(
          field,
          groups,
          `bootstrap group ${goQuote(g)} is invalid (must match ${BOOTSTRAP_GROUP_PATTERN})`,
        ),
      );
    }
  }
  return out;
}

/**
 * kubeadm's ValidateBootstrapTokens. `path` is e.g. `InitConfiguration.bootstrapTokens`; items are
 * addressed as `[i]`. An empty token is skipped here: it means "generate one", which happens
 * after validation of the file.
 */
export function validateBootstrapTokens(
  tokens: readonly BootstrapToken[],
  path: string,
  opts: { allowEmptyToken?: boolean } = {},
): FieldProblem[] {
  const out: FieldProblem[] = [];
  tokens.forEach((t, i) => {
    const p = `${path}[${i}]`;
    if (!(opts.allowEmptyToken && t.token === '')) out.push(...validateToken(t.token, `${p}.token`));
    out.push(...validateTokenUsages(t.usages, `${p}.usages`));
    out.push(...validateTokenGroups(t.usages, t.groups, `${p}.groups`));
    if (t.expires !== undefined && t.ttl !== undefined) {
      out.push(invalid(p, '', 'the BootstrapToken .TTL and .Expires fields are mutually exclusive'));
    }
  });
  return out;
}
