// What `kbadm upgrade node` phases may read: the node (host, paths, output), whether it runs a
// control plane, and — read on first use — its configuration as the cluster knows it, through
// admin.conf when the node has one, else the kubelet's own kubelet.conf.
import * as path from 'node:path';
import type { ClusterClient } from '../../cluster/types.js';
import { KNOWN_CRI_SOCKETS } from '../../config/defaults.js';
import type { InitConfig } from '../../config/model.js';
import { gatherDefaultingFacts } from '../../host/facts.js';
import type { Host } from '../../host/host.js';
import { userPath, type Paths } from '../../host/paths.js';
import type { Output } from '../../output/output.js';
import type { FlagSpec, Invocation } from '../../workflow/index.js';
import { initConfigFromCluster } from '../cluster-node-config.js';
import { newInitCache, type InitCache } from '../init/data.js';
import { once } from '../once.js';

export interface UpgradeNodeData {
  paths: Paths;
  host: Host;
  out: Output;
  dryRun: boolean;
  env: Readonly<Record<string, string | undefined>>;
  now: Date;
  cache: InitCache;
  /** The node runs a control plane: its kube-apiserver manifest is there. */
  controlPlane: boolean;
  /** --patches, '' when not given. */
  patchesDir: string;
  ignorePreflightErrors: string[];
  /** The cluster's configuration with this node's registration, read once. */
  config(): Promise<InitConfig>;
  cluster(): Promise<ClusterClient>;
  /** What this run achieved, for a closing message that claims only that (shared by reference). */
  outcome: { kubeletConfigUpgraded: boolean; controlPlaneUpgraded: boolean };
}

export interface UpgradeNodeDataDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  output(): Output;
  host(options: { dryRun?: boolean; out?: Output; dryRunDir?: 'upgrade'; writes?: boolean }): Promise<Host>;
  cluster(kubeconfig: string, options: { dryRun: boolean; out?: Output }): Promise<ClusterClient>;
}

export const DEFAULT_KUBECONFIG = '/etc/kubernetes/admin.conf';

export async function newUpgradeNodeData(
  deps: UpgradeNodeDataDeps,
  invocation: Invocation,
  _specs: readonly FlagSpec[],
): Promise<UpgradeNodeData> {
  const { flags } = invocation;
  const out = deps.output();
  const dryRun = flags.has('dry-run') && flags.boolean('dry-run');
  const host = dryRun
    ? await deps.host({ dryRun: true, out, dryRunDir: 'upgrade' })
    : await deps.host({ out, writes: true });
  const paths = host.paths;
  const controlPlane = await host.exists(path.join(paths.manifestsDir, 'kube-apiserver.yaml'));
  // A worker has no admin.conf: it reads the cluster as its kubelet, which RBAC allows for what
  // the upgrade needs (kubeadm-config, kubelet-config, its own Node).
  const given = flags.has('kubeconfig') ? flags.string('kubeconfig') : DEFAULT_KUBECONFIG;
  let kubeconfig = userPath(paths, given || DEFAULT_KUBECONFIG);
  if (!(flags.has('kubeconfig') && flags.isSet('kubeconfig')) && !(await host.exists(kubeconfig)))
    kubeconfig = path.join(paths.kubernetesDir, 'kubelet.conf');
  // Reads only: even a dry run asks the real cluster for its configuration.
  const cluster = once(() => deps.cluster(kubeconfig, { dryRun: false, out }));
  const config = once(async () => {
    const c = await initConfigFromCluster({
      client: await cluster(),
      host,
      paths,
      out,
      prefix: 'upgrade',
      controlPlane,
      facts: await gatherDefaultingFacts(host, KNOWN_CRI_SOCKETS),
    });
    const patches = flags.has('patches') ? flags.string('patches') : '';
    if (patches !== '') c.init.patches = { directory: patches };
    return c;
  });
  return {
    paths,
    host,
    out,
    dryRun,
    env: deps.env,
    now: new Date(),
    cache: newInitCache(),
    controlPlane,
    patchesDir: flags.has('patches') ? flags.string('patches') : '',
    ignorePreflightErrors: flags.has('ignore-preflight-errors')
      ? flags.strings('ignore-preflight-errors')
      : [],
    config,
    cluster,
    outcome: { kubeletConfigUpgraded: false, controlPlaneUpgraded: false },
  };
}
