// Where a Pod may run, as kube-scheduler's filters decide it for the stand-ins (the lab's scheduler
// and the in-memory cluster's Jobs): a Ready Node that is not cordoned, whose NoSchedule and
// NoExecute taints the Pod tolerates and whose labels match its nodeSelector. Test support only.

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface Taint {
  key: string;
  value?: string;
  effect: string;
}

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
}

/** The Kubernetes rule: an empty effect matches every effect; Exists with no key matches every key. */
export function tolerates(tolerations: readonly Toleration[], taint: Taint): boolean {
  return tolerations.some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if ((t.operator ?? 'Equal') === 'Exists') return !t.key || t.key === taint.key;
    return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
  });
}

export function nodeReady(node: Obj): boolean {
  return (node.status?.conditions ?? []).some((c: Obj) => c.type === 'Ready' && c.status === 'True');
}

/** Why the Pod cannot run on the Node, in the scheduler's words; undefined when it can. */
export function unfitReason(podSpec: Obj, node: Obj): string | undefined {
  if (!nodeReady(node)) return 'node(s) were not ready';
  if (node.spec?.unschedulable === true) return 'node(s) were unschedulable';
  const untolerated = ((node.spec?.taints ?? []) as Taint[]).find(
    (taint) =>
      (taint.effect === 'NoSchedule' || taint.effect === 'NoExecute') &&
      !tolerates(podSpec.tolerations ?? [], taint),
  );
  if (untolerated) return `node(s) had untolerated taint {${untolerated.key}: ${untolerated.value ?? ''}}`;
  const labels = node.metadata?.labels ?? {};
  for (const [k, v] of Object.entries((podSpec.nodeSelector ?? {}) as Record<string, string>))
    if (labels[k] !== v) return "node(s) didn't match Pod's node affinity/selector";
  return undefined;
}

/** The scheduler's FailedScheduling text for a Pod no Node fits, e.g. `0/2 nodes are available: ...`. */
export function unschedulableMessage(podSpec: Obj, nodes: readonly Obj[]): string {
  const counts = new Map<string, number>();
  for (const n of nodes) {
    const reason = unfitReason(podSpec, n);
    if (reason) counts.set(reason, (counts.get(reason) ?? 0) + 1);
  }
  const parts = [...counts].map(([reason, n]) => `${n} ${reason}`).sort();
  return `0/${nodes.length} nodes are available${parts.length > 0 ? `: ${parts.join(', ')}` : ''}.`;
}
