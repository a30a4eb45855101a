// The stacked-etcd part of a control-plane join: check-etcd (is the cluster this node joins
// healthy?) and etcd-join (add this node's member as a learner, write its etcd.yaml, promote it,
// wait until it serves). The join phases call these two functions.
//
// etcd is found the way kubeadm finds it: the client URLs in the etcd Pods' annotations, then the
// member list (sync). Every step can be repeated: a member already added or already voting is
// taken as it is, so a join interrupted halfway is finished by running it again.
import * as path from 'node:path';
import type { ClusterClient, KubeObject } from '../cluster/types.js';
import { formatDuration } from '../config/duration.js';
import { EtcdClient } from '../etcd/client.js';
import { etcdHealth, type EtcdClientTLS, type EtcdHealth } from '../etcd/health.js';
import { hexMemberId, memberByPeerURL, type EtcdMember } from '../etcd/members.js';
import { errorMessage, KbadmError } from '../errors.js';
import { etcdClientURL, etcdPeerURL, etcdPod } from '../manifests/etcd.js';
import { ETCD_CLIENT_URLS_ANNOTATION } from '../manifests/etcd-member.js';
import type { ManifestData } from './init/data.js';
import { etcdInputs, warnIfRootless, writePatchedStaticPod } from './init/static-pods.js';

export type EtcdJoinData = ManifestData & {
  /** The API server, as admin.conf's user (the etcd Pods are read from it). */
  cluster(): Promise<ClusterClient>;
  /** Opens an etcd client; default: the real one, retrying within timeouts.etcdAPICall. */
  etcdClient?: (endpoints: string[], tls: EtcdClientTLS) => EtcdClient;
  /** One health check of a client URL; default: GET /health over mutual TLS. */
  etcdHealth?: (endpoint: string, tls: EtcdClientTLS) => Promise<EtcdHealth>;
  /** Time for the waits and retries; tests pass a fake clock. */
  clock?: Clock;
};

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** kubeadm's KubernetesAPICallRetryInterval and EtcdAPICallRetryInterval. */
const API_RETRY_INTERVAL_MS = 500;
/** After the promotion: this many health checks of the new member, this far apart (kubeadm's 8 x 5 s). */
export const JOIN_HEALTH_CHECKS = 8;
export const JOIN_HEALTH_INTERVAL_MS = 5000;

const DATA_DIR_MODE = 0o700;
const ETCD_POD_SELECTOR = 'component=etcd,tier=control-plane';

/**
 * The client URLs in the etcd Pods' advertise-client-urls annotations. Static Pods reach the API
 * server only once their kubelet mirrors them, so as kubeadm does this waits (within
 * `timeoutMs`) until there is at least one etcd Pod and every one of them carries the annotation.
 */
export async function etcdEndpointsFromPods(
  client: ClusterClient,
  timeoutMs: number,
  clock: Clock = realClock,
): Promise<string[]> {
  const start = clock.now();
  for (;;) {
    let problem: string;
    try {
      const pods: KubeObject[] = [];
      for await (const pod of client.list('v1', 'Pod', {
        namespace: 'kube-system',
        labelSelector: ETCD_POD_SELECTOR,
      })) {
        pods.push(pod);
      }
      const missing = pods.filter((p) => !p.metadata.annotations?.[ETCD_CLIENT_URLS_ANNOTATION]);
      if (pods.length > 0 && missing.length === 0) {
        const urls = pods.flatMap((p) => splitURLs(p.metadata.annotations![ETCD_CLIENT_URLS_ANNOTATION]!));
        return [...new Set(urls)];
      }
      problem =
        pods.length === 0
          ? `no Pods with labels ${ETCD_POD_SELECTOR} in the "kube-system" Namespace`
          : `the etcd Pods ${missing.map((p) => `"${p.metadata.name}"`).join(', ')} have no "${ETCD_CLIENT_URLS_ANNOTATION}" annotation`;
    } catch (err) {
      // An API server that has not answered, or answered with an error, may do better next time.
      problem = errorMessage(err);
    }
    if (clock.now() - start + API_RETRY_INTERVAL_MS > timeoutMs) {
      throw new KbadmError(`could not retrieve the list of etcd endpoints: ${problem}`);
    }
    await clock.sleep(API_RETRY_INTERVAL_MS);
  }
}

function splitURLs(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** The etcd CA and kubeadm's healthcheck-client pair from this node's certificates directory. */
async function clientTLS(d: EtcdJoinData): Promise<EtcdClientTLS> {
  const read = (file: string) => d.host.readFile(path.join(d.paths.pkiDir, 'etcd', file));
  return {
    ca: await read('ca.crt'),
    cert: await read('healthcheck-client.crt'),
    key: await read('healthcheck-client.key'),
  };
}

/** A client for the etcd cluster the etcd Pods name, its endpoints synced with the member list. */
async function connect(d: EtcdJoinData): Promise<{ client: EtcdClient; tls: EtcdClientTLS }> {
  const timeouts = d.config.init.timeouts;
  const endpoints = await etcdEndpointsFromPods(await d.cluster(), timeouts.kubernetesAPICall, d.clock);
  d.out.log.debug('etcd endpoints from the etcd Pods', { endpoints });
  const tls = await clientTLS(d);
  const open =
    d.etcdClient ??
    ((urls: string[], t: EtcdClientTLS) =>
      new EtcdClient({
        endpoints: urls,
        tls: t,
        timeoutMs: timeouts.etcdAPICall,
        log: (message, fields) => d.out.log.debug(message, fields),
        ...(d.clock ? { now: d.clock.now, sleep: d.clock.sleep } : {}),
      }));
  const client = open(endpoints, tls);
  await client.sync();
  return { client, tls };
}

interface Rounds {
  intervalMs: number;
  /** At most this many rounds of checks... */
  attempts?: number;
  /** ...and no new round once this budget would be exceeded. */
  timeoutMs?: number;
}

/**
 * Checks `endpoints` until every one is healthy, rechecking the unhealthy ones every `intervalMs`
 * within the limits of `rounds`; the error names each endpoint that never became healthy.
 */
async function waitHealthy(
  d: EtcdJoinData,
  endpoints: readonly string[],
  tls: EtcdClientTLS,
  rounds: Rounds,
  failure: string,
): Promise<void> {
  const check = d.etcdHealth ?? ((url: string, t: EtcdClientTLS) => etcdHealth(url, t));
  const clock = d.clock ?? realClock;
  const start = clock.now();
  let pending = [...endpoints];
  let last = new Map<string, EtcdHealth>();
  for (let attempt = 1; ; attempt++) {
    const results = await Promise.all(pending.map(async (url) => [url, await check(url, tls)] as const));
    last = new Map(results);
    pending = results.filter(([, h]) => !h.healthy).map(([url]) => url);
    if (pending.length === 0) return;
    d.out.log.debug('etcd endpoints not healthy yet', {
      attempt,
      endpoints: pending.map((url) => `${url}: ${last.get(url)?.reason ?? 'unhealthy'}`),
    });
    if (rounds.attempts !== undefined && attempt >= rounds.attempts) break;
    if (rounds.timeoutMs !== undefined && clock.now() - start + rounds.intervalMs > rounds.timeoutMs) break;
    await clock.sleep(rounds.intervalMs);
  }
  const detail = pending.map((url) => `${url} is unhealthy: ${last.get(url)?.reason ?? 'unknown reason'}`);
  throw new KbadmError(`${failure}: ${detail.join('; ')}`);
}

/** check-etcd: before this node joins, every member of the stacked etcd cluster must be healthy. */
export async function runCheckEtcd(d: EtcdJoinData): Promise<void> {
  if (!d.config.cluster.etcd.local) {
    d.out.progress('check-etcd', 'Skipping etcd check in external mode');
    return;
  }
  d.out.progress('check-etcd', 'Checking that the etcd cluster is healthy');
  if (d.dryRun) {
    d.out.log.info('dry run: the etcd cluster is not contacted');
    return;
  }
  const { client, tls } = await connect(d);
  // An unhealthy member gets the etcdAPICall budget to recover, as kubeadm retries its status calls.
  await waitHealthy(
    d,
    client.endpoints,
    tls,
    { intervalMs: API_RETRY_INTERVAL_MS, timeoutMs: d.config.init.timeouts.etcdAPICall },
    'the etcd cluster is not healthy',
  );
}

/**
 * `--initial-cluster` for the new member: every member by its first peer URL. The member just
 * added has not started, so has no name yet: it gets this node's name. Another member without a
 * name (a concurrent join) is named by its ID, as kubeadm does.
 */
export function initialClusterOf(
  members: readonly EtcdMember[],
  nodeName: string,
  peerURL: string,
): { name: string; peerURL: string }[] {
  return members
    .filter((m) => m.peerURLs.length > 0)
    .map((m) => {
      const url = m.peerURLs[0]!;
      if (url === peerURL) return { name: nodeName, peerURL: url };
      return { name: m.name || hexMemberId(m.id), peerURL: url };
    });
}

async function writeManifest(d: EtcdJoinData, initialCluster: { name: string; peerURL: string }[]) {
  d.out.progress('etcd', 'Creating static Pod manifest for "etcd"');
  warnIfRootless(d, 'etcd', 'etcd');
  const pod = etcdPod({ ...etcdInputs(d), initialCluster });
  for (const w of pod.warnings) d.out.warn(w);
  await writePatchedStaticPod(d, 'etcd', pod.value);
}

/** etcd-join: grow the stacked etcd cluster by this node's member. */
export async function runEtcdJoin(d: EtcdJoinData): Promise<void> {
  const local = d.config.cluster.etcd.local;
  if (!local) {
    d.out.progress('control-plane-join', 'Using external etcd - no local stacked instance added');
    return;
  }
  const nodeName = d.config.init.nodeRegistration.name;
  const endpoint = d.config.init.localAPIEndpoint;
  const peerURL = etcdPeerURL(endpoint);
  const waitMessage = `Waiting for the new etcd member to join the cluster. This can take up to ${formatDuration(
    JOIN_HEALTH_CHECKS * JOIN_HEALTH_INTERVAL_MS,
  )}`;

  if (d.dryRun) {
    // No etcd call: the member list is unknown, so the manifest shown names only this member.
    d.out.progress('etcd', `Would ensure that "${local.dataDir}" directory is present`);
    d.out.progress('etcd', `Would add etcd member: ${peerURL}`);
    await writeManifest(d, [{ name: nodeName, peerURL }]);
    d.out.progress('etcd', 'Would wait for the new etcd member to join the cluster');
    return;
  }

  await d.host.mkdir(d.paths.under(local.dataDir), DATA_DIR_MODE);
  const { client, tls } = await connect(d);
  const members = await client.addMember(nodeName, peerURL, { learner: true });
  d.out.progress('etcd', 'Announced new etcd member joining to the existing etcd cluster');
  d.out.log.debug('etcd members', { members });

  await writeManifest(d, initialClusterOf(members, nodeName, peerURL));

  // etcd refuses the promotion until the learner, started by the kubelet from etcd.yaml, has
  // caught up with the leader; the client keeps asking within its budget.
  const id = memberByPeerURL(members, peerURL)?.id ?? (await client.memberId(peerURL));
  if (id === undefined) throw new KbadmError(`the etcd member ${peerURL} is not in the etcd cluster`);
  await client.promoteMember(id);
  d.out.log.info('the etcd member votes', { id: hexMemberId(id), peerURL });

  d.out.progress('etcd', waitMessage);
  await waitHealthy(
    d,
    [etcdClientURL(endpoint)],
    tls,
    { attempts: JOIN_HEALTH_CHECKS, intervalMs: JOIN_HEALTH_INTERVAL_MS },
    'timeout waiting for etcd cluster to be available',
  );
}
