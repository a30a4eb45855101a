// What a node's etcd static Pod manifest says about its local etcd member: name, URLs, data
// directory. Without the cluster's kubeadm-config this is where `reset` learns which member is
// its own (kubeadm falls back to the same manifest for the data directory). Pure.
import { parse } from 'yaml';
import { getArg, parseFlags } from './args.js';
import { ETCD } from './etcd.js';

export const ETCD_DATA_VOLUME = 'etcd-data';
export const ETCD_CLIENT_URLS_ANNOTATION = 'kubeadm.kubernetes.io/etcd.advertise-client-urls';

export interface LocalEtcdMember {
  /** --name */
  name: string;
  /** Where to reach this member: --advertise-client-urls, then --listen-client-urls, then the annotation. */
  clientURLs: string[];
  /** --initial-advertise-peer-urls: the URL the cluster knows this member by. */
  peerURLs: string[];
  /** The host directory of the `etcd-data` volume. */
  dataDir: string;
  /** --trusted-ca-file: the etcd CA, whose directory also holds kubeadm's etcd client certificates. */
  caFile?: string;
  /** --initial-cluster: `name=peerURL,...`, the members this one started with. */
  initialCluster?: string;
  /** --initial-cluster-token, when the manifest sets one. */
  initialClusterToken?: string;
}

export type EtcdManifestReading =
  | { kind: 'member'; member: LocalEtcdMember }
  /** A Pod without kubeadm's etcd data volume: not a stacked etcd kbadm knows how to remove. */
  | { kind: 'unknown'; reason: string };

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function record(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}

/** Reads an etcd.yaml. Throws only when the text is not YAML at all. */
export function readEtcdManifest(text: string): EtcdManifestReading {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new Error(`not a valid YAML document: ${(err as Error).name}`);
  }
  const pod = record(doc);
  const spec = record(pod?.['spec']);
  const volumes = Array.isArray(spec?.['volumes']) ? (spec['volumes'] as unknown[]) : [];
  const data = volumes.map(record).find((v) => v?.['name'] === ETCD_DATA_VOLUME);
  const dataDir = record(data?.['hostPath'])?.['path'];
  if (typeof dataDir !== 'string' || dataDir === '') {
    return { kind: 'unknown', reason: `no "${ETCD_DATA_VOLUME}" hostPath volume` };
  }
  const containers = Array.isArray(spec?.['containers']) ? (spec['containers'] as unknown[]) : [];
  const etcd = containers.map(record).find((c) => c?.['name'] === ETCD) ?? record(containers[0]);
  const command = [...strings(etcd?.['command']), ...strings(etcd?.['args'])];
  const args = parseFlags(command);
  const annotation = record(record(pod?.['metadata'])?.['annotations'])?.[ETCD_CLIENT_URLS_ANNOTATION];
  const clientURLs = [
    ...list(getArg(args, 'advertise-client-urls')),
    ...list(getArg(args, 'listen-client-urls')),
    ...list(typeof annotation === 'string' ? annotation : undefined),
  ];
  const caFile = getArg(args, 'trusted-ca-file');
  const initialCluster = getArg(args, 'initial-cluster');
  const initialClusterToken = getArg(args, 'initial-cluster-token');
  return {
    kind: 'member',
    member: {
      ...(caFile ? { caFile } : {}),
      ...(initialCluster ? { initialCluster } : {}),
      ...(initialClusterToken ? { initialClusterToken } : {}),
      name: getArg(args, 'name') ?? '',
      clientURLs: [...new Set(clientURLs)].filter(reachable),
      peerURLs: list(getArg(args, 'initial-advertise-peer-urls')),
      dataDir,
    },
  };
}

/** An https URL a client can dial: not a wildcard listen address such as 0.0.0.0. */
function reachable(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' && u.hostname !== '0.0.0.0' && u.hostname !== '[::]';
  } catch {
    return false;
  }
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}
