// Bootstrap token ↔ Secret, and the checks of a token's usages, groups and lifetime.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BootstrapToken } from '../../src/config/model.js';
import { KbadmError, ValidationError } from '../../src/errors.js';
import {
  bootstrapTokenFromSecret,
  bootstrapTokenToSecret,
  parseRFC3339,
  validateTokenOptions,
  type Secret,
} from '../../src/tokens/bootstrap-secret.js';

const NOW = new Date('2024-03-31T11:54:17.345Z');
const FIELDS = { usages: '--usages', groups: '--groups', ttl: '--ttl' };

function token(over: Partial<BootstrapToken> = {}): BootstrapToken {
  return {
    token: 'abcdef.0123456789abcdef',
    description: 'for the new workers',
    ttl: 24 * 3600_000,
    usages: ['signing', 'authentication'],
    groups: ['system:bootstrappers:kubeadm:default-node-token'],
    ...over,
  };
}

const decoded = (s: Secret): Record<string, string> =>
  Object.fromEntries(Object.entries(s.data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));

test('a token becomes kube-system/bootstrap-token-<id> with base64 data and now+ttl in whole UTC seconds', () => {
  const s = bootstrapTokenToSecret(token(), NOW);
  assert.equal(s.apiVersion, 'v1');
  assert.equal(s.kind, 'Secret');
  assert.deepEqual(s.metadata, { name: 'bootstrap-token-abcdef', namespace: 'kube-system' });
  assert.equal(s.type, 'bootstrap.kubernetes.io/token');
  assert.equal(s.data['token-id'], Buffer.from('abcdef').toString('base64'));
  assert.deepEqual(decoded(s), {
    'token-id': 'abcdef',
    'token-secret': '0123456789abcdef',
    description: 'for the new workers',
    expiration: '2024-04-01T11:54:17Z',
    'usage-bootstrap-signing': 'true',
    'usage-bootstrap-authentication': 'true',
    'auth-extra-groups': 'system:bootstrappers:kubeadm:default-node-token',
  });
});

test('ttl 0: no expiration; no description and no groups: no keys for them', () => {
  const data = decoded(
    bootstrapTokenToSecret(token({ ttl: 0, description: '', groups: [], usages: ['signing'] }), NOW),
  );
  assert.deepEqual(Object.keys(data).sort(), ['token-id', 'token-secret', 'usage-bootstrap-signing']);
});

test('an absolute expiry wins over the lifetime and is stored in UTC', () => {
  const data = decoded(
    bootstrapTokenToSecret(token({ ttl: undefined, expires: '2030-01-02T05:04:05.9+02:00' }), NOW),
  );
  assert.equal(data['expiration'], '2030-01-02T03:04:05Z');
});

test('round trip: usages come back sorted, groups and description as stored', () => {
  const info = bootstrapTokenFromSecret(
    bootstrapTokenToSecret(token({ groups: ['system:bootstrappers:a', 'system:bootstrappers:b'] }), NOW),
  );
  assert.deepEqual(info, {
    token: 'abcdef.0123456789abcdef',
    id: 'abcdef',
    description: 'for the new workers',
    expires: '2024-04-01T11:54:17Z',
    usages: ['authentication', 'signing'],
    groups: ['system:bootstrappers:a', 'system:bootstrappers:b'],
  });
  const forever = bootstrapTokenFromSecret(
    bootstrapTokenToSecret(token({ ttl: 0, groups: [], description: '' }), NOW),
  );
  assert.equal(forever.expires, undefined);
  assert.deepEqual(forever.groups, []);
  assert.equal(forever.description, '');
});

function secret(name: string, data: Record<string, string>): Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: 'kube-system' },
    type: 'bootstrap.kubernetes.io/token',
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  };
}

test('only usage keys holding exactly "true" count', () => {
  const info = bootstrapTokenFromSecret(
    secret('bootstrap-token-abcdef', {
      'token-id': 'abcdef',
      'token-secret': '0123456789abcdef',
      'usage-bootstrap-signing': 'true',
      'usage-bootstrap-authentication': 'yes',
      'usage-bootstrap-other': 'true',
    }),
  );
  assert.deepEqual(info.usages, ['other', 'signing']);
  assert.deepEqual(info.groups, []);
});

test('Secrets that hold no usable token give kubeadm errors, and no error carries the secret', () => {
  const cases: [Secret, RegExp][] = [
    [
      secret('bootstrap-token-abcdef', { 'token-secret': '0123456789abcdef' }),
      /^bootstrap Token Secret has no token-id data: bootstrap-token-abcdef$/,
    ],
    [
      secret('bootstrap-token-zzzzzz', { 'token-id': 'abcdef', 'token-secret': '0123456789abcdef' }),
      /^bootstrap token name is not of the form 'bootstrap-token-\(token-id\)'\. Actual: "bootstrap-token-zzzzzz"\. Expected: "bootstrap-token-abcdef"$/,
    ],
    [
      secret('bootstrap-token-abcdef', { 'token-id': 'abcdef' }),
      /^bootstrap Token Secret has no token-secret data: bootstrap-token-abcdef$/,
    ],
    [
      secret('bootstrap-token-abcdef', { 'token-id': 'abcdef', 'token-secret': 'NOT-A-SECRET-xyz' }),
      /^bootstrap Token Secret is invalid and couldn't be parsed: /,
    ],
    [
      secret('bootstrap-token-abcdef', {
        'token-id': 'abcdef',
        'token-secret': '0123456789abcdef',
        expiration: 'tomorrow',
      }),
      /^can't parse expiration time of bootstrap token "bootstrap-token-abcdef": "tomorrow" /,
    ],
  ];
  for (const [s, want] of cases) {
    assert.throws(
      () => bootstrapTokenFromSecret(s),
      (e: unknown) =>
        e instanceof KbadmError && want.test(e.message) && !/0123456789abcdef|NOT-A-SECRET/.test(e.message),
      want.source,
    );
  }
});

test('RFC 3339 as Go reads it: offsets and fractions yes, other layouts no', () => {
  assert.equal(parseRFC3339('2024-04-01T11:54:17Z')?.toISOString(), '2024-04-01T11:54:17.000Z');
  assert.equal(parseRFC3339('2024-04-01T13:54:17.5+02:00')?.toISOString(), '2024-04-01T11:54:17.500Z');
  assert.equal(parseRFC3339('2024-02-29T00:00:00Z')?.toISOString(), '2024-02-29T00:00:00.000Z');
  for (const bad of [
    '2024-04-01 11:54:17Z',
    '2024-04-01T11:54:17',
    '1711972457',
    '2024-13-01T00:00:00Z',
    '2023-02-29T00:00:00Z',
    '2024-04-01T24:00:00Z',
  ]) {
    assert.equal(parseRFC3339(bad), undefined, bad);
  }
});

test('usages: kubeadm message for unknown ones, naming the flag', () => {
  assert.throws(
    () => validateTokenOptions(token({ usages: ['signing', 'foo', 'bar'], groups: [] }), FIELDS),
    (e: unknown) =>
      e instanceof ValidationError &&
      e.message ===
        '--usages: ["signing","foo","bar"]: invalid bootstrap token usage string: bar,foo, valid usage options: signing,authentication',
  );
});

test('groups: each must match the bootstrap group pattern; the message names the value', () => {
  assert.throws(
    () => validateTokenOptions(token({ groups: ['system:bootstrappers:ok', 'admins'] }), FIELDS),
    (e: unknown) =>
      e instanceof ValidationError &&
      e.message.includes(
        'bootstrap group "admins" is invalid (must match \\Asystem:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]\\z)',
      ) &&
      !e.message.includes('"system:bootstrappers:ok" is invalid'),
  );
  assert.throws(
    () => validateTokenOptions(token({ usages: ['signing'] }), FIELDS),
    /token groups cannot be specified unless --usages includes "authentication"/,
  );
  assert.doesNotThrow(() => validateTokenOptions(token({ usages: ['signing'], groups: [] }), FIELDS));
});

test('a negative lifetime is refused instead of silently never expiring', () => {
  assert.throws(
    () => validateTokenOptions(token({ ttl: -3600_000 }), FIELDS),
    (e: unknown) =>
      e instanceof ValidationError &&
      e.exitCode === 3 &&
      e.message.startsWith('--ttl: "-1h0m0s": must not be negative'),
  );
  assert.doesNotThrow(() => validateTokenOptions(token({ ttl: 0 }), FIELDS));
});
