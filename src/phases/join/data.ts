// What join's phases may read, built once per run: the JoinConfiguration (--config or flags and
// the positional endpoint, defaulted and validated), the host, the output, and — fetched on first
// use, so that nothing touches the network before the preflight checks and nothing is written
// before discovery succeeds — the discovered cluster, the bootstrap-token client and the cluster's
// configuration as this node's InitConfig.
// Every join phase definition imports this module: the configuration loader, discovery and the
// cluster reads are imported by the initializer, so that the phase tree (help) loads none of them.
import * as path from 'node:path';
import type { ClusterClient, ClusterSource } from '../../cluster/types.js';
import { KbadmError } from '../../errors.js';
import type { ApiserverClientTLS, HealthProbes } from '../../cluster/probes.js';
import type { InitConfig, JoinConfiguration } from '../../config/model.js';
import type { Host } from '../../host/host.js';
import { userPath, type Paths } from '../../host/paths.js';
import type { KubeConfig } from '../../kubeconfig/kubeconfig.js';
import type { Output } from '../../output/output.js';
import type { DiscoveredCluster } from '../../tokens/discovery.js';
import type { DiscoveryIO } from '../../tokens/discovery-run.js';
import { userSetFlags, type FlagSpec, type Invocation } from '../../workflow/index.js';
import {
  manifestView,
  newInitCache,
  type InitCache,
  type InitData,
  type ManifestData,
} from '../init/data.js';
import { once } from '../once.js';

export interface JoinData {
  /** The join configuration: defaulted and validated. */
  config: JoinConfiguration;
  /** Every host path under --rootfs; pkiDir is the cluster's certificatesDir once it is known. */
  paths: Paths;
  host: Host;
  out: Output;
  dryRun: boolean;
  /** The run's start time: every certificate of one run shares it. */
  now: Date;
  env: Readonly<Record<string, string | undefined>>;
  /** --control-plane (or a controlPlane section in the configuration). */
  controlPlane: boolean;
  /** Work one phase does for the ones after it (keys, the CA, patches), as in init. */
  cache: InitCache;
  /** Discovery, run on first use and then shared. */
  discovered(): Promise<DiscoveredCluster>;
  /** The kubeconfig the TLS bootstrap authenticates with (the bootstrap token user). */
  tlsBootstrapKubeconfig(): Promise<KubeConfig>;
  /** The API server as the bootstrap token user. */
  bootstrapCluster(): Promise<ClusterClient>;
  /**
   * The cluster's configuration with this node's registration (and, for a control plane, its
   * API endpoint) as an InitConfig: what the init phases that join shares need.
   */
  initConfig(): Promise<InitConfig>;
  /** The API server as admin.conf's user, once control-plane-prepare wrote it. */
  adminCluster(): Promise<ClusterClient>;
  /** The API server as this node's kubelet (kubelet.conf), once the TLS bootstrap wrote it. */
  kubeletCluster(): Promise<ClusterClient>;
  healthProbes(apiserver?: ApiserverClientTLS): Promise<HealthProbes>;
  /** What this run achieved, for a closing message that claims only that. */
  achieved: Set<JoinMilestone>;
}

/** The outcomes join's closing message speaks of. */
export type JoinMilestone =
  'tls-bootstrap' | 'etcd-member' | 'control-plane-marked' | 'control-plane-healthy';

/** What the initializer needs from the command context (CommandContext provides it). */
export interface JoinDataDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  output(): Output;
  host(options: { dryRun?: boolean; out?: Output; dryRunDir?: 'join'; writes?: boolean }): Promise<Host>;
  cluster(source: ClusterSource, options: { dryRun: boolean; out?: Output }): Promise<ClusterClient>;
  healthProbes(apiserver?: ApiserverClientTLS): Promise<HealthProbes>;
  discoveryIO(host: Host, out: Output): Promise<DiscoveryIO>;
}

export const ADMIN_CONF = 'admin.conf';

/**
 * A 401 to the bootstrap token: it was deleted or expired after cluster-info was signed for it
 * (the signer has not caught up yet). Said plainly, with the token's public ID only.
 */
async function tokenRefused(err: unknown, token: string): Promise<KbadmError | undefined> {
  const { ClusterApiError } = await import('../../cluster/types.js');
  if (!(err instanceof KbadmError) || !(err.cause instanceof ClusterApiError) || err.cause.status !== 401)
    return undefined;
  const { parseBootstrapToken } = await import('../../tokens/token-format.js');
  const id = parseBootstrapToken(token)?.id;
  return new KbadmError(
    `the API server did not accept the bootstrap token${id ? ` with ID "${id}"` : ''}: it has expired or was deleted. Create a new one with "kbadm token create" on a control-plane node`,
    { cause: err },
  );
}

/**
 * join's data initializer: the configuration is loaded and validated here, before any phase; the
 * network is reached only when a phase first asks for the cluster.
 */
export async function newJoinData(
  deps: JoinDataDeps,
  invocation: Invocation,
  specs: readonly FlagSpec[],
): Promise<JoinData> {
  const { readConfigFile } = await import('../../config/config-files.js');
  const { KNOWN_CRI_SOCKETS } = await import('../../config/defaults.js');
  const { joiningNodeConfigText } = await import('../../config/from-cluster.js');
  const { resolveInitConfig, resolveJoinConfig } = await import('../../config/resolve.js');
  const { gatherDefaultingFacts } = await import('../../host/facts.js');
  const { tlsBootstrapKubeconfig } = await import('../../tokens/discovery.js');
  const { chooseJoinServer } = await import('../../tokens/join-endpoint.js');
  const { readClusterConfigDocuments } = await import('../cluster-config-read.js');
  const { runDiscovery } = await import('../join-discovery.js');
  const { flags, args } = invocation;
  const out = deps.output();
  const realHost = await deps.host({ out });
  const configPath = flags.has('config') ? flags.string('config') : '';
  const configText = configPath === '' ? undefined : await readConfigFile(realHost, configPath);
  const facts = await gatherDefaultingFacts(realHost, KNOWN_CRI_SOCKETS);
  const resolved = resolveJoinConfig({
    ...(configText !== undefined ? { configText, source: configPath } : {}),
    flags: userSetFlags(flags, specs),
    args,
    facts,
  });
  for (const w of resolved.warnings) out.warn(w);
  const config = resolved.config;

  const dryRun = config.dryRun;
  const host = dryRun
    ? await deps.host({ dryRun: true, out, dryRunDir: 'join' })
    : await deps.host({ out, writes: true });

  let data: JoinData;
  const discovered = once(async () =>
    runDiscovery(config.discovery, config.timeouts.discovery, await deps.discoveryIO(host, out)),
  );
  // kbadm's JoinConfiguration.controlPlaneEndpoint: the node keeps the endpoint the user gave.
  const given = config.controlPlaneEndpoint ?? '';
  const tlsKubeconfig = once(async () => {
    const found = await discovered();
    const cfg = tlsBootstrapKubeconfig(found, config.discovery.tlsBootstrapToken);
    if (given === '') return cfg;
    const { server } = chooseJoinServer(found, given);
    const out = structuredClone(cfg);
    for (const c of out.clusters) c.cluster.server = server;
    return out;
  });
  const initConfig = once(async () => {
    const docs = await readClusterConfigDocuments(await data.bootstrapCluster(), out, 'preflight').catch(
      async (err: unknown) => {
        throw (await tokenRefused(err, config.discovery.tlsBootstrapToken)) ?? err;
      },
    );
    const r = resolveInitConfig({
      configText: joiningNodeConfigText(docs, config),
      source: 'the cluster configuration',
      flags: {},
      // A worker serves no API: its advertise address is never used, so no default route is needed.
      facts:
        data.controlPlane || facts.defaultRouteAddress !== undefined
          ? facts
          : { ...facts, defaultRouteAddress: '127.0.0.1' },
    });
    for (const w of r.warnings) out.warn(w);
    if (given !== '') {
      // The control plane's kubeconfig files and serving certificate follow the given endpoint.
      const u = new URL(chooseJoinServer(await discovered(), given).server);
      r.config.cluster.controlPlaneEndpoint = `${u.hostname}:${u.port || '443'}`;
    }
    // From here on the PKI lives where the cluster keeps it.
    data.paths = { ...data.paths, pkiDir: userPath(host.paths, r.config.cluster.certificatesDir) };
    return r.config;
  });
  data = {
    config,
    paths: { ...host.paths },
    host,
    out,
    dryRun,
    now: new Date(),
    env: deps.env,
    controlPlane: config.controlPlane !== undefined,
    cache: newInitCache(),
    discovered,
    tlsBootstrapKubeconfig: tlsKubeconfig,
    // Reads only: even a dry run asks the real cluster, as it needs the cluster's configuration.
    bootstrapCluster: once(async () =>
      deps.cluster(
        { kubeconfig: await tlsKubeconfig(), source: 'the TLS bootstrap kubeconfig' },
        { dryRun: false, out },
      ),
    ),
    initConfig,
    adminCluster: once(async () =>
      deps.cluster(path.join(data.paths.kubernetesDir, ADMIN_CONF), { dryRun, out }),
    ),
    kubeletCluster: once(async () =>
      deps.cluster(path.join(data.paths.kubernetesDir, 'kubelet.conf'), { dryRun, out }),
    ),
    healthProbes: (apiserver) => deps.healthProbes(apiserver),
    achieved: new Set(),
  };
  return data;
}

/** The view of the run that init's static-Pod, certificate and kubelet code reads. */
export async function asManifestData(d: JoinData): Promise<ManifestData & Pick<JoinData, 'now'>> {
  return { ...manifestView(d, await d.initConfig()), now: d.now };
}

/**
 * The run as init's phases see it, for the steps a control-plane join shares with init
 * (certificates, kubeconfig files, manifests, mark-control-plane, wait-control-plane). The API
 * client is admin.conf's, which control-plane-prepare writes.
 */
export async function asInitData(d: JoinData): Promise<InitData> {
  const m = await asManifestData(d);
  return {
    ...m,
    wholeRun: false,
    skipTokenPrint: true,
    outputFormat: 'text',
    kubeconfigPath: path.join(m.paths.kubernetesDir, ADMIN_CONF),
    cluster: () => d.adminCluster(),
    uploadCerts: false,
    certificateKey: async () => d.config.controlPlane?.certificateKey ?? '',
    skipCertificateKeyPrint: true,
    printManifest: false,
    healthProbes: (apiserver) => d.healthProbes(apiserver),
  };
}
