// Which phases a run executes: an optional filter (`phase <path>`), then skip lists, then the
// dependency check. Skipping or selecting a phase applies to its whole subtree.
import { KbadmError } from '../errors.js';
import { ALL_PHASE, PHASE_SEPARATOR, subtree, type PhaseNode } from './tree.js';

/**
 * Finds a phase by path. Segments match names or aliases, case-insensitively; a final `all`
 * segment names the parent it belongs to, as `phase certs all` runs `certs`.
 */
export function resolvePhase<D>(nodes: readonly PhaseNode<D>[], path: string): PhaseNode<D> | undefined {
  const segments = path.trim().toLowerCase().split(PHASE_SEPARATOR);
  let level: readonly PhaseNode<D>[] = nodes.filter((n) => n.level === 0);
  let found: PhaseNode<D> | undefined;
  for (const [i, segment] of segments.entries()) {
    if (found && segment === ALL_PHASE && found.hasAll && i === segments.length - 1) return found;
    found = level.find((n) => n.name === segment || n.aliases.includes(segment));
    if (!found) return undefined;
    level = found.children;
  }
  return found;
}

export interface Selection {
  /** Paths to run, with their subtrees; empty means every phase. */
  filter?: readonly string[];
  /** Paths to skip, with their subtrees. */
  skip?: readonly string[];
}

/** The selected nodes; throws `invalid phase name: <name>` for a path that names no phase. */
export function selectPhases<D>(nodes: readonly PhaseNode<D>[], selection: Selection): Set<PhaseNode<D>> {
  const lookup = (path: string): PhaseNode<D>[] => {
    const node = resolvePhase(nodes, path);
    if (!node) throw new KbadmError(`invalid phase name: ${path}`);
    return subtree(node);
  };
  const filter = (selection.filter ?? []).filter((p) => p.trim() !== '');
  const selected = new Set(filter.length > 0 ? filter.flatMap(lookup) : nodes);
  for (const path of selection.skip ?? []) {
    if (path.trim() === '') continue;
    for (const node of lookup(path)) selected.delete(node);
  }
  return selected;
}

/** Throws when a selected phase depends on a phase that is not selected before it. */
export function checkDependencies<D>(
  nodes: readonly PhaseNode<D>[],
  selected: ReadonlySet<PhaseNode<D>>,
): void {
  const seen = new Set<string>();
  const missing: string[] = [];
  for (const node of nodes) {
    if (!selected.has(node)) continue;
    const absent = (node.phase.dependencies ?? []).filter((d) => !seen.has(d.toLowerCase()));
    if (absent.length > 0)
      missing.push(`\tmissing [${absent.join(' ')}] phase(s) needed by "${node.path}" phase`);
    seen.add(node.name).add(node.path);
  }
  if (missing.length > 0) throw new KbadmError(`unresolved dependencies:\n${missing.join('\n')}`);
}
