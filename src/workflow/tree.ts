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
  return out;
}

/** The node and all its descendants, in run order. */
export function subtree<D>(node: PhaseNode<D>): PhaseNode<D>[] {
  return [node, ...node.children.flatMap(subtree)];
}
