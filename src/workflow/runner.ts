// Runs an ordered phase tree: selection, dependency check, lazy data, runIf, error wrapping, and
// the children of a `parallel` phase at once, their output kept in order.
import type { Logger } from '../output/logger.js';
import { flagValuesOf } from './flags.js';
import { phasesHelp } from './help.js';
import { PhaseError } from './phase-error.js';
import type { DataInitializer, Invocation, Phase, PhaseStep } from './phase.js';
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
  /**
   * A view of the data for one of the children of a `parallel` phase, whose output is held until
   * `flush`, so that children running at once still print in their declared order. A view may be
   * a copy, so such children share state only through what the data points to, never by setting
   * its fields. Undefined makes the children run one by one (a dry run, whose host prints each
   * change as it is made, cannot hold its lines per phase).
   */
  isolate?: (data: D) => Isolated<D> | undefined;
}

export interface Isolated<D> {
  readonly data: D;
  /** Prints what the phase said so far; later output goes straight through. */
  flush(): void;
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
    const done = new Set<PhaseNode<D>>();
    for (const node of this.nodes) {
      if (!selected.has(node) || done.has(node)) continue;
      const parent = node.parent;
      const isolate = this.#options.isolate;
      if (parent?.phase.parallel && isolate) {
        const group = parent.children.filter((c) => selected.has(c));
        for (const c of group) done.add(c);
        ran.push(...(await this.#runParallel(group, isolate, log)));
      } else if (await this.#runOne(node, () => this.data(), log)) {
        ran.push(node.path);
      }
    }
    return { ran };
  }

  /** Runs one phase (its `runIf`, then its `run`); whether its `run` executed. */
  async #runOne(
    node: PhaseNode<D>,
    data: () => Promise<D>,
    log: RunLog | undefined,
    step: PhaseStep = ONE_BY_ONE,
  ): Promise<boolean> {
    const { runIf, run } = node.phase;
    // Date.now, not performance.now: the global `performance` loads perf_hooks on first use.
    const started = Date.now();
    if (runIf) {
      // The data is built outside the try: its errors (a bad configuration) are not the phase's.
      const d = await data();
      let ok: boolean;
      try {
        ok = await runIf.call(node.phase, d);
      } catch (err) {
        throw new PhaseError(node.path, err, 'runIf');
      }
      if (!ok) {
        log?.debug('phase skipped: its condition is not met', { phase: node.path });
        return false;
      }
    }
    if (!run) return false;
    const d = await data();
    log?.info('running phase', { phase: node.path });
    try {
      await run.call(node.phase, d, step);
    } catch (err) {
      throw new PhaseError(node.path, err);
    }
    log?.debug('phase done', { phase: node.path, ms: Date.now() - started });
    return true;
  }

  /**
   * Siblings under a `parallel` parent: each starts once those its `after` names have finished or
   * released it (one that fails before that stops those waiting for it). Output is printed in
   * declared order as each one's turn comes; on a failure every phase is let finish and print (what
   * they did happened), then the first failure in declared order is thrown.
   */
  async #runParallel(
    group: readonly PhaseNode<D>[],
    isolate: (data: D) => Isolated<D> | undefined,
    log: RunLog | undefined,
  ) {
    const data = await this.data();
    const views = group.map(() => isolate(data));
    if (!views.every((v) => v !== undefined)) {
      const ran: string[] = [];
      for (const node of group) if (await this.#runOne(node, () => this.data(), log)) ran.push(node.path);
      return ran;
    }
    /** By name: settles when that sibling releases those waiting for it, or ends. */
    const ready = new Map<string, Promise<unknown>>();
    const runs = group.map((node, i) => {
      const view = views[i]!;
      const waits = (node.phase.after ?? []).flatMap((name) => ready.get(name) ?? []);
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      const result = Promise.all(waits).then(() =>
        this.#runOne(node, () => Promise.resolve(view.data), log, { release }),
      );
      // Read in order below; until then a rejection must not count as unhandled.
      result.catch(() => undefined);
      const settled = Promise.race([released, result]);
      settled.catch(() => undefined);
      ready.set(node.name, settled);
      return { node, view, result };
    });
    const ran: string[] = [];
    const failures: unknown[] = [];
    for (const r of runs) {
      try {
        if (await r.result) ran.push(r.node.path);
      } catch (err) {
        failures.push(err);
      }
      r.view.flush();
    }
    if (failures.length > 0) throw failures[0];
    return ran;
  }

  /** kubeadm's phase table for the main command's long help. */
  help(use: string): string {
    return phasesHelp(use, this.nodes);
  }
}

type RunLog = Pick<Logger, 'info' | 'debug'>;

/** Phases that run one by one have no one to release: the next starts when this one ends. */
const ONE_BY_ONE: PhaseStep = { release: () => undefined };

function needsData<D>(node: PhaseNode<D>): boolean {
  return node.phase.run !== undefined || node.phase.runIf !== undefined;
}
