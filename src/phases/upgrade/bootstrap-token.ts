// `kbadm upgrade apply phase bootstrap-token`: the RBAC that joining nodes and certificate rotation
// rely on, written again as the new version defines it. Unlike init's phase it creates no token
// and leaves the cluster-info ConfigMap alone: both belong to the cluster, not to the upgrade.
import { createOrUpdate } from '../../cluster/idempotency.js';
import { bootstrapTokenRbac, clusterInfoRbac } from '../../manifests/rbac.js';
import type { Phase } from '../../workflow/index.js';
import { apiCall } from '../init/api-call.js';
import type { UpgradeApplyData } from './apply-data.js';
import { asUpgradeInitData } from './init-view.js';

export const upgradeBootstrapTokenPhase: Phase<UpgradeApplyData> = {
  name: 'bootstrap-token',
  short: 'Configure the RBAC rules for bootstrap tokens and cluster-info',
  long:
    'Creates or updates the bindings that let bootstrap-token holders read Nodes, post CSRs and have them approved, the binding for ' +
    'certificate rotation of every node, and anonymous read access to cluster-info. Tokens and the cluster-info ConfigMap are not touched.',
  inheritFlags: ['dry-run', 'kubeconfig'],
  run: async (d) => {
    const init = await asUpgradeInitData(d);
    const client = await init.cluster();
    d.out.progress('upgrade/bootstrap-token', 'Configuring bootstrap token and cluster-info RBAC rules');
    for (const group of bootstrapTokenRbac()) {
      if (group.line) d.out.progressLine(group.line);
      for (const o of group.objects) await createOrUpdate(client, o, apiCall(init));
    }
    for (const o of clusterInfoRbac()) await createOrUpdate(client, o, apiCall(init));
  },
};
