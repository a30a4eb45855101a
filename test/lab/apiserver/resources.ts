// The resources the stand-in serves: every kind kbadm (and the lab's kubelet and controllers)
// touches, with the names discovery reports and the storage prefix kube-apiserver uses.
import type { MergeSchema } from '../../../src/patches/strategic.js';
import { POD_SCHEMA } from '../../../src/patches/strategic.js';

export interface Resource {
  group: string;
  version: string;
  kind: string;
  /** The URL segment, e.g. "configmaps". */
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  /** Subresources with their own verbs, e.g. status, approval. */
  subresources: string[];
  /** How strategic merge patches merge this kind's lists. */
  mergeSchema: MergeSchema;
}

const CONDITIONS: MergeSchema = { mergeKey: 'type' };
const METADATA: MergeSchema = {
  fields: { finalizers: { primitiveMerge: true }, ownerReferences: { mergeKey: 'uid' } },
};
const POD_TEMPLATE: MergeSchema = {
  fields: { metadata: METADATA, spec: POD_SCHEMA.fields!.spec! },
};

function r(
  group: string,
  version: string,
  kind: string,
  plural: string,
  namespaced: boolean,
  extra: Partial<Pick<Resource, 'shortNames' | 'subresources' | 'mergeSchema'>> = {},
): Resource {
  return {
    group,
    version,
    kind,
    plural,
    singular: kind.toLowerCase(),
    namespaced,
    subresources: extra.subresources ?? [],
    mergeSchema: extra.mergeSchema ?? { fields: { metadata: METADATA } },
    ...(extra.shortNames ? { shortNames: extra.shortNames } : {}),
  };
}

export const RESOURCES: readonly Resource[] = [
  r('', 'v1', 'Namespace', 'namespaces', false, { shortNames: ['ns'], subresources: ['status'] }),
  r('', 'v1', 'ConfigMap', 'configmaps', true, { shortNames: ['cm'] }),
  r('', 'v1', 'Secret', 'secrets', true),
  r('', 'v1', 'Node', 'nodes', false, {
    shortNames: ['no'],
    subresources: ['status'],
    mergeSchema: {
      fields: {
        metadata: METADATA,
        status: { fields: { conditions: CONDITIONS, addresses: { mergeKey: 'type' } } },
      },
    },
  }),
  r('', 'v1', 'Pod', 'pods', true, {
    shortNames: ['po'],
    subresources: ['status', 'binding'],
    mergeSchema: {
      fields: { ...POD_SCHEMA.fields, status: { fields: { conditions: CONDITIONS } } },
    },
  }),
  r('', 'v1', 'Service', 'services', true, { shortNames: ['svc'], subresources: ['status'] }),
  r('', 'v1', 'ServiceAccount', 'serviceaccounts', true, { shortNames: ['sa'] }),
  r('', 'v1', 'Endpoints', 'endpoints', true, { shortNames: ['ep'] }),
  r('', 'v1', 'Event', 'events', true, { shortNames: ['ev'] }),
  r('apps', 'v1', 'Deployment', 'deployments', true, {
    shortNames: ['deploy'],
    subresources: ['status', 'scale'],
    mergeSchema: { fields: { metadata: METADATA, spec: { fields: { template: POD_TEMPLATE } } } },
  }),
  r('apps', 'v1', 'DaemonSet', 'daemonsets', true, {
    shortNames: ['ds'],
    subresources: ['status'],
    mergeSchema: { fields: { metadata: METADATA, spec: { fields: { template: POD_TEMPLATE } } } },
  }),
  r('batch', 'v1', 'Job', 'jobs', true, {
    subresources: ['status'],
    mergeSchema: {
      fields: {
        metadata: METADATA,
        spec: { fields: { template: POD_TEMPLATE } },
        status: { fields: { conditions: CONDITIONS } },
      },
    },
  }),
  r('rbac.authorization.k8s.io', 'v1', 'Role', 'roles', true),
  r('rbac.authorization.k8s.io', 'v1', 'RoleBinding', 'rolebindings', true),
  r('rbac.authorization.k8s.io', 'v1', 'ClusterRole', 'clusterroles', false),
  r('rbac.authorization.k8s.io', 'v1', 'ClusterRoleBinding', 'clusterrolebindings', false),
  r('certificates.k8s.io', 'v1', 'CertificateSigningRequest', 'certificatesigningrequests', false, {
    shortNames: ['csr'],
    subresources: ['status', 'approval'],
    mergeSchema: { fields: { metadata: METADATA, status: { fields: { conditions: CONDITIONS } } } },
  }),
  r('coordination.k8s.io', 'v1', 'Lease', 'leases', true),
];

/** The group/version path prefix: /api/v1 for the core group, /apis/<group>/<version> otherwise. */
export function groupVersionPath(res: Pick<Resource, 'group' | 'version'>): string {
  return res.group === '' ? `/api/${res.version}` : `/apis/${res.group}/${res.version}`;
}

export function apiVersionOf(res: Pick<Resource, 'group' | 'version'>): string {
  return res.group === '' ? res.version : `${res.group}/${res.version}`;
}

export function findResource(group: string, version: string, plural: string): Resource | undefined {
  return RESOURCES.find((x) => x.group === group && x.version === version && x.plural === plural);
}

/** The etcd key kube-apiserver uses, e.g. /registry/configmaps/kube-system/kubeadm-config. */
export function storageKey(res: Resource, namespace: string | undefined, name?: string): string {
  const base = `/registry/${res.plural}/`;
  if (!res.namespaced) return name === undefined ? base : `${base}${name}`;
  if (namespace === undefined) return base;
  return name === undefined ? `${base}${namespace}/` : `${base}${namespace}/${name}`;
}
