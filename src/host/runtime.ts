// The container runtime as kbadm sees it: the few CRI `runtime.v1` calls it makes, as plain data.
// The gRPC client implements this over a Unix socket; tests and dry runs use other implementations.
// Every path and socket here is already resolved under --rootfs.

export interface RuntimeVersion {
  /** e.g. "containerd" */
  runtimeName: string;
  /** e.g. "1.6.20~ds1" */
  runtimeVersion: string;
  /** The CRI API version the runtime speaks, e.g. "v1". */
  runtimeApiVersion: string;
}

export interface RuntimeCondition {
  type: string;
  status: boolean;
  reason: string;
  message: string;
}

export type SandboxState = 'ready' | 'notready';
export type ContainerState = 'created' | 'running' | 'exited' | 'unknown';

export interface PodSandbox {
  id: string;
  /** Pod metadata: name, namespace, uid, attempt. */
  name: string;
  namespace: string;
  uid: string;
  state: SandboxState;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface Container {
  id: string;
  podSandboxId: string;
  name: string;
  attempt: number;
  image: string;
  state: ContainerState;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface ContainerStatusDetail extends Container {
  exitCode: number;
  reason: string;
  message: string;
  /** Where the runtime writes the container's log (the kubelet's CRI log format). */
  logPath: string;
}

/**
 * One connection to a CRI runtime. Methods reject with a KbadmError naming the socket when the
 * runtime cannot be reached; `close` releases the connection and never throws.
 */
export interface ContainerRuntime {
  /** The endpoint as configured, e.g. unix:///var/run/containerd/containerd.sock. */
  readonly endpoint: string;
  version(): Promise<RuntimeVersion>;
  /** The runtime's RuntimeReady and NetworkReady conditions. */
  status(): Promise<RuntimeCondition[]>;
  /**
   * The pause image the runtime starts sandboxes with (its verbose Status info), or undefined when
   * the runtime does not say. kubeadm warns when it differs from the one it would pull.
   */
  sandboxImage(): Promise<string | undefined>;
  /**
   * The cgroup driver the runtime runs containers with (its verbose Status info), or undefined
   * when the runtime does not say. A kubelet with another driver cannot run Pods reliably.
   */
  cgroupDriver(): Promise<'systemd' | 'cgroupfs' | undefined>;
  /** Every image reference (repo tags and digests) the runtime holds. */
  listImages(): Promise<string[]>;
  /** Whether the runtime holds `image` (ImageStatus). */
  imageExists(image: string): Promise<boolean>;
  /** Pulls one image; resolves to the image reference the runtime reports. */
  pullImage(image: string): Promise<string>;
  listPodSandboxes(): Promise<PodSandbox[]>;
  stopPodSandbox(id: string): Promise<void>;
  removePodSandbox(id: string): Promise<void>;
  listContainers(filter?: { podSandboxId?: string }): Promise<Container[]>;
  containerStatus(id: string): Promise<ContainerStatusDetail>;
  removeContainer(id: string): Promise<void>;
  close(): void;
}

/** A Pod sandbox as a test lab creates it, standing in for the kubelet. */
export interface SandboxSpec {
  name: string;
  namespace: string;
  uid: string;
  attempt?: number;
  /** In the node's network namespace (hostNetwork: true, as every control-plane static Pod). */
  hostNetwork?: boolean;
  /** Must stay empty with hostNetwork: runc sets no hostname without a UTS namespace of its own. */
  hostname?: string;
  /** Where the runtime writes the containers' logs, e.g. /var/log/pods/<ns>_<name>_<uid>. */
  logDirectory?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  cgroupParent?: string;
  privileged?: boolean;
}

export interface ContainerSpec {
  name: string;
  attempt?: number;
  image: string;
  command?: string[];
  args?: string[];
  workingDir?: string;
  env?: Record<string, string>;
  mounts?: { containerPath: string; hostPath: string; readonly?: boolean }[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** Relative to the sandbox's logDirectory. */
  logPath?: string;
  privileged?: boolean;
  /** The user and group the process runs as (a Pod's securityContext); the image's when absent. */
  runAsUser?: number;
  runAsGroup?: number;
}

/**
 * What a test lab needs beyond kbadm's own calls, to play the kubelet: run sandboxes and the
 * containers in them. Served by the same CRI client; kbadm itself never creates containers.
 */
export interface RuntimeForLab extends ContainerRuntime {
  /** Resolves to the new sandbox's id. */
  runPodSandbox(sandbox: SandboxSpec): Promise<string>;
  /** Resolves to the new container's id; `sandbox` is the spec the sandbox was run with. */
  createContainer(podSandboxId: string, container: ContainerSpec, sandbox: SandboxSpec): Promise<string>;
  startContainer(id: string): Promise<void>;
  /** Signals the container, and kills it after `timeoutSeconds`. */
  stopContainer(id: string, timeoutSeconds: number): Promise<void>;
}
