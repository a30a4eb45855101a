// Running a phase of another command's tree from inside a phase (join and upgrade reuse init's
// steps): the phase's own work when its condition holds, then each child in order.
import type { Phase } from '../workflow/index.js';

export async function runPhaseTree<D>(phase: Phase<D>, d: D, only?: readonly string[]): Promise<void> {
  if (phase.run && (!phase.runIf || (await phase.runIf(d)))) await phase.run(d);
  for (const child of phase.phases ?? []) {
    if (only && !only.includes(child.name)) continue;
    await runPhaseTree(child, d);
  }
}
