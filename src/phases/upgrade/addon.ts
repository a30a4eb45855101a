// `kbadm upgrade apply|node phase addon`: CoreDNS and kube-proxy brought to the configuration's
// version with init's own addon steps, but only from a control-plane node and only once every
// control-plane node runs the new kube-apiserver. Until then each addon says which nodes it waits
// for and is left as it is; `upgrade node` on the last of them upgrades the addons.
import type { ClusterClient, KubeObject } from '../../cluster/types.js';
import { errorMessage, KbadmError } from '../../errors.js';
import {
  KUBE_APISERVER_SELECTOR,
  laggingControlPlanes,
  type ApiServerInstance,
} from '../../upgrade/lagging-control-planes.js';
import type { Phase } from '../../workflow/index.js';
import { addonPhase } from '../init/addon.js';
import { runPhaseTree } from '../run-tree.js';
import { asUpgradeInitData } from './init-view.js';
import type { UpgradeNodeData } from './node-data.js';

const TAG = 'upgrade/addon';

type PodLike = KubeObject & {
  spec?: { nodeName?: string; containers?: { name?: string; image?: string }[] };
};

/** The control-plane nodes whose kube-apiserver is not at this node's image yet. */
export async function controlPlanesNotUpgraded(client: ClusterClient, nodeName: string): Promise<string[]> {
  try {
    const instances: ApiServerInstance[] = [];
    for await (const pod of client.list<PodLike>('v1', 'Pod', {
      namespace: 'kube-system',
      labelSelector: KUBE_APISERVER_SELECTOR,
    })) {
      instances.push({
        pod: pod.metadata.name,
        node: pod.spec?.nodeName ?? '',
        image: pod.spec?.containers?.find((c) => c.name === 'kube-apiserver')?.image,
      });
    }
    return laggingControlPlanes(instances, nodeName);
  } catch (err) {
    throw new KbadmError(
      `failed to determine whether all the control plane instances have been upgraded: ${errorMessage(err)}`,
      { cause: err },
    );
  }
}

function upgradeAddon(name: 'coredns' | 'kube-proxy', short: string): Phase<UpgradeNodeData> {
  const step = addonPhase.phases!.find((p) => p.name === name)!;
  return {
    name,
    short,
    inheritFlags: ['config', 'kubeconfig', 'dry-run', ...(name === 'coredns' ? ['patches'] : [])],
    run: async (d) => {
      if (!d.controlPlane) {
        d.out.progress(TAG, `Skipping the addon/${name} phase. Not a control plane node.`);
        return;
      }
      const config = await d.config();
      const lagging = await controlPlanesNotUpgraded(await d.cluster(), config.init.nodeRegistration.name);
      if (lagging.length > 0) {
        d.out.progress(
          TAG,
          `Skipping upgrade of addons because control plane instances [${lagging.join(' ')}] have not been upgraded`,
        );
        return;
      }
      await runPhaseTree(step, await asUpgradeInitData(d));
    },
  };
}

export const upgradeAddonPhase: Phase<UpgradeNodeData> = {
  name: 'addon',
  short: 'Bring CoreDNS and kube-proxy to the new version once every control plane runs it',
  long:
    'Runs on control-plane nodes only. While another control-plane node still runs an older kube-apiserver, ' +
    'the addons are left as they are and the nodes are named; "kbadm upgrade node" on the last of them upgrades them. ' +
    'An addon turned off in the ClusterConfiguration (dns.disabled, proxy.disabled) stays off.',
  phases: [
    upgradeAddon('coredns', 'Bring the CoreDNS Deployment and its configuration to the new version'),
    upgradeAddon('kube-proxy', 'Bring the kube-proxy DaemonSet and its configuration to the new version'),
  ],
};
