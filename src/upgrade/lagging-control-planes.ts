// Which control-plane nodes still run an older kube-apiserver than this one: the addons (CoreDNS,
// kube-proxy) move to a new version only once none does, so that no old API server is left
// serving next to addons made for the new one. Decided, as kubeadm does, by comparing the image
// of each node's kube-apiserver mirror Pod with this node's, after this node was upgraded.
import { KbadmError } from '../errors.js';

/** One kube-apiserver mirror Pod: its node and its kube-apiserver container's image. */
export interface ApiServerInstance {
  pod: string;
  node: string;
  /** Undefined when the Pod has no container named kube-apiserver. */
  image: string | undefined;
}

export const KUBE_APISERVER_SELECTOR = 'component=kube-apiserver';

/** The nodes (sorted) whose kube-apiserver image differs from `self`'s. */
export function laggingControlPlanes(instances: readonly ApiServerInstance[], self: string): string[] {
  if (instances.length === 0)
    throw new KbadmError(`cannot find kube-apiserver Pod by label selector: ${KUBE_APISERVER_SELECTOR}`);
  const images = new Map<string, string>();
  for (const i of instances) {
    if (i.image === undefined)
      throw new KbadmError(`cannot find container by name "kube-apiserver" for Pod kube-system/${i.pod}`);
    images.set(i.node, i.image);
  }
  const own = images.get(self);
  if (own === undefined)
    throw new KbadmError(`cannot find kube-apiserver image for current control plane instance ${self}`);
  return [...images]
    .filter(([, image]) => image !== own)
    .map(([node]) => node)
    .sort();
}
