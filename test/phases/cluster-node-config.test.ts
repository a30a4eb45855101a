// This node's configuration read back from the cluster, after a real `kbadm init` against an
// in-memory API server: the node name from kubelet.conf, the CRI socket from instance-config.yaml,
// the taints from the Node, the API endpoint from the kube-apiserver mirror Pod.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { ClusterApiError } from '../../src/cluster/types.js';
import { createOutput } from '../../src/output/output.js';
import { createRealHost } from '../../src/host/real-host.js';
import { createPaths } from '../../src/host/paths.js';
import {
  initConfigFromCluster,
  APISERVER_ENDPOINT_ANNOTATION,
} from '../../src/phases/cluster-node-config.js';
import { initCluster } from '../support/memory-control-plane.js';

const quiet = () => {
  let text = '';
  const sink = { write: (s: string) => (text += s) };
  return { out: createOutput({ stdout: sink, stderr: sink, verbosity: 0, quiet: false }), text: () => text };
};
const facts = { hostname: 'some-other-host', defaultRouteAddress: '192.0.2.1', criSocketsPresent: [] };

describe('initConfigFromCluster', () => {
  test("a control-plane node: its name, socket, taints and endpoint, and the cluster's configuration", async (t) => {
    const c = await initCluster(t);
    const manifest = parse(
      readFileSync(path.join(c.cpRoot, 'etc/kubernetes/manifests/kube-apiserver.yaml'), 'utf8'),
    ) as { metadata: { annotations: Record<string, string> } };
    // What the kubelet would have registered: the mirror Pod of the static Pod.
    c.api.seed({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'kube-apiserver-cp-1',
        namespace: 'kube-system',
        labels: { component: 'kube-apiserver', tier: 'control-plane' },
        annotations: manifest.metadata.annotations,
      },
      spec: { nodeName: 'cp-1' },
    });
    c.api.requests.length = 0;
    const paths = createPaths(c.cpRoot);
    const o = quiet();
    const config = await initConfigFromCluster({
      client: c.api,
      host: createRealHost(paths, o.out),
      paths,
      out: o.out,
      prefix: 'upgrade/config',
      controlPlane: true,
      facts,
    });
    assert.equal(manifest.metadata.annotations[APISERVER_ENDPOINT_ANNOTATION], '10.0.0.5:6443');
    assert.equal(config.init.nodeRegistration.name, 'cp-1', 'from kubelet.conf, not the hostname');
    assert.equal(config.init.nodeRegistration.criSocket, 'unix:///var/run/containerd/containerd.sock');
    assert.deepEqual(
      config.init.nodeRegistration.taints?.map((x) => `${x.key}:${x.effect}`),
      ['node-role.kubernetes.io/control-plane:NoSchedule'],
    );
    assert.deepEqual(config.init.localAPIEndpoint, { advertiseAddress: '10.0.0.5', bindPort: 6443 });
    assert.equal(config.cluster.controlPlaneEndpoint, '10.0.0.5:6443');
    assert.equal(config.cluster.encryptionAlgorithm, 'ECDSA-P256');
    assert.equal(config.componentConfigs.kubelet?.config.healthzPort, 0);
    assert.match(o.text(), /\[upgrade\/config\] Reading configuration from the "kubeadm-config" ConfigMap/);
    assert.deepEqual(c.api.lines(), [
      'GET ConfigMap kube-system/kubeadm-config',
      'GET ConfigMap kube-system/kubelet-config',
      'GET ConfigMap kube-system/kube-proxy',
      'GET Node cp-1',
      'LIST Pod kube-system component=kube-apiserver,tier=control-plane',
    ]);
  });

  test('a node the cluster does not know is one clear error naming it', async (t) => {
    const c = await initCluster(t);
    c.api.intercept = (r) =>
      r.kind === 'Node'
        ? new ClusterApiError('nodes "cp-1" not found', 404, 'NotFound', `GET ${r.path}`)
        : undefined;
    const paths = createPaths(c.cpRoot);
    const o = quiet();
    await assert.rejects(
      initConfigFromCluster({
        client: c.api,
        host: createRealHost(paths, o.out),
        paths,
        out: o.out,
        prefix: 'upgrade',
        controlPlane: false,
        facts,
      }),
      /^KbadmError: failed to get corresponding node: nodes "cp-1" not found$/,
    );
  });
});
