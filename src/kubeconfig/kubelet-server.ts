// Which API server the kubelet of a control-plane node talks to. With ControlPlaneKubeletLocalMode
// on, kubelet.conf names the node's own API server, so the kubelet keeps working while a load
// balancer in front of the control plane does not; upgrades move older files over (and back when
// the gate is turned off). A file someone pointed elsewhere on purpose is left alone.
import { KbadmError } from '../errors.js';
import { currentContext, type KubeConfig } from './kubeconfig.js';

export interface KubeletEndpoints {
  /** controlPlaneEndpoint as a URL (the local endpoint when none is set). */
  controlPlane: string;
  /** https://<advertiseAddress>:<bindPort>. */
  local: string;
  localMode: boolean;
}

export interface KubeletServerChange {
  cluster: string;
  from: string;
  to: string;
}

/**
 * The server change kubelet.conf needs, or undefined when it needs none. `source` names the file in
 * errors.
 */
export function kubeletServerChange(
  cfg: KubeConfig,
  endpoints: KubeletEndpoints,
  source: string,
): KubeletServerChange | undefined {
  const context = currentContext(cfg);
  if (!context)
    throw new KbadmError(`${source}: its current context "${cfg['current-context']}" is not in the file`);
  const name = context.context.cluster;
  const cluster = cfg.clusters.find((c) => c.name === name);
  if (!cluster)
    throw new KbadmError(`${source}: the cluster "${name}" of its current context is not in the file`);
  const from = cluster.cluster.server;
  const [expected, to] = endpoints.localMode
    ? [endpoints.controlPlane, endpoints.local]
    : [endpoints.local, endpoints.controlPlane];
  if (from !== expected || from === to) return undefined;
  return { cluster: name, from, to };
}

/** The kubeconfig with the change applied; everything else as it was. */
export function withServer(cfg: KubeConfig, change: KubeletServerChange): KubeConfig {
  return {
    ...cfg,
    clusters: cfg.clusters.map((c) =>
      c.name === change.cluster ? { ...c, cluster: { ...c.cluster, server: change.to } } : c,
    ),
  };
}
