// `kbadm init phase bootstrap-token`: stores init's bootstrap tokens as Secrets, grants tokens the
// rights a joining node needs (read its Node, post a CSR, have it approved), and publishes the
// cluster-info ConfigMap that token discovery verifies with a signature.
import { KbadmError } from '../../errors.js';
import { userPath } from '../../host/paths.js';
import type { Phase } from '../../workflow/index.js';
import type { InitData } from './data.js';
import { apiCall } from './api-call.js';

const TAG = 'bootstrap-token';

async function runBootstrapToken(d: InitData): Promise<void> {
  const { createOrUpdate } = await import('../../cluster/idempotency.js');
  const { bootstrapTokenRbac, clusterInfoRbac } = await import('../../manifests/rbac.js');
  const { clusterInfoConfigMap } = await import('../../tokens/cluster-info.js');
  const { updateOrCreateTokens } = await import('../bootstrap-tokens.js');
  const client = await d.cluster();
  const tokens = d.config.init.bootstrapTokens;
  if (!d.skipTokenPrint) {
    d.out.progress(
      TAG,
      tokens.length === 1
        ? `Using token: ${tokens[0]!.token}`
        : `Using tokens: [${tokens.map((t) => t.token).join(' ')}]`,
    );
  }
  d.out.progress(TAG, 'Configuring bootstrap tokens, cluster-info ConfigMap, RBAC Roles');
  // init overwrites a token Secret that exists (a re-run), unlike `token create`.
  await updateOrCreateTokens(client, tokens, { failIfExists: false, now: d.now, ...apiCall(d) });
  for (const group of bootstrapTokenRbac()) {
    if (group.line) d.out.progressLine(group.line);
    for (const o of group.objects) await createOrUpdate(client, o, apiCall(d));
  }
  d.out.progress(TAG, 'Creating the "cluster-info" ConfigMap in the "kube-public" namespace');
  await createOrUpdate(client, clusterInfoConfigMap(await clusterInfoText(d)), apiCall(d));
  for (const o of clusterInfoRbac()) await createOrUpdate(client, o, apiCall(d));
}

/** cluster-info carries admin.conf's cluster (its server and CA), the one every node trusts. */
async function clusterInfoText(d: InitData): Promise<string> {
  const { currentCluster, parseKubeconfig } = await import('../../kubeconfig/kubeconfig.js');
  const { clusterInfoKubeconfig } = await import('../../tokens/cluster-info.js');
  const file = d.kubeconfigPath;
  const shown = d.paths.onHost(file);
  const text = await d.host.readFileIfExists(file);
  if (!text) throw new KbadmError(`failed to load admin kubeconfig: ${shown} does not exist`);
  const adminConf = parseKubeconfig(text.toString('utf8'), shown);
  const caFile = currentCluster(adminConf)?.cluster['certificate-authority'];
  const ca = caFile ? (await d.host.readFile(userPath(d.paths, caFile))).toString('utf8') : undefined;
  return clusterInfoKubeconfig(adminConf, ca ? { certificateAuthorityPem: ca } : {});
}

export const bootstrapTokenPhase: Phase<InitData> = {
  name: 'bootstrap-token',
  aliases: ['bootstraptoken'],
  short: 'Store the bootstrap tokens and the RBAC and cluster-info that joining nodes use',
  long:
    'Creates a bootstrap-token-<id> Secret per token, the bindings that let token holders read their Node and get a kubelet certificate approved, ' +
    'the binding for certificate rotation of every node, and the cluster-info ConfigMap in kube-public that anyone may read.',
  example:
    '  # Store the tokens of a configuration file.\n  kbadm init phase bootstrap-token --config config.yaml',
  inheritFlags: ['config', 'kubeconfig', 'skip-token-print', 'dry-run'],
  run: runBootstrapToken,
};
