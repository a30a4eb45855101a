// The component-config hash kubeadm puts on the ConfigMaps it generates (kubelet-config,
// kube-proxy), so that a later kubeadm can tell whether the user edited them (checksums.go).
import { createHash } from 'node:crypto';

export const COMPONENT_CONFIG_HASH_ANNOTATION = 'kubeadm.kubernetes.io/component-config.hash';

/** A ConfigMap's payload as the API carries it: binaryData values are base64. */
export interface ConfigMapPayload {
  data?: Readonly<Record<string, string>>;
  binaryData?: Readonly<Record<string, string>>;
}

/** Go's sort.Strings: byte order (ConfigMap keys are ASCII, where it equals code-unit order). */
const sortedKeys = (o: Readonly<Record<string, unknown>>): string[] =>
  Object.keys(o).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/**
 * `sha256:<hex>` over the data values in ascending key order, then the binaryData values (decoded)
 * likewise. Keys themselves are not hashed, as in kubeadm.
 */
export function configMapChecksum(cm: ConfigMapPayload): string {
  const hash = createHash('sha256');
  const data = cm.data ?? {};
  for (const k of sortedKeys(data)) hash.update(data[k]!, 'utf8');
  const binary = cm.binaryData ?? {};
  for (const k of sortedKeys(binary)) hash.update(Buffer.from(binary[k]!, 'base64'));
  return `sha256:${hash.digest('hex')}`;
}
