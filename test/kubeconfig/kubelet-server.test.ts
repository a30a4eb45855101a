import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createBasic, type KubeConfig } from '../../src/kubeconfig/kubeconfig.js';
import { kubeletServerChange, withServer } from '../../src/kubeconfig/kubelet-server.js';

const LB = 'https://lb.example:6443';
const LOCAL = 'https://10.0.0.5:6443';

function conf(server: string): KubeConfig {
  return createBasic(
    server,
    'kubernetes',
    'system:node:cp-1',
    '-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n',
  );
}

describe('the API server of kubelet.conf', () => {
  test('local mode on: a file naming controlPlaneEndpoint moves to the local API server', () => {
    const cfg = conf(LB);
    const change = kubeletServerChange(
      cfg,
      { controlPlane: LB, local: LOCAL, localMode: true },
      'kubelet.conf',
    );
    assert.deepEqual(change, { cluster: 'kubernetes', from: LB, to: LOCAL });
    const after = withServer(cfg, change!);
    assert.equal(after.clusters[0]!.cluster.server, LOCAL);
    assert.deepEqual({ ...after, clusters: [] }, { ...cfg, clusters: [] }, 'nothing else changes');
    assert.equal(
      after.clusters[0]!.cluster['certificate-authority-data'],
      cfg.clusters[0]!.cluster['certificate-authority-data'],
    );
    assert.equal(cfg.clusters[0]!.cluster.server, LB, 'the input is not modified');
  });

  test('local mode off: a file naming the local API server moves back to controlPlaneEndpoint', () => {
    assert.deepEqual(
      kubeletServerChange(conf(LOCAL), { controlPlane: LB, local: LOCAL, localMode: false }, 'kubelet.conf'),
      { cluster: 'kubernetes', from: LOCAL, to: LB },
    );
  });

  test('no change: already right, pointed elsewhere on purpose, or no controlPlaneEndpoint of its own', () => {
    const on = { controlPlane: LB, local: LOCAL, localMode: true };
    assert.equal(kubeletServerChange(conf(LOCAL), on, 'f'), undefined);
    assert.equal(kubeletServerChange(conf('https://other:6443'), on, 'f'), undefined);
    assert.equal(kubeletServerChange(conf(LB), { ...on, localMode: false }, 'f'), undefined);
    assert.equal(
      kubeletServerChange(conf(LOCAL), { controlPlane: LOCAL, local: LOCAL, localMode: true }, 'f'),
      undefined,
    );
    assert.equal(
      kubeletServerChange(conf(LOCAL), { controlPlane: LOCAL, local: LOCAL, localMode: false }, 'f'),
      undefined,
    );
  });

  test('a file whose current context or its cluster is missing is an error naming the file', () => {
    const on = { controlPlane: LB, local: LOCAL, localMode: true };
    assert.throws(
      () =>
        kubeletServerChange({ ...conf(LB), 'current-context': 'gone' }, on, '/etc/kubernetes/kubelet.conf'),
      /^KbadmError: \/etc\/kubernetes\/kubelet\.conf: its current context "gone" is not in the file$/,
    );
    assert.throws(
      () => kubeletServerChange({ ...conf(LB), clusters: [] }, on, '/etc/kubernetes/kubelet.conf'),
      /\/etc\/kubernetes\/kubelet\.conf: the cluster "kubernetes" of its current context is not in the file/,
    );
  });
});
