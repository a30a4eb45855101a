// `kbadm reset phase remove-etcd-member`: take this node's stacked etcd member out of the cluster,
// then empty the etcd data directory.
//
// kubeadm finds the member through the cluster (kubeadm-config and the etcd Pods). kbadm does not
// read the cluster yet, so it uses what kubeadm itself falls back to for the data directory: the
// local static Pod manifest, etcd.yaml. Its command line names the member (--name), the URL the
// cluster knows it by (--initial-advertise-peer-urls), where to reach etcd (--advertise-client-urls,
// --listen-client-urls) and the etcd CA (--trusted-ca-file), next to which kubeadm keeps the
// healthcheck-client certificate used here, as kubeadm does.
import * as path from 'node:path';
import { formatDuration } from '../../config/duration.js';
import type { EtcdClientTLS } from '../../etcd/https.js';
import { describeMember, memberByPeerURL } from '../../etcd/members.js';
import { HOST_DEFAULTS } from '../../host/paths.js';
import { readEtcdManifest, type LocalEtcdMember } from '../../manifests/etcd-member.js';
import type { Phase } from '../../workflow/index.js';
import { cleanDir, errorText } from './clean.js';
import type { ResetData } from './data.js';

const TAG = 'reset';

/** The etcd CA and the healthcheck-client pair, read through the host. */
async function clientTLS(d: ResetData, member: LocalEtcdMember): Promise<EtcdClientTLS> {
  const caFile = member.caFile ?? path.join(d.paths.onHost(d.paths.pkiDir), 'etcd/ca.crt');
  const dir = path.dirname(caFile);
  const read = async (hostPath: string): Promise<Buffer> => {
    const data = await d.host.readFileIfExists(d.paths.under(hostPath));
    if (data === undefined) throw new Error(`cannot read "${hostPath}": no such file`);
    return data;
  };
  return {
    ca: await read(caFile),
    cert: await read(path.join(dir, 'healthcheck-client.crt')),
    key: await read(path.join(dir, 'healthcheck-client.key')),
  };
}

/** Removes the member; throws when etcd cannot be reached or refuses. */
async function removeMember(d: ResetData, member: LocalEtcdMember): Promise<void> {
  const peerURL = member.peerURLs[0];
  if (peerURL === undefined) throw new Error('etcd.yaml has no --initial-advertise-peer-urls');
  if (member.clientURLs.length === 0) throw new Error('etcd.yaml names no https client URL');
  const client = d.etcd({
    endpoints: member.clientURLs,
    tls: await clientTLS(d, member),
    timeoutMs: d.config.timeouts.etcdAPICall,
    // kubeadm reaches this phase only when the cluster answered; an etcd that nothing serves is
    // the same "cluster not there" case, so reset moves on at once rather than waiting minutes.
    giveUpWhenNothingListens: true,
    log: (message, fields) => d.out.log.debug(message, fields),
    onRetry: (r) => {
      if (r.attempt === 1) {
        d.out.progress(
          TAG,
          `etcd did not answer (${errorText(r.error)}); trying again for up to ${formatDuration(r.timeoutMs)}`,
        );
      }
    },
  });
  await client.sync();
  const members = await client.listMembers();
  const own = memberByPeerURL(members, peerURL);
  if (!own) {
    d.out.log.info('this node is not an etcd member (already removed)', { peerURL });
    return;
  }
  if (members.length === 1) {
    // The last member cannot leave its own cluster; its data goes with the data directory.
    d.out.log.info('this is the only etcd member left; it is not removed', { member: describeMember(own) });
    return;
  }
  await client.removeMember(own.id);
  d.out.progress(TAG, `Removed the etcd member ${describeMember(own)} from the etcd cluster`);
}

async function emptyDataDir(d: ResetData, dataDir: string): Promise<void> {
  const dir = d.paths.under(dataDir);
  try {
    if ((await d.host.listDir(dir)).length === 0) return;
    if (d.dryRun) d.out.progress(TAG, `Would delete contents of the etcd data directory: ${dataDir}`);
    // A dataDir such as / or /var/lib is refused here, whatever etcd.yaml says.
    d.host.addManagedDir(dir);
    await cleanDir(d.host, dir);
    if (!d.dryRun) {
      d.out.progress(TAG, `Deleted contents of the etcd data directory: ${dataDir}`);
      d.emptiedEtcdDataDir = dir;
    }
  } catch (err) {
    d.out.warn(
      `[${TAG}] Failed to delete contents of the etcd directory: "${dataDir}", error: ${errorText(err)}`,
    );
  }
}

export async function runRemoveEtcdMember(d: ResetData): Promise<void> {
  const manifest = path.join(d.paths.manifestsDir, 'etcd.yaml');
  const text = await d.host.readFileIfExists(manifest);
  if (text === undefined) {
    // No stacked etcd here (a worker), or cleanup-node already ran: only leftovers to clear.
    await emptyDataDir(d, HOST_DEFAULTS.etcdDataDir);
    return;
  }
  let reading;
  try {
    reading = readEtcdManifest(text.toString('utf8'));
  } catch (err) {
    reading = { kind: 'unknown' as const, reason: errorText(err) };
  }
  if (reading.kind === 'unknown') {
    d.out.log.info('etcd.yaml is not a stacked etcd kbadm knows', { reason: reading.reason });
    d.out.progress(TAG, 'No etcd config found. Assuming external etcd');
    d.out.progress(TAG, 'Please, manually reset etcd to prevent further issues');
    return;
  }
  const member = reading.member;
  d.out.log.info("finding this node's etcd member in etcd.yaml (the cluster's kubeadm-config is not read)", {
    name: member.name,
    peerURLs: member.peerURLs,
  });
  if (d.dryRun) {
    d.out.progress(TAG, 'Would remove the etcd member on this node from the etcd cluster');
  } else {
    try {
      await removeMember(d, member);
    } catch (err) {
      d.out.warn(
        `[${TAG}] Failed to remove etcd member: ${errorText(err)}, please manually remove this etcd member using etcdctl`,
      );
    }
  }
  await emptyDataDir(d, member.dataDir);
}

export const removeEtcdMemberPhase: Phase<ResetData> = {
  name: 'remove-etcd-member',
  short: "Take this node's etcd member out of the cluster and empty its data directory",
  long:
    "Take this control-plane node's stacked etcd member out of the etcd cluster, then delete the " +
    'contents of its data directory. The member and the data directory are read from the local ' +
    'etcd static Pod manifest; a node without one has no member to remove.',
  inheritFlags: ['kubeconfig', 'dry-run'],
  run: (d) => runRemoveEtcdMember(d),
};
