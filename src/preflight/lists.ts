// Which checks each command runs, in kubeadm's order, as plain lists built from the configuration.
// A command runs its stages in order and stops after the first stage that fails: the root check
// comes alone first, because nothing else means much without root.
import { parseKubernetesVersion } from '../config/k8s-version.js';
import type {
  ClusterConfiguration,
  InitConfiguration,
  JoinConfiguration,
  NodeRegistrationOptions,
} from '../config/model.js';
import { isDualStack, parseCIDRList, parseIPSloppy, splitHostPort } from '../config/net.js';
import { HOST_DEFAULTS } from '../host/paths.js';
import type { Check } from './check.js';
import { dirAvailable, fileAvailable, fileContent, fileExisting, inPath } from './file-checks.js';
import { httpProxy, httpProxyCIDR } from './network-checks.js';
import { criCheck, imagePullCheck } from './runtime-checks.js';
import {
  firewalld,
  hostname,
  isPrivilegedUser,
  kubeletVersion,
  kubernetesVersion,
  mem,
  numCPU,
  portOpen,
  serviceCheck,
  swap,
} from './system-checks.js';
import { systemVerification } from './system-verification.js';

/** Stages of checks: each runs only when the ones before it passed. */
export type PreflightPlan = Check[][];

export const PORTS = {
  kubelet: 10250,
  kubeScheduler: 10259,
  kubeControllerManager: 10257,
  etcdClient: 2379,
  etcdPeer: 2380,
} as const;

export const IPV4_FORWARD = '/proc/sys/net/ipv4/ip_forward';
export const IPV6_DEFAULT_FORWARDING = '/proc/sys/net/ipv6/conf/default/forwarding';

const CONTROL_PLANE_MANIFESTS = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'etcd'];

/** kubeadm's executables on the PATH: mandatory ones are errors when missing, the others warnings. */
function executableChecks(k8sVersion: string): Check[] {
  const v = parseKubernetesVersion(k8sVersion);
  // kube-proxy stopped needing conntrack in 1.32.
  const needsConntrack = v !== undefined && v.major === 1n && v.minor < 32n;
  return [
    ...(needsConntrack ? [inPath('conntrack', true)] : []),
    ...['ip', 'iptables', 'mount', 'nsenter'].map((e) => inPath(e, true)),
    ...['ebtables', 'ethtool', 'socat', 'tc', 'touch'].map((e) => inPath(e, false)),
  ];
}

/** Checks every node gets (kubeadm's addCommonChecks); `k8sVersion` is '' when not known yet. */
export function commonChecks(k8sVersion: string, nodeRegistration: NodeRegistrationOptions): Check[] {
  return [
    criCheck(),
    swap(),
    ...executableChecks(k8sVersion),
    systemVerification(),
    hostname(nodeRegistration.name),
    kubeletVersion(k8sVersion),
    serviceCheck('kubelet'),
    portOpen(PORTS.kubelet),
  ];
}

/** The IP families a control plane at `advertiseAddress` with these ranges uses. */
function ipFamilies(advertiseAddress: string, cluster: ClusterConfiguration): Set<4 | 6> {
  const families = new Set<4 | 6>();
  const ip = parseIPSloppy(advertiseAddress);
  if (ip) families.add(ip.family);
  // A dual-stack cluster forwards both families, whichever one the API server advertises.
  for (const list of [cluster.networking.serviceSubnet, cluster.networking.podSubnet]) {
    const cidrs = list === '' ? undefined : parseCIDRList(list);
    if (cidrs && isDualStack(cidrs)) {
      families.add(4);
      families.add(6);
    }
  }
  return families;
}

function forwardingChecks(families: Set<4 | 6>): Check[] {
  return [
    ...(families.has(4) ? [fileContent(IPV4_FORWARD, '1')] : []),
    ...(families.has(6) ? [fileContent(IPV6_DEFAULT_FORWARDING, '1')] : []),
  ];
}

export interface ControlPlaneCheckOptions {
  /** A control-plane join: no common checks, no external etcd version check. */
  secondary?: boolean;
  /** A control-plane join that downloads the certificates: no external etcd file checks. */
  downloadCerts?: boolean;
}

/** kubeadm's RunInitNodeChecks list (without the root check, which runs first on its own). */
export function controlPlaneChecks(
  init: Pick<InitConfiguration, 'localAPIEndpoint' | 'nodeRegistration'>,
  cluster: ClusterConfiguration,
  options: ControlPlaneCheckOptions = {},
): Check[] {
  const { advertiseAddress, bindPort } = init.localAPIEndpoint;
  const checks: Check[] = [
    numCPU(),
    mem(),
    kubernetesVersion(cluster.kubernetesVersion),
    firewalld([bindPort, PORTS.kubelet]),
    portOpen(bindPort),
    portOpen(PORTS.kubeScheduler),
    portOpen(PORTS.kubeControllerManager),
    ...CONTROL_PLANE_MANIFESTS.map((c) => fileAvailable(`${HOST_DEFAULTS.manifestsDir}/${c}.yaml`)),
    httpProxy(advertiseAddress),
    ...cluster.networking.serviceSubnet.split(',').map(httpProxyCIDR),
    ...cluster.networking.podSubnet.split(',').map(httpProxyCIDR),
  ];
  if (!options.secondary) {
    checks.push(...commonChecks(cluster.kubernetesVersion, init.nodeRegistration));
    checks.push(...forwardingChecks(ipFamilies(advertiseAddress, cluster)));
  }
  const { local, external } = cluster.etcd;
  if (local) {
    checks.push(portOpen(PORTS.etcdClient), portOpen(PORTS.etcdPeer), dirAvailable(local.dataDir));
  }
  if (external && !(options.secondary && options.downloadCerts)) {
    for (const file of [external.caFile, external.certFile, external.keyFile]) {
      if (file !== '') checks.push(fileExisting(file, 'ExternalEtcdClientCertificates'));
    }
  }
  return checks;
}

/**
 * The checks whose errors are only warnings when `kbadm init` resumes an init that was interrupted
 * (src/phases/init-in-progress.ts): the files and directories init writes itself (the static Pod
 * manifests, the local etcd's data directory) and the ports of the components it started (the
 * control plane, local etcd, and the kubelet, which kubelet-start starts).
 */
export function initResumeChecks(
  init: Pick<InitConfiguration, 'localAPIEndpoint'>,
  cluster: Pick<ClusterConfiguration, 'etcd'>,
): string[] {
  const local = cluster.etcd.local;
  const checks: Check[] = [
    portOpen(init.localAPIEndpoint.bindPort),
    portOpen(PORTS.kubeScheduler),
    portOpen(PORTS.kubeControllerManager),
    ...CONTROL_PLANE_MANIFESTS.map((c) => fileAvailable(`${HOST_DEFAULTS.manifestsDir}/${c}.yaml`)),
    portOpen(PORTS.kubelet),
    ...(local ? [portOpen(PORTS.etcdClient), portOpen(PORTS.etcdPeer), dirAvailable(local.dataDir)] : []),
  ];
  return checks.map((c) => c.name);
}

/** `kbadm init`: root first, then the control-plane checks. */
export function initPreflight(init: InitConfiguration, cluster: ClusterConfiguration): PreflightPlan {
  return [[isPrivilegedUser()], controlPlaneChecks(init, cluster)];
}

/** The images init pulls during preflight (the pause image among them), as ImagePull checks them. */
export function imagePullStage(
  images: readonly string[],
  sandboxImage: string,
  nodeRegistration: NodeRegistrationOptions,
): Check[] {
  return [
    imagePullCheck({
      images,
      sandboxImage,
      // '' is the default, as validation allows it.
      policy: nodeRegistration.imagePullPolicy || 'IfNotPresent',
      serial: nodeRegistration.imagePullSerial,
    }),
  ];
}

/**
 * `kbadm join` (kubeadm's RunJoinNodeChecks): the kubelet files must not exist yet, the common
 * checks, the CA file on a worker, and for token discovery the proxy and forwarding checks of the
 * API server's address (IPv6 forwarding when it is an IPv6 literal, else IPv4). A control-plane
 * join adds `controlPlaneChecks(..., { secondary: true })` once it knows the cluster configuration.
 */
export function joinPreflight(join: JoinConfiguration): PreflightPlan {
  const checks: Check[] = [
    fileAvailable(`${HOST_DEFAULTS.kubernetesDir}/kubelet.conf`),
    fileAvailable(`${HOST_DEFAULTS.kubernetesDir}/bootstrap-kubelet.conf`),
    ...commonChecks('', join.nodeRegistration),
  ];
  if (!join.controlPlane) checks.push(fileAvailable(join.caCertPath));
  let family: 4 | 6 = 4;
  const endpoint = join.discovery.bootstrapToken?.apiServerEndpoint;
  if (endpoint !== undefined) {
    const hostPort = splitHostPort(endpoint);
    if (hostPort && hostPort.port !== undefined) {
      checks.push(httpProxy(hostPort.host));
      if (parseIPSloppy(hostPort.host)?.family === 6) family = 6;
    }
  }
  checks.push(...forwardingChecks(new Set([family])));
  return [[isPrivilegedUser()], checks];
}

/** `kbadm reset`: only the root check. */
export function resetPreflight(): PreflightPlan {
  return [[isPrivilegedUser()]];
}
