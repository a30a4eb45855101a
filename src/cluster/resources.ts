// The REST names of the kinds kbadm reads and writes: a request's path for messages and dry-run
// output, and the in-memory cluster's keys. Only these kinds; anything else is a programming error.
import type { ObjectRef } from './types.js';

interface KindInfo {
  plural: string;
  namespaced: boolean;
}

const KINDS: Record<string, KindInfo> = {
  ConfigMap: { plural: 'configmaps', namespaced: true },
  Secret: { plural: 'secrets', namespaced: true },
  ServiceAccount: { plural: 'serviceaccounts', namespaced: true },
  Service: { plural: 'services', namespaced: true },
  Pod: { plural: 'pods', namespaced: true },
  Node: { plural: 'nodes', namespaced: false },
  Namespace: { plural: 'namespaces', namespaced: false },
  Role: { plural: 'roles', namespaced: true },
  RoleBinding: { plural: 'rolebindings', namespaced: true },
  ClusterRole: { plural: 'clusterroles', namespaced: false },
  ClusterRoleBinding: { plural: 'clusterrolebindings', namespaced: false },
  Deployment: { plural: 'deployments', namespaced: true },
  DaemonSet: { plural: 'daemonsets', namespaced: true },
  Job: { plural: 'jobs', namespaced: true },
  CertificateSigningRequest: { plural: 'certificatesigningrequests', namespaced: false },
};

export function kindInfo(kind: string): KindInfo {
  const info = KINDS[kind];
  if (!info) throw new Error(`kbadm does not know the REST resource of kind ${kind}`);
  return info;
}

/** `core/v1` for the legacy group, `<group>/<version>` otherwise (as kubeadm's dry-run names it). */
export function apiGroupName(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion : `core/${apiVersion}`;
}

/** The request path of a kind in a namespace, or of one object when `name` is set. */
export function resourcePath(ref: Omit<ObjectRef, 'name'> & { name?: string }): string {
  const { plural, namespaced } = kindInfo(ref.kind);
  const base = ref.apiVersion.includes('/') ? `/apis/${ref.apiVersion}` : `/api/${ref.apiVersion}`;
  const ns = namespaced && ref.namespace ? `/namespaces/${ref.namespace}` : '';
  return `${base}${ns}/${plural}${ref.name ? `/${ref.name}` : ''}`;
}
