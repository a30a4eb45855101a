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

/** Where a bootstrap token or certificate key can sit: the last path segment, or a flag. */
const SECRET_FIELDS = new Set([
  'token',
  'tlsBootstrapToken',
  'certificateKey',
  'bootstrapToken',
  'bootstrapTokens',
  '--token',
  '--discovery-token',
  '--tls-bootstrap-token',
  '--certificate-key',
]);

/** Whether a field holds a secret (or is a list/object a secret was written in place of). */
export function isSecretField(field: string): boolean {
  const last = field.slice(field.lastIndexOf('.') + 1).replace(/\[[^\]]*\]$/, '');
  return SECRET_FIELDS.has(last);
}

/**
 * The problem without its value when the field holds a secret: a mistyped token or key (a number,
 * a list item, a bad format) must never reach the terminal or a log.
 */
export function redactSecret(p: ConfigProblem): ConfigProblem {
  if (p.value === undefined || p.value === '' || !isSecretField(p.field)) return p;
  const { value: _secret, ...rest } = p;
  return rest;
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
    const safe = problems.map(redactSecret);
    super(safe);
    this.problems = safe;
    this.source = source;
    this.message =
      safe.length === 1
        ? describeProblem(safe[0]!, source)
        : `${safe.length} problems${source ? ` in ${source}` : ''}:\n${safe
            .map((p) => `  - ${describeProblem(p, source)}`)
            .join('\n')}`;
  }
}
