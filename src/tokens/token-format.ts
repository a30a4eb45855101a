// Bootstrap token text format (`<6-char id>.<16-char secret>`, [a-z0-9]) and generation, as in
// k8s.io/cluster-bootstrap, which the API server's token authenticator also enforces.

import { randomBytes } from 'node:crypto';

export const BOOTSTRAP_TOKEN_RE = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
export const BOOTSTRAP_TOKEN_ID_RE = /^[a-z0-9]{6}$/;
/** The pattern as kubeadm prints it in its parse error. */
export const BOOTSTRAP_TOKEN_PATTERN = '\\A([a-z0-9]{6})\\.([a-z0-9]{16})\\z';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

export function parseBootstrapToken(s: string): { id: string; secret: string } | undefined {
  const m = BOOTSTRAP_TOKEN_RE.exec(s);
  return m ? { id: m[1]!, secret: m[2]! } : undefined;
}

/** kubeadm's error for a malformed token string. */
export function bootstrapTokenFormatError(s: string): string {
  return `the bootstrap token "${s}" was not of the form "${BOOTSTRAP_TOKEN_PATTERN}"`;
}

export function isValidTokenID(s: string): boolean {
  return BOOTSTRAP_TOKEN_ID_RE.test(s);
}

/** `n` characters from [a-z0-9]; bytes ≥ 252 are discarded so that `byte % 36` stays uniform. */
export function randomTokenString(n: number, random: (size: number) => Uint8Array = randomBytes): string {
  let out = '';
  while (out.length < n) {
    for (const b of random(n)) {
      if (b >= 252) continue;
      out += ALPHABET[b % 36];
      if (out.length === n) break;
    }
  }
  return out;
}

export function generateBootstrapToken(random?: (size: number) => Uint8Array): string {
  return `${randomTokenString(6, random)}.${randomTokenString(16, random)}`;
}
