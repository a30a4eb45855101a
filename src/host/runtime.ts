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
