// JoinConfiguration.discovery: token discovery (endpoint, CA pins, token) or file/HTTPS discovery.
import type { FieldProblem } from '../../errors.js';
import { parseCAPinOrError } from '../../certs/ca-pin-format.js';
import type { BootstrapTokenDiscovery, Discovery, FileDiscovery } from '../model.js';
import { invalid, required } from './common.js';
import { goParseURL, goSplitHostPortError } from './go-compat.js';
import { validateToken } from './tokens.js';

export interface DiscoveryContext {
  /**
   * Whether a local discovery file exists (kubeadm stats it). Without it the existence check is
   * skipped, keeping the rules pure; the join discovery phase reports a missing file anyway.
   */
  fileExists?: (path: string) => boolean;
}

const UNSAFE_WITHOUT_PINS =
  'using token-based discovery without caCertHashes can be unsafe. Set unsafeSkipCAVerification as true in your kubeadm config file or pass --discovery-token-unsafe-skip-ca-verification flag to continue';

/** kubeadm's ValidateDiscoveryTokenAPIServer: Go's SplitHostPort must accept it (a port is required). */
export function validateDiscoveryTokenAPIServer(endpoint: string, field: string): FieldProblem[] {
  const err = goSplitHostPortError(endpoint);
  return err === undefined ? [] : [invalid(field, endpoint, err)];
}

/**
 * The CA pins. kubeadm itself only parses them when discovery runs
 * (`invalid discovery token CA certificate hash: ...`); kbadm checks them with the file so that a
 * typo is reported together with every other problem.
 */
export function validateCACertHashes(hashes: readonly string[], field: string): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const h of hashes) {
    const r = parseCAPinOrError(h);
    if ('error' in r) out.push(invalid(field, h, `invalid discovery token CA certificate hash: ${r.error}`));
  }
  return out;
}

/** kubeadm's ValidateDiscoveryBootstrapToken. */
export function validateDiscoveryBootstrapToken(b: BootstrapTokenDiscovery, path: string): FieldProblem[] {
  const out: FieldProblem[] = [];
  if (b.apiServerEndpoint === '') out.push(required(path, 'APIServerEndpoint is not set'));
  if (b.caCertHashes.length === 0 && !b.unsafeSkipCAVerification) {
    out.push(invalid(`${path}.caCertHashes`, '', UNSAFE_WITHOUT_PINS));
  }
  out.push(...validateCACertHashes(b.caCertHashes, `${path}.caCertHashes`));
  out.push(...validateToken(b.token, `${path}.token`));
  out.push(...validateDiscoveryTokenAPIServer(b.apiServerEndpoint, `${path}.apiServerEndpoint`));
  return out;
}

/** kubeadm's ValidateDiscoveryKubeConfigPath: an existing file, or an https URL. */
export function validateDiscoveryKubeConfigPath(
  p: string,
  field: string,
  ctx: DiscoveryContext = {},
): FieldProblem[] {
  const notValid = [invalid(field, p, 'not a valid HTTPS URL or a file on disk')];
  const u = goParseURL(p);
  if ('error' in u) return notValid;
  if (u.scheme === '') {
    if (p === '') return notValid;
    return ctx.fileExists && !ctx.fileExists(p) ? notValid : [];
  }
  return u.scheme === 'https' ? [] : [invalid(field, p, 'if a URL is used, the scheme must be https')];
}

/** kubeadm's ValidateDiscoveryFile. */
export function validateDiscoveryFile(
  f: FileDiscovery,
  path: string,
  ctx: DiscoveryContext = {},
): FieldProblem[] {
  return validateDiscoveryKubeConfigPath(f.kubeConfigPath, `${path}.kubeConfigPath`, ctx);
}

/** kubeadm's ValidateDiscovery. `path` is e.g. `JoinConfiguration.discovery`. */
export function validateDiscovery(d: Discovery, path: string, ctx: DiscoveryContext = {}): FieldProblem[] {
  const out: FieldProblem[] = [];
  if (!d.bootstrapToken && !d.file) out.push(invalid(path, '', 'bootstrapToken or file must be set'));
  if (d.bootstrapToken && d.file) out.push(invalid(path, '', 'bootstrapToken and file cannot both be set'));
  if (d.bootstrapToken) {
    out.push(...validateDiscoveryBootstrapToken(d.bootstrapToken, `${path}.bootstrapToken`));
    out.push(...validateToken(d.tlsBootstrapToken, `${path}.tlsBootstrapToken`));
  }
  if (d.file) {
    out.push(...validateDiscoveryFile(d.file, `${path}.file`, ctx));
    if (d.tlsBootstrapToken !== '')
      out.push(...validateToken(d.tlsBootstrapToken, `${path}.tlsBootstrapToken`));
  }
  return out;
}
