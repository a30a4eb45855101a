import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ALL_CERT_NAMES, certIdentity, certSpec } from '../../src/certs/specs.js';
import { inputs } from '../support/certs.js';

test('certIdentity names what certSpec does for every certificate, without any inputs', () => {
  for (const name of ALL_CERT_NAMES) {
    const spec = certSpec(name, inputs(), new Date());
    const id = certIdentity(name);
    for (const field of ['name', 'baseName', 'longName', 'isCA', 'caName', 'certFile', 'keyFile'] as const)
      assert.deepEqual(id[field], spec[field], `${name}: ${field}`);
  }
  assert.throws(() => certIdentity('nope' as never), /unknown certificate "nope"/);
});
