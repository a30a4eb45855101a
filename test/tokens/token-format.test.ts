import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  BOOTSTRAP_TOKEN_RE,
  bootstrapTokenFormatError,
  generateBootstrapToken,
  isValidTokenID,
  parseBootstrapToken,
  randomTokenString,
} from '../../src/tokens/token-format.js';

describe('parseBootstrapToken', () => {
  it('splits id and secret', () => {
    assert.deepEqual(parseBootstrapToken('abcdef.0123456789abcdef'), {
      id: 'abcdef',
      secret: '0123456789abcdef',
    });
    assert.deepEqual(parseBootstrapToken('9a08jv.c0izixklcxtmnze7'), {
      id: '9a08jv',
      secret: 'c0izixklcxtmnze7',
    });
  });
  const bad = [
    '',
    'abcdef',
    'abcdef.',
    'ABCDEF.0123456789abcdef',
    'abcdef.0123456789ABCDEF',
    'abcde.0123456789abcdef',
    'abcdefg.0123456789abcdef',
    'abcdef.0123456789abcde',
    'abcdef.0123456789abcdefg',
    'abcdef:0123456789abcdef',
    'abcdef.0123456789abcdef\n',
    ' abcdef.0123456789abcdef',
    'abc_ef.0123456789abcdef',
  ];
  for (const s of bad)
    it(`rejects ${JSON.stringify(s)}`, () => assert.equal(parseBootstrapToken(s), undefined));
  it('formats the kubeadm parse error', () => {
    assert.equal(
      bootstrapTokenFormatError('x'),
      'the bootstrap token "x" was not of the form "\\A([a-z0-9]{6})\\.([a-z0-9]{16})\\z"',
    );
  });
});

describe('isValidTokenID', () => {
  const cases: [string, boolean][] = [
    ['abcdef', true],
    ['012345', true],
    ['abcde', false],
    ['abcdefg', false],
    ['Abcdef', false],
    ['abc-ef', false],
  ];
  for (const [s, want] of cases) it(`${s} → ${want}`, () => assert.equal(isValidTokenID(s), want));
});

describe('generateBootstrapToken', () => {
  it('produces valid, distinct tokens', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const t = generateBootstrapToken();
      assert.match(t, BOOTSTRAP_TOKEN_RE);
      seen.add(t);
    }
    assert.equal(seen.size, 200);
  });
  it('maps bytes mod 36 and discards bytes >= 252', () => {
    // 0→'0', 35→'z', 36→'0', 251→'z' (251 % 36 = 35), 252..255 skipped.
    const bytes = [252, 0, 255, 35, 36, 251, 253, 10];
    let pos = 0;
    const src = (n: number) => {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = bytes[pos++ % bytes.length]!;
      return out;
    };
    assert.equal(randomTokenString(6, src), '0z0za0'); // the second read restarts the cycle
  });
  it('uses the whole alphabet', () => {
    const chars = new Set(
      Array.from({ length: 100 }, () => generateBootstrapToken().replace('.', '')).join(''),
    );
    assert.equal(chars.size, 36);
  });
});
