// `-o json|yaml|text` for command results: one value, rendered the way kubectl users expect.
import { Option } from 'commander';
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

/**
 * `-o, --output <format>`: help and shell completion list the formats; the command checks the value
 * with parseOutputFormat, so a bad one is a validation error (exit 3) like any other bad input.
 */
export function outputOption(formats: readonly string[], defaultFormat: string, description: string): Option {
  const option = new Option('-o, --output <format>', description).default(defaultFormat);
  option.argChoices = [...formats];
  return option;
}
