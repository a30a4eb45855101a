import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ExternalEtcd, LocalEtcd } from '../../../src/config/model.js';
import { validateEtcd, validateURLs } from '../../../src/config/validation/etcd.js';

const P = 'ClusterConfiguration.etcd';

function local(l: Partial<LocalEtcd> = {}): LocalEtcd {
  return {
    imageRepository: '',
    imageTag: '',
    dataDir: '/var/lib/etcd',
    extraArgs: [],
    extraEnvs: [],
    serverCertSANs: [],
    peerCertSANs: [],
    ...l,
  };
}
function external(x: Partial<ExternalEtcd> = {}): ExternalEtcd {
  return {
    endpoints: ['https://10.0.0.21:2379'],
    caFile: '/etc/etcd/ca.crt',
    certFile: '/etc/etcd/client.crt',
    keyFile: '/etc/etcd/client.key',
    ...x,
  };
}

describe('validateURLs', () => {
  const F = `${P}.external.endpoints`;
  it('accepts URLs with a scheme', () => {
    assert.deepEqual(validateURLs(['https://10.0.0.1:2379', 'http://etcd:2379'], false, F), []);
  });
  it('requires https when asked, and a scheme always', () => {
    assert.deepEqual(validateURLs(['http://10.0.0.1:2379', '10.0.0.1'], true, F), [
      { field: F, value: 'http://10.0.0.1:2379', detail: 'the URL must be using the HTTPS scheme' },
      { field: F, value: '10.0.0.1', detail: 'the URL must be using the HTTPS scheme' },
      { field: F, value: '10.0.0.1', detail: 'the URL without scheme is not allowed' },
    ]);
  });
  it('reports Go url.Parse errors', () => {
    assert.deepEqual(validateURLs(['https://10.0.0.1:port', '10.0.0.1:2379'], false, F), [
      {
        field: F,
        value: 'https://10.0.0.1:port',
        detail: 'URL parse error: parse "https://10.0.0.1:port": invalid port ":port" after host',
      },
      {
        field: F,
        value: '10.0.0.1:2379',
        detail: 'URL parse error: parse "10.0.0.1:2379": first path segment in URL cannot contain colon',
      },
    ]);
  });
});

describe('validateEtcd', () => {
  it('accepts local or external', () => {
    assert.deepEqual(validateEtcd({ local: local() }, P), []);
    assert.deepEqual(validateEtcd({ external: external() }, P), []);
    assert.deepEqual(
      validateEtcd(
        {
          external: external({ caFile: '', certFile: '', keyFile: '', endpoints: ['http://10.0.0.21:2379'] }),
        },
        P,
      ),
      [],
    );
  });
  it('requires one of them', () => {
    assert.deepEqual(validateEtcd({}, P), [
      { field: P, value: '', detail: 'either .Etcd.Local or .Etcd.External is required' },
    ]);
  });
  it('rejects both', () => {
    assert.deepEqual(validateEtcd({ local: local(), external: external() }, P), [
      { field: P, value: '', detail: '.Etcd.Local and .Etcd.External are mutually exclusive' },
    ]);
  });
  it('checks local dataDir, SANs, image repository and extra args', () => {
    const r = validateEtcd(
      {
        local: local({
          dataDir: 'var/lib/etcd',
          serverCertSANs: ['bad_san'],
          peerCertSANs: ['also_bad'],
          imageRepository: 'Bad Repo',
          extraArgs: [{ name: '', value: 'x' }],
        }),
      },
      P,
    );
    assert.deepEqual(
      r.map((p) => [p.field, p.value]),
      [
        [`${P}.local.dataDir`, 'var/lib/etcd'],
        [`${P}.local.serverCertSANs`, 'bad_san'],
        [`${P}.local.peerCertSANs`, 'also_bad'],
        [`${P}.local.imageRepository`, 'Bad Repo'],
        [`${P}.local.extraArgs`, 'index 0'],
      ],
    );
    assert.equal(r[0]!.detail, 'path is not absolute');
  });
  it('requires https endpoints once any TLS file is set', () => {
    assert.deepEqual(validateEtcd({ external: external({ endpoints: ['http://10.0.0.21:2379'] }) }, P), [
      {
        field: `${P}.external.endpoints`,
        value: 'http://10.0.0.21:2379',
        detail: 'the URL must be using the HTTPS scheme',
      },
    ]);
    assert.equal(
      validateEtcd({ external: external({ certFile: '', keyFile: '', endpoints: ['http://e:2379'] }) }, P)
        .length,
      1,
      'caFile alone',
    );
  });
  it('requires the cert/key pair together, and the CA with them', () => {
    assert.deepEqual(validateEtcd({ external: external({ keyFile: '' }) }, P), [
      {
        field: `${P}.external`,
        value: '',
        detail: 'either both or none of .Etcd.External.CertFile and .Etcd.External.KeyFile must be set',
      },
    ]);
    assert.deepEqual(validateEtcd({ external: external({ caFile: '' }) }, P), [
      {
        field: `${P}.external`,
        value: '',
        detail: 'setting .Etcd.External.CertFile and .Etcd.External.KeyFile requires .Etcd.External.CAFile',
      },
    ]);
  });
  it('requires absolute TLS file paths', () => {
    const r = validateEtcd(
      { external: external({ caFile: 'ca.crt', certFile: 'c.crt', keyFile: 'c.key' }) },
      P,
    );
    assert.deepEqual(
      r.map((p) => p.field),
      [`${P}.external.caFile`, `${P}.external.certFile`, `${P}.external.keyFile`],
    );
  });
  it('requires at least one endpoint', () => {
    assert.deepEqual(validateEtcd({ external: external({ endpoints: [] }) }, P), [
      { field: `${P}.external.endpoints`, detail: 'at least one etcd endpoint is required' },
    ]);
  });
});
