// What the simulated kubelet reads at start, and refuses as the kubelet would: the
// KubeletConfiguration kbadm writes to /var/lib/kubelet/config.yaml, the flags in
// /var/lib/kubelet/kubeadm-flags.env, and the files they name.
import { parse as parseYaml } from 'yaml';

export interface KubeletSettings {
  staticPodPath: string;
  healthzBindAddress: string;
  healthzPort: number;
  clientCAFile: string;
  cgroupDriver: string;
  failSwapOn: boolean;
  criEndpoint: string;
  nodeIP?: string;
  hostnameOverride?: string;
  nodeLabels: Record<string, string>;
  taints: { key: string; value?: string; effect: string }[];
}

/** Why the kubelet would not start, in the words it logs before exiting. */
export class KubeletStartError extends Error {}

const TOP_LEVEL_FIELDS = new Set([
  'apiVersion',
  'kind',
  'authentication',
  'authorization',
  'cgroupDriver',
  'clusterDNS',
  'clusterDomain',
  'containerRuntimeEndpoint',
  'cpuManagerReconcilePeriod',
  'crashLoopBackOff',
  'evictionPressureTransitionPeriod',
  'fileCheckFrequency',
  'healthzBindAddress',
  'healthzPort',
  'httpCheckFrequency',
  'imageMaximumGCAge',
  'imageMinimumGCAge',
  'logging',
  'memorySwap',
  'nodeStatusReportFrequency',
  'nodeStatusUpdateFrequency',
  'resolvConf',
  'rotateCertificates',
  'runtimeRequestTimeout',
  'shutdownGracePeriod',
  'shutdownGracePeriodCriticalPods',
  'staticPodPath',
  'streamingConnectionIdleTimeout',
  'syncFrequency',
  'volumeStatsAggPeriod',
  'failSwapOn',
  'address',
  'port',
  'readOnlyPort',
  'serverTLSBootstrap',
  'tlsCertFile',
  'tlsPrivateKeyFile',
  'tlsCipherSuites',
  'tlsMinVersion',
  'featureGates',
  'maxPods',
  'podPidsLimit',
  'evictionHard',
  'evictionSoft',
  'kubeReserved',
  'systemReserved',
  'enforceNodeAllocatable',
  'protectKernelDefaults',
  'makeIPTablesUtilChains',
  'serializeImagePulls',
  'maxParallelImagePulls',
  'registryPullQPS',
  'registryBurst',
  'eventRecordQPS',
  'eventBurst',
  'enableServer',
  'providerID',
  'podCIDR',
  'resolverConfig',
  'hairpinMode',
  'containerLogMaxSize',
  'containerLogMaxFiles',
  'imageGCHighThresholdPercent',
  'imageGCLowThresholdPercent',
  'cgroupsPerQOS',
  'cgroupRoot',
  'seccompDefault',
  'localStorageCapacityIsolation',
  'kubeAPIQPS',
  'kubeAPIBurst',
  'topologyManagerPolicy',
  'cpuManagerPolicy',
  'memoryManagerPolicy',
  'reservedSystemCPUs',
  'registerNode',
  'registerWithTaints',
  'systemCgroups',
  'kubeletCgroups',
  'mergeDefaultEvictionSettings',
  'imagePullCredentialsVerificationPolicy',
]);

const KNOWN_FLAGS = new Set([
  'container-runtime-endpoint',
  'pod-infra-container-image',
  'node-ip',
  'hostname-override',
  'node-labels',
  'register-with-taints',
  'cloud-provider',
  'provider-id',
  'config',
  'kubeconfig',
  'bootstrap-kubeconfig',
  'v',
]);

/** KUBELET_KUBEADM_ARGS="--a=b --c=d" as the kubelet's systemd drop-in expands it. */
export function parseFlagsEnv(text: string): Map<string, string> {
  const m = /^KUBELET_KUBEADM_ARGS="(.*)"\s*$/m.exec(text);
  if (!m) throw new KubeletStartError('kubeadm-flags.env: no KUBELET_KUBEADM_ARGS line');
  const flags = new Map<string, string>();
  for (const arg of m[1]!.split(/\s+/).filter((a) => a !== '')) {
    const f = /^--([a-z0-9-]+)(?:=(.*))?$/.exec(arg);
    if (!f) throw new KubeletStartError(`kubeadm-flags.env: unexpected argument ${JSON.stringify(arg)}`);
    if (!KNOWN_FLAGS.has(f[1]!)) throw new KubeletStartError(`unknown flag: --${f[1]}`);
    flags.set(f[1]!, f[2] ?? 'true');
  }
  return flags;
}

function parseTaints(s: string): KubeletSettings['taints'] {
  return s
    .split(',')
    .filter((t) => t !== '')
    .map((t) => {
      const m = /^([^=:]+)(?:=([^:]*))?:(NoSchedule|PreferNoSchedule|NoExecute)$/.exec(t);
      if (!m) throw new KubeletStartError(`--register-with-taints: invalid taint spec: ${t}`);
      return { key: m[1]!, ...(m[2] !== undefined ? { value: m[2] } : {}), effect: m[3]! };
    });
}

export function kubeletSettings(configYaml: string, flagsEnv: string | undefined): KubeletSettings {
  let cfg: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  try {
    cfg = parseYaml(configYaml) ?? {};
  } catch (err) {
    throw new KubeletStartError(`failed to load kubelet config file: ${(err as Error).message}`);
  }
  if (cfg.apiVersion !== 'kubelet.config.k8s.io/v1beta1' || cfg.kind !== 'KubeletConfiguration') {
    throw new KubeletStartError(
      `failed to load kubelet config file: no kind "${cfg.kind}" is registered for version "${cfg.apiVersion}"`,
    );
  }
  for (const k of Object.keys(cfg)) {
    if (!TOP_LEVEL_FIELDS.has(k))
      throw new KubeletStartError(
        `failed to load kubelet config file: strict decoding error: unknown field "${k}"`,
      );
  }
  const cgroupDriver = cfg.cgroupDriver ?? 'cgroupfs';
  if (!['systemd', 'cgroupfs'].includes(cgroupDriver))
    throw new KubeletStartError(`invalid configuration: cgroupDriver "${cgroupDriver}" is not supported`);
  if (!cfg.staticPodPath)
    throw new KubeletStartError('the lab needs staticPodPath set (kbadm always writes it)');
  const clientCAFile = cfg.authentication?.x509?.clientCAFile;
  if (!clientCAFile) throw new KubeletStartError('authentication.x509.clientCAFile is not set');
  const flags = flagsEnv === undefined ? new Map<string, string>() : parseFlagsEnv(flagsEnv);
  const criEndpoint = flags.get('container-runtime-endpoint') ?? cfg.containerRuntimeEndpoint;
  if (!criEndpoint)
    throw new KubeletStartError(
      'container runtime endpoint is not set (--container-runtime-endpoint or containerRuntimeEndpoint)',
    );
  const labels: Record<string, string> = {};
  for (const kv of (flags.get('node-labels') ?? '').split(',').filter((x) => x !== '')) {
    const [k, v = ''] = kv.split('=');
    labels[k!] = v;
  }
  return {
    staticPodPath: cfg.staticPodPath,
    healthzBindAddress: cfg.healthzBindAddress ?? '127.0.0.1',
    healthzPort: cfg.healthzPort ?? 10248,
    clientCAFile,
    cgroupDriver,
    failSwapOn: cfg.failSwapOn !== false,
    criEndpoint,
    ...(flags.has('node-ip') ? { nodeIP: flags.get('node-ip')! } : {}),
    ...(flags.has('hostname-override') ? { hostnameOverride: flags.get('hostname-override')! } : {}),
    nodeLabels: labels,
    taints: parseTaints(flags.get('register-with-taints') ?? ''),
  };
}

/** Active swap devices from /proc/swaps (its header line aside). */
export function swapDevices(procSwaps: string): string[] {
  return procSwaps
    .split('\n')
    .slice(1)
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .map((l) => l.split(/\s+/)[0]!);
}
