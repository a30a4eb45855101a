// The cluster-info kubeconfig and ConfigMap, checked byte for byte and read back by kubectl.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createWithCerts, type KubeConfig } from '../../src/kubeconfig/kubeconfig.js';
import { clusterInfoConfigMap, clusterInfoKubeconfig } from '../../src/tokens/cluster-info.js';
import { computeDetachedSignature, detachedSignatureIsValid } from '../../src/tokens/jws.js';
import { tempDir } from '../support/temp.js';

const CA = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n';
const CA_B64 = Buffer.from(CA).toString('base64');

function adminConf(): KubeConfig {
  const cfg = createWithCerts('https://10.0.0.5:6443', 'kubernetes', 'kubernetes-admin', CA, 'KEY', 'CERT');
  // A second cluster that is not the current one must not leak into cluster-info.
  cfg.clusters.push({ name: 'other', cluster: { server: 'https://192.0.2.1:6443' } });
  return cfg;
}

const EXPECTED = `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: ${CA_B64}
    server: https://10.0.0.5:6443
  name: ""
contexts: null
current-context: ""
kind: Config
preferences: {}
users: null
`;

test("only admin.conf's current cluster, under the empty name, in clientcmd's layout", () => {
  assert.equal(clusterInfoKubeconfig(adminConf()), EXPECTED);
});

test('a CA given as a file in admin.conf is embedded from the PEM the caller read', () => {
  const cfg = adminConf();
  cfg.clusters[0]!.cluster = {
    server: 'https://10.0.0.5:6443',
    'certificate-authority': '/etc/kubernetes/pki/ca.crt',
  };
  assert.equal(clusterInfoKubeconfig(cfg, { certificateAuthorityPem: CA }), EXPECTED);
  assert.throws(() => clusterInfoKubeconfig(cfg), /no certificate authority data/);
});

test('without a current context there is nothing to publish', () => {
  const cfg = adminConf();
  cfg['current-context'] = 'missing';
  assert.throws(() => clusterInfoKubeconfig(cfg), /current context cluster/);
});

test('the ConfigMap is kube-public/cluster-info with the kubeconfig under "kubeconfig", and a signature over it checks', () => {
  const cm = clusterInfoConfigMap(EXPECTED);
  assert.deepEqual(cm, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'cluster-info', namespace: 'kube-public' },
    data: { kubeconfig: EXPECTED },
  });
  const sig = computeDetachedSignature(cm.data['kubeconfig']!, 'abcdef', '0123456789abcdef');
  assert.ok(detachedSignatureIsValid(EXPECTED, 'abcdef', '0123456789abcdef', sig));
  assert.ok(
    !detachedSignatureIsValid(EXPECTED.replace('10.0.0.5', '10.0.0.6'), 'abcdef', '0123456789abcdef', sig),
  );
});

test('kubectl reads it and writes the same bytes back', (t) => {
  const file = join(tempDir(t, 'kbadm-cluster-info-'), 'cluster-info.conf');
  writeFileSync(file, EXPECTED);
  const viewed = execFileSync('kubectl', ['config', 'view', '--raw', '--kubeconfig', file], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  assert.equal(viewed, EXPECTED);
});
