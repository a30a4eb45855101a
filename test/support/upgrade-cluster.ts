// A cluster as `kbadm upgrade` finds it, seeded into an in-memory API server: kubeadm-config,
// kubelet-config and kube-proxy ConfigMaps, the control-plane mirror Pods, Ready Nodes with kubelet
// versions (control planes labelled and tainted as kubeadm marks them), and the kube-proxy DaemonSet
// and CoreDNS Deployment.
import type { KubeObject } from '../../src/cluster/types.js';
import type { MemoryCluster } from '../../src/cluster/memory.js';

export interface UpgradeClusterSeed {
  kubernetesVersion?: string;
  /** Control-plane nodes and the version their mirror Pods run. */
  controlPlanes?: { node: string; version: string; etcd?: string }[];
  /** Extra ClusterConfiguration YAML lines (e.g. an etcd block); `etcd.local` when none. */
  clusterConfigExtra?: string;
  /** Worker kubelets: [name, version]; control planes get a Node at their version too. */
  workers?: [string, string][];
  kubeProxy?: string | false;
  coreDNS?: string | false;
  kubeletConfigApiVersion?: string;
}

const configMap = (name: string, data: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'kube-system' },
  data,
});

/** A registered, Ready Node; a control plane carries kubeadm's role label and NoSchedule taint. */
export function nodeObject(name: string, kubeletVersion: string, controlPlane = false): KubeObject {
  const role = 'node-role.kubernetes.io/control-plane';
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: { 'kubernetes.io/hostname': name, ...(controlPlane ? { [role]: '' } : {}) },
    },
    ...(controlPlane ? { spec: { taints: [{ key: role, effect: 'NoSchedule' }] } } : {}),
    status: { nodeInfo: { kubeletVersion }, conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

function mirrorPod(component: string, node: string, image: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${component}-${node}`,
      namespace: 'kube-system',
      labels: { component, tier: 'control-plane' },
    },
    spec: { nodeName: node, containers: [{ name: component, image }] },
  };
}

function workload(kind: string, name: string, image: string): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind,
    metadata: { name, namespace: 'kube-system' },
    spec: { template: { spec: { containers: [{ name, image }] } } },
  };
}

export function seedUpgradeCluster(c: MemoryCluster, seed: UpgradeClusterSeed = {}): void {
  const version = seed.kubernetesVersion ?? 'v1.33.1';
  const cps = seed.controlPlanes ?? [{ node: 'cp-1', version }];
  const etcd = seed.clusterConfigExtra ?? 'etcd:\n  local:\n    dataDir: /var/lib/etcd\n';
  c.seed(
    configMap('kubeadm-config', {
      ClusterConfiguration:
        'apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\n' +
        `kubernetesVersion: ${version}\nclusterName: kubernetes\n${etcd}`,
    }),
  );
  c.seed(
    configMap('kubelet-config', {
      kubelet: `apiVersion: ${seed.kubeletConfigApiVersion ?? 'kubelet.config.k8s.io/v1beta1'}\nkind: KubeletConfiguration\n`,
    }),
  );
  if (seed.kubeProxy !== false) {
    c.seed(
      configMap('kube-proxy', {
        'config.conf': 'apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\n',
      }),
    );
    c.seed(workload('DaemonSet', 'kube-proxy', `registry.k8s.io/kube-proxy:${seed.kubeProxy ?? version}`));
  }
  if (seed.coreDNS !== false)
    c.seed(workload('Deployment', 'coredns', `registry.k8s.io/coredns/coredns:${seed.coreDNS ?? 'v1.12.0'}`));
  for (const cp of cps) {
    for (const component of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'])
      c.seed(mirrorPod(component, cp.node, `registry.k8s.io/${component}:${cp.version}`));
    c.seed(mirrorPod('etcd', cp.node, `registry.k8s.io/etcd:${cp.etcd ?? '3.5.21-0'}`));
    c.seed(nodeObject(cp.node, cp.version, true));
  }
  for (const [name, v] of seed.workers ?? []) c.seed(nodeObject(name, v));
}
