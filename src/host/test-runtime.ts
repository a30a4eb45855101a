// An in-memory CRI runtime for tests: images, sandboxes and containers as plain data, pulls that
// fail on request, and a record of every call. Give it to a TestHost with `setRuntime`.
//
//   const runtime = createTestRuntime({ images: ['registry.k8s.io/pause:3.10.1'] })
//     .failPull('registry.k8s.io/etcd:3.6.5-0', 'rpc error: code = NotFound desc = not found');
//   const host = createTestHost().setRuntime(() => runtime);
import * as path from 'node:path';
import { callError, GRPC_NOT_FOUND } from './cri/errors.js';
import type {
  Container,
  ContainerSpec,
  PodSandbox,
  RuntimeCondition,
  RuntimeForLab,
  SandboxSpec,
} from './runtime.js';

export interface TestRuntimeOptions {
  endpoint?: string;
  images?: string[];
  sandboxImage?: string;
  /** The cgroup driver the runtime reports; default: it does not say. */
  cgroupDriver?: 'systemd' | 'cgroupfs';
  /** Default: RuntimeReady true, NetworkReady false (no CNI), as a fresh containerd reports. */
  conditions?: RuntimeCondition[];
}

export interface TestRuntimeCall {
  method: string;
  /** The image, sandbox or container id the call was about, when it has one. */
  target?: string;
}

export interface TestRuntime extends RuntimeForLab {
  readonly calls: TestRuntimeCall[];
  /** Image references held, in the order they arrived. */
  readonly images: string[];
  /** Makes the next `times` pulls of `image` fail with `message` (every pull when `times` is omitted). */
  failPull(image: string, message: string, times?: number): this;
  /** Makes every call fail with `message` from now on, as a runtime that went away. */
  breakDown(message: string): this;
  /** Ends a container as its process would: exited with `exitCode` and the runtime's `reason`. */
  exitContainer(id: string, exitCode: number, reason?: string): this;
  closed: boolean;
}

export function createTestRuntime(options: TestRuntimeOptions = {}): TestRuntime {
  const images = [...(options.images ?? [])];
  const sandboxes = new Map<string, PodSandbox>();
  const containers = new Map<string, Container>();
  const endings = new Map<string, { exitCode: number; reason: string; logPath: string }>();
  const pullFailures = new Map<string, { message: string; left: number }>();
  let broken: string | undefined;
  let nextId = 1;
  const calls: TestRuntimeCall[] = [];

  const enter = (method: string, target?: string): void => {
    calls.push(target === undefined ? { method } : { method, target });
    if (broken !== undefined) throw new Error(broken);
  };
  const sandbox = (id: string): PodSandbox => {
    const s = sandboxes.get(id);
    if (!s) throw callError(GRPC_NOT_FOUND, `an error occurred when try to find sandbox "${id}": not found`);
    return s;
  };
  const containerById = (id: string): Container => {
    const c = containers.get(id);
    if (!c)
      throw callError(GRPC_NOT_FOUND, `an error occurred when try to find container "${id}": not found`);
    return c;
  };

  const runtime: TestRuntime = {
    endpoint: options.endpoint ?? 'unix:///var/run/containerd/containerd.sock',
    calls,
    images,
    closed: false,
    async version() {
      enter('version');
      return { runtimeName: 'test', runtimeVersion: '0.0.0', runtimeApiVersion: 'v1' };
    },
    async status() {
      enter('status');
      return (
        options.conditions ?? [
          { type: 'RuntimeReady', status: true, reason: '', message: '' },
          { type: 'NetworkReady', status: false, reason: 'NetworkPluginNotReady', message: 'no CNI' },
        ]
      ).map((c) => ({ ...c }));
    },
    async sandboxImage() {
      enter('sandboxImage');
      return options.sandboxImage;
    },
    async cgroupDriver() {
      enter('cgroupDriver');
      return options.cgroupDriver;
    },
    async listImages() {
      enter('listImages');
      return [...images];
    },
    async imageExists(image) {
      enter('imageExists', image);
      return images.includes(image);
    },
    async pullImage(image) {
      enter('pullImage', image);
      const failure = pullFailures.get(image);
      if (failure && failure.left > 0) {
        failure.left--;
        throw new Error(failure.message);
      }
      if (!images.includes(image)) images.push(image);
      return `sha256:${Buffer.from(image).toString('hex').slice(0, 64)}`;
    },
    async listPodSandboxes() {
      enter('listPodSandboxes');
      return [...sandboxes.values()].map((s) => ({ ...s }));
    },
    async stopPodSandbox(id) {
      enter('stopPodSandbox', id);
      sandbox(id).state = 'notready';
      for (const c of containers.values()) if (c.podSandboxId === id) c.state = 'exited';
    },
    async removePodSandbox(id) {
      enter('removePodSandbox', id);
      sandboxes.delete(id);
      for (const [cid, c] of containers) if (c.podSandboxId === id) containers.delete(cid);
    },
    async listContainers(filter = {}) {
      enter('listContainers');
      return [...containers.values()]
        .filter((c) => filter.podSandboxId === undefined || c.podSandboxId === filter.podSandboxId)
        .map((c) => ({ ...c }));
    },
    async containerStatus(id) {
      enter('containerStatus', id);
      const c = containerById(id);
      const end = endings.get(id);
      return {
        ...c,
        exitCode: end?.exitCode ?? 0,
        reason: end?.reason ?? '',
        message: '',
        logPath: end?.logPath ?? '',
      };
    },
    async removeContainer(id) {
      enter('removeContainer', id);
      containers.delete(id);
    },
    async runPodSandbox(spec: SandboxSpec) {
      enter('runPodSandbox', spec.name);
      const id = `sandbox-${nextId++}`;
      sandboxes.set(id, {
        id,
        name: spec.name,
        namespace: spec.namespace,
        uid: spec.uid,
        state: 'ready',
        labels: { ...spec.labels },
        annotations: { ...spec.annotations },
      });
      return id;
    },
    async createContainer(podSandboxId: string, spec: ContainerSpec, sandboxSpec: SandboxSpec) {
      enter('createContainer', spec.name);
      sandbox(podSandboxId);
      const id = `container-${nextId++}`;
      // As the kubelet asks for it: the log file below the sandbox's log directory.
      const logPath =
        sandboxSpec.logDirectory && spec.logPath ? path.join(sandboxSpec.logDirectory, spec.logPath) : '';
      endings.set(id, { exitCode: 0, reason: '', logPath });
      containers.set(id, {
        id,
        podSandboxId,
        name: spec.name,
        attempt: spec.attempt ?? 0,
        image: spec.image,
        state: 'created',
        labels: { ...spec.labels },
        annotations: { ...spec.annotations },
      });
      return id;
    },
    async startContainer(id) {
      enter('startContainer', id);
      containerById(id).state = 'running';
    },
    async stopContainer(id) {
      enter('stopContainer', id);
      containerById(id).state = 'exited';
    },
    close() {
      runtime.closed = true;
    },
    failPull(image, message, times = Infinity) {
      pullFailures.set(image, { message, left: times });
      return runtime;
    },
    breakDown(message) {
      broken = message;
      return runtime;
    },
    exitContainer(id, exitCode, reason = exitCode === 0 ? 'Completed' : 'Error') {
      containerById(id).state = 'exited';
      endings.set(id, { ...endings.get(id)!, exitCode, reason });
      return runtime;
    },
  };
  return runtime;
}
