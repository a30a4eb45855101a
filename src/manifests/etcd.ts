// The local (stacked) etcd static Pod, as kubeadm v1.34 renders it (phases/etcd/local.go).
import type { APIEndpoint, Arg, ClusterConfiguration, LocalEtcd } from '../config/model.js';
import { etcdImage } from '../config/images.js';
import { joinHostPort, parseIP } from '../config/net.js';
import { buildCommand, getArg } from './args.js';
import {
  componentPod,
  cpuRequest,
  HostPathMounts,
  livenessProbe,
  mergeEnv,
  PROBE_PORT_NAME,
  probePort,
  readinessProbe,
  startupProbe,
  type ProbeTarget,
  type StaticPod,
} from './pod.js';
import { joinPath } from '../config/file-path.js';

export const ETCD = 'etcd';
export const ETCD_CLIENT_PORT = 2379;
export const ETCD_PEER_PORT = 2380;
export const ETCD_METRICS_PORT = 2381;

export interface EtcdInputs {
  cluster: ClusterConfiguration;
  endpoint: APIEndpoint;
  nodeName: string;
  /** ms; the startup probe's budget. */
  controlPlaneHealthCheckMs: number;
  /** Existing members `name=peerURL` for a control-plane join; empty (or absent) for init. */
  initialCluster?: readonly { name: string; peerURL: string }[];
}

function isIPv6(address: string): boolean {
  return parseIP(address)?.family === 6;
}

export function etcdClientURL(endpoint: APIEndpoint): string {
  return `https://${joinHostPort(endpoint.advertiseAddress, ETCD_CLIENT_PORT)}`;
}

export function etcdPeerURL(endpoint: APIEndpoint): string {
  return `https://${joinHostPort(endpoint.advertiseAddress, ETCD_PEER_PORT)}`;
}

function localEtcd(cluster: ClusterConfiguration): LocalEtcd {
  const local = cluster.etcd.local;
  if (!local) throw new Error('etcd static pod manifest cannot be generated for cluster using external etcd');
  return local;
}

/** A version as apimachinery's ParseSemantic reads it: exactly X.Y.Z, optional -pre and +build. */
export interface SemVer {
  major: number;
  minor: number;
  patch: number;
  preRelease: string;
}

const SEMVER =
  /^\s*v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

export function parseSemantic(text: string): SemVer | undefined {
  const m = SEMVER.exec(text);
  // Go keeps each component in a uint64: a larger one is no version. Within that range a number
  // only has to compare right against etcd's small versions, so Number() is enough.
  if (!m || [m[1]!, m[2]!, m[3]!].some((c) => BigInt(c) > 2n ** 64n - 1n)) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), preRelease: m[4] ?? '' };
}

/** The etcd image and the version its tag names (undefined when the tag is not a semantic version). */
export function etcdImageFor(cluster: ClusterConfiguration): {
  image: string;
  version?: SemVer;
  warning?: string;
} {
  const local = localEtcd(cluster);
  const opts: { repository: string; imageTag?: string } = {
    repository: local.imageRepository || cluster.imageRepository,
  };
  if (local.imageTag) opts.imageTag = local.imageTag;
  const r = etcdImage(opts, cluster.kubernetesVersion);
  const version = parseSemantic(r.image.slice(r.image.lastIndexOf(':') + 1));
  const out: { image: string; version?: SemVer; warning?: string } = { image: r.image };
  if (version) out.version = version;
  if (r.warning) out.warning = r.warning;
  return out;
}

/**
 * etcd 3.6 turned two experimental flags into a feature gate and a plain flag (kubernetes PR
 * #132838, kubeadm 1.34). As in kubeadm, only a tag that parses as a version at least 3.6.0 gets
 * the new spelling: a pre-release of 3.6.0 or a tag that is not a version keeps the experimental
 * one, which etcd 3.6 still accepts.
 */
export function usesEtcd36Flags(version: SemVer | undefined): boolean {
  if (!version) return false;
  const { major, minor, patch, preRelease } = version;
  if (major !== 3) return major > 3;
  if (minor !== 6) return minor > 6;
  return patch > 0 || preRelease === '';
}

export function etcdDefaultArgs(inputs: EtcdInputs, version?: SemVer): Arg[] {
  const { cluster: c, endpoint, nodeName } = inputs;
  const local = localEtcd(c);
  const localhost = isIPv6(endpoint.advertiseAddress) ? '::1' : '127.0.0.1';
  const pki = (f: string) => joinPath(c.certificatesDir, f);
  const peerURL = etcdPeerURL(endpoint);
  const args: Arg[] = [
    { name: 'name', value: nodeName },
    ...(usesEtcd36Flags(version)
      ? [
          { name: 'feature-gates', value: 'InitialCorruptCheck=true' },
          { name: 'watch-progress-notify-interval', value: '5s' },
        ]
      : [
          { name: 'experimental-initial-corrupt-check', value: 'true' },
          { name: 'experimental-watch-progress-notify-interval', value: '5s' },
        ]),
    {
      name: 'listen-client-urls',
      value: `https://${joinHostPort(localhost, ETCD_CLIENT_PORT)},${etcdClientURL(endpoint)}`,
    },
    { name: 'advertise-client-urls', value: etcdClientURL(endpoint) },
    { name: 'listen-peer-urls', value: peerURL },
    { name: 'initial-advertise-peer-urls', value: peerURL },
    { name: 'data-dir', value: local.dataDir },
    { name: 'cert-file', value: pki('etcd/server.crt') },
    { name: 'key-file', value: pki('etcd/server.key') },
    { name: 'trusted-ca-file', value: pki('etcd/ca.crt') },
    { name: 'client-cert-auth', value: 'true' },
    { name: 'peer-cert-file', value: pki('etcd/peer.crt') },
    { name: 'peer-key-file', value: pki('etcd/peer.key') },
    { name: 'peer-trusted-ca-file', value: pki('etcd/ca.crt') },
    { name: 'peer-client-cert-auth', value: 'true' },
    { name: 'snapshot-count', value: '10000' },
    { name: 'listen-metrics-urls', value: `http://${joinHostPort(localhost, ETCD_METRICS_PORT)}` },
  ];
  const members = inputs.initialCluster ?? [];
  if (members.length === 0) {
    args.push({ name: 'initial-cluster', value: `${nodeName}=${peerURL}` });
  } else {
    // A joining member must already be in the list it is given.
    args.push({ name: 'initial-cluster', value: members.map((m) => `${m.name}=${m.peerURL}`).join(',') });
    args.push({ name: 'initial-cluster-state', value: 'existing' });
  }
  return args;
}

/**
 * kubeadm's GetEtcdProbeEndpoint: the first `listen-metrics-urls` URL of the user's extraArgs
 * decides host, port and scheme; otherwise plain HTTP on the loopback metrics port.
 */
export function etcdProbeTarget(cluster: ClusterConfiguration, ipv6: boolean): ProbeTarget {
  const localhost = ipv6 ? '::1' : '127.0.0.1';
  const fallback: ProbeTarget = { host: localhost, port: ETCD_METRICS_PORT, scheme: 'HTTP' };
  const arg = cluster.etcd.local ? getArg(cluster.etcd.local.extraArgs, 'listen-metrics-urls') : undefined;
  if (arg === undefined) return fallback;
  let url: URL;
  try {
    url = new URL(arg.split(',')[0] ?? '');
  } catch {
    return fallback;
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = url.port === '' ? ETCD_METRICS_PORT : Number(url.port);
  return { host: host === '' ? localhost : host, port, scheme: url.protocol === 'https:' ? 'HTTPS' : 'HTTP' };
}

export interface RenderedEtcd {
  value: StaticPod;
  warnings: string[];
}

export function etcdPod(inputs: EtcdInputs): RenderedEtcd {
  const c = inputs.cluster;
  const local = localEtcd(c);
  const img = etcdImageFor(c);
  const certsDir = joinPath(c.certificatesDir, 'etcd');
  // etcd writes to both, so neither mount is read-only; mounts keep kubeadm's literal order.
  const mounts = new HostPathMounts()
    .add('etcd-data', local.dataDir, local.dataDir, false, 'DirectoryOrCreate')
    .add('etcd-certs', certsDir, certsDir, false, 'DirectoryOrCreate');
  const target = etcdProbeTarget(c, isIPv6(inputs.endpoint.advertiseAddress));
  const named: ProbeTarget = { ...target, port: PROBE_PORT_NAME };
  const env = mergeEnv(local.extraEnvs);
  const pod = componentPod(
    {
      name: ETCD,
      image: img.image,
      imagePullPolicy: 'IfNotPresent',
      command: buildCommand(ETCD, etcdDefaultArgs(inputs, img.version), local.extraArgs),
      ...(env.length > 0 ? { env } : {}),
      ports: [probePort(Number(target.port))],
      livenessProbe: livenessProbe(named, '/livez'),
      readinessProbe: readinessProbe(named, '/readyz'),
      startupProbe: startupProbe(named, '/readyz', inputs.controlPlaneHealthCheckMs),
      resources: cpuRequest('100m', '100Mi'),
      volumeMounts: [...mounts.mounts.values()],
    },
    mounts.volumes,
    { 'kubeadm.kubernetes.io/etcd.advertise-client-urls': etcdClientURL(inputs.endpoint) },
  );
  return { value: pod, warnings: img.warning ? [img.warning] : [] };
}
