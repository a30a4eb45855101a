import assert from 'node:assert/strict';
import { test } from 'node:test';
import { csrFiles, generateLeafCsrs } from '../../src/certs/csr.js';
import { kubeconfigSpec, kubeconfigWithCsr } from '../../src/kubeconfig/specs.js';
import { currentCluster, currentUser, serializeKubeconfig } from '../../src/kubeconfig/kubeconfig.js';
import { inputs, openssl } from '../support/certs.js';

const NOW = new Date('2025-06-01T12:00:00Z');

test('generate-csr: a key and a signed CSR per leaf (full tree even with external etcd), subject and SANs only', async () => {
  const csrs = await generateLeafCsrs(
    inputs({ encryptionAlgorithm: 'ECDSA-P256', etcd: { external: {} } }),
    NOW,
  );
  assert.deepEqual(
    csrs.map((c) => c.baseName),
    [
      'apiserver',
      'apiserver-kubelet-client',
      'front-proxy-client',
      'etcd/server',
      'etcd/peer',
      'etcd/healthcheck-client',
      'apiserver-etcd-client',
    ],
  );
  const api = csrs[0]!;
  const text = openssl(['req', '-noout', '-verify', '-text'], api.csrPem);
  assert.match(text, /Subject: CN = kube-apiserver/);
  assert.match(
    text,
    /DNS:cp-1, DNS:kubernetes, DNS:kubernetes.default, DNS:kubernetes.default.svc, DNS:kubernetes.default.svc.cluster.local, IP Address:10.96.0.1, IP Address:127.0.0.1/,
  );
  assert.doesNotMatch(text, /Key Usage/);
  const client = openssl(['req', '-noout', '-subject'], csrs[1]!.csrPem);
  assert.equal(client, 'subject=O = kubeadm:cluster-admins, CN = kube-apiserver-kubelet-client\n');
  assert.equal(
    openssl(['req', '-noout', '-pubkey'], api.csrPem),
    openssl(['pkey', '-pubout'], api.key.toPem()),
  );
  assert.deepEqual(
    csrFiles(api).map((f) => [f.path, f.mode]),
    [
      ['apiserver.key', 0o600],
      ['apiserver.csr', 0o600],
    ],
  );
});

test('generate-csr for a kubeconfig: only the client key is embedded', async () => {
  const { config, csrPem } = await kubeconfigWithCsr(
    kubeconfigSpec('kubelet.conf', inputs({ encryptionAlgorithm: 'ECDSA-P256' }), NOW),
  );
  assert.deepEqual(Object.keys(currentUser(config)!.user), ['client-key-data']);
  assert.deepEqual(currentCluster(config)!.cluster, { server: 'https://127.0.0.1:6443' });
  assert.equal(
    openssl(['req', '-noout', '-subject'], csrPem),
    'subject=O = system:nodes, CN = system:node:cp-1\n',
  );
  assert.doesNotMatch(serializeKubeconfig(config), /certificate-authority-data|client-certificate-data/);
});
