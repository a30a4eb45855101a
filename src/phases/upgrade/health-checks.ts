// kubeadm's cluster health checks of `upgrade plan` and `upgrade apply`, announced by
// `[upgrade] Running cluster health checks`, as preflight checks (so --ignore-preflight-errors and the
// error block work as everywhere): the health-check Job runs, every control-plane Node is Ready, and
// this node's static Pod manifests are there.
import * as path from 'node:path';
import type { ClusterClient } from '../../cluster/types.js';
import type { Host } from '../../host/host.js';
import type { Paths } from '../../host/paths.js';
import { CONTROL_PLANE_COMPONENTS } from '../../manifests/control-plane.js';
import type { Check } from '../../preflight/check.js';
import { healthJobCheck, type HealthJobCheckOptions } from './health-job-check.js';

export interface UpgradeHealthInput {
  client: ClusterClient;
  host: Host;
  paths: Paths;
  /** The cluster runs a local etcd, whose manifest must be there too. */
  localEtcd: boolean;
  /** The health-check Job's settings (its client is `client`). */
  job: Omit<HealthJobCheckOptions, 'client'>;
}

export function upgradeHealthChecks(i: UpgradeHealthInput): Check[] {
  const { client, host, paths, localEtcd } = i;
  // kubeadm's rule: a control plane whose Ready condition is there and not True is NotReady (one that
  // reports no condition yet, or a cluster without labelled control planes, passes).
  const nodesReady: Check = {
    name: 'ControlPlaneNodesReady',
    async run() {
      const notReady: string[] = [];
      for await (const node of client.list('v1', 'Node', {
        labelSelector: 'node-role.kubernetes.io/control-plane',
      })) {
        const conditions = (node.status as { conditions?: { type?: string; status?: string }[] } | undefined)
          ?.conditions;
        if ((conditions ?? []).some((c) => c.type === 'Ready' && c.status !== 'True'))
          notReady.push(node.metadata.name);
      }
      const errors =
        notReady.length > 0
          ? [`there are NotReady control-planes in the cluster: [${notReady.join(' ')}]`]
          : [];
      return { warnings: [], errors };
    },
  };
  const manifests: Check = {
    name: 'StaticPodManifest',
    async run() {
      const errors: string[] = [];
      for (const c of [...(localEtcd ? ['etcd'] : []), ...CONTROL_PLANE_COMPONENTS]) {
        const file = path.join(paths.manifestsDir, `${c}.yaml`);
        if (!(await host.exists(file))) errors.push(`${paths.onHost(file)}: no such file or directory`);
      }
      return { warnings: [], errors };
    },
  };
  return [healthJobCheck({ client, ...i.job }), nodesReady, manifests];
}
