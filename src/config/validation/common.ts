// Shared shapes for the validation rules. Every rule is a pure function of the (defaulted) model
// and a field path; it returns all the problems it finds, never stopping at the first one.
import type { FieldProblem } from '../../errors.js';

/** Errors (fatal, exit 3) and warnings (printed, not fatal) from one or more rules. */
export interface Findings {
  errors: FieldProblem[];
  warnings: string[];
}

export function emptyFindings(): Findings {
  return { errors: [], warnings: [] };
}

/** Appends `more` into `into` (errors and warnings), returning `into`. */
export function merge(into: Findings, more: Findings | FieldProblem[]): Findings {
  if (Array.isArray(more)) into.errors.push(...more);
  else {
    into.errors.push(...more.errors);
    into.warnings.push(...more.warnings);
  }
  return into;
}

/** kubeadm's field.Invalid. */
export function invalid(field: string, value: unknown, detail: string): FieldProblem {
  return { field, value, detail };
}

/** kubeadm's field.Required (no value is shown). */
export function required(field: string, detail: string): FieldProblem {
  return { field, detail };
}

/**
 * A problem with a secret (bootstrap token, certificate key): the value is left out so that a
 * nearly-right secret never reaches the terminal or a log, unlike kubeadm which echoes it.
 */
export function invalidSecret(field: string, detail: string): FieldProblem {
  return { field, detail };
}

/** kubeadm's isAbs on Linux (filepath.IsAbs). */
export function isAbs(p: string): boolean {
  return p.startsWith('/');
}

/** kubeadm's ValidateAbsolutePath. */
export function validateAbsolutePath(path: string, field: string): FieldProblem[] {
  return isAbs(path) ? [] : [invalid(field, path, 'path is not absolute')];
}

/** The last value given for a flag in an extraArgs list (kubeadm's GetArgValue with index -1). */
export function lastArgValue(
  args: readonly { name: string; value: string }[],
  name: string,
): string | undefined {
  for (let i = args.length - 1; i >= 0; i--) if (args[i]!.name === name) return args[i]!.value;
  return undefined;
}
