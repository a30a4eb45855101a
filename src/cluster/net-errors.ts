// A failed HTTP(S) exchange as one line in the words Go's net/http and client-go use, e.g.
// `Get "https://10.0.0.1:6443/livez": dial tcp 10.0.0.1:6443: connect: connection refused`, so
// messages read like kubeadm's and always name the URL that was tried.

interface NetError {
  code?: string;
  name?: string;
  type?: string;
  message?: string;
  cause?: unknown;
}

/** `GET` becomes `Get`, as Go's url.Error prints the method. */
const goMethod = (method: string): string => method.charAt(0).toUpperCase() + method.slice(1).toLowerCase();

function hostPort(url: URL): string {
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return `${url.hostname}:${port}`;
}

/** The error's system or TLS code, looking through wrappers such as node-fetch's FetchError. */
function codeOf(err: unknown): string | undefined {
  for (let e = err as NetError | undefined; e !== undefined && e !== null; e = e.cause as NetError) {
    if (typeof e.code === 'string') return e.code;
    if (typeof e.cause !== 'object') break;
  }
  return undefined;
}

function isTimeout(err: unknown): boolean {
  const e = err as NetError;
  return e?.name === 'AbortError' || e?.name === 'TimeoutError' || e?.type === 'aborted';
}

const UNKNOWN_AUTHORITY = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
]);

/** Why the exchange failed, after the URL: `dial tcp 127.0.0.1:6443: connect: connection refused`. */
export function describeNetworkFailure(url: URL, err: unknown): string {
  if (isTimeout(err)) return 'context deadline exceeded (Client.Timeout exceeded while awaiting headers)';
  const code = codeOf(err);
  const hp = hostPort(url);
  switch (code) {
    case 'ECONNREFUSED':
      return `dial tcp ${hp}: connect: connection refused`;
    case 'EHOSTUNREACH':
      return `dial tcp ${hp}: connect: no route to host`;
    case 'ENETUNREACH':
      return `dial tcp ${hp}: connect: network is unreachable`;
    case 'ETIMEDOUT':
      return `dial tcp ${hp}: i/o timeout`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `dial tcp: lookup ${url.hostname}: no such host`;
    case 'ECONNRESET':
      return `read tcp ${hp}: read: connection reset by peer`;
    case 'CERT_HAS_EXPIRED':
    case 'CERT_NOT_YET_VALID':
      return 'tls: failed to verify certificate: x509: certificate has expired or is not yet valid';
  }
  if (code !== undefined && UNKNOWN_AUTHORITY.has(code))
    return 'tls: failed to verify certificate: x509: certificate signed by unknown authority';
  // node-fetch wraps the system error as "request to <url> failed, reason: <why>": keep the why.
  const message = String((err as NetError)?.message ?? err);
  return message.replace(/^request to \S+ failed, reason: /, '');
}

/** The whole line: `Get "<url>": <why>`. */
export function networkFailureMessage(method: string, url: URL | string, err: unknown): string {
  const u = typeof url === 'string' ? new URL(url) : url;
  return `${goMethod(method)} "${u.toString()}": ${describeNetworkFailure(u, err)}`;
}
