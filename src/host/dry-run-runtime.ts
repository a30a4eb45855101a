// --dry-run for the container runtime: reads go to the real runtime, changes (pulls, stopping and
// removing sandboxes and containers) are recorded and printed instead of made. Like the dry-run
// host's file overlay, what this run "did" shows in later reads: a "pulled" image exists, a
// "removed" sandbox is gone from the list.
import type { HostChange } from './host.js';
import type { ContainerRuntime } from './runtime.js';

export type RuntimeChange = Extract<HostChange, { kind: 'cri' }>;

export function createDryRunRuntime(
  base: ContainerRuntime,
  record: (change: RuntimeChange) => void,
): ContainerRuntime {
  const pulled = new Set<string>();
  const stopped = new Set<string>();
  const removedSandboxes = new Set<string>();
  const removedContainers = new Set<string>();
  const change = (action: RuntimeChange['action'], target: string): void =>
    record({ kind: 'cri', action, target });

  return {
    endpoint: base.endpoint,
    version: () => base.version(),
    status: () => base.status(),
    sandboxImage: () => base.sandboxImage(),
    cgroupDriver: () => base.cgroupDriver(),
    async listImages() {
      const held = await base.listImages();
      return [...held, ...[...pulled].filter((i) => !held.includes(i))];
    },
    async imageExists(image) {
      return pulled.has(image) || base.imageExists(image);
    },
    async pullImage(image) {
      change('pull', image);
      pulled.add(image);
      return image;
    },
    async listPodSandboxes() {
      return (await base.listPodSandboxes())
        .filter((s) => !removedSandboxes.has(s.id))
        .map((s) => (stopped.has(s.id) ? { ...s, state: 'notready' as const } : s));
    },
    async stopPodSandbox(id) {
      change('stop-sandbox', id);
      stopped.add(id);
    },
    async removePodSandbox(id) {
      change('remove-sandbox', id);
      removedSandboxes.add(id);
    },
    async listContainers(filter) {
      return (await base.listContainers(filter)).filter(
        (c) => !removedContainers.has(c.id) && !removedSandboxes.has(c.podSandboxId),
      );
    },
    containerStatus: (id) => base.containerStatus(id),
    async removeContainer(id) {
      change('remove-container', id);
      removedContainers.add(id);
    },
    close: () => base.close(),
  };
}
