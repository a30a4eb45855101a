// This node's InitConfig as the cluster knows it, for the day-two commands that run on a node that
// init or join set up (upgrade, and later reset and certs): the cluster's stored configuration,
// the node's name from its kubelet's client certificate, its CRI socket and taints from its Node
// object (or instance-config.yaml), and for a control-plane node the API endpoint its kube-apiserver
// mirror Pod announces. kubeadm's FetchInitConfigurationFromCluster, read in the same order.
import * as path from 'node:path';
import { parse } from 'yaml';
import { parseCertificatePem } from '../certs/x509.js';
import type { ClusterClient, KubeObject } from '../cluster/types.js';
import { nodeConfigText } from '../config/from-cluster.js';
import type { InitConfig } from '../config/model.js';
import { resolveInitConfig } from '../config/resolve.js';
import { errorMessage, KbadmError } from '../errors.js';
import type { HostFacts } from '../host/host.js';
import type { Host } from '../host/host.js';
import type { Paths } from '../host/paths.js';
import { currentUser, parseKubeconfig } from '../kubeconfig/kubeconfig.js';
import { CRI_SOCKET_ANNOTATION } from '../manifests/cri-socket.js';
import { KUBELET_INSTANCE_CONFIG_FILE } from '../manifests/kubelet.js';
import type { Output } from '../output/output.js';
import { readClusterConfigDocuments } from './cluster-config-read.js';

const NODE_PREFIX = 'system:node:';
export const APISERVER_ENDPOINT_ANNOTATION =
  'kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint';

export interface NodeConfigInput {
  client: ClusterClient;
  host: Host;
  paths: Paths;
  out: Output;
  /** The progress tag of the reading command (upgrade/config, upgrade, reset...). */
  prefix: string;
  /** Read this node's API endpoint too (a control-plane node). */
  controlPlane: boolean;
  /** The host's facts: the hostname when kubelet.conf names no node, and dynamic defaults. */
  facts: HostFacts & { criSocketsPresent: string[] };
}

/** The node name in kubelet.conf's client certificate (`system:node:<name>`), if there is one. */
export async function nodeNameFromKubeletConf(host: Host, paths: Paths): Promise<string | undefined> {
  const file = path.join(paths.kubernetesDir, 'kubelet.conf');
  const bytes = await host.readFileIfExists(file);
  if (bytes === undefined) return undefined;
  const user = currentUser(parseKubeconfig(bytes.toString('utf8'), paths.onHost(file)));
  let pem: string | undefined;
  const data = user?.user['client-certificate-data'];
  const ref = user?.user['client-certificate'];
  if (typeof data === 'string' && data !== '') pem = Buffer.from(data, 'base64').toString('utf8');
  else if (typeof ref === 'string' && ref !== '') {
    const at = path.isAbsolute(ref) ? paths.under(ref) : path.join(paths.kubernetesDir, ref);
    pem = (await host.readFileIfExists(at))?.toString('utf8');
  }
  if (pem === undefined) return undefined;
  const cn = (await parseCertificatePem(pem)).subject.commonName;
  return cn.startsWith(NODE_PREFIX) ? cn.slice(NODE_PREFIX.length) : undefined;
}

/** `host:port` of the annotation, split; undefined when it is not one. */
function splitEndpoint(endpoint: string): { advertiseAddress: string; bindPort: number } | undefined {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(endpoint);
  if (!m) return undefined;
  return { advertiseAddress: m[1]!, bindPort: Number(m[2]) };
}

async function apiEndpointOf(client: ClusterClient, nodeName: string) {
  for await (const pod of client.list('v1', 'Pod', {
    namespace: 'kube-system',
    labelSelector: 'component=kube-apiserver,tier=control-plane',
    fieldSelector: `spec.nodeName=${nodeName}`,
  })) {
    const value = pod.metadata.annotations?.[APISERVER_ENDPOINT_ANNOTATION];
    const endpoint = value === undefined ? undefined : splitEndpoint(value);
    if (endpoint) return endpoint;
  }
  throw new KbadmError(
    `failed to get the API endpoint of node "${nodeName}": no kube-apiserver Pod of that node carries the ${APISERVER_ENDPOINT_ANNOTATION} annotation`,
  );
}

interface NodeSpec {
  taints?: unknown[];
}

export async function initConfigFromCluster(i: NodeConfigInput): Promise<InitConfig> {
  const docs = await readClusterConfigDocuments(i.client, i.out, i.prefix);
  const name = (await nodeNameFromKubeletConf(i.host, i.paths)) ?? i.facts.hostname.toLowerCase();
  let node: KubeObject | undefined;
  try {
    node = await i.client.get({ apiVersion: 'v1', kind: 'Node', name });
  } catch (err) {
    throw new KbadmError(`failed to get corresponding node: ${errorMessage(err)}`, { cause: err });
  }
  if (node === undefined) throw new KbadmError(`failed to get corresponding node: nodes "${name}" not found`);
  const nodeRegistration: Record<string, unknown> = {
    name,
    taints: (node.spec as NodeSpec | undefined)?.taints ?? [],
  };
  const instance = await i.host.readFileIfExists(path.join(i.paths.kubeletDir, KUBELET_INSTANCE_CONFIG_FILE));
  const fromInstance = instance
    ? (parse(instance.toString('utf8')) as { containerRuntimeEndpoint?: string } | null)
        ?.containerRuntimeEndpoint
    : undefined;
  const criSocket = fromInstance ?? node.metadata.annotations?.[CRI_SOCKET_ANNOTATION];
  if (criSocket) nodeRegistration.criSocket = criSocket;
  const localAPIEndpoint = i.controlPlane ? await apiEndpointOf(i.client, name) : undefined;
  const r = resolveInitConfig({
    configText: nodeConfigText(docs, { nodeRegistration, ...(localAPIEndpoint ? { localAPIEndpoint } : {}) }),
    source: 'the cluster configuration',
    flags: {},
    // A worker serves no API: its advertise address is never used, so no default route is needed.
    facts:
      i.controlPlane || i.facts.defaultRouteAddress !== undefined
        ? i.facts
        : { ...i.facts, defaultRouteAddress: '127.0.0.1' },
  });
  for (const w of r.warnings) i.out.warn(w);
  return r.config;
}
