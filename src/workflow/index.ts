// The workflow engine: phases as data, a Runner over the ordered tree, and its commander binding.
export type { Phase, PhaseStep, AllPhaseOptions, Invocation, DataInitializer } from './phase.js';
export {
  toOption,
  addFlags,
  findOption,
  readFlags,
  flagValuesOf,
  userSetFlags,
  type FlagSpec,
  type FlagType,
  type FlagValues,
  type FlagValueTypes,
  type ReadFlagsOptions,
} from './flags.js';
export { Runner, type RunnerOptions, type RunRequest, type RunSummary } from './runner.js';
export { PhaseError } from './phase-error.js';
export { bindRunner, SKIP_PHASES_FLAG, type BindOptions } from './commander-binding.js';
export { phasesHelp } from './help.js';
export { resolvePhase, selectPhases, checkDependencies, type Selection } from './selection.js';
export { flattenPhases, cleanName, type PhaseNode } from './tree.js';
