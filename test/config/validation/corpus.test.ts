// The configuration corpus through the loader (decode, defaults, validation), as
// `kbadm config validate` sees it: every valid file loads, every invalid file is rejected with a
// problem naming the expected field.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigValidationError } from '../../../src/config/errors.js';
import { loadAllConfig } from '../../../src/config/load.js';

const DIR = fileURLToPath(new URL('../../fixtures/configs/', import.meta.url));
const INVALID = join(DIR, 'invalid');
const FACTS = { hostname: 'node-1', defaultRouteAddress: '192.168.0.10', criSocketsPresent: [] };

function load(path: string) {
  return loadAllConfig(readFileSync(path, 'utf8'), {
    facts: FACTS,
    strict: true,
    source: path,
    defaulting: { skipCRIDetect: true },
  });
}

const isConfig = (f: string) => /\.(ya?ml|json)$/.test(f) && f !== 'expected.json';

describe('valid corpus', () => {
  const files = readdirSync(DIR).filter(isConfig);
  it('is not empty', () => assert.ok(files.length >= 20));
  for (const f of files) {
    it(`${f} loads without errors`, () => {
      assert.doesNotThrow(() => load(join(DIR, f)));
    });
  }
  it('20-timeouts-encryption-validity.yaml warns about the 2-year leaf validity', () => {
    const r = load(join(DIR, '20-timeouts-encryption-validity.yaml'));
    assert.ok(
      r.warnings.includes(
        'certificateValidityPeriod: the value 17520h0m0s is more than the recommended default for certificate expiration: 8760h0m0s',
      ),
      JSON.stringify(r.warnings),
    );
  });
});

describe('invalid corpus', () => {
  const expected = JSON.parse(readFileSync(join(INVALID, 'expected.json'), 'utf8')) as Record<
    string,
    string[]
  >;
  it('expected.json covers every invalid file', () => {
    assert.deepEqual(readdirSync(INVALID).filter(isConfig).sort(), Object.keys(expected).sort());
  });
  for (const [file, fields] of Object.entries(expected)) {
    it(`${file} is rejected at ${fields.join(', ')}`, () => {
      let err: unknown;
      try {
        load(join(INVALID, file));
      } catch (e) {
        err = e;
      }
      assert.ok(err instanceof ConfigValidationError, `expected a ConfigValidationError, got ${String(err)}`);
      const got = err.problems.map((p) => p.field);
      for (const want of fields) {
        assert.ok(
          got.some((g) => g.includes(want)),
          `no problem at ${want}; got ${JSON.stringify(got)}`,
        );
      }
    });
  }
});
