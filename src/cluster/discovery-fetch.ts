// The network half of `kbadm join` discovery: reading kube-public/cluster-info before the node trusts
// anything (no credentials, server certificate not verified), again once the CA is pinned, or with a
// discovery kubeconfig's own credentials; and downloading a discovery file from an https URL.
// Every decision about what was read lives in src/tokens/discovery*.ts.
import * as https from 'node:https';
import { createBasic, serializeKubeconfig } from '../kubeconfig/kubeconfig.js';
import { apiError, createKubeClient } from './kube-client.js';
import { networkFailureMessage } from './net-errors.js';

/** kubeadm's per-request timeout for discovery clients (`?timeout=10s` in the URL). */
export const DISCOVERY_REQUEST_TIMEOUT_MS = 10_000;
/** The user name of kubeadm's discovery kubeconfigs; no credentials go with it. */
const DISCOVERY_USER = 'token-bootstrap-client';
const CLUSTER_INFO_PATH = '/api/v1/namespaces/kube-public/configmaps/cluster-info';

/** The ConfigMap's `data`; a missing object, a refusal or a broken connection is an error naming the request. */
export type ClusterInfoData = Record<string, string>;

export interface DiscoveryFetchOptions {
  /** Per request (default 10 s, as kubeadm's discovery clients). */
  timeoutMs?: number;
}

/** `https://<endpoint>`, brackets kept for IPv6 endpoints such as `[fd00::1]:6443`. */
export const endpointURL = (endpoint: string): string =>
  /^https?:\/\//.test(endpoint) ? endpoint : `https://${endpoint}`;

async function getClusterInfo(kubeconfig: string, source: string, o: DiscoveryFetchOptions) {
  const timeoutMs = o.timeoutMs ?? DISCOVERY_REQUEST_TIMEOUT_MS;
  const client = await createKubeClient(kubeconfig, { source, timeoutMs });
  try {
    // The query names the timeout as client-go's URL does, so failures read like kubeadm's.
    const request = `${CLUSTER_INFO_PATH}?timeout=${Math.ceil(timeoutMs / 1000)}s`;
    const answer = await client.getRaw(request);
    if (answer.status !== 200) throw apiError(`GET ${CLUSTER_INFO_PATH}`, answer);
    const cm = JSON.parse(answer.body) as { data?: Record<string, unknown> };
    const data: ClusterInfoData = {};
    for (const [k, v] of Object.entries(cm.data ?? {})) if (typeof v === 'string') data[k] = v;
    return data;
  } finally {
    client.close();
  }
}

/** A kubeconfig for `endpoint` without credentials: CA-verified when `caPem` is given, else insecure. */
function anonymousKubeconfig(endpoint: string, caPem: string | undefined): string {
  const cfg = createBasic(endpointURL(endpoint), 'kubernetes', DISCOVERY_USER, caPem ?? '');
  if (caPem === undefined) cfg.clusters[0]!.cluster['insecure-skip-tls-verify'] = true;
  cfg.users = [{ name: DISCOVERY_USER, user: {} }];
  return serializeKubeconfig(cfg);
}

/** cluster-info read anonymously without verifying the server's certificate (nothing is trusted yet). */
export function fetchClusterInfoInsecure(endpoint: string, o: DiscoveryFetchOptions = {}) {
  return getClusterInfo(anonymousKubeconfig(endpoint, undefined), 'the insecure discovery kubeconfig', o);
}

/** cluster-info read anonymously, the server's certificate verified against `caPem`. */
export function fetchClusterInfoWithCA(endpoint: string, caPem: string, o: DiscoveryFetchOptions = {}) {
  return getClusterInfo(anonymousKubeconfig(endpoint, caPem), 'the pinned discovery kubeconfig', o);
}

/** cluster-info read with a kubeconfig as it is (file discovery: its CA, its credentials if any). */
export function fetchClusterInfoWithKubeconfig(
  kubeconfig: string,
  source: string,
  o: DiscoveryFetchOptions = {},
) {
  return getClusterInfo(kubeconfig, source, o);
}

export interface FetchURLOptions {
  timeoutMs?: number;
  /** Trust these CAs instead of the system's (tests). */
  caPem?: string;
}

/** The body of an https URL (a discovery file); a non-2xx answer or a failed connection is an error naming the URL. */
export function fetchDiscoveryURL(url: string, o: FetchURLOptions = {}): Promise<string> {
  const timeoutMs = o.timeoutMs ?? DISCOVERY_REQUEST_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      reject(new Error(`invalid discovery URL "${url}"`));
      return;
    }
    const req = https.get(
      target,
      { agent: false, signal: AbortSignal.timeout(timeoutMs), ...(o.caPem ? { ca: o.caPem } : {}) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => reject(new Error(networkFailureMessage('GET', target, err))));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status < 200 || status > 299)
            reject(new Error(`Get "${target.toString()}": the server answered with status ${status}`));
          else resolve(Buffer.concat(chunks).toString('utf8'));
        });
      },
    );
    req.on('error', (err) => reject(new Error(networkFailureMessage('GET', target, err))));
  });
}
