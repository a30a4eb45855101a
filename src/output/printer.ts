// `-o json|yaml|text` for command results: one value, rendered the way kubectl users expect.
import { ValidationError } from '../errors.js';
import { dumpYaml } from './yaml.js';

export const OUTPUT_FORMATS = ['text', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export function parseOutputFormat(value: string, allowed: readonly string[] = OUTPUT_FORMATS): string {
  if (!allowed.includes(value)) {
    throw new ValidationError([
      { field: '--output', value, detail: `unsupported output format; allowed: ${allowed.join(', ')}` },
    ]);
  }
  return value;
}

/** Renders a result; `text` is the human rendering, used for the text format. */
export function renderResult(format: string, value: unknown, text: () => string): string {
  switch (format) {
    case 'json':
      return JSON.stringify(value, null, 4);
    case 'yaml':
      return dumpYaml(value).trimEnd();
    default:
      return text();
  }
}
