// Error types and their exit codes, as kubeadm maps them: 1 generic, 2 preflight, 3 validation.

export const EXIT_GENERIC = 1;
export const EXIT_PREFLIGHT = 2;
export const EXIT_VALIDATION = 3;

export class KbadmError extends Error {
  readonly exitCode: number = EXIT_GENERIC;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class PreflightError extends KbadmError {
  override readonly exitCode = EXIT_PREFLIGHT;
}

/** One problem with one field of the input, e.g. `ClusterConfiguration.networking.podSubnet`. */
export interface FieldProblem {
  field: string;
  value?: unknown;
  detail: string;
}

export function formatFieldProblem(p: FieldProblem): string {
  return p.value === undefined
    ? `${p.field}: ${p.detail}`
    : `${p.field}: ${JSON.stringify(p.value)}: ${p.detail}`;
}

/** Every problem found in the input, reported together (kubeadm's aggregate error). */
export class ValidationError extends KbadmError {
  override readonly exitCode = EXIT_VALIDATION;
  readonly problems: readonly FieldProblem[];
  constructor(problems: readonly FieldProblem[] | string) {
    const list = typeof problems === 'string' ? [{ field: '', detail: problems }] : problems;
    super(list.length === 1 ? describe(list[0]!) : `[${list.map(describe).join(', ')}]`);
    this.problems = list;
  }
}

function describe(p: FieldProblem): string {
  return p.field === '' ? p.detail : formatFieldProblem(p);
}

/** The exit code for an error, looking through wrappers (`error execution phase ...`) via `cause`. */
export function exitCodeOf(err: unknown): number {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (e instanceof KbadmError && e.exitCode !== EXIT_GENERIC) return e.exitCode;
  }
  return EXIT_GENERIC;
}

/** An error's message, or the thrown value as text when something other than an Error was thrown. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
