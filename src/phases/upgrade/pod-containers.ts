// Whether this node's container runtime runs a static Pod right now, asked over CRI. A restart
// with an unchanged manifest must see the old Pod stop, and the API server cannot always say so:
// when etcd or the API server itself is the one restarting, the mirror Pod is out of reach.
import type { ContainerRuntime } from '../../host/runtime.js';

/** True while any ready sandbox of `<component>-<nodeName>` in kube-system has a running container. */
export type StaticPodRunningProbe = (component: string) => Promise<boolean>;

export function staticPodRunningProbe(
  runtime: () => Promise<ContainerRuntime>,
  nodeName: string,
): StaticPodRunningProbe {
  return async (component) => {
    const rt = await runtime();
    const name = `${component}-${nodeName}`;
    const sandboxes = (await rt.listPodSandboxes()).filter(
      (s) => s.namespace === 'kube-system' && s.name === name && s.state === 'ready',
    );
    for (const s of sandboxes) {
      const containers = await rt.listContainers({ podSandboxId: s.id });
      if (containers.some((c) => c.state === 'running')) return true;
    }
    return false;
  };
}
