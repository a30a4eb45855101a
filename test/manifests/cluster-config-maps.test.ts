// kubeadm-config and kubelet-config: what a joining node reads back must be what init ran with.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { decodeConfig } from '../../src/config/load.js';
import { V1BETA4 } from '../../src/config/model.js';
import { yamlLib } from '../../src/output/yaml.js';
import {
  kubeadmConfigMap,
  kubeletConfigMap,
  withClusterConfiguration,
} from '../../src/manifests/cluster-config-maps.js';
import { CONFIGS_DIR, loadConfigFile } from '../support/manifests.js';

const HASH = 'kubeadm.kubernetes.io/component-config.hash';
const CASES = [
  '01-single-node-minimal.yaml',
  '06-external-etcd.yaml',
  '11-v1beta4-extra-args-envs.yaml',
  '14-component-configs.yaml',
  '03-init-defaults-full-v1beta3.yaml',
];

describe('kubeadm-config', () => {
  for (const name of CASES) {
    test(`${name}: loads back, strictly, as the same v1beta4 ClusterConfiguration`, () => {
      const cfg = loadConfigFile(`${CONFIGS_DIR}${name}`);
      const cm = kubeadmConfigMap(cfg.cluster);
      assert.deepEqual(
        { ...cm, data: undefined },
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'kubeadm-config', namespace: 'kube-system' },
          data: undefined,
        },
      );
      const data = cm.data as Record<string, string>;
      assert.deepEqual(Object.keys(data), ['ClusterConfiguration']);
      const text = data.ClusterConfiguration!;
      assert.match(text, /^apiVersion: kubeadm\.k8s\.io\/v1beta4$/m);
      assert.match(text, /^kind: ClusterConfiguration$/m);
      const decoded = decodeConfig(text, { strict: true, source: 'kubeadm-config' });
      assert.deepEqual(decoded.gvks, ['kubeadm.k8s.io/v1beta4, Kind=ClusterConfiguration']);
      assert.equal(decoded.documents.sourceVersions.ClusterConfiguration, V1BETA4);
      assert.deepEqual(decoded.documents.componentConfigs, {}, 'no component configs');
      assert.deepEqual(decoded.documents.cluster, cfg.cluster);
    });
  }

  test('an existing ConfigMap keeps its other keys; only ClusterConfiguration is replaced', () => {
    const desired = kubeadmConfigMap(loadConfigFile(`${CONFIGS_DIR}01-single-node-minimal.yaml`).cluster);
    const live = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'kubeadm-config', namespace: 'kube-system', resourceVersion: '42' },
      data: { ClusterConfiguration: 'old', ClusterStatus: 'kept' },
    };
    const merged = withClusterConfiguration(live, desired);
    assert.deepEqual(merged.metadata, live.metadata);
    assert.deepEqual(merged.data, {
      ClusterConfiguration: (desired.data as Record<string, string>).ClusterConfiguration,
      ClusterStatus: 'kept',
    });
    assert.equal(live.data.ClusterConfiguration, 'old', 'the live object is not changed');
  });
});

describe('kubelet-config', () => {
  test('a generated KubeletConfiguration: the YAML under `kubelet`, signed with its hash', () => {
    const cfg = loadConfigFile(`${CONFIGS_DIR}01-single-node-minimal.yaml`);
    const kubelet = cfg.componentConfigs.kubelet!;
    assert.equal(kubelet.userSupplied, false);
    const cm = kubeletConfigMap(kubelet);
    const data = cm.data as Record<string, string>;
    assert.deepEqual(Object.keys(data), ['kubelet']);
    const parsed = yamlLib().parse(data.kubelet!) as Record<string, unknown>;
    assert.deepEqual(parsed, kubelet.config);
    assert.equal(parsed.apiVersion, 'kubelet.config.k8s.io/v1beta1');
    assert.equal(parsed.kind, 'KubeletConfiguration');
    const expected = `sha256:${createHash('sha256').update(data.kubelet!).digest('hex')}`;
    assert.deepEqual(cm.metadata, {
      name: 'kubelet-config',
      namespace: 'kube-system',
      annotations: { [HASH]: expected },
    });
  });

  test('a user-supplied KubeletConfiguration is stored without the hash', () => {
    const cfg = loadConfigFile(`${CONFIGS_DIR}14-component-configs.yaml`);
    const kubelet = cfg.componentConfigs.kubelet!;
    assert.equal(kubelet.userSupplied, true);
    const cm = kubeletConfigMap(kubelet);
    assert.deepEqual(cm.metadata, { name: 'kubelet-config', namespace: 'kube-system' });
    const parsed = yamlLib().parse((cm.data as Record<string, string>).kubelet!) as Record<string, unknown>;
    assert.equal(parsed.maxPods, 200);
    assert.deepEqual(parsed, kubelet.config);
  });
});
