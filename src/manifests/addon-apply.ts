// Putting a rendered addon into the cluster, in kubeadm's request order. CoreDNS reads the
// cluster first (coreDNSState: the replica count and the Corefile in use), then the addon is
// rendered with that replica count, then applied with the state in hand:
//
//   const state = await coreDNSState(client);
//   const addon = renderCoreDNS({ cluster, replicas: coreDNSReplicas(state), patches });
//   await applyCoreDNS(client, addon, state, { timeoutMs });
import { createOrRetain, createOrUpdate, type RetryOptions } from '../cluster/idempotency.js';
import { isAlreadyExists, isInvalid, type ClusterClient, type KubeObject } from '../cluster/types.js';
import { errorMessage, KbadmError } from '../errors.js';
import { ADDON_NAMESPACE, type CoreDNSAddon, type KubeProxyAddon } from './addon.js';
import {
  COREDNS_CONFIGMAP,
  COREFILE_KEY,
  DEFAULT_COREDNS_REPLICAS,
  isDefaultCorefile,
  KUBE_DNS_SELECTOR,
} from './coredns.js';

/** What the cluster holds of the DNS addon before CoreDNS is applied. */
export interface CoreDNSState {
  /** Replicas of the one Deployment labelled k8s-app=kube-dns; absent when there is none. */
  replicas?: number;
  /** The Corefile of the coredns ConfigMap; absent when there is no ConfigMap. */
  corefile?: string;
  /** The image tag of the installed DNS Deployment, read when the ConfigMap exists ('' = none). */
  installedVersion?: string;
}

export type CorefileOutcome = 'written' | 'kept';

interface DeploymentLike extends KubeObject {
  spec?: { replicas?: number; template?: { spec?: { containers?: { image?: string }[] } } };
}

async function dnsDeployments(client: ClusterClient): Promise<DeploymentLike[]> {
  const found: DeploymentLike[] = [];
  try {
    for await (const d of client.list<DeploymentLike>('apps/v1', 'Deployment', {
      namespace: ADDON_NAMESPACE,
      labelSelector: KUBE_DNS_SELECTOR,
    })) {
      found.push(d);
    }
  } catch (err) {
    throw new KbadmError(`couldn't retrieve DNS addon deployments: ${errorMessage(err)}`, { cause: err });
  }
  if (found.length > 1) {
    const names = found.map((d) => `${d.metadata.namespace ?? ''}/${d.metadata.name}`);
    throw new KbadmError(`multiple DNS addon deployments found: [${names.join(' ')}]`);
  }
  return found;
}

/**
 * Reads what the CoreDNS apply depends on, with kubeadm's requests: LIST the kube-dns
 * Deployments (more than one is an error), GET the coredns ConfigMap, and when it exists LIST
 * the Deployments again for the installed version.
 */
export async function coreDNSState(client: ClusterClient): Promise<CoreDNSState> {
  const state: CoreDNSState = {};
  const replicas = (await dnsDeployments(client))[0]?.spec?.replicas;
  if (typeof replicas === 'number') state.replicas = replicas;

  const fetching = 'unable to fetch CoreDNS current installed version and ConfigMap.';
  let cm: KubeObject | undefined;
  try {
    cm = await client.get({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace: ADDON_NAMESPACE,
      name: COREDNS_CONFIGMAP,
    });
  } catch (err) {
    throw new KbadmError(`${fetching}: ${errorMessage(err)}`, { cause: err });
  }
  if (cm === undefined) return state;
  const corefile = (cm.data as Record<string, string> | undefined)?.[COREFILE_KEY];
  if (corefile === undefined) throw new KbadmError(`${fetching}: unable to find the CoreDNS Corefile data`);
  state.corefile = corefile;
  let installed: DeploymentLike[];
  try {
    installed = await dnsDeployments(client);
  } catch (err) {
    throw new KbadmError(`${fetching}: ${errorMessage(err)}`, { cause: err });
  }
  const image = installed[0]?.spec?.template?.spec?.containers?.[0]?.image ?? '';
  state.installedVersion = image === '' ? '' : image.slice(image.lastIndexOf(':') + 1);
  return state;
}

/** The replica count to render: the existing Deployment's, else kubeadm's default of 2. */
export function coreDNSReplicas(state: CoreDNSState): number {
  return state.replicas ?? DEFAULT_COREDNS_REPLICAS;
}

/**
 * The kube-dns Service: POST, and PUT when it exists or is refused as invalid (its cluster IP is
 * then usually taken by the existing Service). No retries, as in kubeadm.
 */
async function createDNSService(client: ClusterClient, svc: KubeObject): Promise<void> {
  try {
    await client.create(svc);
    return;
  } catch (err) {
    if (!isAlreadyExists(err) && !isInvalid(err)) {
      throw new KbadmError(`unable to create a new DNS service: ${errorMessage(err)}`, { cause: err });
    }
  }
  try {
    await client.update(svc);
  } catch (err) {
    throw new KbadmError(`unable to create/update the DNS service: ${errorMessage(err)}`, { cause: err });
  }
}

/**
 * Applies CoreDNS in the addon's order. The ConfigMap gets the new default Corefile when there is
 * none or the one in place is a kubeadm default; a Corefile the user changed is kept as it is
 * (kubeadm would also try CoreDNS's migration library on it for plugins the new release drops;
 * kbadm does not migrate Corefiles).
 */
export async function applyCoreDNS(
  client: ClusterClient,
  addon: CoreDNSAddon,
  state: CoreDNSState,
  opts: RetryOptions,
): Promise<{ corefile: CorefileOutcome }> {
  const keep = state.corefile !== undefined && !isDefaultCorefile(state.corefile, addon.defaultCorefiles);
  for (const obj of addon.objects) {
    if (obj.kind === 'ConfigMap' && keep) await createOrRetain(client, obj, opts);
    else if (obj.kind === 'Service') await createDNSService(client, obj);
    else await createOrUpdate(client, obj, opts);
  }
  return { corefile: keep ? 'kept' : 'written' };
}

/** Applies kube-proxy: create-or-update of every object, in the addon's order. */
export async function applyKubeProxy(
  client: ClusterClient,
  addon: KubeProxyAddon,
  opts: RetryOptions,
): Promise<void> {
  for (const obj of addon.objects) await createOrUpdate(client, obj, opts);
}
