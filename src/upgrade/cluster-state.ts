// What an upgrade needs to know of the running cluster, as plain values: the versions of the
// control-plane components per node, of the kubelets (grouped per version, every node named, as
// kubeadm's plan lists them), of etcd and the addons, and of the component configurations.

/** One static Pod instance: the node it runs on and the version its image tag names. */
export interface NodeVersion {
  node: string;
  version: string;
}

/** The nodes whose kubelet reports one version. */
export interface KubeletGroup {
  version: string;
  /** Node names in the order read. */
  nodes: string[];
}

export interface ComponentConfigState {
  /** API group, e.g. kubelet.config.k8s.io. */
  group: string;
  /** The version stored in the cluster; '' when the cluster holds no such configuration. */
  currentVersion: string;
  /** The version kbadm reads and writes. */
  preferredVersion: string;
  /** The stored version is one kbadm cannot convert. */
  manualUpgradeRequired: boolean;
}

export interface ClusterVersions {
  /** ClusterConfiguration.kubernetesVersion from kubeadm-config. */
  kubernetesVersion: string;
  apiServer: NodeVersion[];
  controllerManager: NodeVersion[];
  scheduler: NodeVersion[];
  /** Local etcd members' image tags; empty for external etcd. */
  etcd: NodeVersion[];
  externalEtcd: boolean;
  kubelets: KubeletGroup[];
  /** The kube-proxy DaemonSet's image tag, when the DaemonSet exists. */
  kubeProxy?: string;
  /** The CoreDNS Deployment's image tag, when the Deployment exists. */
  coreDNS?: string;
  configs: ComponentConfigState[];
}

/**
 * Groups kubelet versions node by node. Only names are kept (not the Node objects), so a cluster
 * of thousands of nodes costs one string per node.
 */
export class KubeletTally {
  private readonly groups = new Map<string, KubeletGroup>();
  private total = 0;

  add(node: string, version: string): void {
    this.total++;
    let g = this.groups.get(version);
    if (!g) this.groups.set(version, (g = { version, nodes: [] }));
    g.nodes.push(node);
  }

  /** Groups sorted by version text, as kubeadm sorts its map keys. */
  groupsByVersion(): KubeletGroup[] {
    return [...this.groups.values()].sort((a, b) =>
      a.version < b.version ? -1 : a.version > b.version ? 1 : 0,
    );
  }

  get nodes(): number {
    return this.total;
  }
}

/**
 * The tag of an image reference (`registry:5000/etcd:3.5.21-0@sha256:...` → `3.5.21-0`), or
 * undefined when it has none. A registry's port is not a tag.
 */
export function tagOfImage(image: string): string | undefined {
  const name = image.split('@')[0]!;
  const colon = name.lastIndexOf(':');
  if (colon < 0 || name.indexOf('/', colon) >= 0) return undefined;
  const tag = name.slice(colon + 1);
  return tag === '' ? undefined : tag;
}

/** Sorted as kubeadm prints per-node versions: by version text, nodes in the order read. */
export function sortNodeVersions(list: readonly NodeVersion[]): NodeVersion[] {
  return list
    .map((nv, i) => ({ nv, i }))
    .sort((a, b) => (a.nv.version < b.nv.version ? -1 : a.nv.version > b.nv.version ? 1 : a.i - b.i))
    .map(({ nv }) => nv);
}

/** The component configurations kbadm knows, in kubeadm's order, with the version it prefers. */
export const KNOWN_COMPONENT_CONFIGS: readonly { group: string; version: string }[] = [
  { group: 'kubeproxy.config.k8s.io', version: 'v1alpha1' },
  { group: 'kubelet.config.k8s.io', version: 'v1beta1' },
];

/**
 * The state of each known component configuration from the apiVersions found in the cluster
 * (`kubelet.config.k8s.io/v1beta1`); a group without one is reported with no current version.
 */
export function componentConfigStates(apiVersions: readonly string[]): ComponentConfigState[] {
  return KNOWN_COMPONENT_CONFIGS.map(({ group, version }) => {
    const found = apiVersions.find((a) => a.startsWith(`${group}/`));
    const current = found ? found.slice(group.length + 1) : '';
    return {
      group,
      currentVersion: current,
      preferredVersion: version,
      manualUpgradeRequired: current !== '' && current !== version,
    };
  });
}
