// Who a request comes from, decided as kube-apiserver does: a verified client certificate (user
// from CN, groups from O), a bootstrap token checked against its Secret in kube-system (type,
// secret, expiry, usage), or, with neither, the anonymous user when anonymous auth is on.
import { timingSafeEqual, X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { UserInfo } from './rbac.js';

export type Authentication = { ok: true; user: UserInfo } | { ok: false; reason: string };

export interface TokenSecret {
  type?: string;
  data?: Record<string, string>;
  metadata?: { deletionTimestamp?: string };
}

export interface AuthnOptions {
  bootstrapTokenAuth: boolean;
  anonymousAuth: boolean;
  /** Reads kube-system/<name>; undefined when it does not exist. */
  secret(name: string): Promise<TokenSecret | undefined>;
  now?: () => Date;
}

const TOKEN_RE = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
const fromB64 = (v: string | undefined) =>
  v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8');

function subjectParts(cert: X509Certificate, key: string): string[] {
  return cert.subject
    .split('\n')
    .filter((line) => line.startsWith(`${key}=`))
    .map((line) => line.slice(key.length + 1));
}

async function bootstrapToken(token: string, o: AuthnOptions): Promise<Authentication | undefined> {
  const m = TOKEN_RE.exec(token);
  if (!m) return undefined;
  const [, id, secret] = m;
  const s = await o.secret(`bootstrap-token-${id}`);
  const fail: Authentication = { ok: false, reason: 'invalid bearer token' };
  if (s === undefined || s.type !== 'bootstrap.kubernetes.io/token' || s.metadata?.deletionTimestamp)
    return fail;
  const d = s.data ?? {};
  if (fromB64(d['token-id']) !== id) return fail;
  const stored = Buffer.from(fromB64(d['token-secret']) ?? '');
  const given = Buffer.from(secret!);
  if (stored.length !== given.length || !timingSafeEqual(stored, given)) return fail;
  if (fromB64(d['usage-bootstrap-authentication']) !== 'true') return fail;
  const expiration = fromB64(d['expiration']);
  if (expiration !== undefined && new Date(expiration).getTime() <= (o.now?.() ?? new Date()).getTime())
    return fail;
  const extra = (fromB64(d['auth-extra-groups']) ?? '').split(',').filter((g) => g !== '');
  for (const g of extra) if (!/^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$/.test(g)) return fail;
  return {
    ok: true,
    user: {
      name: `system:bootstrap:${id}`,
      groups: [...extra, 'system:bootstrappers', 'system:authenticated'],
    },
  };
}

export async function authenticate(
  socket: TLSSocket,
  authorization: string | undefined,
  o: AuthnOptions,
): Promise<Authentication> {
  const peer = socket.getPeerX509Certificate?.();
  if (peer !== undefined) {
    if (!socket.authorized) return { ok: false, reason: `x509: ${String(socket.authorizationError)}` };
    const cn = subjectParts(peer, 'CN')[0];
    if (cn === undefined || cn === '')
      return { ok: false, reason: 'x509: subject with cn=nil is not allowed' };
    return { ok: true, user: { name: cn, groups: [...subjectParts(peer, 'O'), 'system:authenticated'] } };
  }
  if (authorization !== undefined) {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!m) return { ok: false, reason: 'invalid authorization header' };
    const result = o.bootstrapTokenAuth ? await bootstrapToken(m[1]!, o) : undefined;
    return result ?? { ok: false, reason: 'invalid bearer token' };
  }
  if (o.anonymousAuth)
    return { ok: true, user: { name: 'system:anonymous', groups: ['system:unauthenticated'] } };
  return { ok: false, reason: 'anonymous access is disabled' };
}
