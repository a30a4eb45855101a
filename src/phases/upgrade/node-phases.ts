// `kbadm upgrade node`'s phases, in kubeadm's order: the checks (and, on a control-plane node, the
// new images), this node's static Pods brought to the version `upgrade apply` stored in the
// cluster, the kubelet configuration from the cluster, the addons once every control plane is
// upgraded, and the clean-up of what older releases left in the kubelet's flags.
import * as path from 'node:path';
import { patchNode } from '../../cluster/patch-node.js';
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
import { pullControlPlaneImages } from '../init/preflight.js';
import { upgradeAddonPhase } from './addon.js';
import { upgradeControlPlane } from './control-plane-upgrade.js';
import { upgradeKubeconfigPhase } from './kubeconfig.js';
import { upgradeKubeletConfigPhase } from './kubelet-config.js';
import type { UpgradeNodeData } from './node-data.js';

const TAG = 'upgrade/preflight';

export async function runUpgradeNodePreflight(d: UpgradeNodeData): Promise<void> {
  d.out.progress(TAG, 'Running pre-flight checks');
  const ignored = ignoreSet(d.ignorePreflightErrors);
  const probe = createNodeProbe(d.host, { env: d.env, criSocket: '', out: d.out });
  try {
    await runPreflight(resetPreflight(), probe, ignored, d.out);
  } finally {
    probe.close();
  }
  const config = await d.config();
  if (!d.controlPlane) {
    d.out.progress(TAG, 'Skipping prepull. Not a control plane node.');
    return;
  }
  // The target version's images, through this node's runtime, before any static Pod changes.
  const runtime = createNodeProbe(d.host, {
    env: d.env,
    criSocket: config.init.nodeRegistration.criSocket,
    out: d.out,
  });
  try {
    await pullControlPlaneImages({ config, out: d.out, dryRun: d.dryRun }, runtime, ignored, TAG);
  } finally {
    runtime.close();
  }
}

export const upgradeNodePreflightPhase: Phase<UpgradeNodeData> = {
  name: 'preflight',
  short: 'Check that this node can be upgraded',
  long:
    "Checks that kbadm runs as root and reads the cluster configuration. A control-plane node then pulls the images of the cluster's version " +
    'through its container runtime; a worker pulls none.',
  inheritFlags: ['config', 'ignore-preflight-errors', 'kubeconfig', 'dry-run'],
  run: runUpgradeNodePreflight,
};

export const upgradeNodeControlPlanePhase: Phase<UpgradeNodeData> = {
  name: 'control-plane',
  short: "Bring this node's static Pods, if it has any, to the cluster's version",
  long:
    'The version is the kubernetesVersion that "kbadm upgrade apply" stored in the kubeadm-config ConfigMap. Each component is replaced as apply does it: ' +
    'etcd first (unless --etcd-upgrade=false, its data copied and a snapshot taken), then kube-apiserver, kube-controller-manager and kube-scheduler, ' +
    'their certificates renewed first (unless --certificate-renewal=false) and their old manifests kept in /etc/kubernetes/tmp. ' +
    'A component that does not come back gets its old manifest (and etcd its data) back, and the upgrade stops. A worker has nothing to do here.',
  inheritFlags: ['certificate-renewal', 'config', 'dry-run', 'etcd-upgrade', 'kubeconfig', 'patches'],
  run: async (d) => {
    if (!d.controlPlane) {
      d.out.progress('upgrade/control-plane', 'Skipping phase. Not a control plane node.');
      return;
    }
    await upgradeControlPlane(d, 'node');
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
  inheritFlags: ['config', 'dry-run', 'kubeconfig'],
  run: runPostUpgrade,
};

export const upgradeNodePhases: Phase<UpgradeNodeData>[] = [
  upgradeNodePreflightPhase,
  upgradeNodeControlPlanePhase,
  upgradeKubeconfigPhase,
  upgradeKubeletConfigPhase,
  upgradeAddonPhase,
  upgradeNodePostUpgradePhase,
];
