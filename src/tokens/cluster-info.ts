// The kube-public/cluster-info ConfigMap: what a joining node may read without credentials. Its
// `kubeconfig` names the API server and its CA and nothing else; the bootstrap signer adds one
// `jws-kubeconfig-<id>` signature per signing token, which the node checks with its token.
import type { KubeObject } from '../cluster/types.js';
import { KbadmError } from '../errors.js';
import { currentCluster, type KubeConfig, type NamedCluster } from '../kubeconfig/kubeconfig.js';
import { dumpYaml } from '../output/yaml.js';

export const CLUSTER_INFO_NAME = 'cluster-info';
export const CLUSTER_INFO_NAMESPACE = 'kube-public';
export const CLUSTER_INFO_KUBECONFIG_KEY = 'kubeconfig';
/** Prefix of the signature keys the bootstrap signer writes, followed by the token ID. */
export const JWS_SIGNATURE_KEY_PREFIX = 'jws-kubeconfig-';

export interface ClusterInfoOptions {
  /**
   * The CA PEM when admin.conf points at a CA file instead of embedding it; the caller reads the
   * file, so that this module stays pure. cluster-info always carries the CA inline.
   */
  certificateAuthorityPem?: string;
}

/**
 * The kubeconfig text of cluster-info: admin.conf's current cluster under the empty name, with the
 * CA embedded, no contexts or users, in the layout clientcmd writes (sorted keys, `preferences: {}`,
 * null lists), so that the bytes the signer signs are the ones kubeadm would have stored.
 */
export function clusterInfoKubeconfig(adminConf: KubeConfig, o: ClusterInfoOptions = {}): string {
  const found = currentCluster(adminConf);
  if (!found) throw new KbadmError('failed to find the current context cluster in the admin kubeconfig');
  const cluster: NamedCluster['cluster'] = { ...found.cluster };
  if (!cluster['certificate-authority-data']) {
    if (o.certificateAuthorityPem === undefined || o.certificateAuthorityPem === '') {
      throw new KbadmError(
        'the admin kubeconfig cluster has no certificate authority data to put into cluster-info',
      );
    }
    cluster['certificate-authority-data'] = Buffer.from(o.certificateAuthorityPem, 'utf8').toString('base64');
  }
  delete cluster['certificate-authority'];
  return dumpYaml({
    apiVersion: 'v1',
    clusters: [{ cluster, name: '' }],
    contexts: null,
    'current-context': '',
    kind: 'Config',
    preferences: {},
    users: null,
  });
}

export interface ConfigMap extends KubeObject {
  apiVersion: 'v1';
  kind: 'ConfigMap';
  data: Record<string, string>;
}

/** The cluster-info ConfigMap holding a kubeconfig from clusterInfoKubeconfig. */
export function clusterInfoConfigMap(kubeconfig: string): ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: CLUSTER_INFO_NAME, namespace: CLUSTER_INFO_NAMESPACE },
    data: { [CLUSTER_INFO_KUBECONFIG_KEY]: kubeconfig },
  };
}
