// What `kbadm upgrade apply` phases may read: everything `upgrade node` reads (this node and its
// configuration as the cluster knows it), the target version and the choices of the command line
// or of an UpgradeConfiguration's apply section.
import * as path from 'node:path';
import type { ApiserverClientTLS, HealthProbes } from '../../cluster/probes.js';
import type { ClusterClient } from '../../cluster/types.js';
import { KNOWN_CRI_SOCKETS } from '../../config/defaults.js';
import type { InitConfig } from '../../config/model.js';
import { parseKubernetesVersion } from '../../config/k8s-version.js';
import { KbadmError, ValidationError } from '../../errors.js';
import { gatherDefaultingFacts } from '../../host/facts.js';
import type { Host } from '../../host/host.js';
import { userPath } from '../../host/paths.js';
import type { Output, TextSink } from '../../output/output.js';
import { askYesNo, type Answer, type Stdin } from '../../output/prompt.js';
import type { FlagSpec, Invocation } from '../../workflow/index.js';
import { initConfigFromCluster } from '../cluster-node-config.js';
import { newInitCache } from '../init/data.js';
import {
  DEFAULT_KUBECONFIG,
  ignoredChecks,
  readUpgradeConfigFlag,
  type UpgradeNodeData,
} from './node-data.js';
import { once } from '../once.js';
import { printUsedConfiguration } from './print-config.js';
import type { Clock } from '../clock.js';

/** Flags that may stand beside --config (they say where to act, not what to do). */
const ALLOWED_WITH_CONFIG = ['kubeconfig', 'yes'];

export interface UpgradeApplyData extends UpgradeNodeData {
  /** The version to upgrade to, as given (vX.Y.Z). */
  target: string;
  /** The cluster's version before the upgrade (kubeadm-config's kubernetesVersion). */
  clusterVersion(): Promise<string>;
  force: boolean;
  yes: boolean;
  allowExperimentalUpgrades: boolean;
  allowReleaseCandidateUpgrades: boolean;
  ask(prompt: string): Promise<Answer>;
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
  const fromFile = await readUpgradeConfigFlag(deps, out, flags, ALLOWED_WITH_CONFIG);
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
  // --dry-run may stand beside --config, and then wins over the file (kubeadm's ValueFromFlagsOrConfig).
  const dryRun =
    flags.has('dry-run') && flags.isSet('dry-run') ? flags.boolean('dry-run') : (apply?.dryRun ?? false);
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
  // Printed as soon as it is read, before any phase runs, as kubeadm does.
  if (apply ? apply.printConfig === true : bool('print-config'))
    printUsedConfiguration(out, (await config()).cluster);
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
    ignorePreflightErrors: ignoredChecks(flags, apply?.ignorePreflightErrors),
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
