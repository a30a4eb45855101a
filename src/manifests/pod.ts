// The static Pod skeleton kubeadm gives every control-plane component (util/staticpod): labels,
// priority, host network, seccomp, probes, resources, hostPath volumes and the named probe port.
import type { EnvVar, HostPathMount } from '../config/model.js';

export interface HTTPGetAction {
  host?: string;
  path: string;
  port: number | string;
  scheme: 'HTTP' | 'HTTPS';
}

export interface Probe {
  httpGet: HTTPGetAction;
  initialDelaySeconds?: number;
  timeoutSeconds: number;
  periodSeconds: number;
  failureThreshold: number;
}

export interface VolumeMount {
  name: string;
  mountPath: string;
  readOnly?: boolean;
}

export interface Volume {
  name: string;
  hostPath: { path: string; type: string };
}

export interface ContainerPort {
  name: string;
  containerPort: number;
  protocol: 'TCP';
}

export interface Container {
  name: string;
  image: string;
  imagePullPolicy: string;
  command: string[];
  env?: EnvVar[];
  ports?: ContainerPort[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  resources: { requests: Record<string, string> };
  volumeMounts?: VolumeMount[];
}

export interface StaticPod {
  apiVersion: 'v1';
  kind: 'Pod';
  metadata: {
    name: string;
    namespace: 'kube-system';
    labels: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec: {
    containers: Container[];
    hostNetwork: true;
    priority: number;
    priorityClassName: string;
    securityContext: { seccompProfile: { type: 'RuntimeDefault' } };
    volumes?: Volume[];
  };
  status: Record<string, never>;
}

export const STATIC_POD_PRIORITY = 2000001000;
export const STATIC_POD_PRIORITY_CLASS = 'system-node-critical';
/** kubeadm 1.34+ names the container port every probe targets (kubernetes PR #132776). */
export const PROBE_PORT_NAME = 'probe-port';

/** kubeadm's ComponentPod: one container, volumes sorted by name, empty annotations left out. */
export function componentPod(
  container: Container,
  volumes: ReadonlyMap<string, Volume>,
  annotations?: Record<string, string>,
): StaticPod {
  const pod: StaticPod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: container.name,
      namespace: 'kube-system',
      labels: { component: container.name, tier: 'control-plane' },
    },
    spec: {
      containers: [container],
      hostNetwork: true,
      priority: STATIC_POD_PRIORITY,
      priorityClassName: STATIC_POD_PRIORITY_CLASS,
      securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
    },
    status: {},
  };
  if (annotations && Object.keys(annotations).length > 0) pod.metadata.annotations = annotations;
  const vols = sortedByName([...volumes.values()]);
  if (vols.length > 0) pod.spec.volumes = vols;
  return pod;
}

export function sortedByName<T extends { name: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function httpProbe(
  host: string,
  path: string,
  port: number | string,
  scheme: 'HTTP' | 'HTTPS',
  initialDelaySeconds: number,
  timeoutSeconds: number,
  failureThreshold: number,
  periodSeconds: number,
): Probe {
  const httpGet: HTTPGetAction = { path, port, scheme };
  if (host !== '') httpGet.host = host;
  const probe: Probe = { httpGet, timeoutSeconds, periodSeconds, failureThreshold };
  if (initialDelaySeconds !== 0) probe.initialDelaySeconds = initialDelaySeconds;
  return probe;
}

export interface ProbeTarget {
  /** '' lets the kubelet probe the Pod IP (kubeadm's rule for a 0.0.0.0 / :: bind address). */
  host: string;
  port: number | string;
  scheme: 'HTTP' | 'HTTPS';
}

export function livenessProbe(t: ProbeTarget, path: string): Probe {
  return httpProbe(t.host, path, t.port, t.scheme, 10, 15, 8, 10);
}

export function readinessProbe(t: ProbeTarget, path: string): Probe {
  return httpProbe(t.host, path, t.port, t.scheme, 0, 15, 3, 1);
}

/** failureThreshold covers the whole control-plane health-check timeout, 10 s per period. */
export function startupProbe(t: ProbeTarget, path: string, healthCheckTimeoutMs: number): Probe {
  const period = 10;
  const failureThreshold = Math.ceil(healthCheckTimeoutMs / 1000 / period);
  return httpProbe(t.host, path, t.port, t.scheme, period, 15, failureThreshold, period);
}

/** The named port the probes use: `ports: [{name: probe-port, containerPort, protocol: TCP}]`. */
export function probePort(containerPort: number): ContainerPort {
  return { name: PROBE_PORT_NAME, containerPort, protocol: 'TCP' };
}

/** kubeadm's getProbeAddress: an unspecified bind address cannot be probed, so leave host empty. */
export function probeAddress(addr: string): string {
  return addr === '0.0.0.0' || addr === '::' ? '' : addr;
}

export function cpuRequest(cpu: string, memory?: string): Container['resources'] {
  return { requests: memory === undefined ? { cpu } : { cpu, memory } };
}

/** Proxy variables and extraEnvs merged by name (later wins), sorted by name: MergeKubeadmEnvVars. */
export function mergeEnv(...lists: readonly (readonly EnvVar[])[]): EnvVar[] {
  const byName = new Map<string, EnvVar>();
  for (const list of lists) for (const e of list) byName.set(e.name, structuredClone(e));
  return sortedByName([...byName.values()]);
}

/**
 * kubeadm's GetProxyEnvVars: every variable whose name ends in `_proxy` (any case) and has a value,
 * in the environment's own order.
 */
export function proxyEnvVars(env: Readonly<Record<string, string | undefined>>): EnvVar[] {
  const out: EnvVar[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (name.toLowerCase().endsWith('_proxy') && value) out.push({ name, value });
  }
  return out;
}

/** A component's hostPath volumes and mounts, keyed by name so a later entry replaces an earlier one. */
export class HostPathMounts {
  readonly volumes = new Map<string, Volume>();
  readonly mounts = new Map<string, VolumeMount>();

  add(name: string, hostPath: string, mountPath: string, readOnly: boolean, pathType: string): this {
    // kubeadm passes a pointer to the type, so an unset pathType is still written as `type: ""`.
    this.volumes.set(name, { name, hostPath: { path: hostPath, type: pathType } });
    const mount: VolumeMount = { name, mountPath };
    if (readOnly) mount.readOnly = true;
    this.mounts.set(name, mount);
    return this;
  }

  /** User extraVolumes: a name already used replaces the default volume and mount. */
  addExtra(extra: readonly HostPathMount[]): this {
    for (const v of extra) this.add(v.name, v.hostPath, v.mountPath, v.readOnly, v.pathType);
    return this;
  }

  /** Mounts sorted by name, as kubeadm's VolumeMountMapToSlice. */
  sortedMounts(): VolumeMount[] {
    return sortedByName([...this.mounts.values()]);
  }
}
