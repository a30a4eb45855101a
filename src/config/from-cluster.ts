// The configuration of a node that joins (or, later, is upgraded or reset), assembled from what
// init stored in the cluster: the ClusterConfiguration of the kubeadm-config ConfigMap, the
// kubelet's and kube-proxy's component configurations, and this node's own settings. The result is
// one multi-document YAML text, so it goes through the same decoding, defaulting and validation
// as a --config file.
import { stringify } from 'yaml';
import type { JoinConfiguration } from './model.js';
import { joinToV1beta4 } from './convert.js';
import { V1BETA4 } from './model.js';

/** The YAML documents read from the cluster's ConfigMaps. */
export interface ClusterConfigDocuments {
  /** kubeadm-config's ClusterConfiguration key. */
  clusterConfiguration: string;
  /** kubelet-config's kubelet key, when the ConfigMap exists. */
  kubelet?: string;
  /** kube-proxy's config.conf key, when it could be read. */
  kubeProxy?: string;
}

/**
 * An InitConfiguration carrying the joining node's registration, and for a control-plane join its
 * API endpoint, followed by the cluster's documents.
 */
export function joiningNodeConfigText(docs: ClusterConfigDocuments, join: JoinConfiguration): string {
  const wire = joinToV1beta4(join);
  const init: Record<string, unknown> = {
    apiVersion: V1BETA4,
    kind: 'InitConfiguration',
    nodeRegistration: wire.nodeRegistration,
  };
  const cp = wire.controlPlane as { localAPIEndpoint?: unknown } | undefined;
  if (cp?.localAPIEndpoint) init.localAPIEndpoint = cp.localAPIEndpoint;
  if (wire.patches) init.patches = wire.patches;
  if (wire.timeouts) init.timeouts = wire.timeouts;
  const documents = [stringify(init), docs.clusterConfiguration];
  if (docs.kubelet !== undefined) documents.push(docs.kubelet);
  if (docs.kubeProxy !== undefined) documents.push(docs.kubeProxy);
  return documents.map((d) => d.replace(/^---\n/, '').replace(/\n*$/, '\n')).join('---\n');
}
