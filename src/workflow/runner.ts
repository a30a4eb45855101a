// Runs an ordered phase tree: selection, dependency check, lazy data, runIf, error wrapping.
import type { Logger } from '../output/logger.js';
import { flagValuesOf } from './flags.js';
import { phasesHelp } from './help.js';
import { PhaseError } from './phase-error.js';
import type { DataInitializer, Invocation, Phase } from './phase.js';
import { checkDependencies, resolvePhase, selectPhases, type Selection } from './selection.js';
import { flattenPhases, type PhaseNode } from './tree.js';

export interface RunnerOptions<D> {
  /** Builds the shared data; without one, phases receive `undefined`. */
  init?: DataInitializer<D>;
  /**
   * Skip list from the loaded configuration (e.g. InitConfiguration.skipPhases). Consulted only
   * on a full run with no skip list from the command line, which wins when both are given.
   */
  skipPhasesFromData?: (data: D) => readonly string[] | undefined;
  /** Where phase starts, skips and timings are logged (shown at --v=1 and above); asked for on each run. */
  log?: () => Pick<Logger, 'info' | 'debug'>;
}

export interface RunRequest extends Selection {
  /** Handed to the data initializer; defaults to the previous run's, or no flags and no args. */
  context?: Invocation;
}

export interface RunSummary {
  /** Paths of the phases whose `run` executed, in order. */
  readonly ran: readonly string[];
}

export class Runner<D> {
  /** Every phase in run order: each parent right before its children. */
  readonly nodes: readonly PhaseNode<D>[];
  readonly #options: RunnerOptions<D>;
  #data: Promise<D> | undefined;
  #context: Invocation | undefined;

  constructor(phases: readonly Phase<D>[], options: RunnerOptions<D> = {}) {
    this.nodes = flattenPhases(phases);
    this.#options = options;
  }

  /** The top-level phases, as given. */
  get phases(): Phase<D>[] {
    return this.nodes.filter((n) => n.level === 0).map((n) => n.phase);
  }

  find(path: string): PhaseNode<D> | undefined {
    return resolvePhase(this.nodes, path);
  }

  /** Whether the data initializer has been called. */
  get dataInitialized(): boolean {
    return this.#data !== undefined;
  }

  /** The shared data, built on first use (a failure is remembered too: at most one call). */
  data(context?: Invocation): Promise<D> {
    if (!this.#data) {
      const ctx = context ?? this.#context ?? { flags: flagValuesOf([]), args: [] };
      const init = this.#options.init;
      this.#data = init ? Promise.resolve().then(() => init(ctx)) : Promise.resolve(undefined as D);
    }
    return this.#data;
  }

  async run(request: RunRequest = {}): Promise<RunSummary> {
    if (request.context) this.#context = request.context;
    const filter = (request.filter ?? []).filter((p) => p.trim() !== '');
    const skip = (request.skip ?? []).filter((p) => p.trim() !== '');
    let selected = selectPhases(this.nodes, { filter, skip });

    const fromData = this.#options.skipPhasesFromData;
    if (filter.length === 0 && skip.length === 0 && fromData && [...selected].some(needsData)) {
      const configured = fromData(await this.data()) ?? [];
      if (configured.length > 0) selected = selectPhases(this.nodes, { skip: configured });
    }
    checkDependencies(this.nodes, selected);

    const log = this.#options.log?.();
    const ran: string[] = [];
    for (const node of this.nodes) {
      if (!selected.has(node)) continue;
      const { runIf, run } = node.phase;
      const started = performance.now();
      if (runIf) {
        const data = await this.data();
        let ok: boolean;
        try {
          ok = await runIf.call(node.phase, data);
        } catch (err) {
          throw new PhaseError(node.path, err, 'runIf');
        }
        if (!ok) {
          log?.debug('phase skipped: its condition is not met', { phase: node.path });
          continue;
        }
      }
      if (run) {
        const data = await this.data();
        log?.info('running phase', { phase: node.path });
        try {
          await run.call(node.phase, data);
        } catch (err) {
          throw new PhaseError(node.path, err);
        }
        log?.debug('phase done', { phase: node.path, ms: Math.round(performance.now() - started) });
        ran.push(node.path);
      }
    }
    return { ran };
  }

  /** kubeadm's phase table for the main command's long help. */
  help(use: string): string {
    return phasesHelp(use, this.nodes);
  }
}

function needsData<D>(node: PhaseNode<D>): boolean {
  return node.phase.run !== undefined || node.phase.runIf !== undefined;
}
