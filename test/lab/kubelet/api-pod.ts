// A Pod the scheduler bound to a lab node, as the simulated kubelet runs it: the CRI sandbox and
// container specs (hostPath volumes under the node's root, the user and group of its security
// context, runAsNonRoot enforced as the kubelet does), and the status it reports: the phase from the
// containers and the restart policy, each container waiting, running or terminated with its exit code.
// The lab has no Pod network: every Pod shares its node's network namespace.
import * as path from 'node:path';
import type { ContainerSpec, SandboxSpec } from '../../../src/host/runtime.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export type RestartPolicy = 'Always' | 'OnFailure' | 'Never';

export interface ApiPodSpecs {
  sandbox: SandboxSpec;
  containers: ContainerSpec[];
  restartPolicy: RestartPolicy;
}

/** The kubelet cannot make a container of this spec (the Pod waits with CreateContainerConfigError). */
export class PodConfigError extends Error {}

/** kubelet's way of naming a Pod in messages: `name_namespace(uid)`. */
export function podDescription(pod: Obj): string {
  return `${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;
}

export function apiPodSpecs(pod: Obj, nodeRoot: string): ApiPodSpecs {
  const { name, namespace, uid } = pod.metadata;
  const spec = pod.spec ?? {};
  const restartPolicy: RestartPolicy = spec.restartPolicy ?? 'Always';
  const volumes = new Map<string, string>();
  for (const v of spec.volumes ?? []) {
    if (v.hostPath === undefined)
      throw new PodConfigError(`volume ${v.name}: the lab's kubelet mounts hostPath volumes only`);
    volumes.set(v.name, v.hostPath.path);
  }
  const podSecurity = spec.securityContext ?? {};
  const logDirectory = path.join(nodeRoot, 'var/log/pods', `${namespace}_${name}_${uid}`);
  const sandbox: SandboxSpec = {
    name,
    namespace,
    uid,
    attempt: 0,
    hostNetwork: true,
    logDirectory,
    labels: {
      ...(pod.metadata.labels ?? {}),
      'io.kubernetes.pod.name': name,
      'io.kubernetes.pod.namespace': namespace,
      'io.kubernetes.pod.uid': uid,
    },
    annotations: { ...(pod.metadata.annotations ?? {}), 'kubernetes.io/config.source': 'api' },
  };
  const containers: ContainerSpec[] = (spec.containers ?? []).map((c: Obj) => {
    const security = { ...podSecurity, ...(c.securityContext ?? {}) };
    const user: number | undefined = security.runAsUser;
    if (security.runAsNonRoot === true) {
      // The lab's images name no user of their own: without runAsUser they run as root.
      if (user === undefined)
        throw new PodConfigError(
          `container has runAsNonRoot and image will run as root (pod: "${podDescription(pod)}", container: ${c.name})`,
        );
      if (user === 0)
        throw new PodConfigError(
          `container's runAsUser breaks non-root policy (pod: "${podDescription(pod)}", container: ${c.name})`,
        );
    }
    const env: Record<string, string> = {};
    for (const e of c.env ?? []) {
      if (e.value === undefined)
        throw new PodConfigError(`container ${c.name}: env ${e.name}: the lab takes literal values only`);
      env[e.name] = String(e.value);
    }
    const mounts = (c.volumeMounts ?? []).map((m: Obj) => {
      const hostPath = volumes.get(m.name);
      if (hostPath === undefined)
        throw new PodConfigError(`container ${c.name}: volumeMount ${m.name} names no volume`);
      return {
        containerPath: m.mountPath,
        hostPath: path.join(nodeRoot, hostPath),
        readonly: m.readOnly === true,
      };
    });
    return {
      name: c.name,
      attempt: 0,
      image: c.image,
      ...(c.command ? { command: c.command } : {}),
      ...(c.args ? { args: c.args } : {}),
      env,
      mounts,
      ...(user !== undefined ? { runAsUser: user } : {}),
      ...(security.runAsGroup !== undefined ? { runAsGroup: security.runAsGroup } : {}),
      labels: {
        'io.kubernetes.container.name': c.name,
        'io.kubernetes.pod.name': name,
        'io.kubernetes.pod.namespace': namespace,
        'io.kubernetes.pod.uid': uid,
      },
      logPath: `${c.name}/0.log`,
    };
  });
  if (containers.length === 0) throw new PodConfigError('spec.containers is required');
  return { sandbox, containers, restartPolicy };
}

/** What the kubelet knows of one container. */
export type ContainerState =
  | { waiting: { reason: string; message?: string } }
  | { running: { startedAt: string } }
  | {
      terminated: {
        exitCode: number;
        reason: string;
        startedAt?: string;
        finishedAt: string;
        containerID?: string;
      };
    };

export interface ContainerReport {
  name: string;
  image: string;
  containerID?: string;
  restartCount: number;
  state: ContainerState;
}

/**
 * The Pod's phase: Pending while a container waits to start for the first time; Succeeded or Failed
 * once every container has terminated and will not be restarted; Running otherwise.
 */
export function podPhase(policy: RestartPolicy, containers: readonly ContainerReport[]): string {
  const ended = containers.map((c) => ('terminated' in c.state ? c.state.terminated.exitCode : undefined));
  const final = ended.every(
    (code) => code !== undefined && (policy === 'Never' || (policy === 'OnFailure' && code === 0)),
  );
  if (final) return ended.every((code) => code === 0) ? 'Succeeded' : 'Failed';
  if (containers.some((c) => 'waiting' in c.state && c.restartCount === 0)) return 'Pending';
  return 'Running';
}

export function podStatus(
  policy: RestartPolicy,
  containers: readonly ContainerReport[],
  o: { hostIP: string; startTime: string; now: string },
): Obj {
  const phase = podPhase(policy, containers);
  const terminal = phase === 'Succeeded' || phase === 'Failed';
  const ready = !terminal && containers.every((c) => 'running' in c.state);
  const condition = (type: string, ok: boolean, reason?: string) => ({
    type,
    status: ok ? 'True' : 'False',
    ...(reason && !ok ? { reason } : {}),
    lastProbeTime: null,
    lastTransitionTime: o.now,
  });
  const notReady = terminal ? 'PodCompleted' : 'ContainersNotReady';
  return {
    phase,
    conditions: [
      condition('PodReadyToStartContainers', !terminal),
      condition('Initialized', true),
      condition('Ready', ready, notReady),
      condition('ContainersReady', ready, notReady),
      condition('PodScheduled', true),
    ],
    hostIP: o.hostIP,
    hostIPs: [{ ip: o.hostIP }],
    podIP: o.hostIP,
    podIPs: [{ ip: o.hostIP }],
    startTime: o.startTime,
    containerStatuses: containers.map((c) => ({
      name: c.name,
      image: c.image,
      imageID: '',
      ...(c.containerID ? { containerID: c.containerID } : {}),
      ready: 'running' in c.state && !terminal,
      started: 'running' in c.state,
      restartCount: c.restartCount,
      state: c.state,
    })),
  };
}
