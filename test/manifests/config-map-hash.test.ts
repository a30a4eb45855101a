// The component-config hash: vectors computed by hand with sha256sum over the concatenated values.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { configMapChecksum } from '../../src/manifests/config-map-hash.js';

describe('configMapChecksum', () => {
  test('data values in ascending key order, keys not hashed', () => {
    // printf 'helloworld' | sha256sum
    const expected = 'sha256:936a185caaa266bb9cbe981e9e05cb78cd732b0b3280eb944412bb6f8f8f07af';
    assert.equal(configMapChecksum({ data: { b: 'world', a: 'hello' } }), expected);
    assert.equal(configMapChecksum({ data: { a: 'hello', b: 'world' } }), expected);
    assert.notEqual(configMapChecksum({ data: { a: 'world', b: 'hello' } }), expected);
  });

  test('binaryData values (decoded) come after all data values', () => {
    // printf 'helloworld!' | sha256sum
    assert.equal(
      configMapChecksum({
        data: { b: 'world', a: 'hello' },
        binaryData: { '0': Buffer.from('!').toString('base64') },
      }),
      'sha256:98d234db7e91f5ba026a25d0d6f17bc5ee0a347ea2216b0c9de06d43536d49f4',
    );
  });

  test('an empty ConfigMap hashes the empty string', () => {
    // printf '' | sha256sum
    assert.equal(
      configMapChecksum({}),
      'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });
});
