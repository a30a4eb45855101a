// The create-or-update options init's API phases share, in a module of its own so that a phase
// definition can use them without loading another phase's implementation.
import type { InitData } from './data.js';

/** The create-or-update options of the run: retried until timeouts.kubernetesAPICall. */
export const apiCall = (d: Pick<InitData, 'config'>) => ({
  timeoutMs: d.config.init.timeouts.kubernetesAPICall,
});
