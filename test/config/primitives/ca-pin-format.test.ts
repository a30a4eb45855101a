import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatCAPin, parseCAPin, parseCAPinOrError } from '../../../src/certs/ca-pin-format.js';

// The pubkeypin test vector from upstream (spec pki §7).
const HEX = '345959acb2c3b2feb87d281961c893f62a314207ef02599f1cc4a5fb255480b3';

describe('parseCAPin', () => {
  it('accepts sha256:<64 hex>, case-insensitively, storing lowercase', () => {
    assert.deepEqual(parseCAPin(`sha256:${HEX}`), { algorithm: 'sha256', hex: HEX });
    assert.deepEqual(parseCAPin(`sha256:${HEX}`.toUpperCase()), { algorithm: 'sha256', hex: HEX });
    assert.equal(formatCAPin(parseCAPin(`SHA256:${HEX}`)!), `sha256:${HEX}`);
  });
  const bad: [string, string][] = [
    ['xyz', 'invalid public key hash, expected "format:value"'],
    [`sha256:${HEX}:extra`, 'invalid public key hash, expected "format:value"'],
    [HEX, 'invalid public key hash, expected "format:value"'],
    [`md5:${HEX}`, 'unknown hash format "md5"'],
    [`sha512:${HEX}`, 'unknown hash format "sha512"'],
    ['sha256:0011223344', 'expected a 32 byte SHA-256 hash, found 5 bytes'],
    [`sha256:${HEX}${HEX}`, 'expected a 32 byte SHA-256 hash, found 64 bytes'],
    ['sha256:', 'expected a 32 byte SHA-256 hash, found 0 bytes'],
    [
      `sha256:${HEX.slice(0, 63)}g`,
      "could not decode SHA-256 from hex: encoding/hex: invalid byte: U+0067 'g'",
    ],
    [`sha256:${HEX}0`, 'could not decode SHA-256 from hex: encoding/hex: odd length hex string'],
  ];
  for (const [s, err] of bad) {
    it(`rejects ${s.slice(0, 30)}…: ${err}`, () => {
      assert.deepEqual(parseCAPinOrError(s), { error: err });
      assert.equal(parseCAPin(s), undefined);
    });
  }
});
