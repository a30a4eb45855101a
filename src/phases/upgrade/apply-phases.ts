// `kbadm upgrade apply`'s phases in kubeadm 1.34's order: preflight (version policy, control-plane
// health, confirmation, images), control-plane (each static Pod replaced with a backup and rolled
// back when it does not come back), upload-config, kubelet-config, addon and post-upgrade.
import * as path from 'node:path';
import { pauseImage } from '../../config/images.js';
import { DryRunCluster } from '../../cluster/dry-run.js';
import type { ClusterClient } from '../../cluster/types.js';
import { parseKubernetesVersion } from '../../config/k8s-version.js';
import { formatDuration } from '../../config/duration.js';
import { KbadmError } from '../../errors.js';
import { PkiStore } from '../../certs/pki-files.js';
import { renewableCertificates } from '../../certs/renewal.js';
import type { InitConfig } from '../../config/model.js';
import { KubeconfigStore } from '../../kubeconfig/kubeconfig-files.js';
import { renewCertificateFiles } from '../cert-renewal.js';
import { controlPlanePod, CONTROL_PLANE_COMPONENTS } from '../../manifests/control-plane.js';
import { etcdPod } from '../../manifests/etcd.js';
import { etcdHealth } from '../../etcd/health.js';
import { etcdSnapshot } from '../../etcd/snapshot.js';
import { toYaml } from '../../manifests/serialize.js';
import type { Check } from '../../preflight/check.js';
import { resetPreflight } from '../../preflight/lists.js';
import { createNodeProbe } from '../../preflight/preflight-files.js';
import { ignoreSet, runPreflight } from '../../preflight/run.js';
import { checkVersionSkew, skewVerdict } from '../../upgrade/versions.js';
import type { Phase } from '../../workflow/index.js';
import { addonPhase } from '../init/addon.js';
import { pullControlPlaneImages } from '../init/preflight.js';
import { controlPlaneInputs, etcdInputs, patchedStaticPod } from '../init/static-pods.js';
import type { PatchTarget } from '../../patches/patches.js';
import type { StaticPod } from '../../manifests/pod.js';
import { uploadConfigPhase } from '../init/upload-config.js';
import { runPhaseTree } from '../run-tree.js';
import { asUpgradeInitData, type UpgradeApplyData } from './apply-data.js';
import { upgradeKubeletConfigPhase } from './kubelet-config.js';
import { mirrorPodHashReader, podsRunningProbe } from './mirror-pod.js';
import { upgradeNodePostUpgradePhase } from './node-phases.js';
import {
  announceUpgradedManifests,
  cleanupUpgradedManifests,
  upgradeDirs,
  upgradeStaticPod,
} from './static-pod-upgrade.js';
import { manifestView } from '../init/data.js';
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
      ...(d.dryRun ? { dryRun: new DryRunCluster(d.out) } : {}),
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
    );
  } finally {
    runtime.close();
  }
}

/** The certificates each component uses, renewed just before its manifest moves (kubeadm's lists). */
export const COMPONENT_CERTIFICATES: Readonly<Record<string, readonly string[]>> = {
  etcd: ['etcd-server', 'etcd-peer', 'etcd-healthcheck-client'],
  'kube-apiserver': ['apiserver', 'apiserver-kubelet-client', 'front-proxy-client', 'apiserver-etcd-client'],
  'kube-controller-manager': ['controller-manager.conf'],
  'kube-scheduler': ['scheduler.conf'],
};

function certificateRenewal(d: UpgradeApplyData, config: InitConfig): (component: string) => Promise<void> {
  const env = {
    host: d.host,
    cluster: config.cluster,
    pki: new PkiStore(d.host, d.paths.under(config.cluster.certificatesDir)),
    kubeconfigs: new KubeconfigStore(d.host, d.paths.kubernetesDir),
    now: d.now,
  };
  const renewable = renewableCertificates(config.cluster.etcd.local !== undefined);
  return async (component) => {
    if (!d.certificateRenewal) return;
    for (const name of COMPONENT_CERTIFICATES[component] ?? []) {
      const r = renewable.find((x) => x.name === name);
      if (!r) continue; // external etcd: kubeadm's etcd client certificates are not its to renew
      d.out.progress('upgrade/staticpods', `Renewing ${name} certificate`);
      const outcome = await renewCertificateFiles(env, r);
      if (outcome !== 'renewed') d.out.log.info('certificate not renewed', { name, reason: outcome });
    }
  };
}

async function runControlPlaneUpgrade(d: UpgradeApplyData): Promise<void> {
  const config = await d.config();
  const m = manifestView(d, config);
  const timeout = config.init.timeouts.upgradeManifests;
  d.out.progress(
    'upgrade/control-plane',
    `Upgrading your static Pod-hosted control plane to version "${d.target}" (timeout: ${formatDuration(timeout)})...`,
  );
  const client = await d.cluster();
  const nodeName = config.init.nodeRegistration.name;
  const ctx = {
    host: d.host,
    out: d.out,
    dirs: upgradeDirs(d.paths.tmpDir, d.now),
    manifestsDir: d.paths.manifestsDir,
    nodeName,
    readHash: d.mirrorPods?.readHash ?? mirrorPodHashReader(client, nodeName),
    healthy: d.mirrorPods?.healthy ?? podsRunningProbe(client, d.out, nodeName),
    timeoutMs: timeout,
    ...(d.mirrorPods?.pollIntervalMs !== undefined
      ? { hashPollIntervalMs: d.mirrorPods.pollIntervalMs, healthPollIntervalMs: d.mirrorPods.pollIntervalMs }
      : {}),
  };
  announceUpgradedManifests(ctx);
  const renew = certificateRenewal(d, config);
  const local = config.cluster.etcd.local;
  if (d.dryRun) {
    // Nothing restarts in a dry run: the new manifests are written (into the dry-run directory) for review.
    const pods: [PatchTarget, StaticPod][] = [];
    if (local && d.etcdUpgrade) pods.push(['etcd', etcdPod(etcdInputs(m)).value]);
    const inputs = await controlPlaneInputs(m);
    for (const c of CONTROL_PLANE_COMPONENTS) pods.push([c, controlPlanePod(inputs, c).value]);
    for (const [c, pod] of pods) {
      const file = path.join(ctx.dirs.upgradedManifests, `${c}.yaml`);
      await d.host.mkdir(ctx.dirs.upgradedManifests, 0o700);
      await d.host.writeFile(file, toYaml(await patchedStaticPod(m, c, pod)), 0o600);
      d.out.progress(
        'dryrun',
        `Would move the new manifest of "${c}" into "${d.paths.onHost(path.join(d.paths.manifestsDir, `${c}.yaml`))}" and wait for the kubelet to restart it`,
      );
    }
    return;
  }
  if (local && d.etcdUpgrade) {
    const pod = etcdPod(etcdInputs(m)).value;
    // This node's member, asked on its loopback address with the healthcheck client pair.
    const endpoint = 'https://127.0.0.1:2379';
    const pki = (f: string) =>
      d.host.readFile(path.join(d.paths.under(config.cluster.certificatesDir), 'etcd', f));
    const tls = async () => ({
      ca: await pki('ca.crt'),
      cert: await pki('healthcheck-client.crt'),
      key: await pki('healthcheck-client.key'),
    });
    await upgradeStaticPod(ctx, 'etcd', await patchedStaticPod(m, 'etcd', pod), {
      prepare: () => renew('etcd'),
      etcd: {
        dataDir: d.paths.under(local.dataDir),
        snapshot: async () => etcdSnapshot(endpoint, await tls()),
        available: async () => (await etcdHealth(endpoint, await tls())).healthy,
      },
    });
  }
  const inputs = await controlPlaneInputs(m);
  for (const component of CONTROL_PLANE_COMPONENTS) {
    const pod = controlPlanePod(inputs, component).value;
    await upgradeStaticPod(ctx, component, await patchedStaticPod(m, component, pod), {
      prepare: () => renew(component),
    });
  }
  await cleanupUpgradedManifests(ctx);
  d.outcome.controlPlaneUpgraded = true;
  d.out.progress(
    'upgrade/control-plane',
    'The control plane instance for this node was successfully upgraded!',
  );
}

function initStep(
  phase: Phase<import('../init/data.js').InitData>,
  name: string,
  short: string,
): Phase<UpgradeApplyData> {
  let dryRunClient: ClusterClient | undefined;
  return {
    name,
    short,
    inheritFlags: ['dry-run', 'kubeconfig'],
    run: async (d) =>
      runPhaseTree(
        phase,
        await asUpgradeInitData(d, async () => (dryRunClient ??= new DryRunCluster(d.out))),
      ),
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
    run: runControlPlaneUpgrade,
  },
  initStep(uploadConfigPhase, 'upload-config', 'Store the upgraded configuration in the cluster'),
  upgradeKubeletConfigPhase,
  initStep(addonPhase, 'addon', 'Upgrade CoreDNS and kube-proxy'),
  upgradeNodePostUpgradePhase,
];
