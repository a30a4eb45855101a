// mark-control-plane (manifests sheet §5.3): the labels and taints that make a node a control-plane
// node, as a change to the Node object, and the two-way strategic-merge patch that carries that
// change to the API server.
import type { KubeObject } from '../cluster/types.js';
import { CONTROL_PLANE_TAINT } from '../config/defaults.js';
import type { Taint } from '../config/model.js';

export const CONTROL_PLANE_LABEL = 'node-role.kubernetes.io/control-plane';
export const EXCLUDE_FROM_LB_LABEL = 'node.kubernetes.io/exclude-from-external-load-balancers';
export const CONTROL_PLANE_LABELS = [CONTROL_PLANE_LABEL, EXCLUDE_FROM_LB_LABEL] as const;

/** A core/v1 Taint as the API writes it: `value` and `timeAdded` are left out when empty. */
export interface NodeTaint {
  key: string;
  value?: string;
  effect: string;
  timeAdded?: string;
}

const TAG = '[mark-control-plane]';

function toNodeTaint(t: Taint): NodeTaint {
  return {
    key: t.key,
    ...(t.value !== '' && { value: t.value }),
    effect: t.effect,
    ...(t.timeAdded !== undefined && { timeAdded: t.timeAdded }),
  };
}

/** Whole-struct equality, with an absent value and an empty one the same (Go's zero value). */
function sameTaint(a: NodeTaint, b: NodeTaint): boolean {
  return (
    a.key === b.key &&
    (a.value ?? '') === (b.value ?? '') &&
    a.effect === b.effect &&
    (a.timeAdded ?? '') === (b.timeAdded ?? '')
  );
}

/** core/v1 Taint.ToString: `key[=value]:effect`. */
export function taintString(t: NodeTaint): string {
  const value = t.value ?? '';
  if (t.effect === '') return value === '' ? t.key : `${t.key}=${value}:`;
  return value === '' ? `${t.key}:${t.effect}` : `${t.key}=${value}:${t.effect}`;
}

export interface MarkedNode {
  node: KubeObject;
  /** The progress lines, printed before the Node is patched. */
  lines: string[];
}

/**
 * The Node with the control-plane labels (both "") and taints: the configured ones (null or
 * undefined: the default control-plane NoSchedule taint; []: none) followed by each taint the node
 * already has that is not among them.
 */
export function markControlPlane(
  node: KubeObject,
  configured: readonly Taint[] | null | undefined,
): MarkedNode {
  const taints = (configured ?? [CONTROL_PLANE_TAINT]).map(toNodeTaint);
  const name = node.metadata.name;
  const lines = [
    `${TAG} Marking the node ${name} as control-plane by adding the labels: [${CONTROL_PLANE_LABELS.join(' ')}]`,
  ];
  if (taints.length > 0) {
    lines.push(
      `${TAG} Marking the node ${name} as control-plane by adding the taints [${taints.map(taintString).join(' ')}]`,
    );
  }
  const next = structuredClone(node);
  const labels = { ...(next.metadata.labels ?? {}) };
  for (const l of CONTROL_PLANE_LABELS) labels[l] = '';
  next.metadata.labels = labels;
  const spec = (next.spec ?? {}) as { taints?: NodeTaint[] };
  const existing = spec.taints ?? [];
  const merged = [...taints, ...existing.filter((e) => !taints.some((t) => sameTaint(t, e)))];
  if (merged.length > 0) spec.taints = merged;
  else delete spec.taints;
  if (next.spec !== undefined || merged.length > 0) next.spec = spec;
  return { node: next, lines };
}

/** A strategic-merge patch body for a Node; `{}` when nothing changed. */
export interface NodePatch {
  metadata?: { labels: Record<string, string | null> };
  spec?: { taints: NodeTaint[] | null };
}

const isEmptyList = (l: readonly unknown[] | undefined): boolean => l === undefined || l.length === 0;

/**
 * The two-way strategic-merge patch from `before` to `after`, for the fields mark-control-plane
 * changes. Labels merge per key (a removed key is sent as null). core/v1 declares no merge key for
 * spec.taints, so a changed list is sent whole (null when it became empty).
 */
export function nodePatch(before: KubeObject, after: KubeObject): NodePatch {
  const patch: NodePatch = {};
  const oldLabels = before.metadata.labels ?? {};
  const newLabels = after.metadata.labels ?? {};
  const labels: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(newLabels)) if (oldLabels[k] !== v) labels[k] = v;
  for (const k of Object.keys(oldLabels)) if (!(k in newLabels)) labels[k] = null;
  if (Object.keys(labels).length > 0) patch.metadata = { labels };

  const oldTaints = (before.spec as { taints?: NodeTaint[] } | undefined)?.taints;
  const newTaints = (after.spec as { taints?: NodeTaint[] } | undefined)?.taints;
  const same =
    (isEmptyList(oldTaints) && isEmptyList(newTaints)) ||
    (oldTaints !== undefined &&
      newTaints !== undefined &&
      oldTaints.length === newTaints.length &&
      oldTaints.every((t, i) => sameTaint(t, newTaints[i]!)));
  if (!same) patch.spec = { taints: isEmptyList(newTaints) ? null : structuredClone(newTaints!) };
  return patch;
}
