// The detached JWS that signs the cluster-info kubeconfig for one bootstrap token: HS256 keyed with the
// token secret, `kid` = the token ID, payload left out of the serialization. kube-controller-manager's
// bootstrap signer writes these; `kbadm join` recomputes one to trust what the API server sent.
import { createHmac, timingSafeEqual } from 'node:crypto';

const b64url = (data: string | Buffer): string => Buffer.from(data).toString('base64url');

/**
 * The protected header exactly as the Go signer marshals it: `{"alg":"HS256","kid":"<id>"}`, no
 * spaces, and `<`, `>`, `&` escaped as encoding/json does, so that any ID gives the same bytes.
 */
function protectedHeader(tokenID: string): string {
  return JSON.stringify({ alg: 'HS256', kid: tokenID }).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** `b64url(header)..b64url(HMAC-SHA256(secret, b64url(header).b64url(content)))`. */
export function computeDetachedSignature(content: string, tokenID: string, tokenSecret: string): string {
  const header = b64url(protectedHeader(tokenID));
  const signingInput = `${header}.${b64url(content)}`;
  const signature = createHmac('sha256', Buffer.from(tokenSecret, 'utf8')).update(signingInput).digest();
  return `${header}..${b64url(signature)}`;
}

/** Whether `signature` is the detached JWS of `content` for this token (compared in constant time). */
export function detachedSignatureIsValid(
  content: string,
  tokenID: string,
  tokenSecret: string,
  signature: string,
): boolean {
  const want = Buffer.from(computeDetachedSignature(content, tokenID, tokenSecret), 'utf8');
  const got = Buffer.from(signature, 'utf8');
  return want.length === got.length && timingSafeEqual(want, got);
}
