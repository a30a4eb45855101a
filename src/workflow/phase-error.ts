// A phase's failure, named by its path. The original error stays as `cause`, so exitCodeOf
// still finds a PreflightError (2) or ValidationError (3) underneath.
import { KbadmError, errorMessage } from '../errors.js';

export class PhaseError extends KbadmError {
  readonly phase: string;
  constructor(phase: string, cause: unknown, stage: 'run' | 'runIf' = 'run') {
    const what =
      stage === 'run' ? `error execution phase ${phase}` : `error execution run condition for phase ${phase}`;
    super(`${what}: ${errorMessage(cause)}`, { cause });
    this.phase = phase;
  }
}
