// What `kbadm upgrade apply` phases may read: everything `upgrade node` reads (this node and its
// configuration as the cluster knows it), the target version and the choices of the command line,
// and the same run seen as init's data, for the steps apply repeats from init (upload-config, addon).
import * as path from 'node:path';
import type { ApiserverClientTLS, HealthProbes } from '../../cluster/probes.js';
import type { ClusterClient } from '../../cluster/types.js';
import { KNOWN_CRI_SOCKETS } from '../../config/defaults.js';
import type { InitConfig } from '../../config/model.js';
import { parseKubernetesVersion } from '../../config/k8s-version.js';
import { KbadmError, ValidationError } from '../../errors.js';
import { readConfigFile } from '../../config/config-files.js';
import { validateMixedArguments } from '../../config/flags.js';
import { loadUpgradeConfig } from '../../config/load.js';
import type { UpgradeConfiguration } from '../../config/model.js';
import { gatherDefaultingFacts } from '../../host/facts.js';
import type { Host } from '../../host/host.js';
import { userPath } from '../../host/paths.js';
import type { Output, TextSink } from '../../output/output.js';
import { askYesNo, type Answer, type Stdin } from '../../output/prompt.js';
import type { FlagSpec, Invocation } from '../../workflow/index.js';
import { initConfigFromCluster } from '../cluster-node-config.js';
import { newInitCache, type InitData } from '../init/data.js';
import { DEFAULT_KUBECONFIG, type UpgradeNodeData } from './node-data.js';
import type { MirrorPodHashReader, ComponentHealthProbe } from './mirror-pod.js';
import { once } from '../once.js';
import type { Clock } from '../clock.js';

/** Flags that may stand beside --config (they say where to act, not what to do). */
const ALLOWED_WITH_CONFIG = ['kubeconfig', 'yes'];

export interface UpgradeApplyData extends UpgradeNodeData {
  /** UpgradeConfiguration.apply.skipPhases, when --config gave one. */
  skipPhases: string[];
  /** The version to upgrade to, as given (vX.Y.Z). */
  target: string;
  /** The cluster's version before the upgrade (kubeadm-config's kubernetesVersion). */
  clusterVersion(): Promise<string>;
  force: boolean;
  yes: boolean;
  etcdUpgrade: boolean;
  certificateRenewal: boolean;
  allowExperimentalUpgrades: boolean;
  allowReleaseCandidateUpgrades: boolean;
  ask(prompt: string): Promise<Answer>;
  /** How the control-plane phase sees the kubelet restart a component (tests answer for the kubelet). */
  mirrorPods?: { readHash: MirrorPodHashReader; healthy: ComponentHealthProbe; pollIntervalMs?: number };
  healthProbes(apiserver?: ApiserverClientTLS): Promise<HealthProbes>;
  /** The clock the health-check Job is waited for by; the real one when absent (tests pass one). */
  clock?: Clock;
}

export interface UpgradeApplyDataDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: TextSink;
  readonly stdin?: Stdin;
  output(): Output;
  host(options: { dryRun?: boolean; out?: Output; dryRunDir?: 'upgrade'; writes?: boolean }): Promise<Host>;
  cluster(kubeconfig: string, options: { dryRun: boolean; out?: Output }): Promise<ClusterClient>;
  healthProbes(apiserver?: ApiserverClientTLS): Promise<HealthProbes>;
  readonly clock?: Clock;
}

export async function newUpgradeApplyData(
  deps: UpgradeApplyDataDeps,
  invocation: Invocation,
  _specs: readonly FlagSpec[],
): Promise<UpgradeApplyData> {
  const { flags, args } = invocation;
  const out = deps.output();
  // --config: an UpgradeConfiguration whose apply section replaces the flags (kubeadm's mixing rule).
  const configPath = flags.has('config') ? flags.string('config') : '';
  let fromFile: UpgradeConfiguration | undefined;
  if (configPath !== '') {
    validateMixedArguments(['config', ...flags.setNames()], ALLOWED_WITH_CONFIG);
    fromFile = loadUpgradeConfig(await readConfigFile(await deps.host({ out }), configPath), {
      source: configPath,
      facts: { hostname: '', criSocketsPresent: [] },
      defaulting: { skipCRIDetect: true },
    }).config;
  }
  const apply = fromFile?.apply;
  const target = args[0] ?? apply?.kubernetesVersion ?? '';
  if (target === '')
    throw new ValidationError([
      {
        field: 'version',
        value: '',
        detail: 'missing the version to upgrade to, e.g. "kbadm upgrade apply v1.34.0"',
      },
    ]);
  if (!parseKubernetesVersion(target))
    throw new ValidationError([
      { field: 'version', value: target, detail: 'not a Kubernetes version such as v1.34.0' },
    ]);
  const bool = (name: string, dflt = false) => (flags.has(name) ? flags.boolean(name) : dflt);
  const dryRun = apply ? (apply.dryRun ?? false) : bool('dry-run');
  const host = dryRun
    ? await deps.host({ dryRun: true, out, dryRunDir: 'upgrade' })
    : await deps.host({ out, writes: true });
  const paths = host.paths;
  if (!(await host.exists(path.join(paths.manifestsDir, 'kube-apiserver.yaml')))) {
    throw new KbadmError(
      `${paths.onHost(path.join(paths.manifestsDir, 'kube-apiserver.yaml'))} does not exist: kbadm upgrade apply runs on a control-plane node (use "kbadm upgrade node" elsewhere)`,
    );
  }
  const kubeconfig = userPath(
    paths,
    (flags.has('kubeconfig') ? flags.string('kubeconfig') : '') || DEFAULT_KUBECONFIG,
  );
  // Reads go to the real cluster; a dry run prints the writes instead (see asUpgradeInitData).
  const cluster = once(() => deps.cluster(kubeconfig, { dryRun: false, out }));
  const current = once(async () =>
    initConfigFromCluster({
      client: await cluster(),
      host,
      paths,
      out,
      prefix: 'upgrade',
      controlPlane: true,
      facts: await gatherDefaultingFacts(host, KNOWN_CRI_SOCKETS),
    }),
  );
  const patches = apply
    ? (apply.patches?.directory ?? '')
    : flags.has('patches')
      ? flags.string('patches')
      : '';
  const config = once(async (): Promise<InitConfig> => {
    const c = structuredClone(await current());
    c.cluster.kubernetesVersion = target;
    if (patches !== '') c.init.patches = { directory: patches };
    // The UpgradeConfiguration's timeouts (upgradeManifests among them) govern this run.
    if (fromFile) c.init.timeouts = fromFile.timeouts;
    if (apply) {
      c.init.nodeRegistration.imagePullPolicy = apply.imagePullPolicy;
      c.init.nodeRegistration.imagePullSerial = apply.imagePullSerial;
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
    controlPlane: true,
    patchesDir: patches,
    ignorePreflightErrors: apply
      ? apply.ignorePreflightErrors
      : flags.has('ignore-preflight-errors')
        ? flags.strings('ignore-preflight-errors')
        : [],
    config,
    cluster,
    target,
    clusterVersion: async () => (await current()).cluster.kubernetesVersion,
    force: apply ? (apply.forceUpgrade ?? false) : bool('force'),
    // A configuration file is a decision already made: kubeadm asks no question then either.
    yes: apply ? true : bool('yes'),
    etcdUpgrade: apply ? apply.etcdUpgrade : bool('etcd-upgrade', true),
    certificateRenewal: apply ? apply.certificateRenewal : bool('certificate-renewal', true),
    allowExperimentalUpgrades: apply
      ? (apply.allowExperimentalUpgrades ?? false)
      : bool('allow-experimental-upgrades'),
    allowReleaseCandidateUpgrades: apply
      ? (apply.allowRCUpgrades ?? false)
      : bool('allow-release-candidate-upgrades'),
    skipPhases: apply?.skipPhases ?? [],
    ask: (prompt) => askYesNo(deps.stdout, deps.stdin, prompt),
    healthProbes: (a) => deps.healthProbes(a),
    ...(deps.clock ? { clock: deps.clock } : {}),
    outcome: { kubeletConfigUpgraded: false, controlPlaneUpgraded: false },
  };
}

/** The upgrade run as init's phases see it, with the target configuration. */
export async function asUpgradeInitData(
  d: UpgradeApplyData,
  openDryRun: () => Promise<ClusterClient>,
): Promise<InitData> {
  const config = await d.config();
  return {
    config,
    paths: { ...d.paths, pkiDir: userPath(d.host.paths, config.cluster.certificatesDir) },
    host: d.host,
    out: d.out,
    dryRun: d.dryRun,
    now: d.now,
    env: d.env,
    wholeRun: false,
    skipTokenPrint: true,
    outputFormat: 'text',
    cache: d.cache,
    kubeconfigPath: path.join(d.paths.kubernetesDir, 'admin.conf'),
    cluster: d.dryRun ? openDryRun : () => d.cluster(),
    uploadCerts: false,
    certificateKey: () => '',
    skipCertificateKeyPrint: true,
    printManifest: false,
    healthProbes: (a) => d.healthProbes(a),
  };
}
