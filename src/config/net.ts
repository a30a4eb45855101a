// IP addresses, CIDRs and host:port strings with Go's net package semantics, because kubeadm's
// validation (and therefore which configs are accepted) is defined by those functions.

import { isDNS1123Subdomain } from './names.js';

export interface IPAddr {
  family: 4 | 6;
  /** 4 bytes for IPv4 (IPv4-mapped IPv6 is unmapped, as Go's To4() sees it), 16 for IPv6. */
  bytes: Uint8Array;
}

export interface CIDR {
  /** The network address (host bits cleared), as Go's ParseCIDR returns it. */
  ip: IPAddr;
  prefix: number;
  /** The input as given, trimmed of nothing: kubeadm echoes it in messages. */
  text: string;
}

/** Parses dotted-quad IPv4; `sloppy` allows leading zeros (read as decimal), as k8s.io/utils ParseIPSloppy. */
function parseIPv4(s: string, sloppy: boolean): Uint8Array | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^[0-9]{1,3}$/.test(p)) return undefined;
    if (!sloppy && p.length > 1 && p[0] === '0') return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out[i] = n;
  }
  return out;
}

function parseIPv6(s: string, sloppy: boolean): Uint8Array | undefined {
  if (s.includes('%')) return undefined; // Go's ParseIP rejects zones
  const out = new Uint8Array(16);
  const dbl = s.indexOf('::');
  if (dbl !== -1 && s.indexOf('::', dbl + 1) !== -1) return undefined;
  const parseGroups = (part: string, allowV4Tail: boolean): number[] | undefined => {
    if (part === '') return [];
    const groups = part.split(':');
    const words: number[] = [];
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i]!;
      if (allowV4Tail && i === groups.length - 1 && g.includes('.')) {
        const v4 = parseIPv4(g, sloppy);
        if (!v4) return undefined;
        words.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      words.push(parseInt(g, 16));
    }
    return words;
  };
  let words: number[];
  if (dbl === -1) {
    const w = parseGroups(s, true);
    if (!w || w.length !== 8) return undefined;
    words = w;
  } else {
    const head = parseGroups(s.slice(0, dbl), false);
    const tail = parseGroups(s.slice(dbl + 2), true);
    if (!head || !tail) return undefined;
    // "::" must stand for at least one zero group.
    if (head.length + tail.length > 7) return undefined;
    words = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  }
  for (let i = 0; i < 8; i++) {
    out[i * 2] = words[i]! >> 8;
    out[i * 2 + 1] = words[i]! & 0xff;
  }
  return out;
}

function isV4Mapped(b: Uint8Array): boolean {
  if (b.length !== 16) return false;
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
}

function parseAny(s: string, sloppy: boolean): IPAddr | undefined {
  if (s.includes(':')) {
    const b = parseIPv6(s, sloppy);
    if (!b) return undefined;
    return isV4Mapped(b) ? { family: 4, bytes: b.slice(12) } : { family: 6, bytes: b };
  }
  const b = parseIPv4(s, sloppy);
  return b ? { family: 4, bytes: b } : undefined;
}

/** Go's net.ParseIP (≥1.17): leading zeros in IPv4 are rejected; IPv4-mapped IPv6 is IPv4. */
export function parseIP(s: string): IPAddr | undefined {
  return parseAny(s, false);
}

/** k8s.io/utils/net ParseIPSloppy, which kubeadm uses for advertiseAddress and certSANs. */
export function parseIPSloppy(s: string): IPAddr | undefined {
  return parseAny(s, true);
}

/** Canonical text: dotted quad, or RFC 5952 (lowercase, longest zero run of ≥2 groups as `::`). */
export function formatIP(ip: IPAddr): string {
  const b = ip.bytes;
  if (ip.family === 4) return Array.from(b.slice(b.length - 4)).join('.');
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push((b[i * 2]! << 8) | b[i * 2 + 1]!);
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (ws: number[]) => ws.map((w) => w.toString(16)).join(':');
  if (bestLen < 2) return hex(words);
  return `${hex(words.slice(0, bestStart))}::${hex(words.slice(bestStart + bestLen))}`;
}

function maskBytes(bytes: Uint8Array, prefix: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const bits = Math.max(0, Math.min(8, prefix - i * 8));
    out[i] = bytes[i]! & ((0xff << (8 - bits)) & 0xff);
  }
  return out;
}

function parseCIDRWith(s: string, sloppy: boolean): CIDR | undefined {
  const slash = s.indexOf('/');
  if (slash === -1) return undefined;
  const addr = s.slice(0, slash);
  const bitsText = s.slice(slash + 1);
  // Go's dtoi: decimal digits only (leading zeros tolerated), no sign.
  if (!/^[0-9]+$/.test(bitsText)) return undefined;
  let prefix = Number(bitsText);
  let ip: IPAddr | undefined;
  if (addr.includes(':')) {
    const b = parseIPv6(addr, sloppy);
    if (!b) return undefined;
    if (prefix > 128) return undefined;
    // An IPv4-mapped network with a prefix inside the IPv4 part is treated as that IPv4 network.
    if (isV4Mapped(b) && prefix >= 96) {
      ip = { family: 4, bytes: b.slice(12) };
      prefix -= 96;
    } else ip = { family: 6, bytes: b };
  } else {
    const b = parseIPv4(addr, sloppy);
    if (!b || prefix > 32) return undefined;
    ip = { family: 4, bytes: b };
  }
  return { ip: { family: ip.family, bytes: maskBytes(ip.bytes, prefix) }, prefix, text: s };
}

/** Go's net.ParseCIDR: host bits may be set in the input; the result holds the network address. */
export function parseCIDR(s: string): CIDR | undefined {
  return parseCIDRWith(s, false);
}

/** k8s.io/utils/net ParseCIDRSloppy (leading zeros in IPv4 allowed). */
export function parseCIDRSloppy(s: string): CIDR | undefined {
  return parseCIDRWith(s, true);
}

/** A comma-separated list as in `networking.podSubnet: 10.244.0.0/16,fd00:10:244::/56`; no spaces. */
export function parseCIDRList(s: string): CIDR[] | undefined {
  const out: CIDR[] = [];
  for (const part of s.split(',')) {
    const c = parseCIDR(part);
    if (!c) return undefined;
    out.push(c);
  }
  return out;
}

export function formatCIDR(c: CIDR): string {
  return `${formatIP(c.ip)}/${c.prefix}`;
}

export function hostBits(cidr: CIDR): number {
  return (cidr.ip.family === 4 ? 32 : 128) - cidr.prefix;
}

export function addressCount(cidr: CIDR): bigint {
  return 1n << BigInt(hostBits(cidr));
}

/**
 * k8s.io/utils/net RangeSize: the number of addresses, capped at 2^63-1 like the int64 it returns
 * (kubeadm compares it against its minimum sizes).
 */
export function rangeSize(cidr: CIDR): bigint {
  const bits = hostBits(cidr);
  return bits >= 63 ? (1n << 63n) - 1n : 1n << BigInt(bits);
}

function toBigInt(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

function fromBigInt(v: bigint, len: number): Uint8Array {
  const out = new Uint8Array(len);
  for (let i = len - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** The n-th address of the network (k8s.io/utils GetIndexedIP): 1st is the API VIP, 10th the DNS IP. */
export function nthIP(cidr: CIDR, n: number): IPAddr | undefined {
  if (!Number.isInteger(n) || n < 0) return undefined;
  if (BigInt(n) >= addressCount(cidr)) return undefined;
  const v = toBigInt(cidr.ip.bytes) + BigInt(n);
  return { family: cidr.ip.family, bytes: fromBigInt(v, cidr.ip.bytes.length) };
}

export function cidrContains(cidr: CIDR, ip: IPAddr): boolean {
  if (cidr.ip.family !== ip.family) return false;
  const masked = maskBytes(ip.bytes, cidr.prefix);
  return masked.every((v, i) => v === cidr.ip.bytes[i]);
}

/** k8s.io/utils IsDualStackCIDRs: at least one IPv4 and one IPv6 network. */
export function isDualStack(list: CIDR[]): boolean {
  return list.some((c) => c.ip.family === 4) && list.some((c) => c.ip.family === 6);
}

/** Go's net.SplitHostPort exactly: a port (any text, possibly empty) is required. */
function goSplitHostPort(s: string): { host: string; port: string } | undefined {
  const i = s.lastIndexOf(':');
  if (i === -1) return undefined;
  let host: string;
  if (s.startsWith('[')) {
    const end = s.indexOf(']');
    if (end === -1 || end + 1 !== i) return undefined;
    host = s.slice(1, end);
  } else {
    host = s.slice(0, i);
    if (host.includes(':')) return undefined;
  }
  if (host.includes('[') || host.includes(']') || s.slice(i + 1).includes(']')) return undefined;
  return { host, port: s.slice(i + 1) };
}

/**
 * kube-proxy's AppendPortIfNeeded: an IP without a port gets one (`[v6]:port` for IPv6); anything
 * that already splits into host and port, or is no IP, stays as it is (validation judges it).
 */
export function appendPortIfNeeded(addr: string, port: number): string {
  if (goSplitHostPort(addr)) return addr;
  const ip = parseIPSloppy(addr);
  if (!ip) return addr;
  return ip.family === 4 ? `${addr}:${port}` : `[${addr}]:${port}`;
}

/**
 * Go's net.SplitHostPort (incl. `[v6]:port`), relaxed to also accept a host without a port
 * (`name`, `10.0.0.1`, `[::1]`, bare `::1`). A port must be decimal 0-65535; `host:` means no port.
 */
export function splitHostPort(s: string): { host: string; port?: number } | undefined {
  if (s === '') return undefined;
  const split = goSplitHostPort(s);
  if (split) {
    if (split.port === '') return { host: split.host };
    if (!/^[0-9]{1,5}$/.test(split.port)) return undefined;
    const port = Number(split.port);
    return port <= 65535 ? { host: split.host, port } : undefined;
  }
  if (s.startsWith('[') && s.endsWith(']') && s.indexOf(']') === s.length - 1)
    return { host: s.slice(1, -1) };
  if (s.includes('[') || s.includes(']')) return undefined;
  if (!s.includes(':')) return { host: s };
  return parseIP(s) ? { host: s } : undefined;
}

/**
 * kubeadm's ParseHostPort (used for controlPlaneEndpoint): when Go's SplitHostPort fails the whole
 * string is the host; the port, if any, must be 1-65535; the host an IP (sloppy) or a DNS-1123
 * subdomain. Returns kubeadm's error text on failure.
 */
export function parseHostPort(s: string): { host: string; port?: number } | { error: string } {
  const split = goSplitHostPort(s);
  const host = split ? split.host : s;
  const portText = split ? split.port : '';
  let port: number | undefined;
  if (portText !== '') {
    port = /^[0-9]+$/.test(portText) ? Number(portText) : NaN;
    if (!(port >= 1 && port <= 65535)) {
      return {
        error: `hostport ${s}: port ${portText} must be a valid number between 1 and 65535, inclusive`,
      };
    }
  }
  if (parseIPSloppy(host) || isDNS1123Subdomain(host)) return port === undefined ? { host } : { host, port };
  return {
    error: `hostport ${s}: host '${host}' must be a valid IP address or a valid RFC-1123 DNS subdomain`,
  };
}

/** Go's net.JoinHostPort: brackets around hosts containing a colon. */
export function joinHostPort(host: string, port: number | string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
