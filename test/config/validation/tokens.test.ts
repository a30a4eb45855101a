import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BootstrapToken } from '../../../src/config/model.js';
import {
  validateBootstrapTokens,
  validateToken,
  validateTokenGroups,
  validateTokenUsages,
} from '../../../src/config/validation/tokens.js';

const P = 'InitConfiguration.bootstrapTokens';
const GOOD = 'abcdef.0123456789abcdef';

function token(t: Partial<BootstrapToken>): BootstrapToken {
  return {
    token: GOOD,
    description: '',
    ttl: 86_400_000,
    usages: ['signing', 'authentication'],
    groups: ['system:bootstrappers:kubeadm:default-node-token'],
    ...t,
  };
}

describe('validateToken', () => {
  it('accepts <6>.<16> lowercase alphanumerics', () => assert.deepEqual(validateToken(GOOD, 'f'), []));
  for (const t of [
    '',
    'ABCDEF.0123456789ABCDEF',
    'abcdef.0123456789abcde',
    'abcdef-0123456789abcdef',
    'abcdefg.0123456789abcdef',
  ]) {
    it(`rejects ${JSON.stringify(t)} without echoing it`, () => {
      assert.deepEqual(validateToken(t, `${P}[0].token`), [
        { field: `${P}[0].token`, detail: 'the bootstrap token is invalid' },
      ]);
    });
  }
});

describe('validateTokenUsages', () => {
  it('accepts known usages', () => {
    assert.deepEqual(validateTokenUsages(['signing', 'authentication'], 'f'), []);
    assert.deepEqual(validateTokenUsages([], 'f'), []);
  });
  it('lists the unknown ones sorted and deduplicated', () => {
    const usages = ['signing', 'zeta', 'alpha', 'zeta'];
    assert.deepEqual(validateTokenUsages(usages, `${P}[0].usages`), [
      {
        field: `${P}[0].usages`,
        value: usages,
        detail:
          'invalid bootstrap token usage string: alpha,zeta, valid usage options: signing,authentication',
      },
    ]);
  });
});

describe('validateTokenGroups', () => {
  const F = `${P}[0].groups`;
  it('accepts bootstrap groups with the authentication usage', () => {
    assert.deepEqual(
      validateTokenGroups(
        ['authentication'],
        ['system:bootstrappers:kubeadm:default-node-token', 'system:bootstrappers:a'],
        F,
      ),
      [],
    );
    assert.deepEqual(validateTokenGroups(['signing'], [], F), [], 'no groups, no usage needed');
  });
  it('requires the authentication usage when groups are set', () => {
    const groups = ['system:bootstrappers:x'];
    assert.deepEqual(validateTokenGroups(['signing'], groups, F), [
      {
        field: F,
        value: groups,
        detail: 'token groups cannot be specified unless --usages includes "authentication"',
      },
    ]);
  });
  for (const g of [
    'system:nodes',
    'system:bootstrappers:',
    'system:bootstrappers:Upper',
    'system:bootstrappers:a-',
    `system:bootstrappers:${'a'.repeat(257)}`,
  ]) {
    it(`rejects group ${g.slice(0, 40)}`, () => {
      const r = validateTokenGroups(['authentication'], [g], F);
      assert.deepEqual(r, [
        {
          field: F,
          value: [g],
          detail: `bootstrap group "${g}" is invalid (must match \\Asystem:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]\\z)`,
        },
      ]);
    });
  }
});

describe('validateBootstrapTokens', () => {
  it('accepts the default token', () => assert.deepEqual(validateBootstrapTokens([token({})], P), []));
  it('indexes items as [i] and reports each field', () => {
    const r = validateBootstrapTokens([token({}), token({ token: 'bad', usages: ['x'], groups: ['g'] })], P);
    assert.deepEqual(
      r.map((p) => p.field),
      [`${P}[1].token`, `${P}[1].usages`, `${P}[1].groups`, `${P}[1].groups`],
    );
  });
  it('rejects ttl together with expires', () => {
    assert.deepEqual(validateBootstrapTokens([token({ expires: '2030-01-01T00:00:00Z' })], P), [
      {
        field: `${P}[0]`,
        value: '',
        detail: 'the BootstrapToken .TTL and .Expires fields are mutually exclusive',
      },
    ]);
    const { ttl: _ttl, ...noTTL } = token({ expires: '2030-01-01T00:00:00Z' });
    assert.deepEqual(validateBootstrapTokens([noTTL], P), []);
  });
  it('treats an empty token as invalid unless it is still to be generated', () => {
    assert.equal(validateBootstrapTokens([token({ token: '' })], P).length, 1);
    assert.deepEqual(validateBootstrapTokens([token({ token: '' })], P, { allowEmptyToken: true }), []);
  });
});
