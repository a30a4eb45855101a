// Reading back what init stored (kubeadm-config, kubelet-config, kube-proxy), as join does with
// its bootstrap token and as the day-two commands will with admin.conf: kubeadm's two progress
// lines, a short retry of the first read, a warning only when kube-proxy's configuration is out of
// reach (a cluster may run without kube-proxy).
import { retryUntilTimeout } from '../cluster/idempotency.js';
import type { ClusterClient, KubeObject } from '../cluster/types.js';
import type { ClusterConfigDocuments } from '../config/from-cluster.js';
import { errorMessage, KbadmError } from '../errors.js';
import {
  CLUSTER_CONFIGURATION_KEY,
  KUBEADM_CONFIG_CONFIGMAP,
  KUBELET_CONFIG_CONFIGMAP,
  KUBELET_CONFIG_KEY,
} from '../manifests/cluster-config-maps.js';
import { KUBE_PROXY_CONFIG_KEY, KUBE_PROXY_CONFIGMAP } from '../manifests/kube-proxy.js';
import type { Output } from '../output/output.js';

const NAMESPACE = 'kube-system';
/** kubeadm reads kubeadm-config with a short retry: every 50 ms for 350 ms. */
const READ_RETRY = { timeoutMs: 350, intervalMs: 50 };

async function configMapKey(client: ClusterClient, name: string, key: string): Promise<string> {
  const cm = await client.get<KubeObject & { data?: Record<string, string> }>({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    namespace: NAMESPACE,
    name,
  });
  if (cm === undefined) throw new KbadmError(`configmaps "${name}" not found`);
  const value = cm.data?.[key];
  if (value === undefined) throw new KbadmError(`the ConfigMap "${name}" has no "${key}" key`);
  return value;
}

/** `prefix` is the progress tag of the command reading (preflight for join, upgrade, reset...). */
export async function readClusterConfigDocuments(
  client: ClusterClient,
  out: Output,
  prefix: string,
): Promise<ClusterConfigDocuments> {
  out.progress(
    prefix,
    `Reading configuration from the "${KUBEADM_CONFIG_CONFIGMAP}" ConfigMap in namespace "${NAMESPACE}"...`,
  );
  out.progress(
    prefix,
    "Use 'kbadm init phase upload-config kubeadm --config your-config-file' to re-upload it.",
  );
  let clusterConfiguration = '';
  try {
    await retryUntilTimeout(READ_RETRY, async () => {
      clusterConfiguration = await configMapKey(client, KUBEADM_CONFIG_CONFIGMAP, CLUSTER_CONFIGURATION_KEY);
    });
  } catch (err) {
    throw new KbadmError(
      `unable to fetch the kubeadm-config ConfigMap: failed to get config map: ${errorMessage(err)}`,
      { cause: err },
    );
  }
  let kubelet: string;
  try {
    kubelet = await configMapKey(client, KUBELET_CONFIG_CONFIGMAP, KUBELET_CONFIG_KEY);
  } catch (err) {
    throw new KbadmError(`unable to fetch the kubelet-config ConfigMap: ${errorMessage(err)}`);
  }
  const docs: ClusterConfigDocuments = { clusterConfiguration, kubelet };
  try {
    docs.kubeProxy = await configMapKey(client, KUBE_PROXY_CONFIGMAP, KUBE_PROXY_CONFIG_KEY);
  } catch (err) {
    out.warn(
      `No kubeproxy.config.k8s.io/v1alpha1 config is loaded. Continuing without it: ${errorMessage(err)}`,
    );
  }
  return docs;
}
