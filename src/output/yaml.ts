// YAML as kubeadm writes it: block style, sequences not indented under their key, no line folding.
import { createRequire } from 'node:module';

type JsYaml = typeof import('js-yaml');
let jsyaml: JsYaml | undefined;

/** js-yaml, loaded on first use. */
export function yamlLib(): JsYaml {
  return (jsyaml ??= createRequire(import.meta.url)('js-yaml') as JsYaml);
}

export function dumpYaml(value: unknown, options: { sortKeys?: boolean } = {}): string {
  return yamlLib().dump(value, {
    noArrayIndent: true,
    lineWidth: -1,
    noRefs: true,
    sortKeys: options.sortKeys ?? false,
    quotingType: '"',
  });
}
