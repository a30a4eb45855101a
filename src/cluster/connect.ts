// Opens the cluster a kubeconfig file names: read through the Host (so --rootfs and the test hosts
// apply), with any certificate files it references read the same way and inlined, because the
// library would read them from the machine's own paths. A dry run gets the recording client.
import * as path from 'node:path';
import { errorMessage, KbadmError } from '../errors.js';
import type { Host } from '../host/host.js';
import { currentCluster, currentUser, parseKubeconfig, type KubeConfig } from '../kubeconfig/kubeconfig.js';
import type { Output } from '../output/output.js';
import type { ClusterClient } from './types.js';

export interface OpenClusterOptions {
  dryRun?: boolean;
  out: Output;
  /** A deadline for each request (the client's default otherwise). */
  timeoutMs?: number;
  /** Talk to this URL instead of the kubeconfig's server, e.g. the local API endpoint. */
  server?: string;
  /** What the file is, for messages (default "admin kubeconfig"). */
  what?: string;
}

/** `kubeconfigPath` is under --rootfs, as every path given to a Host. */
export async function openCluster(
  host: Host,
  kubeconfigPath: string,
  options: OpenClusterOptions,
): Promise<ClusterClient> {
  if (options.dryRun) {
    const { DryRunCluster } = await import('./dry-run.js');
    return new DryRunCluster(options.out);
  }
  const what = options.what ?? 'admin kubeconfig';
  const shown = shownPath(host, kubeconfigPath);
  const fail = (reason: string) => new KbadmError(`failed to load ${what}: ${reason}`);
  let bytes: Buffer | undefined;
  try {
    bytes = await host.readFileIfExists(kubeconfigPath);
  } catch (err) {
    throw fail(errorMessage(err));
  }
  if (bytes === undefined) throw fail(`open ${shown}: no such file or directory`);
  const cfg = parseKubeconfig(bytes.toString('utf8'), shown);
  await inlineFiles(host, cfg, path.dirname(kubeconfigPath), fail);
  return openClusterFromKubeconfig(cfg, shown, options);
}

/**
 * The cluster an in-memory kubeconfig names (join's bootstrap credentials before any file exists).
 * File references in it are not followed: it must carry its data inline.
 */
export async function openClusterFromKubeconfig(
  cfg: KubeConfig,
  shown: string,
  options: OpenClusterOptions,
): Promise<ClusterClient> {
  if (options.dryRun) {
    const { DryRunCluster } = await import('./dry-run.js');
    return new DryRunCluster(options.out);
  }
  const { createKubeClient } = await import('./kube-client.js');
  const log = options.out.log;
  return createKubeClient(JSON.stringify(cfg), {
    source: shown,
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.server !== undefined ? { server: options.server } : {}),
    // Method, path and status only: bodies and headers carry Secrets and credentials.
    onRequest: (r) =>
      log.debug('API request', { method: r.method, path: r.path, status: r.status ?? 'failed' }),
  });
}

function shownPath(host: Host, rooted: string): string {
  try {
    return host.paths.onHost(rooted);
  } catch {
    return rooted;
  }
}

/**
 * Replaces the current cluster's and user's file references with the files' data. A relative path
 * is relative to the kubeconfig's directory, as client-go resolves it.
 */
async function inlineFiles(
  host: Host,
  cfg: KubeConfig,
  dir: string,
  fail: (reason: string) => Error,
): Promise<void> {
  const read = async (ref: string, what: string, owner: string): Promise<string> => {
    const rooted = path.isAbsolute(ref) ? host.paths.under(ref) : path.join(dir, ref);
    let data: Buffer | undefined;
    try {
      data = await host.readFileIfExists(rooted);
    } catch (err) {
      throw fail(`unable to read ${what} ${ref} for ${owner} due to ${errorMessage(err)}`);
    }
    if (data === undefined)
      throw fail(
        `unable to read ${what} ${ref} for ${owner} due to open ${shownPath(host, rooted)}: no such file or directory`,
      );
    return data.toString('base64');
  };
  const cluster = currentCluster(cfg);
  const caFile = cluster?.cluster['certificate-authority'];
  if (cluster !== undefined && typeof caFile === 'string' && caFile !== '') {
    cluster.cluster['certificate-authority-data'] = await read(caFile, 'certificate-authority', cluster.name);
    delete cluster.cluster['certificate-authority'];
  }
  const user = currentUser(cfg);
  if (user === undefined) return;
  for (const [fileKey, dataKey, what] of [
    ['client-certificate', 'client-certificate-data', 'client-cert'],
    ['client-key', 'client-key-data', 'client-key'],
  ] as const) {
    const ref = user.user[fileKey];
    if (typeof ref !== 'string' || ref === '') continue;
    user.user[dataKey] = await read(ref, what, user.name);
    delete user.user[fileKey];
  }
}
