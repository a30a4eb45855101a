// Static Pods and component configs written the way kubeadm's YAML printer writes them: keys in
// alphabetical order (Go marshals through JSON maps), block style, sequences not indented.
import { dumpYaml } from '../output/yaml.js';

export const MANIFEST_FILE_MODE = 0o600;
export const MANIFESTS_DIR_MODE = 0o700;

export function toYaml(obj: unknown): string {
  return dumpYaml(obj);
}

/** `<component>.yaml`, the static Pod file name kubeadm uses. */
export function manifestFileName(component: string): string {
  return `${component}.yaml`;
}
