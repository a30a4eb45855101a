// The decisions of `kbadm join` discovery, as pure functions: what makes a cluster-info ConfigMap
// trustworthy for a bootstrap token (its JWS signature, the CA pins), which cluster a discovery file
// names, and the kubeconfig the kubelet bootstraps with. The polling and the network are elsewhere
// (discovery-run.ts with injected fetchers, src/cluster/discovery-fetch.ts).
import { caCertHash } from '../certs/ca-hash.js';
import { formatCAPin, parseCAPinOrError, type CAPin } from '../certs/ca-pin-format.js';
import { certificateDers } from '../certs/pem.js';
import { invalid } from '../config/validation/common.js';
import { errorMessage, KbadmError, ValidationError } from '../errors.js';
import {
  clusterCAPem,
  createWithToken,
  currentCluster,
  currentUser,
  parseKubeconfig,
  serializeKubeconfig,
  type KubeConfig,
  type NamedCluster,
} from '../kubeconfig/kubeconfig.js';
import { CLUSTER_INFO_KUBECONFIG_KEY, JWS_SIGNATURE_KEY_PREFIX } from './cluster-info.js';
import { detachedSignatureIsValid } from './jws.js';

/** kubeadm's DefaultClusterName: the cluster name of bootstrap-kubelet.conf, whatever the config says. */
export const BOOTSTRAP_CLUSTER_NAME = 'kubernetes';
/** kubeadm's TokenUser: the user of bootstrap-kubelet.conf. */
export const TLS_BOOTSTRAP_USER = 'tls-bootstrap-token-user';
/** kubeadm's DiscoveryRetryInterval. */
export const DISCOVERY_RETRY_INTERVAL_MS = 5_000;

/** What discovery found: the API server to bootstrap against and the CA to trust it with. */
export interface DiscoveredCluster {
  /** The server named by cluster-info (or the discovery file), not the endpoint that was asked. */
  server: string;
  caPem: string;
  /** The cluster's name in the discovered kubeconfig ("" for cluster-info). */
  clusterName: string;
  /** The discovered kubeconfig as a whole; from a discovery file it may carry credentials. */
  kubeconfig: KubeConfig;
}

/** The ConfigMap key carrying the signature for one token ID. */
export const signatureKey = (tokenID: string): string => `${JWS_SIGNATURE_KEY_PREFIX}${tokenID}`;

/**
 * The CA pins to check. Without any, discovery only goes on when the unsafe skip was asked for
 * explicitly (kubeadm's validation error otherwise); an empty list then means "trust any CA".
 */
export function discoveryPins(hashes: readonly string[], unsafeSkipCAVerification: boolean): CAPin[] {
  if (hashes.length === 0 && !unsafeSkipCAVerification) {
    throw new ValidationError([
      invalid(
        'discovery.bootstrapToken.caCertHashes',
        '',
        'using token-based discovery without caCertHashes can be unsafe. Set unsafeSkipCAVerification as true in your kubeadm config file or pass --discovery-token-unsafe-skip-ca-verification flag to continue',
      ),
    ]);
  }
  return hashes.map((h) => {
    const r = parseCAPinOrError(h);
    if ('error' in r) throw new KbadmError(`invalid discovery token CA certificate hash: ${r.error}`);
    return r;
  });
}

/** Whether a poll may stop: the ConfigMap carries a signature for the token (the signer may lag). */
export const hasSignatureFor = (data: Record<string, string>, tokenID: string): boolean =>
  signatureKey(tokenID) in data;

/** The error a poll ends with when the signature never appeared. */
export const noSignatureError = (tokenID: string): string =>
  `could not find a JWS signature in the cluster-info ConfigMap for token ID "${tokenID}"`;

/**
 * Steps 4-5 of kubeadm's token discovery: the kubeconfig is there, signed for this token with its
 * secret, and names exactly one cluster. Returns the signed text and its parsed form.
 */
export function verifyClusterInfo(
  data: Record<string, string>,
  token: { id: string; secret: string },
): { text: string; kubeconfig: KubeConfig } {
  const text = data[CLUSTER_INFO_KUBECONFIG_KEY];
  if (text === undefined || text === '') {
    throw new KbadmError(
      "there is no kubeconfig key in the cluster-info ConfigMap. This API Server isn't set up for token bootstrapping, can't connect",
    );
  }
  const signature = data[signatureKey(token.id)];
  if (signature === undefined) {
    throw new KbadmError(
      `token id "${token.id}" is invalid for this cluster or it has expired. Use "kubeadm token create" on the control-plane node to create a new valid token`,
    );
  }
  if (!detachedSignatureIsValid(text, token.id, token.secret, signature)) {
    throw new KbadmError(
      "failed to verify JWS signature of received cluster info object, can't trust this API Server",
    );
  }
  let kubeconfig: KubeConfig;
  try {
    kubeconfig = parseKubeconfig(text, 'from the cluster-info ConfigMap');
  } catch (err) {
    throw new KbadmError(
      `couldn't parse the kubeconfig file in the cluster-info ConfigMap: ${errorMessage(err)}`,
    );
  }
  if (kubeconfig.clusters.length !== 1) {
    throw new KbadmError(
      `expected the kubeconfig file in the cluster-info ConfigMap to have a single cluster, but it had ${kubeconfig.clusters.length}`,
    );
  }
  return { text, kubeconfig };
}

/**
 * Step 7: one certificate of the cluster's CA bundle must match one pin. kubeadm's message names
 * the keys found; kbadm adds the pins that were expected, so both sides of the mismatch show.
 */
export function checkCAPins(cluster: NamedCluster, pins: readonly CAPin[]): void {
  if (pins.length === 0) return;
  const pem = clusterCAPem(cluster);
  let found: string[];
  try {
    found = certificateDers(pem).map((der) => caCertHash(der));
  } catch (err) {
    throw new KbadmError(`failed to parse cluster CA from the cluster-info ConfigMap: ${errorMessage(err)}`);
  }
  const wanted = new Set(pins.map(formatCAPin));
  if (found.some((h) => wanted.has(h))) return;
  throw new KbadmError(
    `cluster CA found in cluster-info ConfigMap is invalid: none of the public keys ${JSON.stringify(found.join(':'))} are pinned (expected ${[...wanted].map((p) => JSON.stringify(p)).join(' or ')})`,
  );
}

/** Step 8: what the CA-verified read returned must be the very bytes that were checked. */
export function checkSecondRead(first: string, data: Record<string, string>): void {
  if (data[CLUSTER_INFO_KUBECONFIG_KEY] !== first) {
    throw new KbadmError(
      'the second kubeconfig from the cluster-info ConfigMap (using validated TLS) was different from the first',
    );
  }
}

/** The single cluster of a verified cluster-info kubeconfig as a discovery result. */
export function discoveredFromClusterInfo(kubeconfig: KubeConfig): DiscoveredCluster {
  const cluster = kubeconfig.clusters[0]!;
  return {
    server: cluster.cluster.server,
    caPem: clusterCAPem(cluster),
    clusterName: cluster.name,
    kubeconfig,
  };
}

/** The cluster a discovery file names: the unnamed one, else the current context's (kubeadm's rule). */
export function discoveryFileCluster(cfg: KubeConfig): NamedCluster {
  if (cfg.clusters.length === 0)
    throw new KbadmError('the provided kubeconfig file must have at least one Cluster defined');
  const cluster = cfg.clusters.find((c) => c.name === '') ?? currentCluster(cfg);
  if (cluster === undefined || !cluster.cluster) {
    throw new KbadmError(
      'the provided kubeconfig file must have a unnamed Cluster or a CurrentContext that specifies a non-nil Cluster',
    );
  }
  if (!cluster.cluster.server)
    throw new KbadmError(`the cluster "${cluster.name}" of the provided kubeconfig file has no server`);
  return cluster;
}

/** Whether the current user can authenticate by itself (then no TLS bootstrap token is needed). */
export function hasAuthenticationCredentials(cfg: KubeConfig): boolean {
  const u = currentUser(cfg)?.user;
  if (u === undefined) return false;
  const set = (k: string) => typeof u[k] === 'string' && u[k] !== '';
  return (
    set('token') ||
    set('tokenFile') ||
    ((set('client-certificate') || set('client-certificate-data')) &&
      (set('client-key') || set('client-key-data'))) ||
    (set('username') && set('password')) ||
    (u['exec'] !== undefined && u['exec'] !== null) ||
    (u['auth-provider'] !== undefined && u['auth-provider'] !== null)
  );
}

/** What file discovery makes of the cluster-info it could read: notes to log, and the config to use. */
export interface FileRefresh {
  kubeconfig: KubeConfig;
  /** klog warnings in kubeadm. */
  warnings: string[];
  /** V(1) logs in kubeadm. */
  logs: string[];
}

/**
 * Step 4 of file discovery: the user's kubeconfig stays the result; a different server in
 * cluster-info is only a warning; a CA missing from the user's cluster is taken from cluster-info.
 */
export function refreshFromClusterInfo(user: KubeConfig, clusterInfoText: string | undefined): FileRefresh {
  const out: FileRefresh = { kubeconfig: user, warnings: [], logs: [] };
  if (clusterInfoText === undefined || clusterInfoText === '') {
    out.logs.push(
      '[discovery] The cluster-info ConfigMap has no kubeconfig, using the discovery file as it is',
    );
    return out;
  }
  let info: KubeConfig;
  try {
    info = parseKubeconfig(clusterInfoText, 'from the cluster-info ConfigMap');
  } catch (err) {
    out.logs.push(
      `[discovery] Could not parse the kubeconfig in the cluster-info ConfigMap: ${errorMessage(err)}`,
    );
    return out;
  }
  const mine = discoveryFileCluster(user);
  const theirs = info.clusters.find((c) => c.name === '') ?? info.clusters[0];
  if (theirs === undefined) return out;
  if (theirs.cluster.server !== mine.cluster.server) {
    out.warnings.push(
      `[discovery] the API Server endpoint "${mine.cluster.server}" in use is different from the endpoint "${theirs.cluster.server}" which defined in the cluster-info ConfigMap`,
    );
  }
  const theirCA = theirs.cluster['certificate-authority-data'];
  if (!mine.cluster['certificate-authority-data'] && theirCA) {
    mine.cluster['certificate-authority-data'] = theirCA;
    out.logs.push('[discovery] Synced CertificateAuthorityData from the cluster-info ConfigMap');
  }
  return out;
}

/** The result of file discovery: the discovery file's cluster (with the user config kept whole). */
export function discoveredFromFile(cfg: KubeConfig): DiscoveredCluster {
  const cluster = discoveryFileCluster(cfg);
  return {
    server: cluster.cluster.server,
    caPem: clusterCAPem(cluster),
    clusterName: cluster.name,
    kubeconfig: cfg,
  };
}

/** bootstrap-kubelet.conf: the discovered server and CA, the TLS bootstrap token as the credential. */
export function bootstrapKubeletConfig(server: string, caPem: string, tlsBootstrapToken: string): KubeConfig {
  return createWithToken(server, BOOTSTRAP_CLUSTER_NAME, TLS_BOOTSTRAP_USER, caPem, tlsBootstrapToken);
}

export const renderBootstrapKubeletConf = (server: string, caPem: string, token: string): string =>
  serializeKubeconfig(bootstrapKubeletConfig(server, caPem, token));

/**
 * kubeadm's discovery.For: with a TLS bootstrap token, a new kubeconfig for the discovered cluster
 * authenticating with it; without one, the discovered kubeconfig itself, which must then carry
 * credentials of its own.
 */
export function tlsBootstrapKubeconfig(discovered: DiscoveredCluster, tlsBootstrapToken: string): KubeConfig {
  if (tlsBootstrapToken !== '')
    return bootstrapKubeletConfig(discovered.server, discovered.caPem, tlsBootstrapToken);
  if (!hasAuthenticationCredentials(discovered.kubeconfig)) {
    throw new KbadmError(
      'could not find authentication credentials for the TLS bootstrap process. Please use Token discovery, a discovery file with embedded authentication credentials or a discovery file without authentication credentials but with the TLSBootstrapToken flag',
    );
  }
  return discovered.kubeconfig;
}
