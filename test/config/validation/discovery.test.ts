import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BootstrapTokenDiscovery, Discovery } from '../../../src/config/model.js';
import {
  validateCACertHashes,
  validateDiscovery,
  validateDiscoveryBootstrapToken,
  validateDiscoveryKubeConfigPath,
  validateDiscoveryTokenAPIServer,
} from '../../../src/config/validation/discovery.js';

const P = 'JoinConfiguration.discovery';
const TOKEN = 'abcdef.0123456789abcdef';
const PIN = 'sha256:345959acb2c3b2feb87d281961c893f62a314207ef02599f1cc4a5fb255480b3';
const UNSAFE =
  'using token-based discovery without caCertHashes can be unsafe. Set unsafeSkipCAVerification as true in your kubeadm config file or pass --discovery-token-unsafe-skip-ca-verification flag to continue';

function bt(b: Partial<BootstrapTokenDiscovery> = {}): BootstrapTokenDiscovery {
  return {
    token: TOKEN,
    apiServerEndpoint: '10.0.0.10:6443',
    caCertHashes: [PIN],
    unsafeSkipCAVerification: false,
    ...b,
  };
}

describe('validateDiscoveryTokenAPIServer', () => {
  const F = `${P}.bootstrapToken.apiServerEndpoint`;
  for (const ep of ['10.0.0.10:6443', '[fd00::10]:6443', 'k8s-api.example.com:6443', 'host:']) {
    it(`accepts ${ep}`, () => assert.deepEqual(validateDiscoveryTokenAPIServer(ep, F), []));
  }
  const bad: [string, string][] = [
    ['10.0.0.10', 'address 10.0.0.10: missing port in address'],
    ['fd00::10', 'address fd00::10: too many colons in address'],
    ['[fd00::10]', 'address [fd00::10]: missing port in address'],
    ['[fd00::10', "address [fd00::10: missing ']' in address"],
    ['', 'missing port in address'],
  ];
  for (const [ep, detail] of bad) {
    it(`rejects ${JSON.stringify(ep)}: ${detail}`, () => {
      assert.deepEqual(validateDiscoveryTokenAPIServer(ep, F), [{ field: F, value: ep, detail }]);
    });
  }
});

describe('validateCACertHashes', () => {
  const F = `${P}.bootstrapToken.caCertHashes`;
  it('accepts sha256 pins', () => assert.deepEqual(validateCACertHashes([PIN, PIN.toUpperCase()], F), []));
  it('rejects each bad pin with the pin parser message', () => {
    assert.deepEqual(validateCACertHashes(['sha1:abcd', PIN, 'nocolon'], F), [
      {
        field: F,
        value: 'sha1:abcd',
        detail: 'invalid discovery token CA certificate hash: unknown hash format "sha1"',
      },
      {
        field: F,
        value: 'nocolon',
        detail:
          'invalid discovery token CA certificate hash: invalid public key hash, expected "format:value"',
      },
    ]);
  });
});

describe('validateDiscoveryBootstrapToken', () => {
  const B = `${P}.bootstrapToken`;
  it('accepts a pinned token discovery, and an unpinned one with unsafeSkipCAVerification', () => {
    assert.deepEqual(validateDiscoveryBootstrapToken(bt(), B), []);
    assert.deepEqual(
      validateDiscoveryBootstrapToken(bt({ caCertHashes: [], unsafeSkipCAVerification: true }), B),
      [],
    );
  });
  it('requires CA pins unless verification is skipped', () => {
    assert.deepEqual(validateDiscoveryBootstrapToken(bt({ caCertHashes: [] }), B), [
      { field: `${B}.caCertHashes`, value: '', detail: UNSAFE },
    ]);
  });
  it('requires the API server endpoint (and Go SplitHostPort then fails on it too)', () => {
    assert.deepEqual(validateDiscoveryBootstrapToken(bt({ apiServerEndpoint: '' }), B), [
      { field: B, detail: 'APIServerEndpoint is not set' },
      { field: `${B}.apiServerEndpoint`, value: '', detail: 'missing port in address' },
    ]);
  });
  it('checks the token', () => {
    assert.deepEqual(validateDiscoveryBootstrapToken(bt({ token: 'nope' }), B), [
      { field: `${B}.token`, detail: 'the bootstrap token is invalid' },
    ]);
  });
});

describe('validateDiscoveryKubeConfigPath', () => {
  const F = `${P}.file.kubeConfigPath`;
  const exists = (p: string) => p === '/etc/kubernetes/discovery.conf';
  it('accepts an https URL and an existing file', () => {
    assert.deepEqual(
      validateDiscoveryKubeConfigPath('https://example.com/cluster-info.yaml', F, { fileExists: exists }),
      [],
    );
    assert.deepEqual(
      validateDiscoveryKubeConfigPath('/etc/kubernetes/discovery.conf', F, { fileExists: exists }),
      [],
    );
  });
  it('skips the existence check without a fileExists fact', () => {
    assert.deepEqual(validateDiscoveryKubeConfigPath('/nowhere.conf', F), []);
  });
  it('rejects a missing file, an empty path and an unparsable URL', () => {
    const detail = 'not a valid HTTPS URL or a file on disk';
    assert.deepEqual(validateDiscoveryKubeConfigPath('/nowhere.conf', F, { fileExists: exists }), [
      { field: F, value: '/nowhere.conf', detail },
    ]);
    assert.deepEqual(validateDiscoveryKubeConfigPath('', F), [{ field: F, value: '', detail }]);
    assert.deepEqual(validateDiscoveryKubeConfigPath('https://exa mple.com/x', F), [
      { field: F, value: 'https://exa mple.com/x', detail },
    ]);
  });
  it('rejects a URL scheme other than https', () => {
    for (const u of ['http://example.com/x.yaml', 'file:///etc/x.conf', 'ftp://example.com/x']) {
      assert.deepEqual(validateDiscoveryKubeConfigPath(u, F), [
        { field: F, value: u, detail: 'if a URL is used, the scheme must be https' },
      ]);
    }
  });
});

describe('validateDiscovery', () => {
  const base: Discovery = { bootstrapToken: bt(), tlsBootstrapToken: TOKEN };
  it('accepts token discovery and file discovery (the TLS token is optional with a file)', () => {
    assert.deepEqual(validateDiscovery(base, P), []);
    assert.deepEqual(
      validateDiscovery({ file: { kubeConfigPath: 'https://example.com/c' }, tlsBootstrapToken: '' }, P),
      [],
    );
  });
  it('requires one of bootstrapToken and file', () => {
    assert.deepEqual(validateDiscovery({ tlsBootstrapToken: '' }, P), [
      { field: P, value: '', detail: 'bootstrapToken or file must be set' },
    ]);
  });
  it('rejects both', () => {
    const r = validateDiscovery({ ...base, file: { kubeConfigPath: 'https://example.com/c' } }, P);
    assert.deepEqual(r, [{ field: P, value: '', detail: 'bootstrapToken and file cannot both be set' }]);
  });
  it('requires a valid TLS bootstrap token with token discovery', () => {
    assert.deepEqual(validateDiscovery({ ...base, tlsBootstrapToken: '' }, P), [
      { field: `${P}.tlsBootstrapToken`, detail: 'the bootstrap token is invalid' },
    ]);
  });
  it('checks a TLS bootstrap token given with file discovery', () => {
    assert.deepEqual(
      validateDiscovery({ file: { kubeConfigPath: 'https://example.com/c' }, tlsBootstrapToken: 'x' }, P),
      [{ field: `${P}.tlsBootstrapToken`, detail: 'the bootstrap token is invalid' }],
    );
  });
  it('collects every problem', () => {
    const r = validateDiscovery(
      {
        bootstrapToken: bt({ apiServerEndpoint: '10.0.0.1', caCertHashes: [], token: '' }),
        tlsBootstrapToken: '',
      },
      P,
    );
    assert.deepEqual(
      r.map((p) => p.field),
      [
        `${P}.bootstrapToken.caCertHashes`,
        `${P}.bootstrapToken.token`,
        `${P}.bootstrapToken.apiServerEndpoint`,
        `${P}.tlsBootstrapToken`,
      ],
    );
  });
});
