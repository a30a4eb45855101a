// The control-plane steps of join after the kubelet runs: this node's etcd member (check-etcd,
// etcd-join, or control-plane-join/etcd when the kubelet-local mode is off), the control-plane
// label and taint, and the wait for the new instance's components. Worker joins skip them all.
// etcd's client and the member steps are imported when a phase runs.
import type { Phase } from '../../workflow/index.js';
import { asInitData, asManifestData, type JoinData } from './data.js';
import { markControlPlanePhase } from '../init/mark-control-plane.js';
import { runWaitControlPlane } from '../init/wait-control-plane.js';
import { waitsInOwnPhase } from './kubelet.js';

async function etcdJoinData(d: JoinData) {
  return { ...(await asManifestData(d)), cluster: () => d.adminCluster() };
}

const onlyForControlPlane = (d: JoinData) => d.controlPlane;

async function joinEtcd(d: JoinData): Promise<void> {
  const { runEtcdJoin } = await import('../etcd-join.js');
  const data = await etcdJoinData(d);
  await runEtcdJoin(data);
  if (!d.dryRun && data.config.cluster.etcd.local) d.achieved.add('etcd-member');
}

export const checkEtcdPhase: Phase<JoinData> = {
  name: 'check-etcd',
  short: 'Check that the etcd cluster is healthy before adding a member',
  hidden: true,
  runIf: onlyForControlPlane,
  run: async (d) => {
    const { runCheckEtcd } = await import('../etcd-join.js');
    await runCheckEtcd(await etcdJoinData(d));
  },
};

export const etcdJoinPhase: Phase<JoinData> = {
  name: 'etcd-join',
  short: 'Add this node to the etcd cluster as a new member',
  long:
    "Adds this node's etcd as a learner of the existing etcd cluster, writes its static Pod manifest, promotes it to a voting member once it has caught up, and waits for it to be healthy. " +
    'Runs for a control-plane join with a local etcd while ControlPlaneKubeletLocalMode is on; an external etcd needs nothing here.',
  inheritFlags: ['certificate-key', 'config', 'control-plane', 'dry-run', 'node-name', 'patches'],
  runIf: async (d) => d.controlPlane && (await waitsInOwnPhase(await d.initConfig())),
  run: joinEtcd,
};

export const controlPlaneJoinPhase: Phase<JoinData> = {
  name: 'control-plane-join',
  short: 'Make this node a control-plane instance of the cluster',
  long: 'Adds the etcd member (when etcd-join did not) and marks the node as a control-plane node. A worker join skips it.',
  phases: [
    {
      name: 'etcd',
      short: "Add this node's etcd member (when etcd-join did not)",
      long: 'What etcd-join does, for clusters with ControlPlaneKubeletLocalMode off.',
      inheritFlags: ['certificate-key', 'config', 'control-plane', 'dry-run', 'node-name', 'patches'],
      runIf: async (d) => d.controlPlane && !(await waitsInOwnPhase(await d.initConfig())),
      run: joinEtcd,
    },
    {
      name: 'mark-control-plane',
      short: 'Label and taint this node as a control-plane node',
      inheritFlags: ['config', 'control-plane', 'dry-run', 'node-name'],
      runIf: onlyForControlPlane,
      run: async (d) => {
        await markControlPlanePhase.run!(await asInitData(d));
        if (!d.dryRun) d.achieved.add('control-plane-marked');
      },
    },
  ],
  all: { short: 'Run every step of control-plane-join' },
};

export const joinWaitControlPlanePhase: Phase<JoinData> = {
  name: 'wait-control-plane',
  short: "Wait until this node's control-plane components are healthy",
  long: "Waits for the kubelet and then for this node's kube-apiserver, kube-controller-manager and kube-scheduler, as init's wait-control-plane does. A worker join skips it.",
  inheritFlags: ['config'],
  runIf: onlyForControlPlane,
  run: async (d) => {
    await runWaitControlPlane(await asInitData(d));
    if (!d.dryRun) d.achieved.add('control-plane-healthy');
  },
};
