// What `kbadm upgrade node` phases may read: the node (host, paths, output), whether it runs a
// control plane, the choices of the command line or of an UpgradeConfiguration's node section,
// and — read on first use — its configuration as the cluster knows it (the version `upgrade apply`
// stored is the target), through admin.conf when the node has one, else the kubelet's kubelet.conf.
import * as path from 'node:path';
import type { ApiserverClientTLS, HealthProbes } from '../../cluster/probes.js';
import type { ClusterClient } from '../../cluster/types.js';
import { readConfigFile } from '../../config/config-files.js';
import { KNOWN_CRI_SOCKETS } from '../../config/defaults.js';
import { validateMixedArguments } from '../../config/flags.js';
import { loadUpgradeConfig } from '../../config/load.js';
import type { InitConfig, UpgradeConfiguration } from '../../config/model.js';
import { gatherDefaultingFacts } from '../../host/facts.js';
import type { Host } from '../../host/host.js';
import { userPath, type Paths } from '../../host/paths.js';
import type { Output } from '../../output/output.js';
import type { FlagSpec, Invocation } from '../../workflow/index.js';
import { initConfigFromCluster } from '../cluster-node-config.js';
import { newInitCache, type InitCache } from '../init/data.js';
import { once } from '../once.js';
import type { MirrorPodHooks } from './control-plane-upgrade.js';

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
  /** --patches (or the configuration's patches.directory), '' when not given. */
  patchesDir: string;
  ignorePreflightErrors: string[];
  /** Phases the UpgradeConfiguration leaves out (--config only). */
  skipPhases: string[];
  etcdUpgrade: boolean;
  certificateRenewal: boolean;
  /** The cluster's configuration with this node's registration, read once. */
  config(): Promise<InitConfig>;
  cluster(): Promise<ClusterClient>;
  /** How the control-plane phase sees the kubelet restart a component (tests answer for the kubelet). */
  mirrorPods?: MirrorPodHooks;
  healthProbes(apiserver?: ApiserverClientTLS): Promise<HealthProbes>;
  /** What this run achieved, for a closing message that claims only that (shared by reference). */
  outcome: { kubeletConfigUpgraded: boolean; controlPlaneUpgraded: boolean };
}

export interface UpgradeNodeDataDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  output(): Output;
  host(options: { dryRun?: boolean; out?: Output; dryRunDir?: 'upgrade'; writes?: boolean }): Promise<Host>;
  cluster(kubeconfig: string, options: { dryRun: boolean; out?: Output }): Promise<ClusterClient>;
  healthProbes(apiserver?: ApiserverClientTLS): Promise<HealthProbes>;
}

export const DEFAULT_KUBECONFIG = '/etc/kubernetes/admin.conf';

/** Reads --config's UpgradeConfiguration, after kubeadm's rule on the flags that may stand beside it. */
export async function readUpgradeConfigFlag(
  deps: Pick<UpgradeNodeDataDeps, 'host'>,
  out: Output,
  flags: Invocation['flags'],
  alsoAllowed: readonly string[] = [],
): Promise<UpgradeConfiguration | undefined> {
  const file = flags.has('config') ? flags.string('config') : '';
  if (file === '') return undefined;
  validateMixedArguments(['config', ...flags.setNames()], alsoAllowed);
  const loaded = loadUpgradeConfig(await readConfigFile(await deps.host({ out }), file), {
    source: file,
    facts: { hostname: '', criSocketsPresent: [] },
    defaulting: { skipCRIDetect: true },
  });
  for (const w of loaded.warnings) out.warn(w);
  return loaded.config;
}

/** kubeadm's union of the checks ignored on the command line and in the configuration, in order. */
export function ignoredChecks(flags: Invocation['flags'], fromConfig: readonly string[] = []): string[] {
  const given = flags.has('ignore-preflight-errors') ? flags.strings('ignore-preflight-errors') : [];
  return [...new Set([...given, ...fromConfig])];
}

export async function newUpgradeNodeData(
  deps: UpgradeNodeDataDeps,
  invocation: Invocation,
  _specs: readonly FlagSpec[],
): Promise<UpgradeNodeData> {
  const { flags } = invocation;
  const out = deps.output();
  const bool = (name: string, dflt: boolean) =>
    flags.has(name) && flags.isSet(name) ? flags.boolean(name) : dflt;
  // --config: the node section and the timeouts replace the flags; --dry-run may still be given.
  const fromFile = await readUpgradeConfigFlag(deps, out, flags);
  const node = fromFile?.node;
  const dryRun = bool('dry-run', node?.dryRun ?? false);
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
  const patches = node
    ? (node.patches?.directory ?? '')
    : flags.has('patches')
      ? flags.string('patches')
      : '';
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
    if (patches !== '') c.init.patches = { directory: patches };
    if (fromFile) {
      // The UpgradeConfiguration's timeouts (upgradeManifests among them) govern this run.
      c.init.timeouts = fromFile.timeouts;
      c.init.nodeRegistration.imagePullPolicy = fromFile.node.imagePullPolicy;
      c.init.nodeRegistration.imagePullSerial = fromFile.node.imagePullSerial;
    }
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
    patchesDir: patches,
    ignorePreflightErrors: ignoredChecks(flags, node?.ignorePreflightErrors),
    skipPhases: node?.skipPhases ?? [],
    etcdUpgrade: node ? node.etcdUpgrade : bool('etcd-upgrade', true),
    certificateRenewal: node ? node.certificateRenewal : bool('certificate-renewal', true),
    config,
    cluster,
    healthProbes: (a) => deps.healthProbes(a),
    outcome: { kubeletConfigUpgraded: false, controlPlaneUpgraded: false },
  };
}
