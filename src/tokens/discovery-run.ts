// The flow of `kbadm join` discovery: polling cluster-info until the token's signature shows up,
// the checks of discovery.ts in kubeadm's order, the second read over pinned TLS; or the discovery
// file read, refreshed from cluster-info. The network, the files, the clock and the logs are
// injected (DiscoveryIO), so the whole flow runs in unit tests without sockets or real waiting.
import * as path from 'node:path';
import { formatDuration } from '../config/duration.js';
import { errorMessage, KbadmError, ValidationError } from '../errors.js';
import {
  parseKubeconfig,
  serializeKubeconfig,
  currentUser,
  type KubeConfig,
} from '../kubeconfig/kubeconfig.js';
import { CLUSTER_INFO_KUBECONFIG_KEY } from './cluster-info.js';
import {
  checkCAPins,
  checkSecondRead,
  discoveredFromClusterInfo,
  discoveredFromFile,
  discoveryFileCluster,
  discoveryPins,
  DISCOVERY_RETRY_INTERVAL_MS,
  hasSignatureFor,
  noSignatureError,
  refreshFromClusterInfo,
  verifyClusterInfo,
  type DiscoveredCluster,
} from './discovery.js';
import { parseBootstrapToken } from './token-format.js';

type ClusterInfoData = Record<string, string>;

export interface DiscoveryIO {
  /** cluster-info without credentials, server certificate not verified. */
  fetchInsecure(endpoint: string): Promise<ClusterInfoData>;
  /** cluster-info without credentials, server certificate verified against `caPem`. */
  fetchWithCA(endpoint: string, caPem: string): Promise<ClusterInfoData>;
  /** cluster-info with a kubeconfig as it is; an answer's error carries its HTTP `status`. */
  fetchWithKubeconfig(kubeconfig: string, source: string): Promise<ClusterInfoData>;
  /** The body of an https URL. */
  fetchURL(url: string): Promise<string>;
  /** A local file's text; an error naming the path when it cannot be read. */
  readFile(filePath: string): Promise<string>;
  sleep(ms: number): Promise<void>;
  now(): number;
  /** Detail lines (kubeadm's V(1) logs). */
  log(line: string): void;
  /** Warnings shown at every verbosity. */
  warn(line: string): void;
}

export interface TokenDiscoveryInput {
  /** host:port of the API server to ask. */
  endpoint: string;
  /** `<id>.<secret>`; never logged. */
  token: string;
  caCertHashes: readonly string[];
  unsafeSkipCAVerification: boolean;
  /** timeouts.discovery, in ms. */
  timeoutMs: number;
  /** Default 5 s, kubeadm's; capped at the timeout. */
  intervalMs?: number;
}

export interface FileDiscoveryInput {
  /** A path, a file:// URL or an https:// URL. */
  kubeConfigPath: string;
  timeoutMs: number;
  intervalMs?: number;
}

const IDENTITY = "couldn't validate the identity of the API Server";

type Attempt<T> = { done: true; value: T } | { done: false; error: string };

/**
 * Tries at once, then every `intervalMs` until `timeoutMs` has passed, as wait.PollUntilContextTimeout
 * with immediate=true; on timeout the last attempt's error is what is reported.
 */
async function poll<T>(
  io: DiscoveryIO,
  timeoutMs: number,
  intervalMs: number,
  attempt: () => Promise<Attempt<T>>,
): Promise<T> {
  const deadline = io.now() + timeoutMs;
  const interval = Math.min(intervalMs, timeoutMs);
  for (;;) {
    const r = await attempt();
    if (r.done) return r.value;
    const left = deadline - io.now();
    if (left <= 0) throw new KbadmError(r.error);
    await io.sleep(Math.min(interval, left));
    if (io.now() >= deadline) throw new KbadmError(r.error);
  }
}

/** Reads cluster-info until it carries a signature for `tokenID`. */
function pollSigned(
  io: DiscoveryIO,
  input: TokenDiscoveryInput,
  tokenID: string,
  fetch: () => Promise<ClusterInfoData>,
): Promise<ClusterInfoData> {
  return poll(io, input.timeoutMs, input.intervalMs ?? DISCOVERY_RETRY_INTERVAL_MS, async () => {
    let data: ClusterInfoData;
    try {
      data = await fetch();
    } catch (err) {
      const error = `failed to request the cluster-info ConfigMap: ${errorMessage(err)}`;
      io.log(`[discovery] Failed to request cluster-info, will try again: ${errorMessage(err)}`);
      return { done: false, error };
    }
    if (!hasSignatureFor(data, tokenID)) {
      io.log(
        `[discovery] The cluster-info ConfigMap does not yet contain a JWS signature for token ID "${tokenID}", will try again`,
      );
      return { done: false, error: noSignatureError(tokenID) };
    }
    return { done: true, value: data };
  });
}

const wrap = (err: unknown): Error =>
  err instanceof ValidationError ? err : new KbadmError(`${IDENTITY}: ${errorMessage(err)}`, { cause: err });

/**
 * Token discovery (kubeadm's retrieveValidatedConfigInfo): an anonymous, unverified read of
 * cluster-info; its kubeconfig must be signed for the token and its CA must match a pin; then a
 * read verified against that CA must return the same bytes. Errors start with kubeadm's
 * "couldn't validate the identity of the API Server: ".
 */
export async function discoverByToken(
  input: TokenDiscoveryInput,
  io: DiscoveryIO,
): Promise<DiscoveredCluster> {
  const pins = discoveryPins(input.caCertHashes, input.unsafeSkipCAVerification);
  const token = parseBootstrapToken(input.token);
  if (token === undefined) throw new ValidationError('the bootstrap token is invalid');
  // Several comma-separated endpoints may be given; like kubeadm, only the first is asked.
  const ep = input.endpoint.split(',')[0]!;
  try {
    io.log(`[discovery] Created cluster-info discovery client, requesting info from "${ep}"`);
    const first = await pollSigned(io, input, token.id, () => io.fetchInsecure(ep));
    const { text, kubeconfig } = verifyClusterInfo(first, token);
    if (pins.length === 0) {
      io.log(
        `[discovery] Cluster info signature and contents are valid and no TLS pinning was specified, will use API Server "${ep}"`,
      );
      return discoveredFromClusterInfo(kubeconfig);
    }
    checkCAPins(kubeconfig.clusters[0]!, pins);
    const found = discoveredFromClusterInfo(kubeconfig);
    io.log(`[discovery] Requesting info from "${ep}" again to validate TLS against the pinned public key`);
    const second = await pollSigned(io, input, token.id, () => io.fetchWithCA(ep, found.caPem));
    checkSecondRead(text, second);
    io.log(
      `[discovery] Cluster info signature and contents are valid and TLS certificate validates against pinned roots, will use API Server "${ep}"`,
    );
    return found;
  } catch (err) {
    throw wrap(err);
  }
}

/** A file:// URL becomes its path; anything else but https:// is a path already. */
function localPath(p: string): string {
  return p.startsWith('file://') ? decodeURIComponent(new URL(p).pathname) : p;
}

/**
 * The CA, client certificate and key files a discovery file refers to, read and embedded, so the
 * config can be used without the files (relative paths are relative to the discovery file).
 */
async function inlineReferencedFiles(cfg: KubeConfig, dir: string, io: DiscoveryIO): Promise<void> {
  const read = async (ref: string) => {
    const text = await io.readFile(path.isAbsolute(ref) ? ref : path.join(dir, ref));
    return Buffer.from(text, 'utf8').toString('base64');
  };
  const cluster = discoveryFileCluster(cfg).cluster;
  const caFile = cluster['certificate-authority'];
  if (typeof caFile === 'string' && caFile !== '') {
    cluster['certificate-authority-data'] = await read(caFile);
    delete cluster['certificate-authority'];
  }
  const user = currentUser(cfg)?.user;
  if (user === undefined) return;
  for (const [fileKey, dataKey] of [
    ['client-certificate', 'client-certificate-data'],
    ['client-key', 'client-key-data'],
  ] as const) {
    const ref = user[fileKey];
    if (typeof ref !== 'string' || ref === '') continue;
    user[dataKey] = await read(ref);
    delete user[fileKey];
  }
}

/**
 * File or HTTPS discovery (kubeadm's file.ValidateConfigInfo): the discovery kubeconfig is used as
 * it is, credentials included; cluster-info, read with it over verified TLS, only adds a missing CA
 * and warns about a different server. A refusal (403) ends the wait: TLS was verified already.
 */
export async function discoverByFile(input: FileDiscoveryInput, io: DiscoveryIO): Promise<DiscoveredCluster> {
  const p = input.kubeConfigPath;
  try {
    const isURL = p.startsWith('https://');
    const text = isURL ? await io.fetchURL(p) : await io.readFile(localPath(p));
    const source = isURL ? p : localPath(p);
    const cfg = parseKubeconfig(text, source);
    discoveryFileCluster(cfg);
    if (!isURL) await inlineReferencedFiles(cfg, path.dirname(localPath(p)), io);
    const serialized = serializeKubeconfig(cfg);
    const timeout = formatDuration(input.timeoutMs);
    const result = await poll<KubeConfig>(
      io,
      input.timeoutMs,
      input.intervalMs ?? DISCOVERY_RETRY_INTERVAL_MS,
      async () => {
        let data: ClusterInfoData;
        try {
          data = await io.fetchWithKubeconfig(serialized, source);
        } catch (err) {
          if ((err as { status?: number }).status === 403) {
            io.warn(
              '[discovery] Could not access the cluster-info ConfigMap for refreshing the cluster-info information, but the TLS cert is valid so proceeding...',
            );
            return { done: true, value: cfg };
          }
          io.log(
            `[discovery] Error reading the cluster-info ConfigMap, will try again: ${errorMessage(err)}`,
          );
          return {
            done: false,
            error: `Abort reading the cluster-info ConfigMap after timeout of ${timeout}: ${errorMessage(err)}`,
          };
        }
        const refreshed = refreshFromClusterInfo(cfg, data[CLUSTER_INFO_KUBECONFIG_KEY]);
        refreshed.warnings.forEach((w) => io.warn(w));
        refreshed.logs.forEach((l) => io.log(l));
        return { done: true, value: refreshed.kubeconfig };
      },
    );
    return discoveredFromFile(result);
  } catch (err) {
    throw wrap(err);
  }
}
