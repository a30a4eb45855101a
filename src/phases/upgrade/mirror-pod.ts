// What the static Pod upgrade asks the API server while it waits: the mirror Pod's config hash (it
// changes once the kubelet has picked up a new manifest) and whether the component's Pods run.
import type { ClusterClient, KubeObject } from '../../cluster/types.js';
import type { Output } from '../../output/output.js';

export const CONFIG_HASH_ANNOTATION = 'kubernetes.io/config.hash';
const NAMESPACE = 'kube-system';

/** The mirror Pod hash of one component on this node, or undefined when there is no such Pod (yet). */
export type MirrorPodHashReader = (component: string) => Promise<string | undefined>;

/** Whether the component is up and healthy right now. */
export type ComponentHealthProbe = (component: string) => Promise<boolean>;

/** Reads `kubernetes.io/config.hash` of the mirror Pod `<component>-<nodeName>` in kube-system. */
export function mirrorPodHashReader(cluster: ClusterClient, nodeName: string): MirrorPodHashReader {
  return async (component) => {
    const pod = await cluster.get({
      apiVersion: 'v1',
      kind: 'Pod',
      namespace: NAMESPACE,
      name: `${component}-${nodeName}`,
    });
    const hash = pod?.metadata.annotations?.[CONFIG_HASH_ANNOTATION];
    return hash === undefined || hash === '' ? undefined : hash;
  };
}

/**
 * Healthy when at least one Pod labelled `component=<component>` exists in kube-system, every such
 * Pod is Running (kubeadm's check) and, beyond kubeadm, this node's mirror Pod is Ready: a
 * component that crash-loops is still "Running" to the kubelet, and an upgrade must not call it
 * upgraded. Prints kubeadm's `[apiclient] Found N Pods ...` line whenever N changes.
 */
export function podsRunningProbe(
  cluster: ClusterClient,
  out?: Output,
  nodeName?: string,
): ComponentHealthProbe {
  const seen = new Map<string, number>();
  return async (component) => {
    const selector = `component=${component}`;
    const pods: KubeObject[] = [];
    for await (const p of cluster.list('v1', 'Pod', { namespace: NAMESPACE, labelSelector: selector })) {
      pods.push(p);
    }
    if (seen.get(component) !== pods.length) {
      seen.set(component, pods.length);
      out?.progress('apiclient', `Found ${pods.length} Pods for label selector ${selector}`);
    }
    if (pods.length === 0) return false;
    if (!pods.every((p) => (p.status as { phase?: string } | undefined)?.phase === 'Running')) return false;
    if (nodeName === undefined) return true;
    const own = pods.find((p) => p.metadata.name === `${component}-${nodeName}`);
    const conditions = (own?.status as { conditions?: { type?: string; status?: string }[] } | undefined)
      ?.conditions;
    return own !== undefined && (conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
  };
}
