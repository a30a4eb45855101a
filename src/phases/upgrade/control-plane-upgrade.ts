// The static Pods of this node replaced by the configuration's version, as `upgrade apply` (on the
// first control-plane node) and `upgrade node` (on every other one) both do: etcd first (its data
// copied and a snapshot taken), then kube-apiserver, kube-controller-manager and kube-scheduler,
// each component's certificates renewed just before its manifest moves, each change watched
// through the mirror Pod's hash and rolled back when the component does not come back.
import * as path from 'node:path';
import { PkiStore } from '../../certs/pki-files.js';
import { renewableCertificates } from '../../certs/renewal.js';
import type { ClusterClient } from '../../cluster/types.js';
import { formatDuration } from '../../config/duration.js';
import type { InitConfig } from '../../config/model.js';
import { etcdHealth } from '../../etcd/health.js';
import { etcdSnapshot } from '../../etcd/snapshot.js';
import type { Host } from '../../host/host.js';
import type { Paths } from '../../host/paths.js';
import { KubeconfigStore } from '../../kubeconfig/kubeconfig-files.js';
import { controlPlanePod, CONTROL_PLANE_COMPONENTS } from '../../manifests/control-plane.js';
import { etcdPod } from '../../manifests/etcd.js';
import type { StaticPod } from '../../manifests/pod.js';
import { toYaml } from '../../manifests/serialize.js';
import type { Output } from '../../output/output.js';
import type { PatchTarget } from '../../patches/patches.js';
import { renewCertificateFiles } from '../cert-renewal.js';
import { criSocketPath } from '../../host/cri/endpoint.js';
import type { NodeProbe } from '../../preflight/check.js';
import { createNodeProbe } from '../../preflight/preflight-files.js';
import { staticPodRunningProbe } from './pod-containers.js';
import { manifestView, type InitCache } from '../init/data.js';
import { controlPlaneInputs, etcdInputs, patchedStaticPod } from '../init/static-pods.js';
import {
  mirrorPodHashReader,
  podsRunningProbe,
  type ComponentHealthProbe,
  type MirrorPodHashReader,
} from './mirror-pod.js';
import {
  announceUpgradedManifests,
  cleanupUpgradedManifests,
  StaticPodUpgradeError,
  upgradeDirs,
  upgradeStaticPod,
  type StaticPodUpgradeResult,
} from './static-pod-upgrade.js';
import { writeUpgradeRecord } from '../../upgrade/backup-files.js';
import type { UpgradeRecord } from '../../upgrade/backup-record.js';

const TAG = 'upgrade/control-plane';

/** How the upgrade sees the kubelet restart a component; tests answer for the kubelet. */
export interface MirrorPodHooks {
  readHash: MirrorPodHashReader;
  healthy: ComponentHealthProbe;
  pollIntervalMs?: number;
}

/** What the control-plane upgrade reads; UpgradeApplyData and UpgradeNodeData both provide it. */
export interface ControlPlaneUpgradeData {
  paths: Paths;
  host: Host;
  out: Output;
  dryRun: boolean;
  env: Readonly<Record<string, string | undefined>>;
  now: Date;
  cache: InitCache;
  /** The configuration to upgrade to: its kubernetesVersion is the target. */
  config(): Promise<InitConfig>;
  cluster(): Promise<ClusterClient>;
  etcdUpgrade: boolean;
  certificateRenewal: boolean;
  mirrorPods?: MirrorPodHooks;
  /** Set when every component is at the target (shared by reference with the closing message). */
  outcome: { controlPlaneUpgraded: boolean };
}

/** The certificates each component uses, renewed just before its manifest moves (kubeadm's lists). */
export const COMPONENT_CERTIFICATES: Readonly<Record<string, readonly string[]>> = {
  etcd: ['etcd-server', 'etcd-peer', 'etcd-healthcheck-client'],
  'kube-apiserver': ['apiserver', 'apiserver-kubelet-client', 'front-proxy-client', 'apiserver-etcd-client'],
  'kube-controller-manager': ['controller-manager.conf'],
  'kube-scheduler': ['scheduler.conf'],
};

/** Renews one component's certificates (a no-op with certificate renewal off). */
export function certificateRenewal(
  d: Pick<ControlPlaneUpgradeData, 'host' | 'paths' | 'out' | 'now' | 'certificateRenewal'>,
  config: InitConfig,
): (component: string) => Promise<void> {
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

/**
 * kubeadm words the first line differently for the two commands: apply upgrades "the control
 * plane" and names its timeout, node upgrades "the control plane instance" of this node.
 */
function headline(kind: 'apply' | 'node', version: string, timeoutMs: number): string {
  return kind === 'apply'
    ? `Upgrading your static Pod-hosted control plane to version "${version}" (timeout: ${formatDuration(timeoutMs)})...`
    : `Upgrading your Static Pod-hosted control plane instance to version "${version}"...`;
}

async function runtimeReachable(d: ControlPlaneUpgradeData, config: InitConfig): Promise<boolean> {
  return (
    (await d.host.stat(d.paths.under(criSocketPath(config.init.nodeRegistration.criSocket)))) !== undefined
  );
}

/** Upgrades this node's static Pods to the configuration's kubernetesVersion. */
export async function upgradeControlPlane(d: ControlPlaneUpgradeData, kind: 'apply' | 'node'): Promise<void> {
  const config = await d.config();
  // This node's runtime, connected only if a restart has to watch a Pod stop.
  const runtime = createNodeProbe(d.host, {
    env: d.env,
    criSocket: config.init.nodeRegistration.criSocket,
    out: d.out,
  });
  try {
    await upgradeStaticPods(d, kind, config, runtime);
  } finally {
    runtime.close();
  }
}

async function upgradeStaticPods(
  d: ControlPlaneUpgradeData,
  kind: 'apply' | 'node',
  config: InitConfig,
  runtime: NodeProbe,
): Promise<void> {
  const m = manifestView(d, config);
  const timeout = config.init.timeouts.upgradeManifests;
  d.out.progress(TAG, headline(kind, config.cluster.kubernetesVersion, timeout));
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
    // Without a runtime socket (no kubelet could run here either) the mirror Pod is the only sign.
    ...(d.mirrorPods || !(await runtimeReachable(d, config))
      ? {}
      : { running: staticPodRunningProbe(() => runtime.runtime(), nodeName) }),
    timeoutMs: timeout,
    ...(d.mirrorPods?.pollIntervalMs !== undefined
      ? { hashPollIntervalMs: d.mirrorPods.pollIntervalMs, healthPollIntervalMs: d.mirrorPods.pollIntervalMs }
      : {}),
  };
  announceUpgradedManifests(ctx);
  const renew = certificateRenewal(d, config);
  const local = config.cluster.etcd.local;
  const record = upgradeRecorder(
    d,
    ctx.dirs.backupManifests,
    await runningVersion(d.host, d.paths.manifestsDir),
    config.cluster.kubernetesVersion,
  );
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
    const patched = await patchedStaticPod(m, 'etcd', pod);
    await record.around(() =>
      upgradeStaticPod(ctx, 'etcd', patched, {
        prepare: () => renew('etcd'),
        restartWhenUnchanged: d.certificateRenewal,
        backedUp: record.backedUp,
        etcd: {
          dataDir: d.paths.under(local.dataDir),
          snapshot: async () => etcdSnapshot(endpoint, await tls()),
          available: async () => (await etcdHealth(endpoint, await tls())).healthy,
        },
      }),
    );
  }
  const inputs = await controlPlaneInputs(m);
  for (const component of CONTROL_PLANE_COMPONENTS) {
    const pod = controlPlanePod(inputs, component).value;
    const patched = await patchedStaticPod(m, component, pod);
    await record.around(() =>
      upgradeStaticPod(ctx, component, patched, {
        prepare: () => renew(component),
        restartWhenUnchanged: d.certificateRenewal,
        backedUp: record.backedUp,
      }),
    );
  }
  await record.completed();
  await cleanupUpgradedManifests(ctx);
  d.outcome.controlPlaneUpgraded = true;
  d.out.progress(TAG, 'The control plane instance for this node was successfully upgraded!');
}

/** The version this node runs: the tag of its kube-apiserver image ("" when it cannot be told). */
async function runningVersion(host: Host, manifestsDir: string): Promise<string> {
  const text = await host.readFileIfExists(path.join(manifestsDir, 'kube-apiserver.yaml'));
  return /^\s*image:\s*\S*kube-apiserver:(v[^\s"']+)/m.exec(text?.toString('utf8') ?? '')?.[1] ?? '';
}

/**
 * Keeps kbadm-upgrade.json in the run's backup directory up to date, for `upgrade rollback`:
 * written before the first manifest moves (so even a run that is killed leaves one), updated
 * before each later one, marked completed at the end. A run that changes no manifest makes no
 * backup directory and no record.
 */
function upgradeRecorder(
  d: Pick<ControlPlaneUpgradeData, 'host' | 'paths' | 'out' | 'now'>,
  backupDir: string,
  fromVersion: string,
  toVersion: string,
) {
  let record: UpgradeRecord | undefined;
  const save = async () => {
    if (record) await writeUpgradeRecord(d.host, backupDir, record);
  };
  return {
    backedUp: async (r: StaticPodUpgradeResult): Promise<void> => {
      record ??= { fromVersion, toVersion, startedAt: d.now.toISOString(), completed: false, components: [] };
      // A restart with the same manifest changes nothing rollback could undo.
      if (r.outcome === 'upgraded') record.components.push(r.component);
      if (r.backupEtcdData !== undefined || r.snapshot !== undefined) {
        record.etcd = {
          ...(r.backupEtcdData !== undefined ? { dataCopy: d.paths.onHost(r.backupEtcdData) } : {}),
          ...(r.snapshot !== undefined ? { snapshot: d.paths.onHost(r.snapshot) } : {}),
        };
      }
      await save();
    },
    /** Runs one component's upgrade; a failure that put the old manifest back is recorded. */
    async around<T>(step: () => Promise<T>): Promise<T> {
      try {
        return await step();
      } catch (err) {
        if (record && err instanceof StaticPodUpgradeError && err.restored) {
          record.failedComponent = err.component;
          await save().catch((e: unknown) =>
            d.out.log.warn('could not update the upgrade record', { error: String(e) }),
          );
        }
        throw err;
      }
    },
    async completed(): Promise<void> {
      if (!record) return;
      record.completed = true;
      await save();
    },
  };
}
