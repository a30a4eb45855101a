import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  goAtoi,
  goHexDecode,
  goParseURL,
  goQuote,
  goSplitHostPortError,
} from '../../../src/config/validation/go-compat.js';

describe('goQuote', () => {
  it('quotes like strconv.Quote for ASCII', () => {
    assert.equal(goQuote('a"b\\c'), '"a\\"b\\\\c"');
    assert.equal(goQuote('\t\n\x01\x7f'), '"\\t\\n\\x01\\x7f"');
    assert.equal(goQuote('µs'), '"µs"');
  });
});

describe('goParseURL', () => {
  const ok: [string, string, string][] = [
    ['https://10.0.0.1:2379', 'https', '10.0.0.1:2379'],
    ['HTTP://etcd:2379/x', 'http', 'etcd:2379'],
    ['unix:///var/run/containerd/containerd.sock', 'unix', ''],
    ['/var/run/x.sock', '', ''],
    ['', '', ''],
    ['https://[fd00::1]:2379', 'https', '[fd00::1]:2379'],
    ['https://user:pa%20ss@host:1/p?q#frag', 'https', 'host:1'],
  ];
  for (const [s, scheme, host] of ok) {
    it(`parses ${JSON.stringify(s)}`, () => {
      const u = goParseURL(s);
      assert.ok(!('error' in u), JSON.stringify(u));
      assert.equal(u.scheme, scheme);
      assert.equal(u.host, host);
    });
  }
  it('treats scheme:rootless as opaque', () => {
    assert.deepEqual(goParseURL('unix:x.sock'), { scheme: 'unix', opaque: 'x.sock', host: '', path: '' });
  });
  const bad: [string, string][] = [
    [':foo', 'parse ":foo": missing protocol scheme'],
    ['10.0.0.1:2379', 'parse "10.0.0.1:2379": first path segment in URL cannot contain colon'],
    ['https://host:port', 'parse "https://host:port": invalid port ":port" after host'],
    ['https://[fd00::1', `parse "https://[fd00::1": missing ']' in host`],
    ['https://ho st/', 'parse "https://ho st/": invalid character " " in host name'],
    ['https://host/%zz', 'parse "https://host/%zz": invalid URL escape "%zz"'],
    ['https://host/%4', 'parse "https://host/%4": invalid URL escape "%4"'],
    ['https://ho%41st/', 'parse "https://ho%41st/": invalid URL escape "%41"'],
    ['https://a b@host/', 'parse "https://a b@host/": net/url: invalid userinfo'],
    ['https://host/\n', 'parse "https://host/\\n": net/url: invalid control character in URL'],
    ['https://host/#%zz', 'parse "https://host/#%zz": invalid URL escape "%zz"'],
  ];
  for (const [s, error] of bad) {
    it(`rejects ${JSON.stringify(s)}`, () => assert.deepEqual(goParseURL(s), { error }));
  }
});

describe('goSplitHostPortError', () => {
  for (const s of ['h:1', '[::1]:1', ':80', 'h:'])
    it(`accepts ${s}`, () => assert.equal(goSplitHostPortError(s), undefined));
  const bad: [string, string][] = [
    ['h', 'address h: missing port in address'],
    ['a:b:c', 'address a:b:c: too many colons in address'],
    ['[::1]', 'address [::1]: missing port in address'],
    ['[::1]:1:2', 'address [::1]:1:2: too many colons in address'],
    ['[::1]x:1', 'address [::1]x:1: missing port in address'],
    ['[::1', "address [::1: missing ']' in address"],
    ['h[:1', "address h[:1: unexpected '[' in address"],
    ['h]:1', "address h]:1: unexpected ']' in address"],
  ];
  for (const [s, e] of bad) it(`rejects ${s}`, () => assert.equal(goSplitHostPortError(s), e));
});

describe('goHexDecode', () => {
  it('decodes lengths', () => {
    assert.deepEqual(goHexDecode('00ff'), { bytes: 2 });
    assert.deepEqual(goHexDecode(''), { bytes: 0 });
  });
  it('reports the first bad byte before an odd length', () => {
    assert.deepEqual(goHexDecode('0g1'), { error: "encoding/hex: invalid byte: U+0067 'g'" });
    assert.deepEqual(goHexDecode('001'), { error: 'encoding/hex: odd length hex string' });
    assert.deepEqual(goHexDecode('00x'), { error: "encoding/hex: invalid byte: U+0078 'x'" });
    assert.deepEqual(goHexDecode('0\x07'), { error: 'encoding/hex: invalid byte: U+0007' });
    assert.deepEqual(goHexDecode('é0'), { error: "encoding/hex: invalid byte: U+00C3 'Ã'" });
  });
});

describe('goAtoi', () => {
  it('parses signed decimals', () => {
    assert.deepEqual(goAtoi('24'), { value: 24 });
    assert.deepEqual(goAtoi('+24'), { value: 24 });
    assert.deepEqual(goAtoi('-1'), { value: -1 });
  });
  it('rejects other text', () => {
    assert.deepEqual(goAtoi('2x'), { error: 'strconv.Atoi: parsing "2x": invalid syntax' });
    assert.deepEqual(goAtoi(' 24'), { error: 'strconv.Atoi: parsing " 24": invalid syntax' });
    assert.deepEqual(goAtoi('99999999999999999999'), {
      error: 'strconv.Atoi: parsing "99999999999999999999": value out of range',
    });
  });
});
