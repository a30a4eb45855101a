// The continue tokens of paged lists, in kube-apiserver's format: unpadded base64url of
// {"v":"meta.k8s.io/v1","rv":<revision>,"start":"<next key after the collection's prefix>"}.
// Decoding refuses what the real server refuses, with its messages; the caller turns the
// failure into a 400 "invalid continue token: ...".
import * as path from 'node:path';

const TOKEN_VERSION = 'meta.k8s.io/v1';
const NOT_VALID = 'continue key is not valid';

export class ContinueTokenError extends Error {}

/** A token that continues the list under `prefix` at `key` (the first key not yet returned). */
export function encodeContinue(key: string, prefix: string, revision: number): string {
  if (!key.startsWith(prefix)) throw new Error(`continue key ${key} is not under ${prefix}`);
  const json = JSON.stringify({ v: TOKEN_VERSION, rv: revision, start: key.slice(prefix.length) });
  return Buffer.from(json, 'utf8').toString('base64url');
}

/** Go's RawURLEncoding: the URL alphabet, no padding; the offset of the first bad byte. */
function decodeRawUrlBase64(text: string): Buffer {
  const bad = text.search(/[^A-Za-z0-9_-]/);
  if (bad >= 0) throw new ContinueTokenError(`${NOT_VALID}: illegal base64 data at input byte ${bad}`);
  if (text.length % 4 === 1)
    throw new ContinueTokenError(`${NOT_VALID}: illegal base64 data at input byte ${text.length - 1}`);
  return Buffer.from(text, 'base64url');
}

/** Go's path.Clean, for the absolute paths it is given here. */
function cleanPath(p: string): string {
  const cleaned = path.posix.normalize(p);
  return cleaned.length > 1 && cleaned.endsWith('/') ? cleaned.slice(0, -1) : cleaned;
}

/**
 * The key to start from and the revision to read at (negative: the latest). A start key that
 * climbs out of `prefix` ("../") is refused, so a token can never range outside its collection.
 */
export function decodeContinue(token: string, prefix: string): { from: string; revision: number } {
  const data = decodeRawUrlBase64(token).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    const first = data.trimStart()[0];
    throw new ContinueTokenError(
      first === undefined
        ? `${NOT_VALID}: unexpected end of JSON input`
        : `${NOT_VALID}: invalid character '${first}' looking for beginning of value`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new ContinueTokenError(`${NOT_VALID}: json: cannot unmarshal into Go value of type continueToken`);
  const { v, rv, start } = parsed as { v?: unknown; rv?: unknown; start?: unknown };
  if ((v !== undefined && typeof v !== 'string') || (start !== undefined && typeof start !== 'string'))
    throw new ContinueTokenError(`${NOT_VALID}: json: cannot unmarshal into Go struct field of type string`);
  if (rv !== undefined && !Number.isInteger(rv))
    throw new ContinueTokenError(`${NOT_VALID}: json: cannot unmarshal into Go struct field of type int64`);
  if (v !== TOKEN_VERSION)
    throw new ContinueTokenError(
      `${NOT_VALID}: server does not recognize this encoded version ${String(v ?? '')}`,
    );
  if (rv === undefined || rv === 0)
    throw new ContinueTokenError(
      `${NOT_VALID}: incorrect encoded start resourceVersion (version meta.k8s.io/v1)`,
    );
  if (start === undefined || start === '')
    throw new ContinueTokenError(`${NOT_VALID}: encoded start key empty (version meta.k8s.io/v1)`);
  const key = start.startsWith('/') ? start : `/${start}`;
  if (cleanPath(key) !== key) throw new ContinueTokenError(`${NOT_VALID}: ${start}`);
  return { from: prefix + key.slice(1), revision: rv as number };
}
