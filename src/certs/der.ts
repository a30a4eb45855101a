// ASN.1 DER, as much as X.509 certificates need: building values, and walking the tag-length-value
// tree of an encoding. Pure; certificate structure lives in certificate-der.ts.
import { KbadmError } from '../errors.js';

export const TAG = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  utf8String: 0x0c,
  printableString: 0x13,
  t61String: 0x14,
  ia5String: 0x16,
  utcTime: 0x17,
  generalizedTime: 0x18,
  universalString: 0x1c,
  bmpString: 0x1e,
  sequence: 0x30,
  set: 0x31,
} as const;

/** A context-specific tag: `[n]`, constructed for EXPLICIT tagging and for IMPLICIT constructed types. */
export const context = (n: number, constructed: boolean): number => (constructed ? 0xa0 : 0x80) | n;

/** How many bytes the length `n` takes: one below 128, else one plus its big-endian bytes. */
function lengthSize(n: number): number {
  let size = 1;
  if (n >= 0x80) for (let v = n; v > 0; v = Math.floor(v / 256)) size++;
  return size;
}

/** One value: a certificate is a few dozen of them, so each is built in one buffer, with no concat. */
export function tlv(tag: number, ...contents: Uint8Array[]): Buffer {
  let length = 0;
  for (const c of contents) length += c.length;
  const header = 1 + lengthSize(length);
  const out = Buffer.allocUnsafe(header + length);
  out[0] = tag;
  if (header === 2) out[1] = length;
  else {
    out[1] = 0x80 | (header - 2);
    for (let i = header - 1, v = length; i >= 2; i--, v = Math.floor(v / 256)) out[i] = v & 0xff;
  }
  let at = header;
  for (const c of contents) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

export const sequence = (...items: Uint8Array[]): Buffer => tlv(TAG.sequence, ...items);

/** SET OF: DER orders the elements by their encodings. */
export const setOf = (items: Uint8Array[]): Buffer =>
  tlv(TAG.set, ...[...items].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));

/** A non-negative INTEGER in its shortest two's-complement form. */
export function integer(value: bigint): Buffer {
  if (value < 0n) throw new KbadmError('DER: negative integers are not supported');
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let bytes = Buffer.from(hex, 'hex');
  if (bytes[0]! & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return tlv(TAG.integer, bytes);
}

export const boolean = (v: boolean): Buffer => tlv(TAG.boolean, Buffer.from([v ? 0xff : 0]));
export const nullValue = (): Buffer => tlv(TAG.null);
export const octetString = (bytes: Uint8Array): Buffer => tlv(TAG.octetString, bytes);

/** A BIT STRING of whole bytes (signatures, keys). */
export const bitString = (bytes: Uint8Array): Buffer => tlv(TAG.bitString, Buffer.from([0]), bytes);

/**
 * A named-bit BIT STRING (KeyUsage): bit i is the i-th bit from the most significant end; DER drops
 * trailing zero bits.
 */
export function namedBits(bits: readonly number[]): Buffer {
  const top = Math.max(-1, ...bits);
  if (top < 0) return tlv(TAG.bitString, Buffer.from([0]));
  const bytes = Buffer.alloc(Math.floor(top / 8) + 1);
  for (const b of bits) bytes[b >> 3]! |= 0x80 >> (b & 7);
  return tlv(TAG.bitString, Buffer.from([7 - (top & 7)]), bytes);
}

/** The few object identifiers a certificate names, each encoded once. */
const encodedOids = new Map<string, Buffer>();

/** An OBJECT IDENTIFIER (a copy: callers may keep or change it). */
export function oid(dotted: string): Buffer {
  let encoded = encodedOids.get(dotted);
  if (!encoded) encodedOids.set(dotted, (encoded = encodeOid(dotted)));
  return Buffer.from(encoded);
}

function encodeOid(dotted: string): Buffer {
  const parts = dotted.split('.').map((p) => BigInt(p));
  const [first = 0n, second = 0n, ...rest] = parts;
  const out: number[] = [];
  for (const arc of [first * 40n + second, ...rest]) {
    const chunk: number[] = [Number(arc & 0x7fn)];
    for (let v = arc >> 7n; v > 0n; v >>= 7n) chunk.unshift(Number(v & 0x7fn) | 0x80);
    out.push(...chunk);
  }
  return tlv(TAG.oid, Buffer.from(out));
}

/** X.509 Time: UTCTime for 1950-2049, GeneralizedTime otherwise, whole seconds in UTC. */
export function time(d: Date): Buffer {
  const iso = d.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const digits = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  const year = d.getUTCFullYear();
  return year >= 1950 && year < 2050
    ? tlv(TAG.utcTime, Buffer.from(digits.slice(2), 'latin1'))
    : tlv(TAG.generalizedTime, Buffer.from(digits, 'latin1'));
}

// ---------------------------------------------------------------------------------------------------
// Reading

export interface Node {
  tag: number;
  /** The whole encoding, header included. */
  raw: Buffer;
  /** The contents. */
  value: Buffer;
}

/** The value that starts at `offset`; DER only (definite lengths, one-byte tags). */
export function readNode(buf: Buffer, offset = 0): Node {
  const fail = (what: string) => new KbadmError(`malformed DER: ${what} at byte ${offset}`);
  if (offset + 2 > buf.length) throw fail('truncated header');
  const tag = buf[offset]!;
  if ((tag & 0x1f) === 0x1f) throw fail('multi-byte tag');
  let len = buf[offset + 1]!;
  let header = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw fail('unsupported length');
    if (offset + 2 + n > buf.length) throw fail('truncated length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[offset + 2 + i]!;
    header += n;
  }
  const end = offset + header + len;
  if (end > buf.length) throw fail('value runs past the end');
  return { tag, raw: buf.subarray(offset, end), value: buf.subarray(offset + header, end) };
}

/** The values inside a constructed value, in order. */
export function children(node: Node): Node[] {
  const out: Node[] = [];
  for (let at = 0; at < node.value.length;) {
    const child = readNode(node.value, at);
    out.push(child);
    at += child.raw.length;
  }
  return out;
}

export function expectTag(node: Node | undefined, tag: number, what: string): Node {
  if (!node || node.tag !== tag) throw new KbadmError(`malformed DER: expected ${what}`);
  return node;
}

export function readOid(node: Node): string {
  expectTag(node, TAG.oid, 'an object identifier');
  const arcs: bigint[] = [];
  let v = 0n;
  for (const byte of node.value) {
    v = (v << 7n) | BigInt(byte & 0x7f);
    if (!(byte & 0x80)) {
      arcs.push(v);
      v = 0n;
    }
  }
  const [first = 0n, ...rest] = arcs;
  const head = first < 80n ? [first / 40n, first % 40n] : [2n, first - 80n];
  return [...head, ...rest].join('.');
}

/** The text of any ASN.1 string type that X.509 names use. */
export function readString(node: Node): string {
  switch (node.tag) {
    case TAG.bmpString:
      return Buffer.from(node.value).swap16().toString('utf16le');
    case TAG.universalString: {
      let s = '';
      for (let i = 0; i + 4 <= node.value.length; i += 4)
        s += String.fromCodePoint(node.value.readUInt32BE(i));
      return s;
    }
    case TAG.printableString:
    case TAG.ia5String:
    case TAG.t61String:
      return node.value.toString('latin1');
    default:
      return node.value.toString('utf8');
  }
}

export function readTime(node: Node): Date {
  const s = node.value.toString('latin1');
  const m =
    node.tag === TAG.utcTime
      ? /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(s)
      : /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(s);
  if (!m || (node.tag !== TAG.utcTime && node.tag !== TAG.generalizedTime)) {
    throw new KbadmError(`malformed DER: bad time ${JSON.stringify(s)}`);
  }
  let year = Number(m[1]);
  if (node.tag === TAG.utcTime) year += year < 50 ? 2000 : 1900;
  return new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
}

/** A named-bit BIT STRING as the list of bits that are set. */
export function readNamedBits(node: Node): number[] {
  expectTag(node, TAG.bitString, 'a bit string');
  const bits: number[] = [];
  const bytes = node.value.subarray(1);
  bytes.forEach((byte, i) => {
    for (let b = 0; b < 8; b++) if (byte & (0x80 >> b)) bits.push(i * 8 + b);
  });
  return bits;
}
