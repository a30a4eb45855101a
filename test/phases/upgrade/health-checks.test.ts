// The cluster health checks plan and apply share: the CreateJob check first, then kubeadm's rule for
// control-plane Nodes (one whose Ready condition is there and not True) and this node's manifests.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KubeObject } from '../../../src/cluster/types.js';
import { createTestHost } from '../../../src/host/test-host.js';
import { upgradeHealthChecks } from '../../../src/phases/upgrade/health-checks.js';
import type { NodeProbe } from '../../../src/preflight/check.js';
import { TestCluster } from '../../support/memory-cluster.js';
import { nodeObject } from '../../support/upgrade-cluster.js';

const ready = (node: KubeObject, status: string | undefined): KubeObject => ({
  ...node,
  status: status === undefined ? {} : { conditions: [{ type: 'Ready', status }] },
});

function checks(nodes: KubeObject[], manifests: string[], localEtcd = true) {
  const api = new TestCluster();
  for (const n of nodes) api.seed(n);
  const host = createTestHost();
  for (const m of manifests) host.seedFile(`/etc/kubernetes/manifests/${m}.yaml`, 'kind: Pod\n');
  return upgradeHealthChecks({
    client: api,
    host,
    paths: host.paths,
    localEtcd,
    job: { pauseImage: async () => 'registry.k8s.io/pause:3.10.1', warn: () => undefined },
  });
}

const ALL = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'];
const NO_PROBE = {} as NodeProbe;

describe("upgrade's cluster health checks", () => {
  test("kubeadm's three, in kubeadm's order", () => {
    assert.deepEqual(
      checks([], ALL).map((c) => c.name),
      ['CreateJob', 'ControlPlaneNodesReady', 'StaticPodManifest'],
    );
  });

  test('ControlPlaneNodesReady names the control planes whose Ready condition is not True', async () => {
    const [, nodesReady] = checks(
      [
        ready(nodeObject('cp-1', 'v1.33.4', true), 'True'),
        ready(nodeObject('cp-2', 'v1.33.4', true), 'False'),
        ready(nodeObject('cp-3', 'v1.33.4', true), 'Unknown'),
        ready(nodeObject('cp-4', 'v1.33.4', true), undefined),
        ready(nodeObject('w-1', 'v1.33.4'), 'False'),
      ],
      ALL,
    );
    assert.deepEqual((await nodesReady!.run(NO_PROBE)).errors, [
      'there are NotReady control-planes in the cluster: [cp-2 cp-3]',
    ]);
  });

  test("StaticPodManifest names the manifests missing on this node (etcd's only with a local etcd)", async () => {
    let [, , manifests] = checks([], ['kube-apiserver']);
    assert.deepEqual((await manifests!.run(NO_PROBE)).errors, [
      '/etc/kubernetes/manifests/etcd.yaml: no such file or directory',
      '/etc/kubernetes/manifests/kube-controller-manager.yaml: no such file or directory',
      '/etc/kubernetes/manifests/kube-scheduler.yaml: no such file or directory',
    ]);
    [, , manifests] = checks([], ALL.slice(1), false);
    assert.deepEqual((await manifests!.run(NO_PROBE)).errors, []);
  });
});
