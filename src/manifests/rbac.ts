// The RBAC objects init creates (PKI sheet §10, manifests sheet §5): small builders shaped the
// way kubeadm writes them (subjects with kind and name only, a ServiceAccount adding its
// namespace; one resourceName per rule), and the groups each phase creates, in order, with the
// line printed before each group, so a phase is a loop over data.
import type { KubeObject } from '../cluster/types.js';

export const RBAC_API_VERSION = 'rbac.authorization.k8s.io/v1';
export const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** The group every kubeadm bootstrap token authenticates in by default. */
export const NODE_BOOTSTRAP_TOKEN_GROUP = 'system:bootstrappers:kubeadm:default-node-token';
export const NODES_GROUP = 'system:nodes';
export const CLUSTER_ADMINS_GROUP = 'kubeadm:cluster-admins';

export type Subject =
  { kind: 'Group' | 'User'; name: string } | { kind: 'ServiceAccount'; name: string; namespace: string };

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  resourceNames?: string[];
  verbs: string[];
}

export const group = (name: string): Subject => ({ kind: 'Group', name });
export const user = (name: string): Subject => ({ kind: 'User', name });
export const serviceAccount = (namespace: string, name: string): Subject => ({
  kind: 'ServiceAccount',
  name,
  namespace,
});

/** `get` on one named core object, the only kind of Role kubeadm grants. */
export function getOneRule(resource: string, name: string): PolicyRule {
  return { apiGroups: [''], resources: [resource], resourceNames: [name], verbs: ['get'] };
}

export function clusterRole(name: string, rules: PolicyRule[]): KubeObject {
  return { apiVersion: RBAC_API_VERSION, kind: 'ClusterRole', metadata: { name }, rules };
}

export function clusterRoleBinding(name: string, clusterRoleName: string, subjects: Subject[]): KubeObject {
  return {
    apiVersion: RBAC_API_VERSION,
    kind: 'ClusterRoleBinding',
    metadata: { name },
    roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: clusterRoleName },
    subjects,
  };
}

export function role(namespace: string, name: string, rules: PolicyRule[]): KubeObject {
  return { apiVersion: RBAC_API_VERSION, kind: 'Role', metadata: { name, namespace }, rules };
}

export function roleBinding(
  namespace: string,
  name: string,
  roleName: string,
  subjects: Subject[],
): KubeObject {
  return {
    apiVersion: RBAC_API_VERSION,
    kind: 'RoleBinding',
    metadata: { name, namespace },
    roleRef: { apiGroup: RBAC_GROUP, kind: 'Role', name: roleName },
    subjects,
  };
}

/** A Role granting `get` on one object and the RoleBinding of the same name that hands it out. */
function readOneObject(
  namespace: string,
  name: string,
  resource: string,
  objectName: string,
  subjects: Subject[],
): KubeObject[] {
  return [
    role(namespace, name, [getOneRule(resource, objectName)]),
    roleBinding(namespace, name, name, subjects),
  ];
}

/** Objects created together, after `line` is printed (when there is one). */
export interface RbacGroup {
  line?: string;
  objects: KubeObject[];
}

/** 1.29+: admin.conf's group is cluster-admin through this binding, not through system:masters. */
export function clusterAdminsBinding(): KubeObject {
  return clusterRoleBinding('kubeadm:cluster-admins', 'cluster-admin', [group(CLUSTER_ADMINS_GROUP)]);
}

/** upload-config: joining nodes (token or node identity) read the kubeadm-config ConfigMap. */
export function kubeadmConfigRbac(): KubeObject[] {
  return readOneObject('kube-system', 'kubeadm:nodes-kubeadm-config', 'configmaps', 'kubeadm-config', [
    group(NODE_BOOTSTRAP_TOKEN_GROUP),
    group(NODES_GROUP),
  ]);
}

/** upload-config kubelet: nodes read the cluster-wide kubelet configuration. */
export function kubeletConfigRbac(): KubeObject[] {
  return readOneObject('kube-system', 'kubeadm:kubelet-config', 'configmaps', 'kubelet-config', [
    group(NODES_GROUP),
    group(NODE_BOOTSTRAP_TOKEN_GROUP),
  ]);
}

/** upload-certs: a joining control-plane node reads the kubeadm-certs Secret with its bootstrap token. */
export function kubeadmCertsRbac(): KubeObject[] {
  return readOneObject('kube-system', 'kubeadm:kubeadm-certs', 'secrets', 'kubeadm-certs', [
    group(NODE_BOOTSTRAP_TOKEN_GROUP),
  ]);
}

const TAG = '[bootstrap-token]';

/**
 * The bootstrap-token phase's RBAC, after the token Secrets and before the cluster-info ConfigMap;
 * `kubeadm upgrade apply` repeats the same groups and lines.
 */
export function bootstrapTokenRbac(): RbacGroup[] {
  const tokens = (): Subject[] => [group(NODE_BOOTSTRAP_TOKEN_GROUP)];
  return [
    {
      // A joining node checks, with its token, that no Ready node already has its name.
      line: `${TAG} Configured RBAC rules to allow Node Bootstrap tokens to get nodes`,
      objects: [
        clusterRole('kubeadm:get-nodes', [{ apiGroups: [''], resources: ['nodes'], verbs: ['get'] }]),
        clusterRoleBinding('kubeadm:get-nodes', 'kubeadm:get-nodes', tokens()),
      ],
    },
    {
      line: `${TAG} Configured RBAC rules to allow Node Bootstrap tokens to post CSRs in order for nodes to get long term certificate credentials`,
      objects: [clusterRoleBinding('kubeadm:kubelet-bootstrap', 'system:node-bootstrapper', tokens())],
    },
    {
      line: `${TAG} Configured RBAC rules to allow the csrapprover controller automatically approve CSRs from a Node Bootstrap Token`,
      objects: [
        clusterRoleBinding(
          'kubeadm:node-autoapprove-bootstrap',
          'system:certificates.k8s.io:certificatesigningrequests:nodeclient',
          tokens(),
        ),
      ],
    },
    {
      line: `${TAG} Configured RBAC rules to allow certificate rotation for all node client certificates in the cluster`,
      objects: [
        clusterRoleBinding(
          'kubeadm:node-autoapprove-certificate-rotation',
          'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient',
          [group(NODES_GROUP)],
        ),
      ],
    },
  ];
}

/** After the cluster-info ConfigMap: anyone, unauthenticated, may read it (token discovery). */
export function clusterInfoRbac(): KubeObject[] {
  return readOneObject('kube-public', 'kubeadm:bootstrap-signer-clusterinfo', 'configmaps', 'cluster-info', [
    user('system:anonymous'),
  ]);
}
