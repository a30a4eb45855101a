// `kbadm upgrade apply`'s phases in kubeadm 1.34's order: preflight (version policy, control-plane
// health, confirmation, images), control-plane (each static Pod replaced with a backup and rolled
// back when it does not come back), upload-config, the hidden kubeconfig, kubelet-config,
// bootstrap-token, addon and post-upgrade.
import { pauseImage } from '../../config/images.js';
import type { ClusterClient } from '../../cluster/types.js';
import { parseKubernetesVersion } from '../../config/k8s-version.js';
import { KbadmError } from '../../errors.js';
import type { Check } from '../../preflight/check.js';
import { resetPreflight } from '../../preflight/lists.js';
import { createNodeProbe } from '../../preflight/preflight-files.js';
import { ignoreSet, runPreflight } from '../../preflight/run.js';
import { checkVersionSkew, skewVerdict } from '../../upgrade/versions.js';
import type { Phase } from '../../workflow/index.js';
import { pullControlPlaneImages } from '../init/preflight.js';
import { uploadConfigPhase } from '../init/upload-config.js';
import { runPhaseTree } from '../run-tree.js';
import { upgradeAddonPhase } from './addon.js';
import { upgradeBootstrapTokenPhase } from './bootstrap-token.js';
import type { UpgradeApplyData } from './apply-data.js';
import { upgradeControlPlane } from './control-plane-upgrade.js';
import { asUpgradeInitData, dryRunClient } from './init-view.js';
import { upgradeKubeconfigPhase } from './kubeconfig.js';
import { upgradeKubeletConfigPhase } from './kubelet-config.js';
import { upgradeNodePostUpgradePhase } from './node-phases.js';
import { upgradeHealthChecks } from './health-checks.js';

const PREFLIGHT = 'upgrade/preflight';

/** kubeadm's cluster health checks (health-checks.ts), with apply's client, dry run and clock. */
function clusterHealthChecks(d: UpgradeApplyData, client: ClusterClient, localEtcd: boolean): Check[] {
  return upgradeHealthChecks({
    client,
    host: d.host,
    paths: d.paths,
    localEtcd,
    job: {
      pauseImage: async () => pauseImage((await d.config()).cluster.imageRepository),
      ...(d.dryRun ? { dryRun: dryRunClient(d) } : {}),
      warn: (m) => d.out.warn(m),
      log: d.out.log,
      ...(d.clock ? { timing: d.clock } : {}),
    },
  });
}

async function runApplyPreflight(d: UpgradeApplyData): Promise<void> {
  d.out.progress(PREFLIGHT, 'Running preflight checks');
  const probe = createNodeProbe(d.host, { env: d.env, criSocket: '', out: d.out });
  try {
    const ignored = ignoreSet(d.ignorePreflightErrors);
    await runPreflight(resetPreflight(), probe, ignored, d.out);
    d.out.progress('upgrade', 'Running cluster health checks');
    const local = (await d.config()).cluster.etcd.local !== undefined;
    await runPreflight([clusterHealthChecks(d, await d.cluster(), local)], probe, ignored, d.out);
    const clusterVersion = await d.clusterVersion();
    d.out.progress(PREFLIGHT, `You have chosen to upgrade the cluster version to "${d.target}"`);
    d.out.progress('upgrade/versions', `Cluster version: ${clusterVersion}`);
    const verdict = skewVerdict(
      checkVersionSkew({
        target: parseKubernetesVersion(d.target)!,
        targetText: d.target,
        cluster: parseKubernetesVersion(clusterVersion)!,
        allowExperimentalUpgrades: d.allowExperimentalUpgrades,
        allowReleaseCandidateUpgrades: d.allowReleaseCandidateUpgrades,
      }),
      d.force,
    );
    if (verdict.error) throw new KbadmError(`[upgrade/version] FATAL: ${verdict.error}`);
    if (verdict.notice) d.out.warn(`[upgrade/version] ${verdict.notice}`);
    if (!d.yes && !d.force && !d.dryRun) {
      const answer = await d.ask('[upgrade] Are you sure you want to proceed?');
      if (answer === 'not-interactive')
        throw new KbadmError(
          'refusing to upgrade without confirmation: standard input is not a terminal; pass --yes to upgrade anyway',
        );
      if (answer === 'no') throw new KbadmError('upgrade aborted: the answer was not "y" or "yes"');
    }
  } finally {
    probe.close();
  }
  // The new images, through this node's runtime, before any static Pod changes.
  const config = await d.config();
  const runtime = createNodeProbe(d.host, {
    env: d.env,
    criSocket: config.init.nodeRegistration.criSocket,
    out: d.out,
  });
  try {
    await pullControlPlaneImages(
      { config, out: d.out, dryRun: d.dryRun },
      runtime,
      ignoreSet(d.ignorePreflightErrors),
      PREFLIGHT,
    );
  } finally {
    runtime.close();
  }
}

function initStep(
  phase: Phase<import('../init/data.js').InitData>,
  name: string,
  short: string,
): Phase<UpgradeApplyData> {
  return {
    name,
    short,
    inheritFlags: ['dry-run', 'kubeconfig'],
    run: async (d) => runPhaseTree(phase, await asUpgradeInitData(d)),
  };
}

export const upgradeApplyPhases: Phase<UpgradeApplyData>[] = [
  {
    name: 'preflight',
    short: 'Check the version policy and the health of the control plane, then pull the new images',
    inheritFlags: [
      'allow-experimental-upgrades',
      'allow-release-candidate-upgrades',
      'dry-run',
      'force',
      'ignore-preflight-errors',
      'kubeconfig',
      'yes',
    ],
    run: runApplyPreflight,
  },
  {
    name: 'control-plane',
    short: "Replace this node's static Pods with the new version's, one at a time",
    long:
      "For etcd (unless --etcd-upgrade=false), kube-apiserver, kube-controller-manager and kube-scheduler in turn: writes the new manifest, keeps the old one (and etcd's data) in /etc/kubernetes/tmp, " +
      'moves the new one in, and waits for the kubelet to restart the component and for it to run. A component that does not come back gets its old manifest (and etcd its data) back, and the upgrade stops.',
    inheritFlags: ['certificate-renewal', 'dry-run', 'etcd-upgrade', 'kubeconfig', 'patches'],
    run: (d) => upgradeControlPlane(d, 'apply'),
  },
  initStep(uploadConfigPhase, 'upload-config', 'Store the upgraded configuration in the cluster'),
  upgradeKubeconfigPhase,
  upgradeKubeletConfigPhase,
  upgradeBootstrapTokenPhase,
  upgradeAddonPhase,
  upgradeNodePostUpgradePhase,
];
