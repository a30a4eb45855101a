// The pure decisions of join discovery: pins, JWS verification of cluster-info, the second read,
// the discovery file's cluster and credentials, and bootstrap-kubelet.conf.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ValidationError } from '../../src/errors.js';
import { createBasic, createWithCerts, parseKubeconfig } from '../../src/kubeconfig/kubeconfig.js';
import { clusterInfoKubeconfig } from '../../src/tokens/cluster-info.js';
import {
  bootstrapKubeletConfig,
  checkCAPins,
  checkSecondRead,
  discoveredFromClusterInfo,
  discoveryFileCluster,
  discoveryPins,
  hasAuthenticationCredentials,
  refreshFromClusterInfo,
  renderBootstrapKubeletConf,
  tlsBootstrapKubeconfig,
  verifyClusterInfo,
} from '../../src/tokens/discovery.js';
import { computeDetachedSignature } from '../../src/tokens/jws.js';
import { PIN_A, PIN_B, PIN_CERT_A, PIN_CERT_B } from '../support/pin-certs.js';

const TOKEN = { id: 'abcdef', secret: '0123456789abcdef' };
const SERVER = 'https://10.0.0.1:6443';
const infoText = (ca = PIN_CERT_A) => clusterInfoKubeconfig(createBasic(SERVER, 'kubernetes', 'admin', ca));
const signed = (text: string, id = TOKEN.id, secret = TOKEN.secret) => ({
  kubeconfig: text,
  [`jws-kubeconfig-${id}`]: computeDetachedSignature(text, id, secret),
});

describe('CA pins', () => {
  test('no pins without the explicit unsafe skip is kubeadm validation error', () => {
    assert.throws(
      () => discoveryPins([], false),
      (e: unknown) =>
        e instanceof ValidationError &&
        e.message.startsWith(
          'discovery.bootstrapToken.caCertHashes: "": using token-based discovery without caCertHashes can be unsafe.',
        ),
    );
    assert.deepEqual(discoveryPins([], true), []);
  });

  test('a malformed pin is named with kubeadm words', () => {
    assert.throws(() => discoveryPins(['sha256:abc'], false), {
      message: 'invalid discovery token CA certificate hash: expected a 32 byte SHA-256 hash, found 1 bytes',
    });
    assert.throws(() => discoveryPins(['md5:00'], true), {
      message: 'invalid discovery token CA certificate hash: unknown hash format "md5"',
    });
  });

  test('any of several pins may match; none matching names the actual and the expected pins', () => {
    const cluster = parseKubeconfig(infoText()).clusters[0]!;
    checkCAPins(cluster, discoveryPins([PIN_B, PIN_A.toUpperCase().replace('SHA256', 'sha256')], false));
    assert.throws(() => checkCAPins(cluster, discoveryPins([PIN_B], false)), {
      message: `cluster CA found in cluster-info ConfigMap is invalid: none of the public keys "${PIN_A}" are pinned (expected "${PIN_B}")`,
    });
  });

  test('every certificate of the CA bundle is tried', () => {
    const cluster = parseKubeconfig(infoText(PIN_CERT_A + PIN_CERT_B)).clusters[0]!;
    checkCAPins(cluster, discoveryPins([PIN_B], false));
  });

  test('a CA that is no certificate is reported as such', () => {
    const cluster = parseKubeconfig(infoText('not a cert')).clusters[0]!;
    assert.throws(() => checkCAPins(cluster, discoveryPins([PIN_A], false)), {
      message:
        'failed to parse cluster CA from the cluster-info ConfigMap: data does not contain any valid RSA or ECDSA certificates',
    });
  });
});

describe('cluster-info verification', () => {
  test('a kubeconfig signed with the token is accepted and gives the server and CA it names', () => {
    const { text, kubeconfig } = verifyClusterInfo(signed(infoText()), TOKEN);
    assert.equal(text, infoText());
    const d = discoveredFromClusterInfo(kubeconfig);
    assert.equal(d.server, SERVER);
    assert.equal(d.caPem, PIN_CERT_A);
    assert.equal(d.clusterName, '');
  });

  test('a tampered kubeconfig, a wrong secret, an unsigned ID and a missing kubeconfig each fail clearly', () => {
    const data = signed(infoText());
    const tampered = { ...data, kubeconfig: data.kubeconfig.replace('10.0.0.1', '10.6.6.6') };
    const bad = /failed to verify JWS signature of received cluster info object, can't trust this API Server/;
    assert.throws(() => verifyClusterInfo(tampered, TOKEN), { message: bad });
    assert.throws(() => verifyClusterInfo(signed(infoText(), TOKEN.id, 'ffffffffffffffff'), TOKEN), {
      message: bad,
    });
    assert.throws(() => verifyClusterInfo(signed(infoText(), 'zzzzzz'), TOKEN), {
      message:
        'token id "abcdef" is invalid for this cluster or it has expired. Use "kubeadm token create" on the control-plane node to create a new valid token',
    });
    assert.throws(() => verifyClusterInfo({ 'jws-kubeconfig-abcdef': 'x' }, TOKEN), {
      message: /^there is no kubeconfig key in the cluster-info ConfigMap/,
    });
  });

  test('a signed kubeconfig with two clusters is refused', () => {
    const two = infoText().replace(
      'clusters:\n',
      `clusters:\n- cluster:\n    server: https://1.1.1.1:1\n  name: other\n`,
    );
    assert.throws(() => verifyClusterInfo(signed(two), TOKEN), {
      message:
        'expected the kubeconfig file in the cluster-info ConfigMap to have a single cluster, but it had 2',
    });
  });

  test('the pinned read must return the same bytes', () => {
    checkSecondRead(infoText(), { kubeconfig: infoText() });
    assert.throws(() => checkSecondRead(infoText(), { kubeconfig: `${infoText()}\n` }), {
      message:
        'the second kubeconfig from the cluster-info ConfigMap (using validated TLS) was different from the first',
    });
  });
});

describe('discovery files', () => {
  test('the unnamed cluster wins, else the current context cluster; none is an error', () => {
    const cfg = createBasic(SERVER, 'kubernetes', 'me', PIN_CERT_A);
    assert.equal(discoveryFileCluster(cfg).name, 'kubernetes');
    assert.equal(discoveryFileCluster(parseKubeconfig(infoText())).name, '');
    assert.throws(() => discoveryFileCluster({ ...cfg, clusters: [] }), {
      message: 'the provided kubeconfig file must have at least one Cluster defined',
    });
    assert.throws(() => discoveryFileCluster({ ...cfg, 'current-context': 'nope' }), {
      message:
        'the provided kubeconfig file must have a unnamed Cluster or a CurrentContext that specifies a non-nil Cluster',
    });
  });

  test('credentials: a token or a certificate with its key count; a bare user does not', () => {
    const basic = createBasic(SERVER, 'kubernetes', 'me', PIN_CERT_A);
    assert.equal(hasAuthenticationCredentials(basic), false);
    assert.equal(
      hasAuthenticationCredentials({ ...basic, users: [{ name: 'me', user: { token: 't' } }] }),
      true,
    );
    assert.equal(
      hasAuthenticationCredentials(createWithCerts(SERVER, 'k', 'me', PIN_CERT_A, 'KEY', 'CERT')),
      true,
    );
    assert.equal(
      hasAuthenticationCredentials(createWithCerts(SERVER, 'k', 'me', PIN_CERT_A, '', 'CERT')),
      false,
    );
  });

  test('cluster-info adds a missing CA and warns about another server; the user config stays', () => {
    const user = createBasic('https://lb:6443', 'kubernetes', 'me', '');
    const r = refreshFromClusterInfo(user, infoText());
    assert.equal(r.kubeconfig, user);
    assert.equal(r.kubeconfig.clusters[0]!.cluster.server, 'https://lb:6443');
    assert.equal(
      Buffer.from(r.kubeconfig.clusters[0]!.cluster['certificate-authority-data']!, 'base64').toString(),
      PIN_CERT_A,
    );
    assert.deepEqual(r.warnings, [
      `[discovery] the API Server endpoint "https://lb:6443" in use is different from the endpoint "${SERVER}" which defined in the cluster-info ConfigMap`,
    ]);
    assert.deepEqual(r.logs, ['[discovery] Synced CertificateAuthorityData from the cluster-info ConfigMap']);
    const own = createBasic(SERVER, 'kubernetes', 'me', PIN_CERT_B);
    const kept = refreshFromClusterInfo(own, infoText());
    assert.deepEqual(kept.warnings, []);
    assert.equal(
      kept.kubeconfig.clusters[0]!.cluster['certificate-authority-data'],
      Buffer.from(PIN_CERT_B).toString('base64'),
    );
  });
});

describe('bootstrap-kubelet.conf', () => {
  test('cluster kubernetes, user tls-bootstrap-token-user with the token, CA embedded', () => {
    const text = renderBootstrapKubeletConf(SERVER, PIN_CERT_A, 'abcdef.0123456789abcdef');
    const cfg = parseKubeconfig(text);
    assert.deepEqual(cfg.clusters, [
      {
        name: 'kubernetes',
        cluster: { 'certificate-authority-data': Buffer.from(PIN_CERT_A).toString('base64'), server: SERVER },
      },
    ]);
    assert.deepEqual(cfg.contexts, [
      {
        name: 'tls-bootstrap-token-user@kubernetes',
        context: { cluster: 'kubernetes', user: 'tls-bootstrap-token-user' },
      },
    ]);
    assert.equal(cfg['current-context'], 'tls-bootstrap-token-user@kubernetes');
    assert.deepEqual(cfg.users, [
      { name: 'tls-bootstrap-token-user', user: { token: 'abcdef.0123456789abcdef' } },
    ]);
  });

  test('without a TLS bootstrap token the discovered config must carry credentials', () => {
    const discovered = discoveredFromClusterInfo(parseKubeconfig(infoText()));
    assert.deepEqual(
      tlsBootstrapKubeconfig(discovered, 'abcdef.0123456789abcdef'),
      bootstrapKubeletConfig(SERVER, PIN_CERT_A, 'abcdef.0123456789abcdef'),
    );
    assert.throws(() => tlsBootstrapKubeconfig(discovered, ''), {
      message: /^could not find authentication credentials for the TLS bootstrap process\./,
    });
    const withCreds = {
      ...discovered,
      kubeconfig: createWithCerts(SERVER, 'k', 'me', PIN_CERT_A, 'KEY', 'CERT'),
    };
    assert.equal(tlsBootstrapKubeconfig(withCreds, ''), withCreds.kubeconfig);
  });
});
