// The RBAC objects init creates, written out literally from the PKI sheet §10 and the manifests
// sheet §5, so that any drift in a name, subject, roleRef or rule shows here.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  bootstrapTokenRbac,
  clusterAdminsBinding,
  clusterInfoRbac,
  kubeadmCertsRbac,
  kubeadmConfigRbac,
  kubeletConfigRbac,
  serviceAccount,
} from '../../src/manifests/rbac.js';

const RBAC = 'rbac.authorization.k8s.io/v1';
const TOKENS = { kind: 'Group', name: 'system:bootstrappers:kubeadm:default-node-token' };
const NODES = { kind: 'Group', name: 'system:nodes' };

describe('RBAC objects', () => {
  test('kubeadm:cluster-admins', () => {
    assert.deepEqual(clusterAdminsBinding(), {
      apiVersion: RBAC,
      kind: 'ClusterRoleBinding',
      metadata: { name: 'kubeadm:cluster-admins' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ kind: 'Group', name: 'kubeadm:cluster-admins' }],
    });
  });

  test('kubeadm:nodes-kubeadm-config: tokens, then nodes', () => {
    assert.deepEqual(kubeadmConfigRbac(), [
      {
        apiVersion: RBAC,
        kind: 'Role',
        metadata: { name: 'kubeadm:nodes-kubeadm-config', namespace: 'kube-system' },
        rules: [
          { apiGroups: [''], resources: ['configmaps'], resourceNames: ['kubeadm-config'], verbs: ['get'] },
        ],
      },
      {
        apiVersion: RBAC,
        kind: 'RoleBinding',
        metadata: { name: 'kubeadm:nodes-kubeadm-config', namespace: 'kube-system' },
        roleRef: {
          apiGroup: 'rbac.authorization.k8s.io',
          kind: 'Role',
          name: 'kubeadm:nodes-kubeadm-config',
        },
        subjects: [TOKENS, NODES],
      },
    ]);
  });

  test('kubeadm:kubelet-config: nodes, then tokens', () => {
    assert.deepEqual(kubeletConfigRbac(), [
      {
        apiVersion: RBAC,
        kind: 'Role',
        metadata: { name: 'kubeadm:kubelet-config', namespace: 'kube-system' },
        rules: [
          { apiGroups: [''], resources: ['configmaps'], resourceNames: ['kubelet-config'], verbs: ['get'] },
        ],
      },
      {
        apiVersion: RBAC,
        kind: 'RoleBinding',
        metadata: { name: 'kubeadm:kubelet-config', namespace: 'kube-system' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'kubeadm:kubelet-config' },
        subjects: [NODES, TOKENS],
      },
    ]);
  });

  test('kubeadm:kubeadm-certs', () => {
    assert.deepEqual(kubeadmCertsRbac(), [
      {
        apiVersion: RBAC,
        kind: 'Role',
        metadata: { name: 'kubeadm:kubeadm-certs', namespace: 'kube-system' },
        rules: [
          { apiGroups: [''], resources: ['secrets'], resourceNames: ['kubeadm-certs'], verbs: ['get'] },
        ],
      },
      {
        apiVersion: RBAC,
        kind: 'RoleBinding',
        metadata: { name: 'kubeadm:kubeadm-certs', namespace: 'kube-system' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'kubeadm:kubeadm-certs' },
        subjects: [TOKENS],
      },
    ]);
  });

  test('bootstrap-token phase: four groups in order, each with its line', () => {
    assert.deepEqual(bootstrapTokenRbac(), [
      {
        line: '[bootstrap-token] Configured RBAC rules to allow Node Bootstrap tokens to get nodes',
        objects: [
          {
            apiVersion: RBAC,
            kind: 'ClusterRole',
            metadata: { name: 'kubeadm:get-nodes' },
            rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['get'] }],
          },
          {
            apiVersion: RBAC,
            kind: 'ClusterRoleBinding',
            metadata: { name: 'kubeadm:get-nodes' },
            roleRef: {
              apiGroup: 'rbac.authorization.k8s.io',
              kind: 'ClusterRole',
              name: 'kubeadm:get-nodes',
            },
            subjects: [TOKENS],
          },
        ],
      },
      {
        line: '[bootstrap-token] Configured RBAC rules to allow Node Bootstrap tokens to post CSRs in order for nodes to get long term certificate credentials',
        objects: [
          {
            apiVersion: RBAC,
            kind: 'ClusterRoleBinding',
            metadata: { name: 'kubeadm:kubelet-bootstrap' },
            roleRef: {
              apiGroup: 'rbac.authorization.k8s.io',
              kind: 'ClusterRole',
              name: 'system:node-bootstrapper',
            },
            subjects: [TOKENS],
          },
        ],
      },
      {
        line: '[bootstrap-token] Configured RBAC rules to allow the csrapprover controller automatically approve CSRs from a Node Bootstrap Token',
        objects: [
          {
            apiVersion: RBAC,
            kind: 'ClusterRoleBinding',
            metadata: { name: 'kubeadm:node-autoapprove-bootstrap' },
            roleRef: {
              apiGroup: 'rbac.authorization.k8s.io',
              kind: 'ClusterRole',
              name: 'system:certificates.k8s.io:certificatesigningrequests:nodeclient',
            },
            subjects: [TOKENS],
          },
        ],
      },
      {
        line: '[bootstrap-token] Configured RBAC rules to allow certificate rotation for all node client certificates in the cluster',
        objects: [
          {
            apiVersion: RBAC,
            kind: 'ClusterRoleBinding',
            metadata: { name: 'kubeadm:node-autoapprove-certificate-rotation' },
            roleRef: {
              apiGroup: 'rbac.authorization.k8s.io',
              kind: 'ClusterRole',
              name: 'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient',
            },
            subjects: [NODES],
          },
        ],
      },
    ]);
  });

  test('cluster-info: anonymous may get it in kube-public', () => {
    assert.deepEqual(clusterInfoRbac(), [
      {
        apiVersion: RBAC,
        kind: 'Role',
        metadata: { name: 'kubeadm:bootstrap-signer-clusterinfo', namespace: 'kube-public' },
        rules: [
          { apiGroups: [''], resources: ['configmaps'], resourceNames: ['cluster-info'], verbs: ['get'] },
        ],
      },
      {
        apiVersion: RBAC,
        kind: 'RoleBinding',
        metadata: { name: 'kubeadm:bootstrap-signer-clusterinfo', namespace: 'kube-public' },
        roleRef: {
          apiGroup: 'rbac.authorization.k8s.io',
          kind: 'Role',
          name: 'kubeadm:bootstrap-signer-clusterinfo',
        },
        subjects: [{ kind: 'User', name: 'system:anonymous' }],
      },
    ]);
  });

  test('a ServiceAccount subject carries its namespace', () => {
    assert.deepEqual(serviceAccount('kube-system', 'kube-proxy'), {
      kind: 'ServiceAccount',
      name: 'kube-proxy',
      namespace: 'kube-system',
    });
  });

  test('each call returns fresh objects: a caller changing one does not change the next', () => {
    const a = kubeadmCertsRbac();
    (a[1]!.subjects as unknown[]).push({ kind: 'Group', name: 'x' });
    assert.equal((kubeadmCertsRbac()[1]!.subjects as unknown[]).length, 1);
  });
});
