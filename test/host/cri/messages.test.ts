// The hand-written codecs against runtime.v1.proto, read by protobufjs: the same messages with the
// same field numbers and types, and bytes that each side decodes to what the other encoded.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import protobuf from 'protobufjs';
import type { FieldType, MessageCodec } from '../../../src/host/cri/codec.js';
import * as messages from '../../../src/host/cri/messages.js';

const PROTO = fileURLToPath(new URL('../../../src/host/cri/runtime.v1.proto', import.meta.url));
const root = protobuf.loadSync(PROTO).resolveAll();
const pkg = root.lookup('runtime.v1') as protobuf.Namespace;

type Codec = MessageCodec<Record<string, unknown>, Record<string, unknown>>;
const codecs = Object.values(messages).filter(
  (v): v is Codec => typeof v === 'object' && v !== null && 'encode' in v,
);
const enums = Object.entries(messages).filter(([, v]) => typeof v === 'object' && !('encode' in v));
const protoTypes = pkg.nestedArray.filter((n): n is protobuf.Type => n instanceof protobuf.Type);
const protoEnums = pkg.nestedArray.filter((n): n is protobuf.Enum => n instanceof protobuf.Enum);

function typeName(t: FieldType): string {
  return typeof t === 'object' ? t.name : t;
}

/** A protobufjs field in the codec's vocabulary: `string`, `enum`, `map`, a message name... */
function protoFieldType(f: protobuf.Field): string {
  if (f.map)
    return (f as unknown as protobuf.MapField).keyType === 'string' && f.type === 'string' ? 'map' : 'map?';
  if (f.resolvedType instanceof protobuf.Enum) return 'enum';
  if (f.resolvedType instanceof protobuf.Type) return f.resolvedType.name;
  return f.type;
}

describe('runtime.v1.proto and the codecs', () => {
  test('every message of the .proto has a codec, and every codec a message', () => {
    assert.deepEqual(codecs.map((c) => c.name).sort(), protoTypes.map((t) => t.name).sort());
  });

  for (const codec of codecs) {
    test(`${codec.name}: same fields, numbers and types`, () => {
      const type = pkg.lookupType(codec.name);
      const ours = Object.entries(codec.fields).map(([name, [no, t, label]]) => ({
        name,
        no,
        type: typeName(t),
        repeated: label === 'repeated',
      }));
      const theirs = type.fieldsArray.map((f) => ({
        name: f.name,
        no: f.id,
        type: protoFieldType(f),
        repeated: f.repeated && !f.map,
      }));
      const byNo = (a: { no: number }, b: { no: number }) => a.no - b.no;
      assert.deepEqual(ours.sort(byNo), theirs.sort(byNo));
    });
  }

  test('the enums match the .proto', () => {
    const plain = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;
    assert.deepEqual(
      plain(Object.fromEntries(enums)),
      plain(Object.fromEntries(protoEnums.map((e) => [e.name, e.values]))),
    );
  });

  test('every method of both services takes and returns a message that has a codec', () => {
    const names = new Set(codecs.map((c) => c.name));
    const services = pkg.nestedArray.filter((n): n is protobuf.Service => n instanceof protobuf.Service);
    assert.deepEqual(services.map((s) => s.name).sort(), ['ImageService', 'RuntimeService']);
    for (const s of services) {
      for (const method of s.methodsArray) {
        assert.ok(names.has(method.requestType), `${s.name}.${method.name} request ${method.requestType}`);
        assert.ok(names.has(method.responseType), `${s.name}.${method.name} response ${method.responseType}`);
      }
    }
  });
});

// Random values for a codec's fields, at most three levels of nesting deep.
const text = fc.string({ unit: 'grapheme', maxLength: 12 });
function scalar(type: string): fc.Arbitrary<unknown> {
  switch (type) {
    case 'string':
      return text;
    case 'bool':
      return fc.boolean();
    case 'int32':
      return fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
    case 'uint32':
      return fc.integer({ min: 0, max: 2 ** 32 - 1 });
    case 'enum':
      return fc.integer({ min: 0, max: 3 });
    case 'int64':
      return fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
    case 'uint64':
      return fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
    case 'bytes':
      return fc.uint8Array({ maxLength: 8 });
    case 'map':
      return fc.dictionary(text, text, { maxKeys: 3 });
    default:
      throw new Error(type);
  }
}
function valueOf(codec: Codec, depth = 0): fc.Arbitrary<Record<string, unknown>> {
  const parts: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, [, type, label]] of Object.entries(codec.fields)) {
    const one =
      typeof type === 'object'
        ? depth < 3
          ? valueOf(type as Codec, depth + 1)
          : fc.constant({})
        : scalar(type);
    parts[name] = label === 'repeated' ? fc.array(one, { maxLength: 3 }) : one;
  }
  return fc.record(parts, { requiredKeys: [] });
}

/** One canonical, comparable form of a decoded message from either side. */
function canonical(codec: Codec, v: Record<string, unknown> | null | undefined): unknown {
  if (v === null || v === undefined) return null;
  const out: Record<string, unknown> = {};
  for (const [name, [, type, label]] of Object.entries(codec.fields)) {
    const one = (x: unknown): unknown => {
      if (typeof type === 'object') return canonical(type as Codec, x as Record<string, unknown>);
      if (type === 'int64' || type === 'uint64') return String(x ?? '0');
      if (type === 'bytes') return Buffer.from((x as Uint8Array | undefined) ?? []).toString('base64');
      if (type === 'map') return Object.fromEntries(Object.entries((x as object) ?? {}).sort());
      return x;
    };
    const raw = v[name];
    out[name] = label === 'repeated' ? ((raw as unknown[]) ?? []).map(one) : one(raw);
  }
  return out;
}

const toObjectOptions = {
  longs: String,
  enums: Number,
  bytes: String,
  defaults: true,
  arrays: true,
  objects: true,
};

describe('bytes on the wire', () => {
  for (const codec of codecs) {
    const type = pkg.lookupType(codec.name);
    test(`${codec.name}: protobufjs decodes what the codec encodes, and the other way round`, () => {
      fc.assert(
        fc.property(valueOf(codec), (value) => {
          const ours = codec.encode(value);
          const decodedByThem = type.toObject(type.decode(ours), toObjectOptions);
          const decodedByUs = codec.decode(ours);
          assert.deepEqual(canonical(codec, decodedByThem), canonical(codec, decodedByUs));

          const theirs = type
            .encode(type.fromObject(type.toObject(type.decode(ours), { longs: String, bytes: Array })))
            .finish();
          assert.deepEqual(canonical(codec, codec.decode(theirs)), canonical(codec, decodedByUs));
        }),
        { numRuns: 60 },
      );
    });
  }
});
