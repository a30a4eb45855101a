// YAML as kubeadm writes it: block style, sequences not indented under their key, no line folding.
// The `yaml` package is used for reading too, because it keeps source positions for error messages.
import { createRequire } from 'node:module';

type YamlLib = typeof import('yaml');
let lib: YamlLib | undefined;

/** The `yaml` package, loaded on first use. */
export function yamlLib(): YamlLib {
  return (lib ??= createRequire(import.meta.url)('yaml') as YamlLib);
}

/**
 * Keys are sorted, as everywhere Kubernetes writes YAML (objects go through JSON into a map first);
 * `sortKeys: false` keeps the object's own order.
 */
export function dumpYaml(value: unknown, options: { sortKeys?: boolean } = {}): string {
  return yamlLib().stringify(value, {
    indentSeq: false,
    lineWidth: 0,
    // Kubernetes reads YAML 1.1: strings like "yes" or "on" must come out quoted.
    version: '1.1',
    aliasDuplicateObjects: false,
    sortMapEntries: options.sortKeys ?? true,
  });
}

/**
 * A YAML syntax error in words, without the parser's message: that message quotes the input, and
 * kubeadm files hold keys and tokens. The caller adds the line and column.
 */
export function yamlErrorReason(error: { code: string }): string {
  return error.code.toLowerCase().replaceAll('_', ' ');
}
