// No bootstrap token or certificate key may reach an error or a warning, however it is mistyped.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigValidationError, isSecretField } from '../../src/config/errors.js';
import { decodeConfig, loadAllConfig, loadInitConfig, type LoadOptions } from '../../src/config/load.js';
import { resolveInitConfig, resolveJoinConfig } from '../../src/config/resolve.js';
import { FACTS, fixedToken } from '../support/config.js';

const opts: LoadOptions = { facts: FACTS, defaulting: { skipCRIDetect: true, generateToken: fixedToken } };

// Secret-looking values that YAML 1.1 reads as numbers, and ones that are just malformed.
const NUM_TOKEN = '123456.1234567890123456';
const BAD_TOKEN = 'abcdef.0123456789ABCDEX';
const NUM_KEY = '1'.repeat(64);
const BAD_KEY = 'f00d'.repeat(15) + 'zz';
const SECRETS = [NUM_TOKEN, BAD_TOKEN, NUM_KEY, BAD_KEY, ...[NUM_TOKEN, NUM_KEY].map(Number).map(String)];

const V4 = 'apiVersion: kubeadm.k8s.io/v1beta4';
const init = (...body: string[]) => [V4, 'kind: InitConfiguration', ...body].join('\n');
const join = (...body: string[]) => [V4, 'kind: JoinConfiguration', ...body].join('\n');
const DISCOVERY_OK = [
  'discovery:',
  '  bootstrapToken:',
  '    apiServerEndpoint: 10.0.0.1:6443',
  '    unsafeSkipCAVerification: true',
];

const FILES: [string, string][] = [
  ['a token that YAML reads as a number', init('bootstrapTokens:', `- token: ${NUM_TOKEN}`)],
  ['a malformed token', init('bootstrapTokens:', `- token: ${BAD_TOKEN}`)],
  ['a token written as the list item', init('bootstrapTokens:', `- ${BAD_TOKEN}`)],
  ['a token written in place of the list', init(`bootstrapTokens: ${BAD_TOKEN}`)],
  ['a numeric certificate key', init(`certificateKey: ${NUM_KEY}`)],
  ['a malformed certificate key', init(`certificateKey: ${BAD_KEY}`)],
  ['a certificate key written as a list', init('certificateKey:', `- ${BAD_KEY}`)],
  [
    'a numeric discovery token',
    join(...DISCOVERY_OK, `    token: ${NUM_TOKEN}`, `  tlsBootstrapToken: ${NUM_TOKEN}`),
  ],
  ['a discovery token in place of the object', join('discovery:', `  bootstrapToken: ${BAD_TOKEN}`)],
  [
    'a malformed TLS bootstrap token',
    join(...DISCOVERY_OK, `    token: ${BAD_TOKEN}`, `  tlsBootstrapToken: ${BAD_TOKEN}`),
  ],
  [
    'a join certificate key',
    join(
      ...DISCOVERY_OK,
      '    token: abcdef.0123456789abcdef',
      'controlPlane:',
      `  certificateKey: ${BAD_KEY}`,
    ),
  ],
  [
    'a join certificate key as a number',
    join(
      ...DISCOVERY_OK,
      '    token: abcdef.0123456789abcdef',
      'controlPlane:',
      `  certificateKey: ${NUM_KEY}`,
    ),
  ],
  [
    'a secret under a misspelt field name',
    init(`certificatKey: ${BAD_KEY}`, 'bootstrapTokens:', `- tokn: ${BAD_TOKEN}`),
  ],
];

function assertNoSecret(text: string): void {
  for (const s of SECRETS) assert.ok(!text.includes(s), `leaked ${s} in: ${text}`);
}

/** Every message a load produces: the error's and the warnings. */
function messages(fn: () => { warnings: string[] }): string {
  try {
    return fn().warnings.join('\n');
  } catch (e) {
    assert.ok(e instanceof Error);
    return `${e.message}\n${JSON.stringify((e as { problems?: unknown }).problems ?? [])}`;
  }
}

describe('secrets in errors and warnings', () => {
  for (const [what, text] of FILES) {
    it(`${what}: neither init loading nor config validate shows it`, () => {
      const all = messages(() => loadAllConfig(text, { ...opts, strict: true }));
      assert.notEqual(all, '', 'the file is rejected or warned about');
      assertNoSecret(all);
      assertNoSecret(messages(() => loadAllConfig(text, opts)));
      if (text.includes('InitConfiguration')) assertNoSecret(messages(() => loadInitConfig(text, opts)));
    });
  }

  it('flags: --token and --certificate-key are never echoed', () => {
    const e1 = messages(() =>
      resolveInitConfig({ ...opts, flags: { token: BAD_TOKEN, 'certificate-key': BAD_KEY } }),
    );
    assert.match(e1, /bootstrap token is invalid/);
    assertNoSecret(e1);
    const e2 = messages(() =>
      resolveJoinConfig({
        ...opts,
        flags: { token: BAD_TOKEN, 'discovery-token-unsafe-skip-ca-verification': true },
        args: ['10.0.0.1:6443'],
      }),
    );
    assert.match(e2, /bootstrap token is invalid/);
    assertNoSecret(e2);
  });

  it('other values are still shown', () => {
    const e = messages(() =>
      loadInitConfig(init('localAPIEndpoint:', '  advertiseAddress: 10.0.0.300'), opts),
    );
    assert.match(e, /"10\.0\.0\.300"/);
  });
});

describe('isSecretField', () => {
  it('knows where secrets sit', () => {
    for (const f of [
      'InitConfiguration.bootstrapTokens',
      'InitConfiguration.bootstrapTokens[0]',
      'InitConfiguration.bootstrapTokens[0].token',
      'InitConfiguration.certificateKey',
      'JoinConfiguration.discovery.bootstrapToken',
      'JoinConfiguration.discovery.bootstrapToken.token',
      'JoinConfiguration.discovery.tlsBootstrapToken',
      'JoinConfiguration.controlPlane.certificateKey',
      '--token',
      '--certificate-key',
    ])
      assert.equal(isSecretField(f), true, f);
    for (const f of [
      'InitConfiguration.bootstrapTokens[0].groups',
      'InitConfiguration.bootstrapTokens[0].usages',
      'JoinConfiguration.discovery.bootstrapToken.apiServerEndpoint',
      'JoinConfiguration.discovery.bootstrapToken.caCertHashes',
      '--token-ttl',
    ])
      assert.equal(isSecretField(f), false, f);
  });
});

it('a YAML syntax error never quotes the file: a token in a broken block scalar header stays hidden', () => {
  const text =
    'apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\nbootstrapTokens:\n- token: |abcdef.0123456789abcdef\n';
  assert.throws(
    () => decodeConfig(text, { source: 'c.yaml' }),
    (e: unknown) => {
      assert.ok(e instanceof ConfigValidationError);
      assert.match(e.message, /yaml: unexpected token \(c\.yaml:4:\d+\)/);
      assert.ok(!e.message.includes('0123456789abcdef'), e.message);
      return true;
    },
  );
});
