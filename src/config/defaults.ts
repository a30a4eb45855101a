// kubeadm's defaults: the static ones applied when a document is decoded, and the dynamic ones
// that come from the host (node name, advertise address, CRI socket), applied by pure functions
// over a facts object so that nothing here touches the machine.
import { KbadmError } from '../errors.js';
import { generateBootstrapToken } from '../tokens/token-format.js';
import { DEFAULT_KUBERNETES_VERSION } from '../version.js';
import { defaultComponentConfigs } from './component-configs.js';
import { ConfigValidationError, type ConfigProblem } from './errors.js';
import {
  checkSupportedVersion,
  formatVersion,
  parseKubernetesVersion,
  parseKubernetesVersionOrError,
} from './k8s-version.js';
import type {
  APIEndpoint,
  BootstrapToken,
  ClusterConfiguration,
  InitConfig,
  JoinConfiguration,
  NodeRegistrationOptions,
  ResetConfiguration,
  Taint,
  Timeouts,
} from './model.js';
import { joinHostPort, parseHostPort, parseIP, parseIPSloppy, formatIP } from './net.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export const DEFAULTS = {
  serviceSubnet: '10.96.0.0/12',
  dnsDomain: 'cluster.local',
  certificatesDir: '/etc/kubernetes/pki',
  imageRepository: 'registry.k8s.io',
  clusterName: 'kubernetes',
  etcdDataDir: '/var/lib/etcd',
  bindPort: 6443,
  caCertPath: '/etc/kubernetes/pki/ca.crt',
  imagePullPolicy: 'IfNotPresent',
  encryptionAlgorithm: 'RSA-2048',
  certificateValidityPeriod: 8760 * HOUR,
  caCertificateValidityPeriod: 87600 * HOUR,
  tokenTTL: 24 * HOUR,
  tokenUsages: ['signing', 'authentication'],
  tokenGroups: ['system:bootstrappers:kubeadm:default-node-token'],
  kubernetesVersion: DEFAULT_KUBERNETES_VERSION,
  criSocket: 'unix:///var/run/containerd/containerd.sock',
  /** Used when no default route gives an address, as kubeadm does (validation then rejects it). */
  apiServerBindAddress: '0.0.0.0',
} as const;

export const DEFAULT_TIMEOUTS: Readonly<Timeouts> = {
  controlPlaneComponentHealthCheck: 4 * MINUTE,
  kubeletHealthCheck: 4 * MINUTE,
  kubernetesAPICall: 1 * MINUTE,
  etcdAPICall: 2 * MINUTE,
  tlsBootstrap: 5 * MINUTE,
  discovery: 5 * MINUTE,
  upgradeManifests: 5 * MINUTE,
};

/** Known CRI endpoints, in kubeadm's detection order. */
export const KNOWN_CRI_SOCKETS = [
  'unix:///var/run/containerd/containerd.sock',
  'unix:///var/run/crio/crio.sock',
  'unix:///var/run/cri-dockerd.sock',
] as const;

export const CONTROL_PLANE_TAINT: Readonly<Taint> = {
  key: 'node-role.kubernetes.io/control-plane',
  value: '',
  effect: 'NoSchedule',
};

/** The placeholder token `config print` shows instead of generating one. */
export const PLACEHOLDER_TOKEN = 'abcdef.0123456789abcdef';

export function defaultBootstrapToken(): BootstrapToken {
  return {
    token: '',
    description: '',
    ttl: DEFAULTS.tokenTTL,
    usages: [...DEFAULTS.tokenUsages],
    groups: [...DEFAULTS.tokenGroups],
  };
}

export function defaultNodeRegistration(): NodeRegistrationOptions {
  return {
    name: '',
    criSocket: '',
    taints: null,
    kubeletExtraArgs: [],
    ignorePreflightErrors: [],
    imagePullPolicy: DEFAULTS.imagePullPolicy,
    imagePullSerial: true,
  };
}

export function defaultAPIEndpoint(): APIEndpoint {
  return { advertiseAddress: '', bindPort: DEFAULTS.bindPort };
}

/** Facts about the host that dynamic defaulting needs, gathered elsewhere (see host/facts.ts). */
export interface DefaultingFacts {
  hostname: string;
  /** Address of the default-route interface (IPv4 preferred), when there is one. */
  defaultRouteAddress?: string;
  /** Which of KNOWN_CRI_SOCKETS accept connections on the host (kubeadm dials each one). */
  criSocketsPresent: readonly string[];
}

export interface DynamicDefaultOptions {
  /** Use the containerd default instead of looking at the host's sockets (config print, images list). */
  skipCRIDetect?: boolean;
  /** Source of random tokens; kubeadm's generator by default. */
  generateToken?: () => string;
  /** Resolves a version label (`stable-1`, ...); kbadm has no network here, so by default none resolve. */
  resolveVersionLabel?: (label: string) => string | undefined;
}

export interface Defaulted<T> {
  value: T;
  warnings: string[];
}

/**
 * kubeadm's GetHostname: the given name, or else the hostname, trimmed and lower-cased.
 * Returns undefined when both are blank.
 */
export function nodeName(given: string, hostname: string): string | undefined {
  const name = given !== '' ? given : hostname;
  const trimmed = name.trim();
  return trimmed === '' ? undefined : trimmed.toLowerCase();
}

/** CRI socket choice when none is configured, as kubeadm's DetectCRISocket. */
export function detectCRISocket(present: readonly string[]): string {
  const found = KNOWN_CRI_SOCKETS.filter((s) => present.includes(s));
  if (found.length === 0) return DEFAULTS.criSocket;
  if (found.length === 1) return found[0]!;
  throw new KbadmError(
    `found multiple CRI endpoints on the host. Please define which one do you wish to use by setting the 'criSocket' field in the kubeadm configuration file: ${found.join(', ')}`,
  );
}

/** A socket without a URL scheme gets `unix://`, with kubeadm's deprecation warning. */
export function normalizeCRISocket(socket: string, warnings: string[]): string {
  if (socket.startsWith('unix')) return socket;
  // npipe is the Windows scheme; kbadm runs on Linux but keeps a given npipe URL for validation.
  if (socket.startsWith('npipe://')) return socket;
  warnings.push(
    `Usage of CRI endpoints without URL scheme is deprecated and can cause kubelet errors in the future. Automatically prepending scheme "unix" to the "criSocket" with value "${socket}". Please update your configuration!`,
  );
  return `unix://${socket}`;
}

function nodeRegistrationDynamic(
  nr: NodeRegistrationOptions,
  kind: string,
  controlPlaneTaint: boolean,
  facts: DefaultingFacts,
  opts: DynamicDefaultOptions,
  warnings: string[],
): void {
  const name = nodeName(nr.name, facts.hostname);
  if (name === undefined) {
    throw new ConfigValidationError([
      { field: `${kind}.nodeRegistration.name`, detail: 'empty hostname is invalid' },
    ]);
  }
  nr.name = name;
  if (controlPlaneTaint && nr.taints === null) nr.taints = [{ ...CONTROL_PLANE_TAINT }];
  if (nr.criSocket === '') {
    nr.criSocket = opts.skipCRIDetect ? DEFAULTS.criSocket : detectCRISocket(facts.criSocketsPresent);
  } else {
    nr.criSocket = normalizeCRISocket(nr.criSocket, warnings);
  }
}

/** kubeadm's SetAPIEndpointDynamicDefaults over host facts. */
export function apiEndpointDynamic(
  ep: APIEndpoint,
  field: string,
  facts: DefaultingFacts,
  warnings: string[],
): void {
  const ip = ep.advertiseAddress === '' ? undefined : parseIPSloppy(ep.advertiseAddress);
  if (ep.advertiseAddress !== '' && ip === undefined) {
    throw new ConfigValidationError([
      {
        field,
        value: ep.advertiseAddress,
        detail: `couldn't use "${ep.advertiseAddress}" as "apiserver-advertise-address", must be ipv4 or ipv6 address`,
      },
    ]);
  }
  const text = ip ? formatIP(ip) : '';
  if (ip && isLoopback(text)) {
    // kubeadm looks for a global address on the loopback interface; kbadm's host facts do not list
    // interface addresses, so this selector is not supported.
    throw new ConfigValidationError([
      { field, value: ep.advertiseAddress, detail: 'unable to resolve link-local addresses' },
    ]);
  }
  if (ip && !isUnspecified(text)) {
    ep.advertiseAddress = text;
    return;
  }
  if (facts.defaultRouteAddress !== undefined && parseIP(facts.defaultRouteAddress)) {
    ep.advertiseAddress = formatIP(parseIP(facts.defaultRouteAddress)!);
    return;
  }
  warnings.push(
    `WARNING: could not obtain a bind address for the API Server: no default routes found in "/proc/net/route" or "/proc/net/ipv6_route"; using: ${DEFAULTS.apiServerBindAddress}`,
  );
  ep.advertiseAddress = DEFAULTS.apiServerBindAddress;
}

function isLoopback(ip: string): boolean {
  return ip === '::1' || ip.startsWith('127.');
}

function isUnspecified(ip: string): boolean {
  return ip === '0.0.0.0' || ip === '::';
}

const VERSION_LABEL = /^(ci\/|release\/)?(stable|latest)(-\d+(\.\d+)?)?$/;

/** kubeadm's wrap of ParseSemantic's error. */
function couldNotParse(text: string): string {
  const r = parseKubernetesVersionOrError(text);
  return `couldn't parse Kubernetes version "${text}"${'error' in r ? `: ${r.error}` : ''}`;
}

/**
 * kubeadm's NormalizeKubernetesVersion: resolves labels (offline they fall back to kbadm's own
 * version with kubeadm's warning), adds the `v`, and enforces the minimum control-plane version.
 */
export function normalizeKubernetesVersion(
  version: string,
  field: string,
  opts: DynamicDefaultOptions,
  warnings: string[],
): string {
  let text = version;
  const given = parseKubernetesVersionOrError(text);
  if ('error' in given && !given.shape) {
    // A version's shape, but a component too large for Go's uint (v1.34.99999999999999999999999).
    throw new ConfigValidationError([{ field, value: version, detail: couldNotParse(text) }]);
  }
  if ('error' in given) {
    if (!VERSION_LABEL.test(text)) {
      throw new ConfigValidationError([
        {
          field,
          value: version,
          detail: `version "${version}" doesn't match patterns for neither semantic version nor labels (stable, latest, ...)`,
        },
      ]);
    }
    const resolved = opts.resolveVersionLabel?.(text);
    if (resolved === undefined) {
      warnings.push(
        `could not fetch a Kubernetes version from the internet: unable to get URL "https://dl.k8s.io/release/${text}.txt"; falling back to the local client version: ${DEFAULT_KUBERNETES_VERSION}`,
      );
      text = DEFAULT_KUBERNETES_VERSION;
    } else {
      text = resolved;
    }
  }
  const v = parseKubernetesVersion(text);
  if (!v) throw new ConfigValidationError([{ field, value: text, detail: couldNotParse(text) }]);
  const check = checkSupportedVersion(v);
  if (check.errors.length > 0) {
    throw new ConfigValidationError(check.errors.map((detail) => ({ field, value: version, detail })));
  }
  warnings.push(...check.warnings);
  return formatVersion(v);
}

/** kubeadm's SetClusterDynamicDefaults (component configs are defaulted by the caller's InitConfig step). */
export function clusterDynamic(
  cluster: ClusterConfiguration,
  endpoint: APIEndpoint,
  opts: DynamicDefaultOptions,
  warnings: string[],
): void {
  cluster.kubernetesVersion = normalizeKubernetesVersion(
    cluster.kubernetesVersion,
    'ClusterConfiguration.kubernetesVersion',
    opts,
    warnings,
  );
  if (cluster.controlPlaneEndpoint !== '') {
    const hp = parseHostPort(cluster.controlPlaneEndpoint);
    if ('error' in hp) {
      throw new ConfigValidationError([
        {
          field: 'ClusterConfiguration.controlPlaneEndpoint',
          value: cluster.controlPlaneEndpoint,
          detail: hp.error,
        },
      ]);
    }
    if (hp.port === undefined) cluster.controlPlaneEndpoint = joinHostPort(hp.host, endpoint.bindPort);
  }
  cluster.apiServer.certSANs = cluster.apiServer.certSANs.map((s) => s.toLowerCase());
}

/** Init: tokens, node registration (control-plane taint), advertise address, cluster, component configs. */
export function applyInitDynamicDefaults(
  cfg: InitConfig,
  facts: DefaultingFacts,
  opts: DynamicDefaultOptions = {},
): Defaulted<InitConfig> {
  const out = structuredClone(cfg);
  const warnings: string[] = [];
  const gen = opts.generateToken ?? (() => generateBootstrapToken());
  for (const t of out.init.bootstrapTokens) if (t.token === '') t.token = gen();
  nodeRegistrationDynamic(out.init.nodeRegistration, 'InitConfiguration', true, facts, opts, warnings);
  apiEndpointDynamic(
    out.init.localAPIEndpoint,
    'InitConfiguration.localAPIEndpoint.advertiseAddress',
    facts,
    warnings,
  );
  const cc = defaultComponentConfigs(out.cluster, out.init.localAPIEndpoint, out.componentConfigs);
  out.componentConfigs = cc.value;
  warnings.push(...cc.warnings);
  clusterDynamic(out.cluster, out.init.localAPIEndpoint, opts, warnings);
  return { value: out, warnings };
}

/** Join: node registration (control-plane taint only for a control-plane join), its API endpoint. */
export function applyJoinDynamicDefaults(
  cfg: JoinConfiguration,
  facts: DefaultingFacts,
  opts: DynamicDefaultOptions = {},
): Defaulted<JoinConfiguration> {
  const out = structuredClone(cfg);
  const warnings: string[] = [];
  nodeRegistrationDynamic(
    out.nodeRegistration,
    'JoinConfiguration',
    out.controlPlane !== undefined,
    facts,
    opts,
    warnings,
  );
  if (out.controlPlane) {
    apiEndpointDynamic(
      out.controlPlane.localAPIEndpoint,
      'JoinConfiguration.controlPlane.localAPIEndpoint.advertiseAddress',
      facts,
      warnings,
    );
  }
  return { value: out, warnings };
}

/** Reset: the CRI socket. */
export function applyResetDynamicDefaults(
  cfg: ResetConfiguration,
  facts: DefaultingFacts,
  opts: DynamicDefaultOptions = {},
): Defaulted<ResetConfiguration> {
  const out = structuredClone(cfg);
  const warnings: string[] = [];
  if (out.criSocket === '') {
    out.criSocket = opts.skipCRIDetect ? DEFAULTS.criSocket : detectCRISocket(facts.criSocketsPresent);
  } else {
    out.criSocket = normalizeCRISocket(out.criSocket, warnings);
  }
  return { value: out, warnings };
}

export type { ConfigProblem };
