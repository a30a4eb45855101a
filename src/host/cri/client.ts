// The CRI client: the ContainerRuntime port (and the lab's extra calls) over gRPC on a Unix
// socket, with our own message codecs. @grpc/grpc-js is imported on the first connection only.
//
// Connecting works as kubeadm's cri-client does: dial, then call Version to make sure runtime.v1
// answers, so a stopped or foreign runtime fails once, up front, naming the endpoint. Each call
// then has kubeadm's 2 s deadline, except pulls (which take as long as the registry does).
import type * as Grpc from '@grpc/grpc-js';
import type { Decoded, Input, MessageCodec } from './codec.js';
import {
  container,
  containerConfig,
  cgroupDriverFromInfo,
  containerStatus,
  podSandbox,
  podSandboxConfig,
  sandboxImageFromInfo,
} from './convert.js';
import { criSocketPath, probeSocket } from './endpoint.js';
import {
  CriError,
  callError,
  dialErrorText,
  GRPC_DEADLINE_EXCEEDED,
  GRPC_UNAVAILABLE,
  GRPC_UNKNOWN,
} from './errors.js';
import * as m from './messages.js';
import type { RuntimeForLab } from '../runtime.js';

export interface ConnectOptions {
  /** Deadline of each call but pulls and the lab's calls (kubeadm: 2 s). */
  timeoutMs?: number;
  /** Deadline of one PullImage. */
  pullTimeoutMs?: number;
  /** Deadline of RunPodSandbox, CreateContainer, StartContainer and StopContainer. */
  labTimeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 2_000;
const DEFAULT_PULL_TIMEOUT_MS = 15 * 60_000;
const DEFAULT_LAB_TIMEOUT_MS = 2 * 60_000;
// cri-client's limit for a message from the runtime.
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

const RUNTIME = '/runtime.v1.RuntimeService/';
const IMAGE = '/runtime.v1.ImageService/';

/** Go's gRPC text when the dial fails, the part after `code = Unavailable desc = `. */
function unavailableDetails(socketPath: string, errno: string): string {
  return `connection error: desc = "transport: Error while dialing: ${dialErrorText(socketPath, errno)}"`;
}

/**
 * Connects to the CRI runtime at `endpoint` (a unix:// URL or socket path, already under --rootfs)
 * and checks that it answers runtime.v1. Rejects with one CriError naming the endpoint otherwise.
 */
export async function connectRuntime(endpoint: string, options: ConnectOptions = {}): Promise<RuntimeForLab> {
  const socketPath = criSocketPath(endpoint);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const failed = (err: CriError): CriError =>
    new CriError(
      `failed to create new CRI runtime service: validate service connection: validate CRI v1 runtime API for endpoint ${JSON.stringify(endpoint)}: ${err.message}`,
      err.code,
      err.details,
      { cause: err },
    );
  // A missing or dead socket is reported in Go's words, which name the path.
  const errno = await probeSocket(socketPath, timeoutMs);
  if (errno !== undefined) throw failed(callError(GRPC_UNAVAILABLE, unavailableDetails(socketPath, errno)));

  const grpc = await import('@grpc/grpc-js');
  const client = new grpc.Client(`unix://${socketPath}`, grpc.credentials.createInsecure(), {
    'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
    'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
  });
  const runtime = new CriClient(grpc, client, endpoint, socketPath, {
    timeoutMs,
    pullTimeoutMs: options.pullTimeoutMs ?? DEFAULT_PULL_TIMEOUT_MS,
    labTimeoutMs: options.labTimeoutMs ?? DEFAULT_LAB_TIMEOUT_MS,
  });
  try {
    await runtime.version();
  } catch (err) {
    runtime.close();
    throw err instanceof CriError ? failed(err) : err;
  }
  return runtime;
}

class CriClient implements RuntimeForLab {
  constructor(
    private readonly grpc: typeof Grpc,
    private readonly client: Grpc.Client,
    readonly endpoint: string,
    private readonly socketPath: string,
    private readonly timeouts: Required<ConnectOptions>,
  ) {}

  private call<Req extends MessageCodec<unknown, unknown>, Res extends MessageCodec<unknown, unknown>>(
    method: string,
    request: Req,
    response: Res,
    value: Input<Req>,
    timeoutMs = this.timeouts.timeoutMs,
  ): Promise<Decoded<Res>> {
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(
        method,
        (v: Input<Req>) => Buffer.from(request.encode(v)),
        (b: Buffer) => response.decode(b) as Decoded<Res>,
        value,
        new this.grpc.Metadata(),
        { deadline: Date.now() + timeoutMs },
        (err, res) => {
          if (err) this.callFailed(err).then(reject, reject);
          else resolve(res as Decoded<Res>);
        },
      );
    });
  }

  /** A failed call in Go's words; when the socket has gone away, the dial error that names it. */
  private async callFailed(err: Grpc.ServiceError): Promise<CriError> {
    if (err.code === GRPC_DEADLINE_EXCEEDED) return callError(err.code, 'context deadline exceeded', err);
    if (err.code === GRPC_UNAVAILABLE) {
      const errno = await probeSocket(this.socketPath, this.timeouts.timeoutMs);
      if (errno !== undefined) return callError(err.code, unavailableDetails(this.socketPath, errno), err);
    }
    return callError(err.code, err.details, err);
  }

  async version() {
    const r = await this.call(RUNTIME + 'Version', m.VersionRequest, m.VersionResponse, { version: 'v1' });
    return {
      runtimeName: r.runtimeName,
      runtimeVersion: r.runtimeVersion,
      runtimeApiVersion: r.runtimeApiVersion,
    };
  }

  async status() {
    const r = await this.call(RUNTIME + 'Status', m.StatusRequest, m.StatusResponse, {});
    return (r.status?.conditions ?? []).map((c) => ({ ...c }));
  }

  async sandboxImage() {
    const r = await this.call(RUNTIME + 'Status', m.StatusRequest, m.StatusResponse, { verbose: true });
    return sandboxImageFromInfo(r.info);
  }

  async cgroupDriver() {
    const r = await this.call(RUNTIME + 'Status', m.StatusRequest, m.StatusResponse, { verbose: true });
    return cgroupDriverFromInfo(r.info);
  }

  async listImages() {
    const r = await this.call(IMAGE + 'ListImages', m.ListImagesRequest, m.ListImagesResponse, {});
    return r.images.flatMap((i) => [...i.repoTags, ...i.repoDigests]);
  }

  async imageExists(image: string) {
    const r = await this.call(IMAGE + 'ImageStatus', m.ImageStatusRequest, m.ImageStatusResponse, {
      image: { image },
    });
    return r.image !== undefined;
  }

  async pullImage(image: string) {
    let r: Decoded<typeof m.PullImageResponse>;
    try {
      r = await this.call(
        IMAGE + 'PullImage',
        m.PullImageRequest,
        m.PullImageResponse,
        { image: { image } },
        this.timeouts.pullTimeoutMs,
      );
    } catch (err) {
      // cri-client drops the code of an Unknown status: only the runtime's text remains.
      if (err instanceof CriError && err.code === GRPC_UNKNOWN) {
        throw new CriError(err.details, err.code, err.details, { cause: err });
      }
      throw err;
    }
    if (r.imageRef === '') throw new CriError(`imageRef of image ${JSON.stringify(image)} is not set`, 0, '');
    return r.imageRef;
  }

  async listPodSandboxes() {
    const r = await this.call(
      RUNTIME + 'ListPodSandbox',
      m.ListPodSandboxRequest,
      m.ListPodSandboxResponse,
      {},
    );
    return r.items.map(podSandbox);
  }

  async stopPodSandbox(id: string) {
    await this.call(RUNTIME + 'StopPodSandbox', m.StopPodSandboxRequest, m.StopPodSandboxResponse, {
      podSandboxId: id,
    });
  }

  async removePodSandbox(id: string) {
    await this.call(RUNTIME + 'RemovePodSandbox', m.RemovePodSandboxRequest, m.RemovePodSandboxResponse, {
      podSandboxId: id,
    });
  }

  async listContainers(filter: { podSandboxId?: string } = {}) {
    const r = await this.call(RUNTIME + 'ListContainers', m.ListContainersRequest, m.ListContainersResponse, {
      filter: { podSandboxId: filter.podSandboxId ?? '' },
    });
    return r.containers.map(container);
  }

  async containerStatus(id: string) {
    const r = await this.call(
      RUNTIME + 'ContainerStatus',
      m.ContainerStatusRequest,
      m.ContainerStatusResponse,
      {
        containerId: id,
      },
    );
    if (r.status === undefined) throw callError(5, `container ${JSON.stringify(id)} has no status`);
    // The status leaves out the sandbox; the container list has it.
    const listed = await this.call(
      RUNTIME + 'ListContainers',
      m.ListContainersRequest,
      m.ListContainersResponse,
      {
        filter: { id },
      },
    );
    return containerStatus(r.status, listed.containers[0]?.podSandboxId ?? '');
  }

  async removeContainer(id: string) {
    await this.call(RUNTIME + 'RemoveContainer', m.RemoveContainerRequest, m.RemoveContainerResponse, {
      containerId: id,
    });
  }

  async runPodSandbox(sandbox: Parameters<RuntimeForLab['runPodSandbox']>[0]) {
    const r = await this.call(
      RUNTIME + 'RunPodSandbox',
      m.RunPodSandboxRequest,
      m.RunPodSandboxResponse,
      { config: podSandboxConfig(sandbox) },
      this.timeouts.labTimeoutMs,
    );
    return r.podSandboxId;
  }

  async createContainer(...[podSandboxId, spec, sandbox]: Parameters<RuntimeForLab['createContainer']>) {
    const r = await this.call(
      RUNTIME + 'CreateContainer',
      m.CreateContainerRequest,
      m.CreateContainerResponse,
      { podSandboxId, config: containerConfig(spec, sandbox), sandboxConfig: podSandboxConfig(sandbox) },
      this.timeouts.labTimeoutMs,
    );
    return r.containerId;
  }

  async startContainer(id: string) {
    await this.call(
      RUNTIME + 'StartContainer',
      m.StartContainerRequest,
      m.StartContainerResponse,
      { containerId: id },
      this.timeouts.labTimeoutMs,
    );
  }

  async stopContainer(id: string, timeoutSeconds: number) {
    await this.call(
      RUNTIME + 'StopContainer',
      m.StopContainerRequest,
      m.StopContainerResponse,
      { containerId: id, timeout: BigInt(timeoutSeconds) },
      this.timeouts.labTimeoutMs + timeoutSeconds * 1000,
    );
  }

  close() {
    this.client.close();
  }
}
