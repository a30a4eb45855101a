// A control plane for in-process tests: a real `kbadm init` under a temporary root against an
// in-memory API server (everything but the wait for a control plane no kubelet runs), with
// cluster-info signed for the token as the bootstrap signer would.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { caCertHash } from '../../src/certs/ca-hash.js';
import { CLUSTER_INFO_NAME, CLUSTER_INFO_NAMESPACE } from '../../src/tokens/cluster-info.js';
import { computeDetachedSignature } from '../../src/tokens/jws.js';
import { runCli } from './cli.js';
import { TestCluster } from './memory-cluster.js';
import { tempDir } from './temp.js';
import { IGNORE_IN_TEMP_ROOT } from './temp-root-preflight.js';

export const TOKEN_ID = 'abcdef';
export const TOKEN = `${TOKEN_ID}.0123456789abcdef`;
export const KEY = 'c0ffee'.repeat(10) + 'c0ff';

const INIT_CONFIG = `apiVersion: kubeadm.k8s.io/v1beta4
kind: InitConfiguration
certificateKey: ${KEY}
bootstrapTokens:
- token: ${TOKEN}
localAPIEndpoint:
  advertiseAddress: 10.0.0.5
nodeRegistration:
  name: cp-1
  criSocket: unix:///var/run/containerd/containerd.sock
---
apiVersion: kubeadm.k8s.io/v1beta4
kind: ClusterConfiguration
controlPlaneEndpoint: 10.0.0.5:6443
encryptionAlgorithm: ECDSA-P256
---
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
healthzPort: 0
`;

export interface Cluster {
  api: TestCluster;
  cpRoot: string;
  caHash: string;
}

/** A full `kbadm init` (except the wait for a control plane no kubelet runs), then cluster-info signed. */
export async function initCluster(
  t: { after(fn: () => void): void },
  options: { kubernetesVersion?: string } = {},
): Promise<Cluster> {
  const cpRoot = tempDir(t, 'kbadm-join-cp-');
  const version = options.kubernetesVersion ? `kubernetesVersion: ${options.kubernetesVersion}\n` : '';
  writeFileSync(
    path.join(cpRoot, 'cfg.yaml'),
    INIT_CONFIG.replace('kind: ClusterConfiguration\n', `kind: ClusterConfiguration\n${version}`),
  );
  const api = new TestCluster('https://10.0.0.5:6443', { registerNodes: true });
  const r = await runCli(
    [
      '--rootfs',
      cpRoot,
      'init',
      '--config',
      '/cfg.yaml',
      '--upload-certs',
      '--skip-phases',
      'wait-control-plane',
      ...IGNORE_IN_TEMP_ROOT,
    ],
    { cluster: api.factory },
  );
  assert.equal(r.code, 0, r.stderr);
  // The bootstrap signer's work: cluster-info signed for the token.
  const cm = api
    .stored('ConfigMap')
    .find((o) => o.metadata.namespace === CLUSTER_INFO_NAMESPACE && o.metadata.name === CLUSTER_INFO_NAME)!;
  const data = (cm as unknown as { data: Record<string, string> }).data;
  data[`jws-kubeconfig-${TOKEN_ID}`] = computeDetachedSignature(
    data.kubeconfig!,
    TOKEN_ID,
    '0123456789abcdef',
  );
  api.seed(cm);
  const caHash = caCertHash(readFileSync(path.join(cpRoot, 'etc/kubernetes/pki/ca.crt')));
  return { api, cpRoot, caHash };
}
