// The protocol buffers wire format, as far as the CRI messages need it: varints (32- and 64-bit,
// bool, enum), length-delimited fields (strings, bytes, nested messages, map entries) and skipping
// whatever a newer runtime sends that kbadm does not know. Written by hand so that a CRI call
// loads no protobuf library.

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_FIXED32 = 5;

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8');

export class Writer {
  private buf = new Uint8Array(64);
  private len = 0;

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  private byte(b: number): void {
    this.reserve(1);
    this.buf[this.len++] = b;
  }

  tag(fieldNo: number, wireType: number): this {
    return this.varint32((fieldNo << 3) | wireType);
  }

  /** An unsigned 32-bit value, or a negative int32 (sign-extended to ten bytes, as protobuf does). */
  varint32(value: number): this {
    if (value < 0) return this.varint64(BigInt(value));
    let v = value >>> 0;
    while (v > 0x7f) {
      this.byte((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    this.byte(v);
    return this;
  }

  /** A 64-bit value; negative int64s travel as their two's complement. */
  varint64(value: bigint): this {
    let v = BigInt.asUintN(64, value);
    while (v > 0x7fn) {
      this.byte(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.byte(Number(v));
    return this;
  }

  bytes(data: Uint8Array): this {
    this.varint32(data.length);
    this.reserve(data.length);
    this.buf.set(data, this.len);
    this.len += data.length;
    return this;
  }

  string(text: string): this {
    return this.bytes(utf8.encode(text));
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

export class WireError extends Error {}

export class Reader {
  pos = 0;
  constructor(private readonly buf: Uint8Array) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  private next(): number {
    if (this.pos >= this.buf.length) throw new WireError('truncated message');
    return this.buf[this.pos++]!;
  }

  varint64(): bigint {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      const b = this.next();
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return BigInt.asUintN(64, result);
    }
    throw new WireError('varint longer than ten bytes');
  }

  /** The low 32 bits of a varint, as an unsigned number. */
  uint32(): number {
    return Number(this.varint64() & 0xffffffffn);
  }

  int32(): number {
    return Number(BigInt.asIntN(32, this.varint64()));
  }

  int64(): bigint {
    return BigInt.asIntN(64, this.varint64());
  }

  uint64(): bigint {
    return this.varint64();
  }

  bytes(): Uint8Array {
    const n = this.uint32();
    if (this.pos + n > this.buf.length) throw new WireError('truncated length-delimited field');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  string(): string {
    return utf8Decoder.decode(this.bytes());
  }

  /** Field number and wire type of the next field. */
  tag(): { fieldNo: number; wireType: number } {
    const t = this.uint32();
    return { fieldNo: t >>> 3, wireType: t & 7 };
  }

  /** Steps over a field this codec does not know. */
  skip(wireType: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.varint64();
        return;
      case WIRE_FIXED64:
        this.advance(8);
        return;
      case WIRE_LEN:
        this.bytes();
        return;
      case WIRE_FIXED32:
        this.advance(4);
        return;
      default:
        throw new WireError(`unsupported wire type ${wireType}`);
    }
  }

  private advance(n: number): void {
    if (this.pos + n > this.buf.length) throw new WireError('truncated fixed-width field');
    this.pos += n;
  }
}
