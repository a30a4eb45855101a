// Message codecs from a field table: `message('PodSandbox', { id: [1, 'string'], ... })` gives an
// encoder and a decoder whose TypeScript types follow from the table. Proto3 rules: fields at their
// default value are not sent, absent fields decode to their default (nested messages to undefined),
// unknown fields are skipped, maps are string to string.
import { Reader, WIRE_LEN, WIRE_VARINT, WireError, Writer } from './wire.js';

export type ScalarType = 'string' | 'bool' | 'int32' | 'uint32' | 'enum' | 'int64' | 'uint64' | 'bytes';
/** `map` is map<string, string>, the only map type the CRI messages kbadm uses have. */
export type FieldType = ScalarType | 'map' | AnyCodec;
export type FieldSpec =
  | readonly [fieldNo: number, type: FieldType]
  | readonly [fieldNo: number, type: FieldType, label: 'repeated'];
export type Fields = Readonly<Record<string, FieldSpec>>;

export interface MessageCodec<Decoded, Input> {
  readonly name: string;
  readonly fields: Fields;
  encode(value: Input): Uint8Array;
  decode(data: Uint8Array): Decoded;
}
// A table refers to codecs of other messages whatever their types.
type AnyCodec = MessageCodec<any, any>;

type ScalarValue<T> = T extends 'string'
  ? string
  : T extends 'bool'
    ? boolean
    : T extends 'int32' | 'uint32' | 'enum'
      ? number
      : T extends 'int64' | 'uint64'
        ? bigint
        : T extends 'bytes'
          ? Uint8Array
          : T extends 'map'
            ? Record<string, string>
            : never;

type DecodedField<S> = S extends readonly [number, infer T, 'repeated']
  ? (T extends MessageCodec<infer M, unknown> ? M : ScalarValue<T>)[]
  : S extends readonly [number, infer T]
    ? T extends MessageCodec<infer M, unknown>
      ? M | undefined
      : ScalarValue<T>
    : never;

type InputField<S> = S extends readonly [number, infer T, 'repeated']
  ? readonly (T extends MessageCodec<unknown, infer I> ? I : ScalarValue<T>)[]
  : S extends readonly [number, infer T]
    ? T extends MessageCodec<unknown, infer I>
      ? I
      : ScalarValue<T>
    : never;

export type DecodedOf<F extends Fields> = { -readonly [K in keyof F]: DecodedField<F[K]> };
/** What an encoder takes: every field optional; missing means the default. */
export type InputOf<F extends Fields> = { [K in keyof F]?: InputField<F[K]> };

/** The decoded value of a codec's message, e.g. `Decoded<typeof PodSandbox>`. */
export type Decoded<C> = C extends MessageCodec<infer D, unknown> ? D : never;
/** What a codec's encoder takes. */
export type Input<C> = C extends MessageCodec<unknown, infer I> ? I : never;

const isCodec = (t: FieldType): t is AnyCodec => typeof t === 'object';

function defaultValue(type: FieldType, repeated: boolean): unknown {
  if (repeated) return [];
  if (isCodec(type)) return undefined;
  switch (type) {
    case 'string':
      return '';
    case 'bool':
      return false;
    case 'int64':
    case 'uint64':
      return 0n;
    case 'bytes':
      return new Uint8Array(0);
    case 'map':
      return {};
    default:
      return 0;
  }
}

function isDefault(type: ScalarType, v: unknown): boolean {
  if (type === 'bytes') return (v as Uint8Array).length === 0;
  return v === '' || v === false || v === 0 || v === 0n;
}

const NUMERIC = new Set<FieldType>(['bool', 'int32', 'uint32', 'enum', 'int64', 'uint64']);

function writeVarint(w: Writer, type: ScalarType, v: unknown): void {
  switch (type) {
    case 'bool':
      w.varint32(v ? 1 : 0);
      return;
    case 'int64':
    case 'uint64':
      w.varint64(BigInt(v as bigint | number));
      return;
    default:
      w.varint32(v as number);
  }
}

function writeScalar(w: Writer, fieldNo: number, type: ScalarType, v: unknown): void {
  if (type === 'string') w.tag(fieldNo, WIRE_LEN).string(v as string);
  else if (type === 'bytes') w.tag(fieldNo, WIRE_LEN).bytes(v as Uint8Array);
  else writeVarint(w.tag(fieldNo, WIRE_VARINT), type, v);
}

function encodeFields(fields: Fields, value: Record<string, unknown>): Uint8Array {
  const w = new Writer();
  for (const [name, [fieldNo, type, label]] of Object.entries(fields)) {
    const v = value[name];
    if (v === undefined || v === null) continue;
    if (type === 'map') {
      for (const [k, val] of Object.entries(v as Record<string, string>)) {
        const entry = new Writer();
        if (k !== '') entry.tag(1, WIRE_LEN).string(k);
        if (val !== '') entry.tag(2, WIRE_LEN).string(val);
        w.tag(fieldNo, WIRE_LEN).bytes(entry.finish());
      }
    } else if (label === 'repeated') {
      const items = v as readonly unknown[];
      if (isCodec(type)) for (const item of items) w.tag(fieldNo, WIRE_LEN).bytes(type.encode(item));
      else if (NUMERIC.has(type)) {
        // proto3 packs repeated numbers into one length-delimited field.
        if (items.length === 0) continue;
        const packed = new Writer();
        for (const item of items) writeVarint(packed, type, item);
        w.tag(fieldNo, WIRE_LEN).bytes(packed.finish());
      } else for (const item of items) writeScalar(w, fieldNo, type, item);
    } else if (isCodec(type)) {
      w.tag(fieldNo, WIRE_LEN).bytes(type.encode(v));
    } else if (!isDefault(type, v)) {
      writeScalar(w, fieldNo, type, v);
    }
  }
  return w.finish();
}

function readVarint(r: Reader, type: ScalarType): unknown {
  switch (type) {
    case 'bool':
      return r.varint64() !== 0n;
    case 'int32':
    case 'enum':
      return r.int32();
    case 'uint32':
      return r.uint32();
    case 'int64':
      return r.int64();
    case 'uint64':
      return r.uint64();
    default:
      throw new WireError(`${type} is not a varint type`);
  }
}

function readMapEntry(data: Uint8Array): [string, string] {
  const r = new Reader(data);
  let key = '';
  let value = '';
  while (!r.done) {
    const { fieldNo, wireType } = r.tag();
    if (fieldNo === 1 && wireType === WIRE_LEN) key = r.string();
    else if (fieldNo === 2 && wireType === WIRE_LEN) value = r.string();
    else r.skip(wireType);
  }
  return [key, value];
}

function decodeFields(name: string, fields: Fields, data: Uint8Array): Record<string, unknown> {
  const byNo = new Map<number, [string, FieldType, boolean]>();
  const out: Record<string, unknown> = {};
  for (const [field, [fieldNo, type, label]] of Object.entries(fields)) {
    byNo.set(fieldNo, [field, type, label === 'repeated']);
    out[field] = defaultValue(type, label === 'repeated');
  }
  const r = new Reader(data);
  while (!r.done) {
    const { fieldNo, wireType } = r.tag();
    const known = byNo.get(fieldNo);
    if (known === undefined) {
      r.skip(wireType);
      continue;
    }
    const [field, type, repeated] = known;
    const mismatch = (): WireError =>
      new WireError(
        `${name}.${field}: unexpected wire type ${wireType} for ${isCodec(type) ? type.name : type}`,
      );
    if (type === 'map') {
      if (wireType !== WIRE_LEN) throw mismatch();
      const [k, v] = readMapEntry(r.bytes());
      // defineProperty: a key such as `__proto__` is data, never the object's prototype.
      Object.defineProperty(out[field], k, {
        value: v,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else if (isCodec(type)) {
      if (wireType !== WIRE_LEN) throw mismatch();
      const item = type.decode(r.bytes());
      if (repeated) (out[field] as unknown[]).push(item);
      else out[field] = item;
    } else if (type === 'string' || type === 'bytes') {
      if (wireType !== WIRE_LEN) throw mismatch();
      const item = type === 'string' ? r.string() : r.bytes().slice();
      if (repeated) (out[field] as unknown[]).push(item);
      else out[field] = item;
    } else if (repeated && wireType === WIRE_LEN) {
      const packed = new Reader(r.bytes());
      while (!packed.done) (out[field] as unknown[]).push(readVarint(packed, type));
    } else {
      if (wireType !== WIRE_VARINT) throw mismatch();
      const item = readVarint(r, type);
      if (repeated) (out[field] as unknown[]).push(item);
      else out[field] = item;
    }
  }
  return out;
}

/** A codec for one message; the table maps field names (camelCase) to `[number, type, 'repeated'?]`. */
export function message<const F extends Fields>(
  name: string,
  fields: F,
): MessageCodec<DecodedOf<F>, InputOf<F>> {
  return {
    name,
    fields,
    encode: (value) => encodeFields(fields, value as Record<string, unknown>),
    decode: (data) => decodeFields(name, fields, data) as DecodedOf<F>,
  };
}
