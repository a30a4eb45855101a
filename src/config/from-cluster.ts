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

/** This node's own settings, as v1beta4 InitConfiguration fields. */
export interface NodeDocument {
  nodeRegistration: Record<string, unknown>;
  localAPIEndpoint?: { advertiseAddress: string; bindPort: number };
  patches?: unknown;
  timeouts?: unknown;
}

/** An InitConfiguration carrying this node's settings, followed by the cluster's documents. */
export function nodeConfigText(docs: ClusterConfigDocuments, node: NodeDocument): string {
  const init: Record<string, unknown> = {
    apiVersion: V1BETA4,
    kind: 'InitConfiguration',
    nodeRegistration: node.nodeRegistration,
  };
  if (node.localAPIEndpoint) init.localAPIEndpoint = node.localAPIEndpoint;
  if (node.patches) init.patches = node.patches;
  if (node.timeouts) init.timeouts = node.timeouts;
  const documents = [stringify(init), docs.clusterConfiguration];
  if (docs.kubelet !== undefined) documents.push(docs.kubelet);
  if (docs.kubeProxy !== undefined) documents.push(docs.kubeProxy);
  return documents.map((d) => d.replace(/^---\n/, '').replace(/\n*$/, '\n')).join('---\n');
}

/**
 * The joining node's configuration: its registration and, for a control-plane join, its API
 * endpoint, followed by the cluster's documents.
 */
export function joiningNodeConfigText(docs: ClusterConfigDocuments, join: JoinConfiguration): string {
  const wire = joinToV1beta4(join);
  const cp = wire.controlPlane as { localAPIEndpoint?: NodeDocument['localAPIEndpoint'] } | undefined;
  return nodeConfigText(docs, {
    nodeRegistration: wire.nodeRegistration as Record<string, unknown>,
    ...(cp?.localAPIEndpoint ? { localAPIEndpoint: cp.localAPIEndpoint } : {}),
    ...(wire.patches ? { patches: wire.patches } : {}),
    ...(wire.timeouts ? { timeouts: wire.timeouts } : {}),
  });
}
