// A ContainerRuntime held in memory, for tests that hand one to a TestHost: images it holds,
// pulls it records (and can fail), a RuntimeReady condition that can be switched off.
import type {
  Container,
  ContainerRuntime,
  ContainerStatusDetail,
  PodSandbox,
  RuntimeCondition,
} from '../../src/host/runtime.js';

export interface MemoryRuntimeOptions {
  images?: string[];
  /** Default true. */
  ready?: boolean;
  /** How many times a pull of this image fails before it works (Infinity: always fails). */
  pullFailures?: Record<string, number>;
  /** Resolves when a pull may finish; lets a test hold pulls to see how many run at once. */
  pullGate?: () => Promise<void>;
}

export interface MemoryRuntime extends ContainerRuntime {
  readonly images: Set<string>;
  /** Every PullImage call, in order. */
  readonly pulls: string[];
  /** The most pulls that were in flight at one time. */
  readonly maxConcurrentPulls: number;
  readonly endpoints: string[];
  closed: number;
}

export function memoryRuntime(options: MemoryRuntimeOptions = {}): MemoryRuntime {
  const images = new Set(options.images ?? []);
  const failuresLeft = new Map(Object.entries(options.pullFailures ?? {}));
  const pulls: string[] = [];
  let inFlight = 0;
  let maxConcurrent = 0;
  const none = async (): Promise<never> => {
    throw new Error('memory runtime: not supported');
  };
  const runtime: MemoryRuntime = {
    endpoint: 'unix:///memory.sock',
    images,
    pulls,
    endpoints: [],
    closed: 0,
    get maxConcurrentPulls() {
      return maxConcurrent;
    },
    async version() {
      return { runtimeName: 'memory', runtimeVersion: '1.0.0', runtimeApiVersion: 'v1' };
    },
    async status(): Promise<RuntimeCondition[]> {
      const ready = options.ready ?? true;
      return [
        {
          type: 'RuntimeReady',
          status: ready,
          reason: ready ? '' : 'RuntimeStopped',
          message: ready ? '' : 'the runtime is shutting down',
        },
        {
          type: 'NetworkReady',
          status: false,
          reason: 'NetworkPluginNotReady',
          message: 'cni not initialized',
        },
      ];
    },
    async listImages() {
      return [...images];
    },
    async imageExists(image) {
      return images.has(image);
    },
    async pullImage(image) {
      pulls.push(image);
      inFlight++;
      maxConcurrent = Math.max(maxConcurrent, inFlight);
      try {
        await options.pullGate?.();
        const left = failuresLeft.get(image) ?? 0;
        if (left > 0) {
          failuresLeft.set(image, left - 1);
          throw new Error(`rpc error: code = NotFound desc = ${image}: not found`);
        }
        images.add(image);
        return image;
      } finally {
        inFlight--;
      }
    },
    listPodSandboxes: async (): Promise<PodSandbox[]> => [],
    stopPodSandbox: none,
    removePodSandbox: none,
    listContainers: async (): Promise<Container[]> => [],
    containerStatus: none as () => Promise<ContainerStatusDetail>,
    removeContainer: none,
    close() {
      runtime.closed++;
    },
  };
  return runtime;
}
