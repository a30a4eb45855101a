// The phase table kubeadm appends to a workflow command's long help.
import type { PhaseNode } from './tree.js';

const OFFSET = 2;

/**
 * `The "<use>" command executes the following phases:` and a fenced table: labels indented two
 * spaces per level, then padded to the longest label plus two, then the short text. Like
 * kubeadm, the padding ignores the indentation, so nested rows end up shifted. Hidden phases
 * (and their children) are left out.
 */
export function phasesHelp<D>(use: string, nodes: readonly PhaseNode<D>[]): string {
  const visible = nodes.filter((n) => !hiddenInHelp(n));
  const width = Math.max(0, ...visible.map((n) => n.use.length));
  const rows = visible.map(
    (n) =>
      ' '.repeat(OFFSET * n.level) + n.use + ' '.repeat(width - n.use.length + OFFSET) + n.phase.short + '\n',
  );
  return `The ${JSON.stringify(use)} command executes the following phases:\n\`\`\`\n${rows.join('')}\`\`\``;
}

function hiddenInHelp<D>(node: PhaseNode<D>): boolean {
  for (let n: PhaseNode<D> | undefined = node; n; n = n.parent) if (n.phase.hidden) return true;
  return false;
}
