// The kube-apiserver, kube-controller-manager and kube-scheduler static Pods, as kubeadm v1.34
// renders them (phases/controlplane/manifests.go, volumes.go).
import type { APIEndpoint, Arg, ClusterConfiguration, EnvVar, ExternalEtcd } from '../config/model.js';
import { controlPlaneImage } from '../config/images.js';
import { joinHostPort, parseIP } from '../config/net.js';
import { buildCommand, getArg, setArg } from './args.js';
import {
  componentPod,
  cpuRequest,
  HostPathMounts,
  livenessProbe,
  mergeEnv,
  PROBE_PORT_NAME,
  probeAddress,
  probePort,
  readinessProbe,
  startupProbe,
  type ProbeTarget,
  type StaticPod,
  type Volume,
  type VolumeMount,
} from './pod.js';
import { joinPath } from '../config/file-path.js';

export const KUBE_APISERVER = 'kube-apiserver';
export const KUBE_CONTROLLER_MANAGER = 'kube-controller-manager';
export const KUBE_SCHEDULER = 'kube-scheduler';
export type ControlPlaneComponentName =
  typeof KUBE_APISERVER | typeof KUBE_CONTROLLER_MANAGER | typeof KUBE_SCHEDULER;
export const CONTROL_PLANE_COMPONENTS: readonly ControlPlaneComponentName[] = [
  KUBE_APISERVER,
  KUBE_CONTROLLER_MANAGER,
  KUBE_SCHEDULER,
];

/** The kubeconfig paths in the KCM/scheduler flags are kubeadm's constant, not --kubeconfig-dir. */
export const KUBERNETES_DIR = '/etc/kubernetes';
export const KUBE_CONTROLLER_MANAGER_PORT = 10257;
export const KUBE_SCHEDULER_PORT = 10259;
export const ETCD_CLIENT_PORT = 2379;

const CA_CERTS_VOLUME = { name: 'ca-certs', path: '/etc/ssl/certs' } as const;
const FLEXVOLUME_DIR_VOLUME = 'flexvolume-dir';
const DEFAULT_FLEXVOLUME_DIR = '/usr/libexec/kubernetes/kubelet-plugins/volume/exec';

/**
 * System CA locations /etc/ssl/certs may link into; each is mounted into the apiserver and KCM
 * only when it exists on the host (kubeadm 1.31+ no longer mounts all of /etc/pki).
 */
export const CA_CERTS_EXTRA_PATHS: readonly string[] = [
  '/etc/pki/ca-trust',
  '/etc/pki/tls/certs',
  '/etc/ca-certificates',
  '/usr/share/ca-certificates',
  '/usr/local/share/ca-certificates',
];

/** kubeadm's valid authorization modes; others in a user's list are dropped with a warning. */
const AUTHZ_MODES = ['Node', 'RBAC', 'Webhook', 'ABAC', 'AlwaysAllow', 'AlwaysDeny'];
const DEFAULT_AUTHZ_MODES = ['Node', 'RBAC'];

/** Everything the control-plane manifests depend on: configuration plus a few host facts. */
export interface ControlPlaneInputs {
  cluster: ClusterConfiguration;
  /** InitConfiguration.localAPIEndpoint (or the join control plane's). */
  endpoint: APIEndpoint;
  /** InitConfiguration.timeouts.controlPlaneComponentHealthCheck, ms: the startup probes' budget. */
  controlPlaneHealthCheckMs: number;
  /** Which of CA_CERTS_EXTRA_PATHS exist on the host. */
  caCertDirsPresent: readonly string[];
  /** HTTP(S)_PROXY / NO_PROXY style variables of kbadm's own environment (see proxyEnvVars). */
  proxyEnv: readonly EnvVar[];
  /** ca.crt present without ca.key: the KCM gets empty signing files. */
  externalCA: boolean;
}

export interface Rendered<T> {
  value: T;
  warnings: string[];
}

function pkiPath(cluster: ClusterConfiguration, file: string): string {
  return joinPath(cluster.certificatesDir, file);
}

function isIPv6(address: string): boolean {
  return parseIP(address)?.family === 6;
}

/** kubeadm's getAuthzModes: the user's valid modes when there is at least one, else Node,RBAC. */
export function authorizationModes(userValue: string | undefined): Rendered<string> {
  const warnings: string[] = [];
  const def = DEFAULT_AUTHZ_MODES.join(',');
  if (!userValue) return { value: def, warnings };
  const modes: string[] = [];
  for (const requested of userValue.split(',')) {
    if (AUTHZ_MODES.includes(requested)) modes.push(requested);
    else warnings.push(`ignoring unknown kube-apiserver authorization-mode "${requested}"`);
  }
  if (modes.length === 0) return { value: def, warnings };
  const value = modes.join(',');
  if (value !== def)
    warnings.push(`the default kube-apiserver authorization-mode is "${def}"; using "${value}"`);
  return { value, warnings };
}

/** The apiserver's default arguments before the user's extraArgs are merged in. */
export function apiServerDefaultArgs(inputs: ControlPlaneInputs): Rendered<Arg[]> {
  const { cluster: c, endpoint } = inputs;
  const pki = (f: string) => pkiPath(c, f);
  const args: Arg[] = [
    { name: 'advertise-address', value: endpoint.advertiseAddress },
    { name: 'enable-admission-plugins', value: 'NodeRestriction' },
    { name: 'service-cluster-ip-range', value: c.networking.serviceSubnet },
    { name: 'service-account-key-file', value: pki('sa.pub') },
    { name: 'service-account-signing-key-file', value: pki('sa.key') },
    { name: 'service-account-issuer', value: `https://kubernetes.default.svc.${c.networking.dnsDomain}` },
    { name: 'client-ca-file', value: pki('ca.crt') },
    { name: 'tls-cert-file', value: pki('apiserver.crt') },
    { name: 'tls-private-key-file', value: pki('apiserver.key') },
    { name: 'kubelet-client-certificate', value: pki('apiserver-kubelet-client.crt') },
    { name: 'kubelet-client-key', value: pki('apiserver-kubelet-client.key') },
    { name: 'enable-bootstrap-token-auth', value: 'true' },
    { name: 'secure-port', value: String(endpoint.bindPort) },
    { name: 'allow-privileged', value: 'true' },
    { name: 'kubelet-preferred-address-types', value: 'InternalIP,ExternalIP,Hostname' },
    // The front proxy's client certificate is always generated, so the flags are always set.
    { name: 'requestheader-username-headers', value: 'X-Remote-User' },
    { name: 'requestheader-group-headers', value: 'X-Remote-Group' },
    { name: 'requestheader-extra-headers-prefix', value: 'X-Remote-Extra-' },
    { name: 'requestheader-client-ca-file', value: pki('front-proxy-ca.crt') },
    { name: 'requestheader-allowed-names', value: 'front-proxy-client' },
    { name: 'proxy-client-cert-file', value: pki('front-proxy-client.crt') },
    { name: 'proxy-client-key-file', value: pki('front-proxy-client.key') },
  ];
  const external = c.etcd.external;
  if (external) {
    setArg(args, 'etcd-servers', external.endpoints.join(','));
    if (external.caFile !== '') setArg(args, 'etcd-cafile', external.caFile);
    if (external.certFile !== '' && external.keyFile !== '') {
      setArg(args, 'etcd-certfile', external.certFile);
      setArg(args, 'etcd-keyfile', external.keyFile);
    }
  } else {
    const localhost = isIPv6(endpoint.advertiseAddress) ? '::1' : '127.0.0.1';
    setArg(args, 'etcd-servers', `https://${joinHostPort(localhost, ETCD_CLIENT_PORT)}`);
    setArg(args, 'etcd-cafile', pki('etcd/ca.crt'));
    setArg(args, 'etcd-certfile', pki('apiserver-etcd-client.crt'));
    setArg(args, 'etcd-keyfile', pki('apiserver-etcd-client.key'));
    const advertised = c.etcd.local ? getArg(c.etcd.local.extraArgs, 'advertise-client-urls') : undefined;
    if (advertised !== undefined) setArg(args, 'etcd-servers', advertised);
  }
  const warnings: string[] = [];
  // A structured authorization config replaces the mode flag entirely.
  if (getArg(c.apiServer.extraArgs, 'authorization-config') === undefined) {
    const modes = authorizationModes(getArg(c.apiServer.extraArgs, 'authorization-mode'));
    warnings.push(...modes.warnings);
    setArg(args, 'authorization-mode', modes.value);
  }
  return { value: args, warnings };
}

export function controllerManagerDefaultArgs(inputs: ControlPlaneInputs): Arg[] {
  const c = inputs.cluster;
  const kubeconfig = `${KUBERNETES_DIR}/controller-manager.conf`;
  const ca = pkiPath(c, 'ca.crt');
  const args: Arg[] = [
    { name: 'bind-address', value: '127.0.0.1' },
    { name: 'leader-elect', value: 'true' },
    { name: 'kubeconfig', value: kubeconfig },
    { name: 'authentication-kubeconfig', value: kubeconfig },
    { name: 'authorization-kubeconfig', value: kubeconfig },
    { name: 'client-ca-file', value: ca },
    { name: 'requestheader-client-ca-file', value: pkiPath(c, 'front-proxy-ca.crt') },
    { name: 'root-ca-file', value: ca },
    { name: 'service-account-private-key-file', value: pkiPath(c, 'sa.key') },
    { name: 'cluster-signing-cert-file', value: ca },
    { name: 'cluster-signing-key-file', value: pkiPath(c, 'ca.key') },
    { name: 'use-service-account-credentials', value: 'true' },
    { name: 'controllers', value: '*,bootstrapsigner,tokencleaner' },
  ];
  // Without the CA key the csrsigning controller must not start: empty files make it fail.
  if (inputs.externalCA) {
    setArg(args, 'cluster-signing-key-file', '');
    setArg(args, 'cluster-signing-cert-file', '');
  }
  if (c.networking.podSubnet !== '') {
    setArg(args, 'allocate-node-cidrs', 'true');
    setArg(args, 'cluster-cidr', c.networking.podSubnet);
    if (c.networking.serviceSubnet !== '')
      setArg(args, 'service-cluster-ip-range', c.networking.serviceSubnet);
  }
  if (c.clusterName !== '') setArg(args, 'cluster-name', c.clusterName);
  return args;
}

export function schedulerDefaultArgs(): Arg[] {
  const kubeconfig = `${KUBERNETES_DIR}/scheduler.conf`;
  return [
    { name: 'bind-address', value: '127.0.0.1' },
    { name: 'leader-elect', value: 'true' },
    { name: 'kubeconfig', value: kubeconfig },
    { name: 'authentication-kubeconfig', value: kubeconfig },
    { name: 'authorization-kubeconfig', value: kubeconfig },
  ];
}

/**
 * kubeadm's getEtcdCertVolumes: the directories of an external etcd's CA/cert/key, except those
 * already mounted (certificatesDir, /etc/ssl/certs, the CA dirs), parents absorbing children.
 */
export function externalEtcdCertDirs(external: ExternalEtcd, certificatesDir: string): string[] {
  const dirs = new Set<string>();
  for (const file of [external.caFile, external.certFile, external.keyFile]) {
    const dir = goDir(file);
    if (
      dir === '.' ||
      CA_CERTS_EXTRA_PATHS.some((p) => dir.startsWith(p)) ||
      dir.startsWith(CA_CERTS_VOLUME.path) ||
      dir.startsWith(certificatesDir)
    ) {
      continue;
    }
    let covered = false;
    for (const existing of [...dirs].sort()) {
      if (existing.startsWith(dir)) dirs.delete(existing);
      else if (dir.startsWith(existing)) covered = true;
    }
    if (!covered) dirs.add(dir);
  }
  return [...dirs].sort();
}

/** Go's filepath.Dir: '.' for a bare or empty name, trailing slashes dropped, '/' stays '/'. */
function goDir(p: string): string {
  const i = p.lastIndexOf('/');
  if (i === -1) return '.';
  const dir = p.slice(0, i).replace(/\/+$/, '');
  return dir === '' ? '/' : dir;
}

/** The hostPath volumes of each control-plane component (kubeadm's getHostPathVolumesForTheControlPlane). */
export function controlPlaneMounts(
  inputs: ControlPlaneInputs,
): Record<ControlPlaneComponentName, HostPathMounts> {
  const c = inputs.cluster;
  const dirOrCreate = 'DirectoryOrCreate';
  const fileOrCreate = 'FileOrCreate';
  const api = new HostPathMounts()
    .add('k8s-certs', c.certificatesDir, c.certificatesDir, true, dirOrCreate)
    .add(CA_CERTS_VOLUME.name, CA_CERTS_VOLUME.path, CA_CERTS_VOLUME.path, true, dirOrCreate);
  if (c.etcd.external) {
    externalEtcdCertDirs(c.etcd.external, c.certificatesDir).forEach((dir, i) =>
      api.add(`etcd-certs-${i}`, dir, dir, true, dirOrCreate),
    );
  }
  const kcmKubeconfig = `${KUBERNETES_DIR}/controller-manager.conf`;
  // Storage plugins talk to the KCM over sockets in this directory, so it stays writable.
  const flexDir = getArg(c.controllerManager.extraArgs, 'flex-volume-plugin-dir') ?? DEFAULT_FLEXVOLUME_DIR;
  const kcm = new HostPathMounts()
    .add('k8s-certs', c.certificatesDir, c.certificatesDir, true, dirOrCreate)
    .add(CA_CERTS_VOLUME.name, CA_CERTS_VOLUME.path, CA_CERTS_VOLUME.path, true, dirOrCreate)
    .add('kubeconfig', kcmKubeconfig, kcmKubeconfig, true, fileOrCreate)
    .add(FLEXVOLUME_DIR_VOLUME, flexDir, flexDir, false, dirOrCreate);
  const schedulerKubeconfig = `${KUBERNETES_DIR}/scheduler.conf`;
  const scheduler = new HostPathMounts().add(
    'kubeconfig',
    schedulerKubeconfig,
    schedulerKubeconfig,
    true,
    fileOrCreate,
  );
  for (const p of CA_CERTS_EXTRA_PATHS) {
    if (!inputs.caCertDirsPresent.includes(p)) continue;
    const name = p.slice(1).replaceAll('/', '-');
    api.add(name, p, p, true, dirOrCreate);
    kcm.add(name, p, p, true, dirOrCreate);
  }
  api.addExtra(c.apiServer.extraVolumes);
  kcm.addExtra(c.controllerManager.extraVolumes);
  scheduler.addExtra(c.scheduler.extraVolumes);
  return { [KUBE_APISERVER]: api, [KUBE_CONTROLLER_MANAGER]: kcm, [KUBE_SCHEDULER]: scheduler };
}

function withMounts(mounts: HostPathMounts): { volumeMounts?: VolumeMount[] } {
  const list = mounts.sortedMounts();
  return list.length > 0 ? { volumeMounts: list } : {};
}

function withEnv(env: EnvVar[]): { env?: EnvVar[] } {
  return env.length > 0 ? { env } : {};
}

function probes(
  target: ProbeTarget,
  live: string,
  ready: string | undefined,
  startup: string,
  timeoutMs: number,
) {
  const named: ProbeTarget = { ...target, port: PROBE_PORT_NAME };
  return {
    livenessProbe: livenessProbe(named, live),
    ...(ready !== undefined ? { readinessProbe: readinessProbe(named, ready) } : {}),
    startupProbe: startupProbe(named, startup, timeoutMs),
  };
}

function image(inputs: ControlPlaneInputs, component: ControlPlaneComponentName): string {
  return controlPlaneImage(component, inputs.cluster.imageRepository, inputs.cluster.kubernetesVersion);
}

function apiServerProbeHost(endpoint: APIEndpoint): string {
  return endpoint.advertiseAddress !== '' ? probeAddress(endpoint.advertiseAddress) : '127.0.0.1';
}

function bindAddressProbeHost(extraArgs: readonly Arg[]): string {
  const addr = getArg(extraArgs, 'bind-address');
  return addr === undefined ? '127.0.0.1' : probeAddress(addr);
}

export function apiServerPod(inputs: ControlPlaneInputs): Rendered<StaticPod> {
  const { cluster: c, endpoint } = inputs;
  const mounts = controlPlaneMounts(inputs)[KUBE_APISERVER];
  const defaults = apiServerDefaultArgs(inputs);
  const target: ProbeTarget = {
    host: apiServerProbeHost(endpoint),
    port: endpoint.bindPort,
    scheme: 'HTTPS',
  };
  const pod = componentPod(
    {
      name: KUBE_APISERVER,
      image: image(inputs, KUBE_APISERVER),
      imagePullPolicy: 'IfNotPresent',
      command: buildCommand(KUBE_APISERVER, defaults.value, c.apiServer.extraArgs),
      ...withEnv(mergeEnv(inputs.proxyEnv, c.apiServer.extraEnvs)),
      ports: [probePort(endpoint.bindPort)],
      ...probes(target, '/livez', '/readyz', '/livez', inputs.controlPlaneHealthCheckMs),
      resources: cpuRequest('250m'),
      ...withMounts(mounts),
    },
    mounts.volumes,
    {
      'kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint': joinHostPort(
        endpoint.advertiseAddress,
        endpoint.bindPort,
      ),
    },
  );
  return { value: pod, warnings: defaults.warnings };
}

export function controllerManagerPod(inputs: ControlPlaneInputs): StaticPod {
  const c = inputs.cluster;
  const mounts = controlPlaneMounts(inputs)[KUBE_CONTROLLER_MANAGER];
  const target: ProbeTarget = {
    host: bindAddressProbeHost(c.controllerManager.extraArgs),
    port: KUBE_CONTROLLER_MANAGER_PORT,
    scheme: 'HTTPS',
  };
  return componentPod(
    {
      name: KUBE_CONTROLLER_MANAGER,
      image: image(inputs, KUBE_CONTROLLER_MANAGER),
      imagePullPolicy: 'IfNotPresent',
      command: buildCommand(
        KUBE_CONTROLLER_MANAGER,
        controllerManagerDefaultArgs(inputs),
        c.controllerManager.extraArgs,
      ),
      ...withEnv(mergeEnv(inputs.proxyEnv, c.controllerManager.extraEnvs)),
      ports: [probePort(KUBE_CONTROLLER_MANAGER_PORT)],
      ...probes(target, '/healthz', undefined, '/healthz', inputs.controlPlaneHealthCheckMs),
      resources: cpuRequest('200m'),
      ...withMounts(mounts),
    },
    mounts.volumes,
  );
}

export function schedulerPod(inputs: ControlPlaneInputs): StaticPod {
  const c = inputs.cluster;
  const mounts = controlPlaneMounts(inputs)[KUBE_SCHEDULER];
  const target: ProbeTarget = {
    host: bindAddressProbeHost(c.scheduler.extraArgs),
    port: KUBE_SCHEDULER_PORT,
    scheme: 'HTTPS',
  };
  return componentPod(
    {
      name: KUBE_SCHEDULER,
      image: image(inputs, KUBE_SCHEDULER),
      imagePullPolicy: 'IfNotPresent',
      command: buildCommand(KUBE_SCHEDULER, schedulerDefaultArgs(), c.scheduler.extraArgs),
      ...withEnv(mergeEnv(inputs.proxyEnv, c.scheduler.extraEnvs)),
      ports: [probePort(KUBE_SCHEDULER_PORT)],
      // The scheduler's /healthz is deprecated; kubeadm 1.32+ probes /livez and /readyz (PR #126945).
      ...probes(target, '/livez', '/readyz', '/livez', inputs.controlPlaneHealthCheckMs),
      resources: cpuRequest('100m'),
      ...withMounts(mounts),
    },
    mounts.volumes,
  );
}

/** One component's Pod, with the warnings rendering it produced. */
export function controlPlanePod(
  inputs: ControlPlaneInputs,
  component: ControlPlaneComponentName,
): Rendered<StaticPod> {
  switch (component) {
    case KUBE_APISERVER:
      return apiServerPod(inputs);
    case KUBE_CONTROLLER_MANAGER:
      return { value: controllerManagerPod(inputs), warnings: [] };
    case KUBE_SCHEDULER:
      return { value: schedulerPod(inputs), warnings: [] };
  }
}

export type { Volume };
