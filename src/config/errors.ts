// Problems with a configuration file, located by field path and (when known) by line and column.
import { formatFieldProblem, ValidationError, type FieldProblem } from '../errors.js';

export interface Position {
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

/** A FieldProblem that may also carry where in the file it is. */
export interface ConfigProblem extends FieldProblem {
  line?: number;
  column?: number;
}

export function describeProblem(p: ConfigProblem, source?: string): string {
  const text = p.field === '' ? p.detail : formatFieldProblem(p);
  if (p.line === undefined) return text;
  const where = `${source ? `${source}:` : 'line '}${p.line}${p.column !== undefined ? `:${p.column}` : ''}`;
  return `${text} (${where})`;
}

/**
 * Everything wrong with one configuration file, reported together (exit 3). Still a
 * ValidationError, so callers that only know that type keep working; the message adds positions
 * and puts one problem per line when there are several.
 */
export class ConfigValidationError extends ValidationError {
  override readonly problems: readonly ConfigProblem[];
  readonly source: string | undefined;
  constructor(problems: readonly ConfigProblem[], source?: string) {
    super(problems);
    this.problems = problems;
    this.source = source;
    this.message =
      problems.length === 1
        ? describeProblem(problems[0]!, source)
        : `${problems.length} problems${source ? ` in ${source}` : ''}:\n${problems
            .map((p) => `  - ${describeProblem(p, source)}`)
            .join('\n')}`;
  }
}
