// Reads what `upgrade plan` (and later apply) needs of the running cluster, through the API only:
// the ClusterConfiguration in kubeadm-config, the versions of the control-plane mirror Pods, of
// every kubelet (Nodes read page by page; only their names are kept), of etcd and of the addons.
import type { ClusterClient, KubeObject } from '../../cluster/types.js';
import type { ClusterConfigDocuments } from '../../config/from-cluster.js';
import { decodeConfig } from '../../config/load.js';
import type { ClusterConfiguration } from '../../config/model.js';
import { KbadmError } from '../../errors.js';
import { COREDNS, COREDNS_DEPLOYMENT } from '../../manifests/coredns.js';
import { KUBE_PROXY } from '../../manifests/kube-proxy.js';
import type { Output } from '../../output/output.js';
import {
  componentConfigStates,
  KubeletTally,
  tagOfImage,
  type ClusterVersions,
  type KubeletGroup,
  type NodeVersion,
} from '../../upgrade/cluster-state.js';
import { readClusterConfigDocuments } from '../cluster-config-read.js';

const NAMESPACE = 'kube-system';
/** Objects per list request: bounded pages, however large the cluster. */
export const UPGRADE_LIST_PAGE_SIZE = 500;

export type ControlPlaneComponentName =
  'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler' | 'etcd';

interface Container {
  name?: string;
  image?: string;
}

type PodLike = KubeObject & {
  spec?: { nodeName?: string; containers?: Container[]; template?: { spec?: { containers?: Container[] } } };
};

/** The named container's image tag, or the first container's when none has that name. */
function containerTag(containers: Container[] | undefined, name: string): string | undefined {
  const c = containers?.find((x) => x.name === name) ?? containers?.[0];
  return c?.image === undefined ? undefined : tagOfImage(c.image);
}

/** One entry per mirror Pod of the component (label component=<name>, tier=control-plane). */
export async function readStaticPodVersions(
  client: ClusterClient,
  component: ControlPlaneComponentName,
  pageSize = UPGRADE_LIST_PAGE_SIZE,
): Promise<NodeVersion[]> {
  const found: NodeVersion[] = [];
  const pods = client.list<PodLike>('v1', 'Pod', {
    namespace: NAMESPACE,
    labelSelector: `component=${component},tier=control-plane`,
    limit: pageSize,
  });
  for await (const pod of pods) {
    const version = containerTag(pod.spec?.containers, component);
    if (version !== undefined) found.push({ node: pod.spec?.nodeName ?? '', version });
  }
  return found;
}

/**
 * Kubelet versions from every Node's status.nodeInfo.kubeletVersion, grouped per version with the
 * nodes' names; a Node that reports no version yet is left out.
 */
export async function readKubeletVersions(
  client: ClusterClient,
  options: { pageSize?: number } = {},
): Promise<KubeletGroup[]> {
  const tally = new KubeletTally();
  const nodes = client.list<KubeObject & { status?: { nodeInfo?: { kubeletVersion?: string } } }>(
    'v1',
    'Node',
    { limit: options.pageSize ?? UPGRADE_LIST_PAGE_SIZE },
  );
  for await (const node of nodes) {
    const version = node.status?.nodeInfo?.kubeletVersion;
    if (version) tally.add(node.metadata.name, version);
  }
  return tally.groupsByVersion();
}

/** The image tag of an addon's workload container, or undefined when the workload does not exist. */
export async function readAddonVersion(
  client: ClusterClient,
  kind: 'Deployment' | 'DaemonSet',
  name: string,
  container: string,
): Promise<string | undefined> {
  const obj = await client.get<PodLike>({ apiVersion: 'apps/v1', kind, namespace: NAMESPACE, name });
  return obj === undefined ? undefined : containerTag(obj.spec?.template?.spec?.containers, container);
}

function apiVersionOf(yaml: string | undefined): string | undefined {
  return yaml === undefined ? undefined : /^apiVersion:\s*["']?([^\s"']+)/m.exec(yaml)?.[1];
}

export interface UpgradeClusterState {
  /** The stored ClusterConfiguration, statically defaulted. */
  cluster: ClusterConfiguration;
  versions: ClusterVersions;
  /** The ConfigMaps' documents as read. */
  documents: ClusterConfigDocuments;
}

/**
 * Everything `upgrade plan` shows. `prefix` is the progress tag of the configuration read
 * (`upgrade/config` for plan).
 */
export async function readUpgradeClusterState(
  client: ClusterClient,
  out: Output,
  options: { prefix?: string; pageSize?: number } = {},
): Promise<UpgradeClusterState> {
  const docs = await readClusterConfigDocuments(client, out, options.prefix ?? 'upgrade/config');
  const decoded = decodeConfig(docs.clusterConfiguration, { source: 'kubeadm-config' });
  for (const w of decoded.warnings) out.warn(w);
  const cluster = decoded.documents.cluster;
  if (!cluster) throw new KbadmError('the kubeadm-config ConfigMap holds no ClusterConfiguration');
  const pageSize = options.pageSize ?? UPGRADE_LIST_PAGE_SIZE;
  const externalEtcd = cluster.etcd.external !== undefined && cluster.etcd.local === undefined;
  const versions: ClusterVersions = {
    kubernetesVersion: cluster.kubernetesVersion,
    apiServer: await readStaticPodVersions(client, 'kube-apiserver', pageSize),
    controllerManager: await readStaticPodVersions(client, 'kube-controller-manager', pageSize),
    scheduler: await readStaticPodVersions(client, 'kube-scheduler', pageSize),
    etcd: externalEtcd ? [] : await readStaticPodVersions(client, 'etcd', pageSize),
    externalEtcd,
    kubelets: await readKubeletVersions(client, { pageSize }),
    configs: componentConfigStates(
      [apiVersionOf(docs.kubeProxy), apiVersionOf(docs.kubelet)].filter((a): a is string => a !== undefined),
    ),
  };
  const kubeProxy = await readAddonVersion(client, 'DaemonSet', KUBE_PROXY, KUBE_PROXY);
  if (kubeProxy !== undefined) versions.kubeProxy = kubeProxy;
  const coreDNS = await readAddonVersion(client, 'Deployment', COREDNS_DEPLOYMENT, COREDNS);
  if (coreDNS !== undefined) versions.coreDNS = coreDNS;
  return { cluster, versions, documents: docs };
}
