import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { message } from '../../../src/host/cri/codec.js';
import { PodSandbox, VersionResponse } from '../../../src/host/cri/messages.js';
import {
  Reader,
  WIRE_FIXED32,
  WIRE_FIXED64,
  WIRE_LEN,
  WireError,
  Writer,
} from '../../../src/host/cri/wire.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('wire format', () => {
  test('varints: 1 byte below 128, seven bits per byte above', () => {
    assert.equal(hex(new Writer().varint32(1).finish()), '01');
    assert.equal(hex(new Writer().varint32(300).finish()), 'ac02');
    assert.equal(hex(new Writer().varint32(2 ** 32 - 1).finish()), 'ffffffff0f');
  });

  test('a negative int32 takes ten bytes and reads back', () => {
    const bytes = new Writer().varint32(-1).finish();
    assert.equal(hex(bytes), 'ffffffffffffffffff01');
    assert.equal(new Reader(bytes).int32(), -1);
  });

  test('int64 and uint64 keep all 64 bits', () => {
    const min = -(2n ** 63n);
    assert.equal(new Reader(new Writer().varint64(min).finish()).int64(), min);
    const max = 2n ** 64n - 1n;
    assert.equal(new Reader(new Writer().varint64(max).finish()).uint64(), max);
  });

  test('strings are UTF-8 with a length prefix', () => {
    const bytes = new Writer().string('é').finish();
    assert.equal(hex(bytes), '02c3a9');
    assert.equal(new Reader(bytes).string(), 'é');
  });

  test('truncated input is an error, not a short value', () => {
    assert.throws(() => new Reader(Uint8Array.from([0x80])).varint64(), WireError);
    assert.throws(() => new Reader(Uint8Array.from([0x05, 0x61])).string(), WireError);
    assert.throws(() => new Reader(Uint8Array.from([0x01])).skip(WIRE_FIXED64), WireError);
  });

  test('groups (wire types 3 and 4) are refused', () => {
    assert.throws(() => new Reader(new Uint8Array()).skip(3), /unsupported wire type 3/);
  });
});

describe('message codecs', () => {
  const Sample = message('Sample', {
    name: [1, 'string'],
    count: [2, 'uint32'],
    flags: [3, 'int32', 'repeated'],
    labels: [4, 'map'],
    inner: [5, VersionResponse],
  });

  test('fields at their default value are not sent', () => {
    assert.equal(Sample.encode({ name: '', count: 0, flags: [], labels: {} }).length, 0);
  });

  test('absent fields decode to defaults, an absent message to undefined', () => {
    assert.deepEqual(Sample.decode(new Uint8Array()), {
      name: '',
      count: 0,
      flags: [],
      labels: {},
      inner: undefined,
    });
  });

  test('an empty nested message is still sent, so the receiver sees it set', () => {
    assert.deepEqual(Sample.decode(Sample.encode({ inner: {} })).inner, {
      version: '',
      runtimeName: '',
      runtimeVersion: '',
      runtimeApiVersion: '',
    });
  });

  test('repeated numbers are packed, and unpacked ones are read too', () => {
    assert.equal(hex(Sample.encode({ flags: [1, 2] })), '1a020102');
    const unpacked = new Writer().tag(3, 0).varint32(7).tag(3, 0).varint32(8).finish();
    assert.deepEqual(Sample.decode(unpacked).flags, [7, 8]);
  });

  test('fields a newer runtime adds are skipped, whatever their wire type', () => {
    const w = new Writer()
      .tag(1, WIRE_LEN)
      .string('a')
      .tag(90, 0)
      .varint64(123n)
      .tag(91, WIRE_LEN)
      .string('unknown');
    w.tag(92, WIRE_FIXED32);
    const fixed32 = Uint8Array.from([1, 2, 3, 4]);
    const bytes = Buffer.concat([w.finish(), fixed32, new Writer().tag(2, 0).varint32(5).finish()]);
    const decoded = Sample.decode(bytes);
    assert.equal(decoded.name, 'a');
    assert.equal(decoded.count, 5);
  });

  test('a known field with the wrong wire type is an error naming it', () => {
    const bytes = new Writer().tag(1, 0).varint32(1).finish();
    assert.throws(() => Sample.decode(bytes), /Sample\.name: unexpected wire type 0 for string/);
  });

  test('a map key such as __proto__ is data, not a prototype', () => {
    const decoded = PodSandbox.decode(PodSandbox.encode({ labels: JSON.parse('{"__proto__":"x"}') }));
    assert.equal(Object.getPrototypeOf(decoded.labels), Object.prototype);
    assert.deepEqual(Object.keys(decoded.labels), ['__proto__']);
  });
});
