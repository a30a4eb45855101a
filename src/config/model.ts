// The internal configuration model. kubeadm.k8s.io/v1beta3 and v1beta4 documents are decoded
// into these types (and encoded back from them); every consumer reads only these.
//
// Conventions:
// - Field names are the v1beta4 JSON names, so a field path like
//   `ClusterConfiguration.networking.podSubnet` names both the YAML key and the model property.
// - Objects here are statically defaulted (see defaults.ts): a field kubeadm always defaults is
//   required; an optional field (`?`) is one that can be genuinely absent after defaulting.
// - Strings that kubeadm leaves empty when unset are '' (as in Go), lists are [] when unset.
// - Durations are whole milliseconds (see duration.ts); they print Go style, e.g. `24h0m0s`.
// - The node name, advertise address and CRI socket are dynamic: '' until dynamic defaulting
//   (defaults.ts `applyDynamicDefaults`) fills them from host facts.

/** The two kubeadm API versions kbadm reads. */
export const KUBEADM_GROUP = 'kubeadm.k8s.io';
export const V1BETA3 = 'kubeadm.k8s.io/v1beta3';
export const V1BETA4 = 'kubeadm.k8s.io/v1beta4';
export type KubeadmApiVersion = typeof V1BETA3 | typeof V1BETA4;

export const KUBELET_CONFIG_API_VERSION = 'kubelet.config.k8s.io/v1beta1';
export const KUBEPROXY_CONFIG_API_VERSION = 'kubeproxy.config.k8s.io/v1alpha1';

export type KubeadmKind =
  | 'InitConfiguration'
  | 'ClusterConfiguration'
  | 'JoinConfiguration'
  | 'ResetConfiguration'
  | 'UpgradeConfiguration';

export type ComponentConfigKind = 'KubeletConfiguration' | 'KubeProxyConfiguration';

/** One command-line argument for a component: `--<name>=<value>`. Names may repeat. */
export interface Arg {
  name: string;
  value: string;
}

/** A core/v1 EnvVar, inline. `valueFrom` is kept as written (fieldRef.apiVersion defaults to v1). */
export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: Record<string, unknown>;
}

/** A hostPath volume mounted into a control-plane Pod. */
export interface HostPathMount {
  name: string;
  hostPath: string;
  mountPath: string;
  /** false when unset. */
  readOnly: boolean;
  /** core/v1 HostPathType ('' = no check). */
  pathType: string;
}

/** A core/v1 Taint. */
export interface Taint {
  key: string;
  /** '' when unset. */
  value: string;
  /** NoSchedule | PreferNoSchedule | NoExecute. */
  effect: string;
  /** RFC 3339 time, kept as written. */
  timeAdded?: string;
}

/** An image override for etcd or CoreDNS ('' = derived from imageRepository / version tables). */
export interface ImageMeta {
  imageRepository: string;
  imageTag: string;
}

export interface APIEndpoint {
  /** IP the API server advertises; dynamic default: the default-route interface's address. */
  advertiseAddress: string;
  /** Default 6443. */
  bindPort: number;
}

/** Options for `kubeadm init` / `join` bootstrap tokens (bootstraptoken/v1 BootstrapToken). */
export interface BootstrapToken {
  /** `<6>.<16>`; '' until a random token is generated at run time. A secret: never log it. */
  token: string;
  /** '' when unset. */
  description: string;
  /** Lifetime in ms; default 24h. */
  ttl?: number;
  /** Absolute expiry (RFC 3339), kept as written. */
  expires?: string;
  /** Default [signing, authentication]. */
  usages: string[];
  /** Default [system:bootstrappers:kubeadm:default-node-token]. */
  groups: string[];
}

export type ImagePullPolicy = 'Always' | 'IfNotPresent' | 'Never';

export interface NodeRegistrationOptions {
  /** Node name; dynamic default: the hostname, lower-cased. */
  name: string;
  /** CRI endpoint URL (unix:// or npipe://); dynamic default: detected socket. */
  criSocket: string;
  /**
   * null = not set: a control-plane node then gets the control-plane taint (dynamic default);
   * [] = explicitly no taints.
   */
  taints: Taint[] | null;
  /** Extra kubelet flags (v1beta3 map converted to a list, sorted by name). */
  kubeletExtraArgs: Arg[];
  /** Preflight check names (validation lower-cases them); 'all' ignores every check. */
  ignorePreflightErrors: string[];
  /** Default IfNotPresent. Kept as a string so that validation can report a bad value. */
  imagePullPolicy: ImagePullPolicy | string;
  /** Default true. */
  imagePullSerial: boolean;
}

/** Wait limits in ms (v1beta4 `timeouts`; v1beta3 has two of them elsewhere). */
export interface Timeouts {
  /** Default 4m (v1beta3: apiServer.timeoutForControlPlane). */
  controlPlaneComponentHealthCheck: number;
  /** Default 4m. */
  kubeletHealthCheck: number;
  /** Default 1m. */
  kubernetesAPICall: number;
  /** Default 2m. */
  etcdAPICall: number;
  /** Default 5m. */
  tlsBootstrap: number;
  /** Default 5m (v1beta3: discovery.timeout). */
  discovery: number;
  /** Default 5m. */
  upgradeManifests: number;
}

export interface Patches {
  /** Absolute path of a directory of `target[suffix][+patchtype].extension` files. */
  directory: string;
}

export interface InitConfiguration {
  /** Default: one token with default ttl/usages/groups and an empty token value. */
  bootstrapTokens: BootstrapToken[];
  dryRun: boolean;
  nodeRegistration: NodeRegistrationOptions;
  localAPIEndpoint: APIEndpoint;
  /** Hex AES-256 key for upload-certs ('' = none). A secret: never log it. */
  certificateKey: string;
  skipPhases: string[];
  patches?: Patches;
  timeouts: Timeouts;
}

export interface ControlPlaneComponent {
  extraArgs: Arg[];
  extraVolumes: HostPathMount[];
  /** v1beta4 only; [] when read from v1beta3. */
  extraEnvs: EnvVar[];
}

export interface APIServer extends ControlPlaneComponent {
  /** Extra SANs (IPs or DNS names) for the apiserver serving certificate. */
  certSANs: string[];
}

export interface LocalEtcd extends ImageMeta {
  /** Default /var/lib/etcd. */
  dataDir: string;
  extraArgs: Arg[];
  extraEnvs: EnvVar[];
  serverCertSANs: string[];
  peerCertSANs: string[];
}

export interface ExternalEtcd {
  endpoints: string[];
  caFile: string;
  certFile: string;
  keyFile: string;
  /** 1.35+: endpoints for etcd's HTTP (health/metrics) listener. */
  httpEndpoints?: string[];
}

/** Exactly one of local / external after defaulting (local is defaulted when both are absent). */
export interface Etcd {
  local?: LocalEtcd;
  external?: ExternalEtcd;
}

export interface Networking {
  /** Default 10.96.0.0/12; comma-separated for dual-stack. */
  serviceSubnet: string;
  /** '' when unset; comma-separated for dual-stack. */
  podSubnet: string;
  /** Default cluster.local. */
  dnsDomain: string;
}

export interface DNS extends ImageMeta {
  /** v1beta4: skip the CoreDNS addon. */
  disabled: boolean;
}

export interface Proxy {
  /** v1beta4: skip the kube-proxy addon. */
  disabled: boolean;
}

export type EncryptionAlgorithm = 'RSA-2048' | 'RSA-3072' | 'RSA-4096' | 'ECDSA-P256' | 'ECDSA-P384';

export interface ClusterConfiguration {
  etcd: Etcd;
  networking: Networking;
  /** Default DEFAULT_KUBERNETES_VERSION (kbadm's own); may also be a label such as `stable-1`. */
  kubernetesVersion: string;
  /** `host` or `host:port` ('' = advertiseAddress:bindPort). */
  controlPlaneEndpoint: string;
  apiServer: APIServer;
  controllerManager: ControlPlaneComponent;
  scheduler: ControlPlaneComponent;
  dns: DNS;
  proxy: Proxy;
  /** Default /etc/kubernetes/pki. */
  certificatesDir: string;
  /** Default registry.k8s.io. */
  imageRepository: string;
  /** kubeadm's own feature gates. */
  featureGates: Record<string, boolean>;
  /** Default kubernetes. */
  clusterName: string;
  /** Default RSA-2048. Kept as a string so that validation can report a bad value. */
  encryptionAlgorithm: EncryptionAlgorithm | string;
  /** Leaf certificate lifetime in ms; default 8760h. */
  certificateValidityPeriod: number;
  /** CA certificate lifetime in ms; default 87600h. */
  caCertificateValidityPeriod: number;
}

export interface BootstrapTokenDiscovery {
  /** A secret: never log it. */
  token: string;
  /** host:port of an API server. */
  apiServerEndpoint: string;
  /** `sha256:<hex>` pins of the cluster CA's public key. */
  caCertHashes: string[];
  unsafeSkipCAVerification: boolean;
}

export interface FileDiscovery {
  /** A path (a `file://` URL is turned into its path) or an https URL. */
  kubeConfigPath: string;
}

export interface Discovery {
  bootstrapToken?: BootstrapTokenDiscovery;
  file?: FileDiscovery;
  /** Default: bootstrapToken.token. A secret: never log it. */
  tlsBootstrapToken: string;
}

export interface JoinControlPlane {
  localAPIEndpoint: APIEndpoint;
  /** Hex AES-256 key to decrypt downloaded certificates. A secret: never log it. */
  certificateKey: string;
}

export interface JoinConfiguration {
  dryRun: boolean;
  nodeRegistration: NodeRegistrationOptions;
  /** Default /etc/kubernetes/pki/ca.crt. */
  caCertPath: string;
  discovery: Discovery;
  /** Present for a control-plane join. */
  controlPlane?: JoinControlPlane;
  /**
   * kbadm's own field, absent from kubeadm's API: `host` or `host:port` that this node's kubeconfig
   * files point at instead of the server named by cluster-info (an HA virtual IP, say). Without a
   * port, the port of the discovered server is kept. Absent when unset or empty.
   */
  controlPlaneEndpoint?: string;
  skipPhases: string[];
  patches?: Patches;
  timeouts: Timeouts;
}

export interface ResetConfiguration {
  cleanupTmpDir: boolean;
  /** Default /etc/kubernetes/pki. */
  certificatesDir: string;
  /** Dynamic default: detected socket. */
  criSocket: string;
  dryRun: boolean;
  force: boolean;
  ignorePreflightErrors: string[];
  skipPhases: string[];
  /** MNT_FORCE | MNT_DETACH | MNT_EXPIRE | UMOUNT_NOFOLLOW. */
  unmountFlags: string[];
  timeouts: Timeouts;
}

/** Optional booleans stay undefined when the user did not set them (kubeadm *bool, omitempty). */
export interface UpgradeApplyConfiguration {
  kubernetesVersion: string;
  allowExperimentalUpgrades?: boolean;
  allowRCUpgrades?: boolean;
  /** Default true. */
  certificateRenewal: boolean;
  dryRun?: boolean;
  /** Default true. */
  etcdUpgrade: boolean;
  forceUpgrade?: boolean;
  ignorePreflightErrors: string[];
  patches?: Patches;
  printConfig?: boolean;
  skipPhases: string[];
  /** Default IfNotPresent. */
  imagePullPolicy: ImagePullPolicy | string;
  /** Default true. */
  imagePullSerial: boolean;
}

export interface UpgradeDiffConfiguration {
  kubernetesVersion: string;
  /** 0 = unset (the CLI's default is 3). */
  contextLines: number;
}

export interface UpgradeNodeConfiguration {
  /** Default true. */
  certificateRenewal: boolean;
  dryRun?: boolean;
  /** Default true. */
  etcdUpgrade: boolean;
  ignorePreflightErrors: string[];
  skipPhases: string[];
  patches?: Patches;
  /** Default IfNotPresent. */
  imagePullPolicy: ImagePullPolicy | string;
  /** Default true. */
  imagePullSerial: boolean;
}

export interface UpgradePlanConfiguration {
  kubernetesVersion: string;
  allowExperimentalUpgrades?: boolean;
  allowRCUpgrades?: boolean;
  dryRun?: boolean;
  ignorePreflightErrors: string[];
  printConfig?: boolean;
  /** Default true (1.33+). */
  etcdUpgrade: boolean;
}

export interface UpgradeConfiguration {
  apply: UpgradeApplyConfiguration;
  diff: UpgradeDiffConfiguration;
  node: UpgradeNodeConfiguration;
  plan: UpgradePlanConfiguration;
  timeouts: Timeouts;
}

/**
 * A component config (KubeletConfiguration / KubeProxyConfiguration) carried as plain data with
 * kubeadm's own defaults applied; kbadm does not model every field of these foreign APIs.
 */
export interface ComponentConfig {
  /** The whole document, including apiVersion and kind. */
  config: Record<string, unknown>;
  /** true when it came from the user's file; false when kubeadm generated it. */
  userSupplied: boolean;
}

export interface ComponentConfigs {
  kubelet?: ComponentConfig;
  kubeProxy?: ComponentConfig;
}

/**
 * Everything one configuration file held, decoded and statically defaulted.
 * `sourceVersions` records the apiVersion each kubeadm kind was written in.
 */
export interface ConfigDocuments {
  init?: InitConfiguration;
  cluster?: ClusterConfiguration;
  join?: JoinConfiguration;
  reset?: ResetConfiguration;
  upgrade?: UpgradeConfiguration;
  componentConfigs: ComponentConfigs;
  sourceVersions: Partial<Record<KubeadmKind, KubeadmApiVersion>>;
}

/** What `kubeadm init` runs with: the node's own settings plus the cluster-wide ones. */
export interface InitConfig {
  init: InitConfiguration;
  cluster: ClusterConfiguration;
  componentConfigs: ComponentConfigs;
}
