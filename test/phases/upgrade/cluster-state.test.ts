import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { recordOutput } from '../../../src/output/output.js';
import {
  readKubeletVersions,
  readStaticPodVersions,
  readUpgradeClusterState,
} from '../../../src/phases/upgrade/cluster-state.js';
import { TestCluster } from '../../support/memory-cluster.js';
import { nodeObject, seedUpgradeCluster } from '../../support/upgrade-cluster.js';

describe('reading the cluster for an upgrade', () => {
  test('versions of every component, from the API only', async () => {
    const c = new TestCluster();
    seedUpgradeCluster(c, {
      kubernetesVersion: 'v1.33.2',
      controlPlanes: [
        { node: 'cp-1', version: 'v1.33.2' },
        { node: 'cp-2', version: 'v1.33.1', etcd: '3.5.20-0' },
      ],
      workers: [['w-1', 'v1.32.5']],
      kubeProxy: 'v1.33.2',
      coreDNS: 'v1.12.0',
    });
    const out = recordOutput();
    const { cluster, versions, documents } = await readUpgradeClusterState(c, out);
    assert.equal(cluster.kubernetesVersion, 'v1.33.2');
    assert.match(documents.clusterConfiguration, /kind: ClusterConfiguration/);
    assert.deepEqual(versions, {
      kubernetesVersion: 'v1.33.2',
      apiServer: [
        { node: 'cp-1', version: 'v1.33.2' },
        { node: 'cp-2', version: 'v1.33.1' },
      ],
      controllerManager: [
        { node: 'cp-1', version: 'v1.33.2' },
        { node: 'cp-2', version: 'v1.33.1' },
      ],
      scheduler: [
        { node: 'cp-1', version: 'v1.33.2' },
        { node: 'cp-2', version: 'v1.33.1' },
      ],
      etcd: [
        { node: 'cp-1', version: '3.5.21-0' },
        { node: 'cp-2', version: '3.5.20-0' },
      ],
      externalEtcd: false,
      kubelets: [
        { version: 'v1.32.5', nodes: ['w-1'] },
        { version: 'v1.33.1', nodes: ['cp-2'] },
        { version: 'v1.33.2', nodes: ['cp-1'] },
      ],
      kubeProxy: 'v1.33.2',
      coreDNS: 'v1.12.0',
      configs: [
        {
          group: 'kubeproxy.config.k8s.io',
          currentVersion: 'v1alpha1',
          preferredVersion: 'v1alpha1',
          manualUpgradeRequired: false,
        },
        {
          group: 'kubelet.config.k8s.io',
          currentVersion: 'v1beta1',
          preferredVersion: 'v1beta1',
          manualUpgradeRequired: false,
        },
      ],
    });
    assert.deepEqual(c.lines(), [
      'GET ConfigMap kube-system/kubeadm-config',
      'GET ConfigMap kube-system/kubelet-config',
      'GET ConfigMap kube-system/kube-proxy',
      'LIST Pod kube-system component=kube-apiserver,tier=control-plane',
      'LIST Pod kube-system component=kube-controller-manager,tier=control-plane',
      'LIST Pod kube-system component=kube-scheduler,tier=control-plane',
      'LIST Pod kube-system component=etcd,tier=control-plane',
      'LIST Node',
      'GET DaemonSet kube-system/kube-proxy',
      'GET Deployment kube-system/coredns',
    ]);
    assert.ok(
      c.requests.every((r) => r.verb === 'GET' || r.verb === 'LIST'),
      'nothing is written',
    );
    assert.deepEqual(out.stdout, [
      '[upgrade/config] Reading configuration from the "kubeadm-config" ConfigMap in namespace "kube-system"...\n',
      "[upgrade/config] Use 'kbadm init phase upload-config kubeadm --config your-config-file' to re-upload it.\n",
    ]);
  });

  test('external etcd: no etcd Pods are looked for; missing addons are left out', async () => {
    const c = new TestCluster();
    seedUpgradeCluster(c, {
      clusterConfigExtra:
        'etcd:\n  external:\n    endpoints: ["https://10.0.0.9:2379"]\n    caFile: /ca\n    certFile: /c\n    keyFile: /k\n',
      kubeProxy: false,
      coreDNS: false,
    });
    const out = recordOutput();
    const { versions } = await readUpgradeClusterState(c, out);
    assert.equal(versions.externalEtcd, true);
    assert.deepEqual(versions.etcd, []);
    assert.equal('kubeProxy' in versions, false);
    assert.equal('coreDNS' in versions, false);
    assert.equal(versions.configs[0]!.currentVersion, '', 'no kube-proxy configuration stored');
    assert.ok(!c.lines().some((l) => l.includes('component=etcd')));
  });

  test('a cluster without kubeadm-config cannot be planned', async () => {
    const c = new TestCluster();
    await assert.rejects(
      readUpgradeClusterState(c, recordOutput()),
      /unable to fetch the kubeadm-config ConfigMap/,
    );
  });

  test('mirror Pods: only the component’s labelled Pods, any container order, images with a registry port', async () => {
    const c = new TestCluster();
    c.seed({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'kube-apiserver-cp-9',
        namespace: 'kube-system',
        labels: { component: 'kube-apiserver', tier: 'control-plane' },
      },
      spec: {
        nodeName: 'cp-9',
        containers: [
          { name: 'sidecar', image: 'busybox:1.36' },
          { name: 'kube-apiserver', image: 'mirror:5000/kube-apiserver:v1.34.0' },
        ],
      },
    });
    // Same label, another namespace; and a look-alike without the tier label.
    c.seed({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'x',
        namespace: 'default',
        labels: { component: 'kube-apiserver', tier: 'control-plane' },
      },
      spec: { nodeName: 'n', containers: [{ name: 'kube-apiserver', image: 'r/kube-apiserver:v0.0.1' }] },
    });
    c.seed({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'y', namespace: 'kube-system', labels: { component: 'kube-apiserver' } },
      spec: { nodeName: 'n', containers: [{ name: 'kube-apiserver', image: 'r/kube-apiserver:v0.0.2' }] },
    });
    assert.deepEqual(await readStaticPodVersions(c, 'kube-apiserver'), [
      { node: 'cp-9', version: 'v1.34.0' },
    ]);
  });
});

describe('kubelet versions of a large cluster', () => {
  test('5,000 Nodes are read in pages of 500 and grouped per version, every one named', async () => {
    const c = new TestCluster();
    const expected: Record<string, string[]> = { 'v1.32.9': [], 'v1.33.1': [], 'v1.34.0': [] };
    for (let i = 0; i < 5000; i++) {
      const name = `node-${String(i).padStart(4, '0')}`;
      const version = i % 5 === 0 ? 'v1.32.9' : i % 7 === 0 ? 'v1.34.0' : 'v1.33.1';
      c.seed(nodeObject(name, version));
      expected[version]!.push(name);
    }
    // One Node that has not reported a version yet is left out.
    c.seed({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'zz-new' } });
    const groups = await readKubeletVersions(c, { pageSize: 500 });
    assert.deepEqual(
      groups,
      Object.entries(expected).map(([version, nodes]) => ({ version, nodes })),
    );
    const lists = c.requests.filter((r) => r.verb === 'LIST');
    assert.equal(lists.length, 11, '5,001 Nodes in pages of 500');
    assert.ok(lists.every((r) => r.kind === 'Node' && r.query?.limit === 500));
    assert.equal(lists[0]!.query?.continue, undefined);
    assert.deepEqual(
      lists.slice(1).map((r) => r.query?.continue),
      ['500', '1000', '1500', '2000', '2500', '3000', '3500', '4000', '4500', '5000'],
    );
  });

  test('node names in the order listed', async () => {
    const c = new TestCluster();
    for (const [n, v] of [
      ['b', 'v1.33.1'],
      ['a', 'v1.33.1'],
      ['c', 'v1.34.0'],
    ] as const)
      c.seed(nodeObject(n, v));
    assert.deepEqual(await readKubeletVersions(c), [
      { version: 'v1.33.1', nodes: ['a', 'b'] },
      { version: 'v1.34.0', nodes: ['c'] },
    ]);
    assert.deepEqual(
      c.requests.map((r) => r.query?.limit),
      [500],
    );
  });
});
