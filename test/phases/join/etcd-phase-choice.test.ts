// Which phase adds a joining control plane's etcd member, and which waits for the TLS bootstrap,
// follows ControlPlaneKubeletLocalMode: etcd-join and kubelet-wait-bootstrap while it is on,
// control-plane-join/etcd (and kubelet-start's own wait) while it is off. Exactly one of the two
// etcd phases runs for a control plane, none for a worker.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { InitConfig } from '../../../src/config/model.js';
import { controlPlaneJoinPhase, etcdJoinPhase } from '../../../src/phases/join/control-plane-join.js';
import type { JoinData } from '../../../src/phases/join/data.js';
import { kubeletWaitBootstrapPhase, waitsInOwnPhase } from '../../../src/phases/join/kubelet.js';

/** What these runIf read: the role and the cluster's feature gates and version. */
function joinData(
  controlPlane: boolean,
  featureGates: Record<string, boolean>,
  version = 'v1.34.0',
): JoinData {
  const config = { cluster: { featureGates, kubernetesVersion: version } } as unknown as InitConfig;
  return { controlPlane, initConfig: async () => config } as unknown as JoinData;
}

const controlPlaneJoinEtcd = controlPlaneJoinPhase.phases!.find((p) => p.name === 'etcd')!;

async function choice(d: JoinData) {
  return {
    etcdJoin: await etcdJoinPhase.runIf!(d),
    controlPlaneJoinEtcd: await controlPlaneJoinEtcd.runIf!(d),
    kubeletWaitBootstrap: await kubeletWaitBootstrapPhase.runIf!(d),
  };
}

describe('join: the etcd and bootstrap-wait phases follow ControlPlaneKubeletLocalMode', () => {
  test('local mode on (the default from 1.33): etcd-join and kubelet-wait-bootstrap', async () => {
    assert.equal(await waitsInOwnPhase(await joinData(true, {}).initConfig()), true);
    assert.deepEqual(await choice(joinData(true, {})), {
      etcdJoin: true,
      controlPlaneJoinEtcd: false,
      kubeletWaitBootstrap: true,
    });
  });

  test('local mode off (the gate, or a release before 1.33): control-plane-join/etcd', async () => {
    const expected = { etcdJoin: false, controlPlaneJoinEtcd: true, kubeletWaitBootstrap: false };
    assert.deepEqual(await choice(joinData(true, { ControlPlaneKubeletLocalMode: false })), expected);
    assert.deepEqual(await choice(joinData(true, {}, 'v1.32.0')), expected);
  });

  test('a worker adds no etcd member either way', async () => {
    for (const gates of [{}, { ControlPlaneKubeletLocalMode: false }] as Record<string, boolean>[]) {
      const c = await choice(joinData(false, gates));
      assert.deepEqual([c.etcdJoin, c.controlPlaneJoinEtcd], [false, false], JSON.stringify(gates));
    }
  });
});
