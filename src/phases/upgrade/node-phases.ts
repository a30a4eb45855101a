// `kbadm upgrade node`'s phases, in kubeadm's order, for a worker: the checks, the kubelet
// configuration from the cluster, and the clean-up of what older releases left in the kubelet's
// flags. A control-plane node is refused until kbadm upgrades static Pods on it.
import * as path from 'node:path';
import { patchNode } from '../../cluster/patch-node.js';
import { KbadmError } from '../../errors.js';
import { CRI_SOCKET_ANNOTATION } from '../../manifests/cri-socket.js';
import {
  KUBELET_FILE_MODE,
  KUBELET_FLAGS_ENV_FILE,
  nodeLocalCRISocket,
  withoutKubeletFlags,
} from '../../manifests/kubelet.js';
import { resetPreflight } from '../../preflight/lists.js';
import { createNodeProbe } from '../../preflight/preflight-files.js';
import { ignoreSet, runPreflight } from '../../preflight/run.js';
import type { Phase } from '../../workflow/index.js';
import { upgradeKubeletConfigPhase } from './kubelet-config.js';
import type { UpgradeNodeData } from './node-data.js';

const TAG = 'upgrade/preflight';

export const upgradeNodePreflightPhase: Phase<UpgradeNodeData> = {
  name: 'preflight',
  short: 'Check that this node can be upgraded',
  long: 'Checks that kbadm runs as root and reads the cluster configuration. A worker pulls no images.',
  inheritFlags: ['ignore-preflight-errors', 'kubeconfig', 'dry-run'],
  run: async (d) => {
    d.out.progress(TAG, 'Running pre-flight checks');
    const probe = createNodeProbe(d.host, { env: d.env, criSocket: '', out: d.out });
    try {
      await runPreflight(resetPreflight(), probe, ignoreSet(d.ignorePreflightErrors), d.out);
    } finally {
      probe.close();
    }
    if (d.controlPlane) {
      throw new KbadmError(
        'this node runs a control plane (it has /etc/kubernetes/manifests/kube-apiserver.yaml): kbadm upgrade node does not upgrade static Pods yet, so it stops before changing anything',
      );
    }
    await d.config();
    d.out.progress(TAG, 'Skipping prepull. Not a control plane node.');
  },
};

/**
 * With NodeLocalCRISocket the CRI endpoint lives in instance-config.yaml: an older flags file's
 * --container-runtime-endpoint and the Node's cri-socket annotation go.
 */
export async function runPostUpgrade(d: UpgradeNodeData): Promise<void> {
  const config = await d.config();
  if (!nodeLocalCRISocket(config.cluster)) return;
  const envPath = path.join(d.paths.kubeletDir, KUBELET_FLAGS_ENV_FILE);
  const env = await d.host.readFileIfExists(envPath);
  const cleaned =
    env === undefined ? undefined : withoutKubeletFlags(env.toString('utf8'), ['container-runtime-endpoint']);
  if (cleaned !== undefined) {
    d.out.log.info(
      'removing --container-runtime-endpoint from the kubelet flags: instance-config.yaml carries it',
    );
    await d.host.writeFile(envPath, cleaned, KUBELET_FILE_MODE);
  }
  if (d.dryRun) return;
  const name = config.init.nodeRegistration.name;
  try {
    await patchNode(
      await d.cluster(),
      name,
      (live) =>
        live.metadata.annotations?.[CRI_SOCKET_ANNOTATION] === undefined
          ? {}
          : { metadata: { annotations: { [CRI_SOCKET_ANNOTATION]: null } } },
      { timeoutMs: config.init.timeouts.kubernetesAPICall },
    );
  } catch (err) {
    d.out.warn(
      `[upgrade/post-upgrade] could not remove the ${CRI_SOCKET_ANNOTATION} annotation of node "${name}": ${(err as Error).message}`,
    );
  }
}

export const upgradeNodePostUpgradePhase: Phase<UpgradeNodeData> = {
  name: 'post-upgrade',
  short: 'Clean up what older releases left on this node',
  long: "With the NodeLocalCRISocket gate on, removes --container-runtime-endpoint from kubeadm-flags.env (instance-config.yaml carries it) and the Node's cri-socket annotation.",
  inheritFlags: ['dry-run', 'kubeconfig'],
  run: runPostUpgrade,
};

export const upgradeNodePhases: Phase<UpgradeNodeData>[] = [
  upgradeNodePreflightPhase,
  upgradeKubeletConfigPhase,
  upgradeNodePostUpgradePhase,
];
