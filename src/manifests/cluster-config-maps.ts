// The two ConfigMaps init stores its configuration in for the nodes that join later (manifests
// sheet §5.1, §5.2): kube-system/kubeadm-config (the ClusterConfiguration as v1beta4) and
// kube-system/kubelet-config (the cluster-wide KubeletConfiguration).
import type { KubeObject } from '../cluster/types.js';
import { clusterToV1beta4 } from '../config/convert.js';
import type { ClusterConfiguration, ComponentConfig } from '../config/model.js';
import { COMPONENT_CONFIG_HASH_ANNOTATION, configMapChecksum } from './config-map-hash.js';
import { kubeletConfigYaml } from './kubelet.js';
import { toYaml } from './serialize.js';

export const KUBEADM_CONFIG_CONFIGMAP = 'kubeadm-config';
export const CLUSTER_CONFIGURATION_KEY = 'ClusterConfiguration';
export const KUBELET_CONFIG_CONFIGMAP = 'kubelet-config';
export const KUBELET_CONFIG_KEY = 'kubelet';
const NAMESPACE = 'kube-system';

export const UPLOAD_CONFIG_LINE = `[upload-config] Storing the configuration used in ConfigMap "${KUBEADM_CONFIG_CONFIGMAP}" in the "${NAMESPACE}" Namespace`;
export const KUBELET_CONFIG_LINE = `[kubelet] Creating a ConfigMap "${KUBELET_CONFIG_CONFIGMAP}" in namespace ${NAMESPACE} with the configuration for the kubelets in the cluster`;

/**
 * The ClusterConfiguration as kubeadm.k8s.io/v1beta4 YAML with apiVersion and kind. The internal
 * model carries no component configs, so there is nothing to strip.
 */
export function clusterConfigurationYaml(cluster: ClusterConfiguration): string {
  return toYaml(clusterToV1beta4(cluster));
}

export function kubeadmConfigMap(cluster: ClusterConfiguration): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: KUBEADM_CONFIG_CONFIGMAP, namespace: NAMESPACE },
    data: { [CLUSTER_CONFIGURATION_KEY]: clusterConfigurationYaml(cluster) },
  };
}

/**
 * kubeadm-config is created-or-mutated: when it exists, only its ClusterConfiguration key is
 * replaced, so keys other tools added survive.
 */
export function withClusterConfiguration(live: KubeObject, desired: KubeObject): KubeObject {
  const data = { ...((live.data as Record<string, string> | undefined) ?? {}) };
  data[CLUSTER_CONFIGURATION_KEY] = (desired.data as Record<string, string>)[CLUSTER_CONFIGURATION_KEY]!;
  return { ...live, data };
}

/**
 * kubelet-config: the cluster-wide KubeletConfiguration (no node-specific changes). A generated one
 * is signed with the component-config hash; one the user supplied is not, as in kubeadm.
 */
export function kubeletConfigMap(kubelet: ComponentConfig): KubeObject {
  const data = { [KUBELET_CONFIG_KEY]: kubeletConfigYaml(kubelet.config) };
  const metadata: KubeObject['metadata'] = { name: KUBELET_CONFIG_CONFIGMAP, namespace: NAMESPACE };
  if (!kubelet.userSupplied) {
    metadata.annotations = { [COMPONENT_CONFIG_HASH_ANNOTATION]: configMapChecksum({ data }) };
  }
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata, data };
}
