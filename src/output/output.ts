// What every command and phase uses to talk to the user: kubeadm-style progress lines and
// results on stdout, warnings and structured logs on stderr.
import { createLogger, type Logger } from './logger.js';

export interface TextSink {
  write(text: string): unknown;
}

export interface Output {
  /** `[tag] message` on stdout, e.g. `[certs] Generating "ca" certificate and key`. */
  progress(tag: string, message: string): void;
  /** A progress line that carries its own `[tag] ` (as domain modules word them); dropped when quiet. */
  progressLine(text: string): void;
  /** Text on stdout, a newline added. */
  print(text: string): void;
  /** A warning on stderr, shown at every verbosity. */
  warn(message: string): void;
  /**
   * A warning shown once per Output, however often it is raised: kubeadm checks each certificate's
   * period once per process, however many leaves share its CA.
   */
  warnOnce(message: string): void;
  /** A line on stderr as given, for reports that carry their own tags (preflight's `[WARNING Swap]`). */
  stderrLine(text: string): void;
  /** Structured logs on stderr; how much shows depends on --v. */
  readonly log: Logger;
  readonly verbosity: number;
}

export interface OutputOptions {
  stdout?: TextSink;
  stderr?: TextSink;
  verbosity?: number;
  /** Progress lines are suppressed when a command prints a machine-readable result on stdout. */
  quiet?: boolean;
}

export function createOutput(options: OutputOptions = {}): Output {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const verbosity = options.verbosity ?? 0;
  let logger: Logger | undefined;
  const warned = new Set<string>();
  const warn = (message: string): void => {
    stderr.write(`[WARNING] ${message}\n`);
  };
  return {
    verbosity,
    progress(tag, message) {
      if (!options.quiet) stdout.write(`[${tag}] ${message}\n`);
    },
    progressLine(text) {
      if (!options.quiet) stdout.write(`${text}\n`);
    },
    print(text) {
      stdout.write(`${text}\n`);
    },
    warn,
    warnOnce(message) {
      if (warned.has(message)) return;
      warned.add(message);
      warn(message);
    },
    stderrLine(text) {
      stderr.write(`${text}\n`);
    },
    get log() {
      return (logger ??= createLogger(verbosity, stderr));
    },
  };
}

/**
 * An Output whose lines wait until `flush`, then go to `target` in the order they were said; after
 * that it writes straight through. Phases that run at once each get one, so that what they print
 * still reads in their declared order. Logs are not held: they carry their own time.
 */
export function deferOutput(target: Output): Output & { flush(): void } {
  let held: (() => void)[] | undefined = [];
  const later =
    <A extends unknown[]>(say: (...args: A) => void) =>
    (...args: A): void => {
      if (held) held.push(() => say(...args));
      else say(...args);
    };
  return {
    verbosity: target.verbosity,
    progress: later((tag: string, message: string) => target.progress(tag, message)),
    progressLine: later((text: string) => target.progressLine(text)),
    print: later((text: string) => target.print(text)),
    warn: later((message: string) => target.warn(message)),
    warnOnce: later((message: string) => target.warnOnce(message)),
    stderrLine: later((text: string) => target.stderrLine(text)),
    get log() {
      return target.log;
    },
    flush() {
      const lines = held ?? [];
      held = undefined;
      for (const say of lines) say();
    },
  };
}

/** An Output that keeps everything in memory, for tests and for capturing a phase's lines. */
export interface RecordedOutput extends Output {
  readonly stdout: string[];
  readonly stderr: string[];
  text(): string;
}

export function recordOutput(verbosity = 0): RecordedOutput {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const out = createOutput({
    verbosity,
    stdout: { write: (s: string) => stdout.push(s) },
    stderr: { write: (s: string) => stderr.push(s) },
  });
  return Object.assign(out, { stdout, stderr, text: () => stdout.join('') });
}
