// join's kubelet phases. kubelet-start writes bootstrap-kubelet.conf (the bootstrap token and the
// cluster CA), the CA file, and the kubelet's files from the cluster's kubelet-config, then restarts
// the kubelet; kubelet-wait-bootstrap waits for its health and for the TLS bootstrap, after which
// the kubelet has its own credentials in kubelet.conf. The kubelet does the bootstrap (a CSR signed
// by the cluster), not kbadm.
// Their implementations (kubelet files, services, the wait) are imported when a phase runs.
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeObject } from '../../cluster/types.js';
import { formatDuration } from '../../config/duration.js';
import type { InitConfig } from '../../config/model.js';
import { errorMessage, KbadmError } from '../../errors.js';
import type { KubeConfig } from '../../kubeconfig/kubeconfig.js';
import { yamlLib } from '../../output/yaml.js';
import type { Phase } from '../../workflow/index.js';
import { asManifestData, type JoinData } from './data.js';
import { DISCOVERY_FLAGS } from './flags.js';

const TAG = 'kubelet-start';
export const BOOTSTRAP_KUBELET_CONF = 'bootstrap-kubelet.conf';
export const KUBELET_CONF = 'kubelet.conf';
const KUBECONFIG_MODE = 0o600;
const CA_FILE_MODE = 0o644;
/** kubeadm's TLSBootstrapRetryInterval. */
export const TLS_BOOTSTRAP_RETRY_INTERVAL_MS = 1000;

/** The kubelet waits for the TLS bootstrap in its own phase while ControlPlaneKubeletLocalMode is on. */
export async function waitsInOwnPhase(config: InitConfig): Promise<boolean> {
  const { kubeletLocalMode } = await import('../../kubeconfig/specs.js');
  return kubeletLocalMode({
    featureGates: config.cluster.featureGates,
    kubernetesVersion: config.cluster.kubernetesVersion,
  });
}

/**
 * The bootstrap kubeconfig as written: a control-plane node in local mode bootstraps against its
 * own API server (every cluster's server rewritten), since its kubelet.conf will point there too.
 */
export async function bootstrapKubeconfigFor(
  cfg: KubeConfig,
  config: InitConfig,
  controlPlane: boolean,
): Promise<KubeConfig> {
  if (!controlPlane || !(await waitsInOwnPhase(config))) return cfg;
  const { advertiseAddress, bindPort } = config.init.localAPIEndpoint;
  const host = advertiseAddress.includes(':') ? `[${advertiseAddress}]` : advertiseAddress;
  const out = structuredClone(cfg);
  for (const c of out.clusters) c.cluster.server = `https://${host}:${bindPort}`;
  return out;
}

/** kubeadm refuses to take over the name of a node that is registered and Ready. */
function isReady(node: KubeObject): boolean {
  const conditions = (node.status as { conditions?: { type?: string; status?: string }[] } | undefined)
    ?.conditions;
  return (conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

async function checkNodeNameFree(d: JoinData, name: string): Promise<void> {
  let node: KubeObject | undefined;
  try {
    node = await (await d.bootstrapCluster()).get({ apiVersion: 'v1', kind: 'Node', name });
  } catch (err) {
    throw new KbadmError(`cannot get Node "${name}": ${errorMessage(err)}`, { cause: err });
  }
  if (node && isReady(node)) {
    throw new KbadmError(
      `a Node with name "${name}" and status "Ready" already exists in the cluster. You must delete the existing Node or change the name of this new joining Node`,
    );
  }
}

export async function runJoinKubeletStart(d: JoinData): Promise<void> {
  const { managesServices, serviceIsActive } = await import('../../host/services.js');
  const { serializeKubeconfig } = await import('../../kubeconfig/kubeconfig.js');
  const { kubeletFiles } = await import('../../manifests/kubelet.js');
  const { writeKubeletFiles } = await import('../../manifests/manifest-files.js');
  const { patchSets } = await import('../init/static-pods.js');
  const { kubeletNotManagedLine, tryStartKubelet, tryStopKubelet } = await import('../kubelet-service.js');
  const m = await asManifestData(d);
  const config = m.config;
  const discovered = await d.discovered();
  const bootstrap = await bootstrapKubeconfigFor(await d.tlsBootstrapKubeconfig(), config, d.controlPlane);
  const kubernetesDir = d.paths.kubernetesDir;
  await d.host.mkdir(kubernetesDir, 0o755);
  await d.host.writeFile(
    path.join(kubernetesDir, BOOTSTRAP_KUBELET_CONF),
    serializeKubeconfig(bootstrap),
    KUBECONFIG_MODE,
  );
  // The kubelet's client CA; one already there (a control plane downloaded it) is kept.
  const caFile = d.paths.under(d.config.caCertPath);
  if (!(await d.host.exists(caFile))) {
    await d.host.mkdir(path.dirname(caFile), 0o755);
    await d.host.writeFile(caFile, discovered.caPem, CA_FILE_MODE);
  }
  await checkNodeNameFree(d, config.init.nodeRegistration.name);

  const manage = managesServices(d.host);
  if (d.dryRun) {
    if (manage) d.out.progress(TAG, 'Would stop the kubelet');
  } else await tryStopKubelet(d.host, d.out);
  const { files, warnings } = kubeletFiles({
    config,
    hostname: (await d.host.facts()).hostname,
    systemdResolvedActive: await serviceIsActive(d.host, 'systemd-resolved'),
    patchSets: await patchSets(m),
    shownDir: d.paths.onHost(d.paths.kubeletDir),
    writer: d.controlPlane ? 'join-control-plane' : 'join-worker',
  });
  for (const w of warnings) d.out.warn(w);
  await writeKubeletFiles(d.host, d.out, d.paths.kubeletDir, files);
  if (d.dryRun)
    d.out.progress(TAG, manage ? 'Would start the kubelet' : kubeletNotManagedLine(d.host.paths.rootfs));
  else await tryStartKubelet(d.host, d.out);

  if (!(await waitsInOwnPhase(config))) await runWaitBootstrap(d);
}

/** kubelet.conf exists and every file it references is there: the kubelet finished its bootstrap. */
async function bootstrapDone(d: JoinData): Promise<boolean> {
  const { currentCluster, currentUser, parseKubeconfig } = await import('../../kubeconfig/kubeconfig.js');
  const file = path.join(d.paths.kubernetesDir, KUBELET_CONF);
  const bytes = await d.host.readFileIfExists(file);
  if (bytes === undefined) return false;
  let cfg: KubeConfig;
  try {
    cfg = parseKubeconfig(bytes.toString('utf8'), d.paths.onHost(file));
  } catch {
    return false; // being written
  }
  const refs = [
    currentCluster(cfg)?.cluster['certificate-authority'],
    currentUser(cfg)?.user['client-certificate'],
    currentUser(cfg)?.user['client-key'],
  ].filter((r): r is string => typeof r === 'string' && r !== '');
  for (const ref of refs) {
    const p = path.isAbsolute(ref) ? d.paths.under(ref) : path.join(d.paths.kubernetesDir, ref);
    if (!(await d.host.exists(p))) return false;
  }
  return currentCluster(cfg) !== undefined && currentUser(cfg) !== undefined;
}

/** kubeadm's advice when the kubelet did not come up or did not bootstrap. */
export const KUBELET_FAILURE_HELP = [
  'The kubelet on this node is not running or is not configured correctly. Check it with:',
  "\t- 'systemctl status kubelet'",
  "\t- 'journalctl -xeu kubelet'",
].join('\n');

export async function runWaitBootstrap(d: JoinData, options: { intervalMs?: number } = {}): Promise<void> {
  const m = await asManifestData(d);
  const kubeletConfig = m.config.componentConfigs.kubelet?.config;
  const timeouts = d.config.timeouts;
  if (d.dryRun) {
    d.out.progress(
      'dryrun',
      `Would wait up to ${formatDuration(timeouts.kubeletHealthCheck)} for the kubelet to be healthy`,
    );
    d.out.progress(
      'dryrun',
      `Would wait up to ${formatDuration(timeouts.tlsBootstrap)} for the kubelet's TLS bootstrap`,
    );
    return;
  }
  const { waitForKubelet } = await import('../control-plane-wait.js');
  // A kubelet patch may move its healthz: the wait reads the configuration as written, patches included.
  const patched = parseWrittenKubeletConfig(
    await d.host.readFileIfExists(path.join(d.paths.kubeletDir, 'config.yaml')),
  );
  try {
    await waitForKubelet(
      {
        host: d.host,
        out: d.out,
        criSocket: d.config.nodeRegistration.criSocket,
        ...((patched ?? kubeletConfig) ? { kubeletConfig: patched ?? kubeletConfig } : {}),
        timeouts,
        ...(options.intervalMs !== undefined ? { intervalMs: options.intervalMs } : {}),
      },
      await d.healthProbes(),
    );
    d.out.progress(TAG, 'Waiting for the kubelet to perform the TLS Bootstrap');
    const interval = options.intervalMs ?? TLS_BOOTSTRAP_RETRY_INTERVAL_MS;
    const deadline = Date.now() + timeouts.tlsBootstrap;
    while (!(await bootstrapDone(d))) {
      if (Date.now() + interval > deadline) {
        throw new KbadmError(
          `the kubelet did not write ${d.paths.onHost(path.join(d.paths.kubernetesDir, KUBELET_CONF))} within ${formatDuration(timeouts.tlsBootstrap)}: its TLS bootstrap did not finish (is its certificate signing request approved and signed?)`,
        );
      }
      await sleep(interval);
    }
  } catch (err) {
    if (err instanceof KbadmError)
      throw new KbadmError(`${err.message}\n${KUBELET_FAILURE_HELP}`, { cause: err });
    throw err;
  }
  await d.host.remove(path.join(d.paths.kubernetesDir, BOOTSTRAP_KUBELET_CONF));
  d.achieved.add('tls-bootstrap');

  const { nodeLocalCRISocket } = await import('../../manifests/kubelet.js');
  if (!nodeLocalCRISocket(m.config.cluster)) {
    const { patchNode } = await import('../../cluster/patch-node.js');
    const { criSocketAnnotationPatch } = await import('../../manifests/cri-socket.js');
    // Without NodeLocalCRISocket the node's CRI socket is recorded on its Node, with its own credentials.
    const client = await d.kubeletCluster();
    await patchNode(
      client,
      m.config.init.nodeRegistration.name,
      (live) => criSocketAnnotationPatch(live, d.config.nodeRegistration.criSocket),
      { timeoutMs: timeouts.kubernetesAPICall },
    );
  }
}

function parseWrittenKubeletConfig(bytes: Buffer | undefined): Record<string, unknown> | undefined {
  if (bytes === undefined) return undefined;
  try {
    const v = yamlLib().parse(bytes.toString('utf8')) as unknown;
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export const joinKubeletStartPhase: Phase<JoinData> = {
  name: 'kubelet-start',
  short: 'Write the kubelet settings and credentials, then (re)start the kubelet',
  long:
    "Writes bootstrap-kubelet.conf (the cluster's address and CA, the bootstrap token as credential), the cluster CA file, and the kubelet's files in /var/lib/kubelet from the cluster's kubelet-config ConfigMap, " +
    'then restarts the kubelet, which uses the bootstrap token to ask the cluster for its own client certificate. A node of that name that is registered and Ready stops the phase.',
  inheritFlags: [
    'certificate-key',
    'config',
    'cri-socket',
    'dry-run',
    'node-name',
    'patches',
    ...DISCOVERY_FLAGS,
  ],
  run: runJoinKubeletStart,
};

export const kubeletWaitBootstrapPhase: Phase<JoinData> = {
  name: 'kubelet-wait-bootstrap',
  short: 'Wait until the kubelet is healthy and has its own credentials',
  long:
    "Waits for the kubelet's healthz (timeouts.kubeletHealthCheck), then for its TLS bootstrap to produce kubelet.conf (timeouts.tlsBootstrap), and removes bootstrap-kubelet.conf. " +
    'While ControlPlaneKubeletLocalMode is off, kubelet-start does this wait itself and this phase has nothing to do.',
  inheritFlags: ['config', 'dry-run', 'patches'],
  runIf: async (d) => await waitsInOwnPhase(await d.initConfig()),
  run: (d) => runWaitBootstrap(d),
};
