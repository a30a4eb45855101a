// The phase tree flattened in run order (each parent right before its children), with the
// path, level and help label kubeadm derives for every phase.
import type { Phase } from './phase.js';

export const PHASE_SEPARATOR = '/';
export const ALL_PHASE = 'all';

export interface PhaseNode<D> {
  readonly phase: Phase<D>;
  /** Lowercased name, cut at the first space. */
  readonly name: string;
  /** What followed the first space in the name: argument declarations such as `[endpoint]`. */
  readonly argsUsage: string;
  readonly aliases: readonly string[];
  /** e.g. `control-plane/apiserver`. */
  readonly path: string;
  /** 0 for top-level phases. */
  readonly level: number;
  /** The help table label: the name, with a leading `/` for nested phases. */
  readonly use: string;
  readonly parent: PhaseNode<D> | undefined;
  readonly children: readonly PhaseNode<D>[];
  /** Whether this phase gets the synthetic `all` child. */
  readonly hasAll: boolean;
}

export function cleanName(name: string): string {
  const lower = name.trim().toLowerCase();
  const space = lower.search(/\s/);
  return space === -1 ? lower : lower.slice(0, space);
}

/** Flattens the tree in run order; throws on empty, reserved or duplicate names among siblings. */
export function flattenPhases<D>(phases: readonly Phase<D>[]): PhaseNode<D>[] {
  const out: PhaseNode<D>[] = [];
  const visit = (siblings: readonly Phase<D>[], parent: PhaseNode<D> | undefined): PhaseNode<D>[] => {
    const taken = new Map<string, string>();
    const nodes: PhaseNode<D>[] = [];
    for (const phase of siblings) {
      const name = cleanName(phase.name);
      const where = parent ? `in phase "${parent.path}"` : 'at the top level';
      if (name === '') throw new Error(`a phase ${where} has an empty name`);
      const aliases = (phase.aliases ?? []).map((a) => a.toLowerCase());
      for (const label of [name, ...aliases]) {
        if (label === ALL_PHASE) throw new Error(`phase name "${ALL_PHASE}" is reserved (${where})`);
        const owner = taken.get(label);
        if (owner !== undefined)
          throw new Error(`phase name "${label}" is used twice ${where} (by "${owner}")`);
        taken.set(label, name);
      }
      const children: PhaseNode<D>[] = [];
      const node: PhaseNode<D> = {
        phase,
        name,
        argsUsage: phase.name.trim().slice(name.length).trim(),
        aliases,
        path: parent ? `${parent.path}${PHASE_SEPARATOR}${name}` : name,
        level: parent ? parent.level + 1 : 0,
        use: parent ? `${PHASE_SEPARATOR}${name}` : name,
        parent,
        children,
        hasAll: (phase.phases?.length ?? 0) > 0 && phase.all !== false,
      };
      out.push(node);
      nodes.push(node);
      children.push(...visit(phase.phases ?? [], node));
    }
    return nodes;
  };
  visit(phases, undefined);
  for (const node of out) checkParallel(node);
  return out;
}

/** The node and all its descendants, in run order. */
export function subtree<D>(node: PhaseNode<D>): PhaseNode<D>[] {
  return [node, ...node.children.flatMap(subtree)];
}

/** `parallel` and `after` describe a graph the runner can follow: only leaves, only earlier siblings. */
function checkParallel<D>(node: PhaseNode<D>): void {
  if (node.phase.parallel) {
    const nested = node.children.find((c) => c.children.length > 0);
    if (nested)
      throw new Error(`phase "${nested.path}" has children, so its parent "${node.path}" cannot be parallel`);
  }
  const after = node.phase.after ?? [];
  if (after.length === 0) return;
  if (!node.parent?.phase.parallel)
    throw new Error(`phase "${node.path}" names "after" phases but its parent is not parallel`);
  const earlier = node.parent.children.slice(0, node.parent.children.indexOf(node)).map((c) => c.name);
  for (const name of after) {
    if (!earlier.includes(name))
      throw new Error(`phase "${node.path}" runs after "${name}", which is not an earlier sibling`);
  }
}
