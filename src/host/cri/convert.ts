// Between the CRI messages and the plain data of the ContainerRuntime port: states as words,
// metadata flattened, and the sandbox and container specs a lab gives turned into CRI configs
// the way the kubelet fills them.
import type { Decoded, Input } from './codec.js';
import {
  ContainerState,
  NamespaceMode,
  PodSandboxState,
  type Container as ContainerMsg,
  type ContainerConfig,
  type ContainerStatus,
  type PodSandbox as PodSandboxMsg,
  type PodSandboxConfig,
} from './messages.js';
import type {
  Container,
  ContainerSpec,
  ContainerState as State,
  ContainerStatusDetail,
  PodSandbox,
  SandboxSpec,
} from '../runtime.js';

const CONTAINER_STATES: Record<number, State> = {
  [ContainerState.CONTAINER_CREATED]: 'created',
  [ContainerState.CONTAINER_RUNNING]: 'running',
  [ContainerState.CONTAINER_EXITED]: 'exited',
};

export function containerState(state: number): State {
  return CONTAINER_STATES[state] ?? 'unknown';
}

export function podSandbox(m: Decoded<typeof PodSandboxMsg>): PodSandbox {
  return {
    id: m.id,
    name: m.metadata?.name ?? '',
    namespace: m.metadata?.namespace ?? '',
    uid: m.metadata?.uid ?? '',
    state: m.state === PodSandboxState.SANDBOX_READY ? 'ready' : 'notready',
    labels: m.labels,
    annotations: m.annotations,
  };
}

export function container(m: Decoded<typeof ContainerMsg>): Container {
  return {
    id: m.id,
    podSandboxId: m.podSandboxId,
    name: m.metadata?.name ?? '',
    attempt: m.metadata?.attempt ?? 0,
    image: m.image?.image ?? '',
    state: containerState(m.state),
    labels: m.labels,
    annotations: m.annotations,
  };
}

/** ContainerStatus does not carry the sandbox id; the caller knows it from the container list. */
export function containerStatus(
  m: Decoded<typeof ContainerStatus>,
  podSandboxId = '',
): ContainerStatusDetail {
  return {
    id: m.id,
    podSandboxId,
    name: m.metadata?.name ?? '',
    attempt: m.metadata?.attempt ?? 0,
    image: m.image?.image ?? '',
    state: containerState(m.state),
    labels: m.labels,
    annotations: m.annotations,
    exitCode: m.exitCode,
    reason: m.reason,
    message: m.message,
    logPath: m.logPath,
  };
}

/** The kubelet's namespaces for a Pod: the node's network with hostNetwork, a PID namespace per container. */
function namespaces(hostNetwork: boolean | undefined): { network: number; pid: number; ipc: number } {
  return {
    network: hostNetwork ? NamespaceMode.NODE : NamespaceMode.POD,
    pid: NamespaceMode.CONTAINER,
    ipc: NamespaceMode.POD,
  };
}

export function podSandboxConfig(s: SandboxSpec): Input<typeof PodSandboxConfig> {
  return {
    metadata: { name: s.name, namespace: s.namespace, uid: s.uid, attempt: s.attempt ?? 0 },
    hostname: s.hostname ?? '',
    logDirectory: s.logDirectory ?? '',
    labels: s.labels ?? {},
    annotations: s.annotations ?? {},
    linux: {
      cgroupParent: s.cgroupParent ?? '',
      securityContext: { namespaceOptions: namespaces(s.hostNetwork), privileged: s.privileged ?? false },
    },
  };
}

export function containerConfig(c: ContainerSpec, sandbox: SandboxSpec): Input<typeof ContainerConfig> {
  return {
    metadata: { name: c.name, attempt: c.attempt ?? 0 },
    image: { image: c.image },
    command: c.command ?? [],
    args: c.args ?? [],
    workingDir: c.workingDir ?? '',
    envs: Object.entries(c.env ?? {}).map(([key, value]) => ({ key, value })),
    mounts: (c.mounts ?? []).map((m) => ({
      containerPath: m.containerPath,
      hostPath: m.hostPath,
      readonly: m.readonly ?? false,
    })),
    labels: c.labels ?? {},
    annotations: c.annotations ?? {},
    logPath: c.logPath ?? '',
    linux: {
      securityContext: {
        privileged: c.privileged ?? false,
        namespaceOptions: namespaces(sandbox.hostNetwork),
        ...(c.runAsUser !== undefined ? { runAsUser: { value: BigInt(c.runAsUser) } } : {}),
        ...(c.runAsGroup !== undefined ? { runAsGroup: { value: BigInt(c.runAsGroup) } } : {}),
      },
    },
  };
}

/** The pause image in a runtime's verbose Status info (`config` JSON, containerd and CRI-O alike). */
export function sandboxImageFromInfo(info: Record<string, string>): string | undefined {
  const config = info['config'];
  if (config === undefined) return undefined;
  try {
    const image = (JSON.parse(config) as { sandboxImage?: unknown }).sandboxImage;
    return typeof image === 'string' && image !== '' ? image : undefined;
  } catch {
    return undefined;
  }
}

export type CgroupDriver = 'systemd' | 'cgroupfs';

interface RuntimeHandlerInfo {
  runtimeType?: unknown;
  options?: { SystemdCgroup?: unknown } | null;
}

/**
 * The cgroup driver of the runtime's default handler, from containerd's verbose Status info:
 * runc v2's `SystemdCgroup` option, or the legacy top-level `systemdCgroup` of the v1 shim. Other
 * runtimes (or info that says nothing) give undefined.
 */
export function cgroupDriverFromInfo(info: Record<string, string>): CgroupDriver | undefined {
  const config = info['config'];
  if (config === undefined) return undefined;
  let parsed: {
    systemdCgroup?: unknown;
    containerd?: { defaultRuntimeName?: unknown; runtimes?: Record<string, RuntimeHandlerInfo> | null };
  };
  try {
    parsed = JSON.parse(config) as typeof parsed;
  } catch {
    return undefined;
  }
  const name = parsed.containerd?.defaultRuntimeName;
  const handler = typeof name === 'string' ? parsed.containerd?.runtimes?.[name] : undefined;
  if (handler === undefined || typeof handler.runtimeType !== 'string') return undefined;
  if (handler.runtimeType === 'io.containerd.runtime.v1.linux') {
    return parsed.systemdCgroup === true ? 'systemd' : 'cgroupfs';
  }
  if (!handler.runtimeType.startsWith('io.containerd.runc.')) return undefined;
  // runc's default, when the option is not set, is cgroupfs.
  return handler.options?.SystemdCgroup === true ? 'systemd' : 'cgroupfs';
}
