// A phase is data. The engine knows no concrete phase; commands hand it a tree of these.
import type { FlagSpec, FlagValues } from './flags.js';

export interface Phase<D> {
  /**
   * Lowercased and cut at the first space to form the path segment; anything after the space
   * declares the phase subcommand's arguments, e.g. `preflight [api-server-endpoint]`.
   */
  name: string;
  aliases?: string[];
  short: string;
  long?: string;
  example?: string;
  /** Left out of the command's phase table; the phase subcommand exists but is hidden. */
  hidden?: boolean;
  /** Children, in order. The engine adds an `all` child that runs them all. */
  phases?: Phase<D>[];
  /** Options for the synthetic `all` child, or false to leave it out. */
  all?: AllPhaseOptions | false;
  /** Names of the main command's flags (or the runner's phase-only flags) the subcommand exposes. */
  inheritFlags?: string[];
  /** Flags only this phase's subcommand has. */
  localFlags?: FlagSpec[];
  /** Throws when the phase subcommand's arguments are wrong; leaves default to the main command's. */
  argsValidator?: (args: readonly string[]) => void;
  /** Names or paths of phases that must be selected and come earlier in the run. */
  dependencies?: string[];
  /**
   * The children may run at the same time, each once the siblings its `after` names have finished
   * (children with children of their own are not allowed). Their output still appears in the
   * declared order: it needs the runner's `isolate` option, without which they run one by one.
   */
  parallel?: boolean;
  /**
   * Under a `parallel` parent: earlier siblings (by name) this phase waits for when they run, until
   * they finish or release it (PhaseStep.release).
   */
  after?: string[];
  /** Decides whether this phase's own `run` executes; its children are decided on their own. */
  runIf?(data: D): boolean | Promise<boolean>;
  run?(data: D, step?: PhaseStep): Promise<void>;
}

/** What a running phase can tell the runner. */
export interface PhaseStep {
  /**
   * Lets the siblings that wait for this phase (their `after`) start now, before it finishes. What
   * they need of it that is still under way (a file being written) is theirs to wait for; a failure
   * after this point fails this phase all the same. Does nothing when phases run one by one.
   */
  release(): void;
}

export interface AllPhaseOptions {
  /** Defaults to `Run every <name> sub-phase, in order`. */
  short?: string;
  long?: string;
  example?: string;
  /** Defaults to the union of every descendant's inherited flags. */
  inheritFlags?: string[];
  /** Defaults to the union of every descendant's local flags. */
  localFlags?: FlagSpec[];
}

/** The command line (the main command or a phase subcommand) whose run needs the data. */
export interface Invocation {
  flags: FlagValues;
  args: readonly string[];
  /** The selected phase path when run through `phase <name>`. */
  phase?: string;
}

/** Builds the data phases share; called at most once per Runner, and only when a phase needs it. */
export type DataInitializer<D> = (context: Invocation) => Promise<D>;
