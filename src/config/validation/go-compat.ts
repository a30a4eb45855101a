// The few Go standard-library behaviours whose error texts kubeadm's validation passes through
// verbatim: net/url.Parse, net.SplitHostPort, encoding/hex and strconv.Atoi. Only the parts that
// decide acceptance and the message are reproduced; nothing here builds a usable URL.

/** Go's strconv.Quote for the ASCII range (what `%q` prints); other characters pass through. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (c === 7) out += '\\a';
    else if (c === 8) out += '\\b';
    else if (c === 9) out += '\\t';
    else if (c === 10) out += '\\n';
    else if (c === 11) out += '\\v';
    else if (c === 12) out += '\\f';
    else if (c === 13) out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

export interface GoURL {
  /** Lower-cased, '' when absent. */
  scheme: string;
  /** Set for `scheme:rootless` forms such as `unix:foo.sock`. */
  opaque: string;
  host: string;
  path: string;
}

function isHex(c: string | undefined): boolean {
  return c !== undefined && /^[0-9a-fA-F]$/.test(c);
}

type Mode = 'host' | 'path' | 'userinfo' | 'fragment';

// Characters Go's shouldEscape lets through unescaped in a host (RFC 3986 sub-delims, unreserved
// and the few extras Go tolerates there).
const HOST_OK = /^[A-Za-z0-9!$&'()*+,;=:[\]<>"\-_.~]$/;

/** Go's url.unescape, reporting only its error (EscapeError / InvalidHostError). */
function unescapeError(s: string, mode: Mode): string | undefined {
  for (let i = 0; i < s.length;) {
    const c = s[i]!;
    if (c === '%') {
      if (i + 2 >= s.length || !isHex(s[i + 1]) || !isHex(s[i + 2])) {
        return `invalid URL escape ${goQuote(s.slice(i, i + 3))}`;
      }
      // In a host only %25 (a zone separator) or escapes of bytes ≥ 0x80 are allowed.
      if (mode === 'host' && parseInt(s[i + 1]!, 16) < 8 && s.slice(i, i + 3) !== '%25') {
        return `invalid URL escape ${goQuote(s.slice(i, i + 3))}`;
      }
      i += 3;
      continue;
    }
    if (mode === 'host' && c.charCodeAt(0) < 0x80 && !HOST_OK.test(c)) {
      return `invalid character ${goQuote(c)} in host name`;
    }
    i++;
  }
  return undefined;
}

function validOptionalPort(p: string): boolean {
  return p === '' || /^:[0-9]*$/.test(p);
}

function parseHostError(host: string): string | undefined {
  if (host.startsWith('[')) {
    const i = host.lastIndexOf(']');
    if (i < 0) return "missing ']' in host";
    const colonPort = host.slice(i + 1);
    if (!validOptionalPort(colonPort)) return `invalid port ${goQuote(colonPort)} after host`;
  } else {
    const i = host.lastIndexOf(':');
    if (i !== -1) {
      const colonPort = host.slice(i);
      if (!validOptionalPort(colonPort)) return `invalid port ${goQuote(colonPort)} after host`;
    }
  }
  return unescapeError(host, 'host');
}

const USERINFO_OK = /^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/;

function parseOnly(raw: string): GoURL | { error: string } {
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(raw)) return { error: 'net/url: invalid control character in URL' };
  const url: GoURL = { scheme: '', opaque: '', host: '', path: '' };
  if (raw === '*') return { ...url, path: '*' };
  let rest = raw;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (/[A-Za-z]/.test(c)) continue;
    if (/[0-9+\-.]/.test(c)) {
      if (i === 0) break;
      continue;
    }
    if (c === ':') {
      if (i === 0) return { error: 'missing protocol scheme' };
      url.scheme = raw.slice(0, i).toLowerCase();
      rest = raw.slice(i + 1);
    }
    break;
  }
  if (rest.endsWith('?') && rest.indexOf('?') === rest.length - 1) rest = rest.slice(0, -1);
  else {
    const q = rest.indexOf('?');
    if (q !== -1) rest = rest.slice(0, q);
  }
  if (!rest.startsWith('/')) {
    if (url.scheme !== '') return { ...url, opaque: rest };
    const slash = rest.indexOf('/');
    const segment = slash === -1 ? rest : rest.slice(0, slash);
    if (segment.includes(':')) return { error: 'first path segment in URL cannot contain colon' };
  }
  if ((url.scheme !== '' || !rest.startsWith('///')) && rest.startsWith('//')) {
    let authority = rest.slice(2);
    rest = '';
    const slash = authority.indexOf('/');
    if (slash >= 0) {
      rest = authority.slice(slash);
      authority = authority.slice(0, slash);
    }
    const at = authority.lastIndexOf('@');
    const host = at < 0 ? authority : authority.slice(at + 1);
    const hostErr = parseHostError(host);
    if (hostErr) return { error: hostErr };
    if (at >= 0) {
      const userinfo = authority.slice(0, at);
      if (!USERINFO_OK.test(userinfo)) return { error: 'net/url: invalid userinfo' };
      const uErr = unescapeError(userinfo, 'userinfo');
      if (uErr) return { error: uErr };
    }
    url.host = host;
  }
  const pErr = unescapeError(rest, 'path');
  if (pErr) return { error: pErr };
  url.path = rest;
  return url;
}

/**
 * Go's url.Parse: the parsed pieces, or the error text exactly as Go prints it
 * (`parse "<url>": <reason>`).
 */
export function goParseURL(raw: string): GoURL | { error: string } {
  const hash = raw.indexOf('#');
  const u = hash === -1 ? raw : raw.slice(0, hash);
  const r = parseOnly(u);
  if ('error' in r) return { error: `parse ${goQuote(u)}: ${r.error}` };
  if (hash !== -1) {
    const fErr = unescapeError(raw.slice(hash + 1), 'fragment');
    if (fErr) return { error: `parse ${goQuote(raw)}: ${fErr}` };
  }
  return r;
}

/** Go's net.SplitHostPort error text for `s`, or undefined when Go accepts it. */
export function goSplitHostPortError(s: string): string | undefined {
  const addrErr = (why: string) => (s === '' ? why : `address ${s}: ${why}`);
  const missingPort = 'missing port in address';
  const tooManyColons = 'too many colons in address';
  const i = s.lastIndexOf(':');
  if (i < 0) return addrErr(missingPort);
  let j = 0;
  let k = 0;
  if (s.startsWith('[')) {
    const end = s.indexOf(']');
    if (end < 0) return addrErr("missing ']' in address");
    if (end + 1 === s.length) return addrErr(missingPort);
    if (end + 1 !== i) return addrErr(s[end + 1] === ':' ? tooManyColons : missingPort);
    j = 1;
    k = end + 1;
  } else if (s.slice(0, i).includes(':')) {
    return addrErr(tooManyColons);
  }
  if (s.slice(j).includes('[')) return addrErr("unexpected '[' in address");
  if (s.slice(k).includes(']')) return addrErr("unexpected ']' in address");
  return undefined;
}

/** Go's `%#U` for one byte value, as encoding/hex prints an invalid byte. */
function goRuneText(b: number): string {
  const u = `U+${b.toString(16).toUpperCase().padStart(4, '0')}`;
  const printable = (b >= 0x20 && b < 0x7f) || b >= 0xa1 ? String.fromCharCode(b) : undefined;
  return printable === undefined || b === 0xad ? u : `${u} '${printable}'`;
}

/** Go's hex.DecodeString over the UTF-8 bytes of `s`: the decoded length, or its error text. */
export function goHexDecode(s: string): { bytes: number } | { error: string } {
  const src = Buffer.from(s, 'utf8');
  const bad = (b: number) =>
    !((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66));
  let j = 1;
  for (; j < src.length; j += 2) {
    if (bad(src[j - 1]!)) return { error: `encoding/hex: invalid byte: ${goRuneText(src[j - 1]!)}` };
    if (bad(src[j]!)) return { error: `encoding/hex: invalid byte: ${goRuneText(src[j]!)}` };
  }
  if (src.length % 2 === 1) {
    if (bad(src[j - 1]!)) return { error: `encoding/hex: invalid byte: ${goRuneText(src[j - 1]!)}` };
    return { error: 'encoding/hex: odd length hex string' };
  }
  return { bytes: src.length / 2 };
}

/** Go's strconv.Atoi: a 64-bit integer, or the error text. */
export function goAtoi(s: string): { value: number } | { error: string } {
  const m = /^([+-]?)([0-9]+)$/.exec(s);
  if (!m) return { error: `strconv.Atoi: parsing ${goQuote(s)}: invalid syntax` };
  const v = BigInt(`${m[1]}${m[2]}`);
  if (v > (1n << 63n) - 1n || v < -(1n << 63n)) {
    return { error: `strconv.Atoi: parsing ${goQuote(s)}: value out of range` };
  }
  return { value: Number(v) };
}
