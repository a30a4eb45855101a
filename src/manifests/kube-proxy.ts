// The kube-proxy addon's objects, rendered from the configuration: the kube-proxy ConfigMap (its
// kubeconfig and KubeProxyConfiguration), the DaemonSet, its ServiceAccount and the RBAC objects
// that let kube-proxy run and let joining nodes read the ConfigMap.
import { COMPONENT_CONFIG_HASH_ANNOTATION, configMapChecksum } from './config-map-hash.js';
import type { KubeObject } from '../cluster/types.js';
import { defaultKubeProxyConfig } from '../config/component-configs.js';
import { formatDurationNs, parseDurationNs } from '../config/duration.js';
import { controlPlaneImage } from '../config/images.js';
import type { APIEndpoint, ClusterConfiguration, ComponentConfig } from '../config/model.js';
import { KUBEPROXY_CONFIG_API_VERSION } from '../config/model.js';
import { joinHostPort, parseHostPort } from '../config/net.js';
import { KbadmError } from '../errors.js';
import { dumpYaml } from '../output/yaml.js';
import { ADDON_NAMESPACE, type KubeProxyAddon } from './addon.js';
import { mergeEnv, proxyEnvVars } from './pod.js';

export const KUBE_PROXY = 'kube-proxy';
export const KUBE_PROXY_CONFIGMAP = 'kube-proxy';
export const KUBE_PROXY_CONFIG_KEY = 'config.conf';
export const KUBE_PROXY_KUBECONFIG_KEY = 'kubeconfig.conf';
export const KUBE_PROXY_SERVICE_ACCOUNT = 'kube-proxy';
export const KUBE_PROXY_CLUSTER_ROLE_BINDING = 'kubeadm:node-proxier';
export const KUBE_PROXY_CLUSTER_ROLE = 'system:node-proxier';
/** The Role and RoleBinding that let bootstrap tokens read the ConfigMap during join. */
export const KUBE_PROXY_CONFIGMAP_ROLE = 'kube-proxy';
export const NODE_BOOTSTRAP_TOKEN_GROUP = 'system:bootstrappers:kubeadm:default-node-token';
/** Set on the ConfigMap when kubeadm generated the KubeProxyConfiguration (not the user). */
export const KUBE_PROXY_APPLIED_MESSAGE = '[addons] Applied essential addon: kube-proxy';

const RBAC = 'rbac.authorization.k8s.io';
const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface KubeProxyInputs {
  cluster: ClusterConfiguration;
  /** This node's API endpoint: used when there is no controlPlaneEndpoint, and for its port. */
  localEndpoint: APIEndpoint;
  /** The KubeProxyConfiguration, the user's or kubeadm's; absent = generated. */
  componentConfig?: ComponentConfig;
  /** The environment, for the *_proxy variables the DaemonSet passes on. */
  env: Readonly<Record<string, string | undefined>>;
}

/**
 * The API server URL kube-proxy uses: `https://` + controlPlaneEndpoint (its port defaulting to
 * the bind port), so that an HA VIP or load balancer is used; else this node's
 * advertiseAddress:bindPort.
 */
export function kubeProxyServerURL(controlPlaneEndpoint: string, local: APIEndpoint): string {
  if (controlPlaneEndpoint === '') return `https://${joinHostPort(local.advertiseAddress, local.bindPort)}`;
  const hp = parseHostPort(controlPlaneEndpoint);
  if ('error' in hp) {
    throw new KbadmError(
      `ClusterConfiguration.controlPlaneEndpoint: ${JSON.stringify(controlPlaneEndpoint)}: ${hp.error}`,
    );
  }
  return `https://${joinHostPort(hp.host, hp.port ?? local.bindPort)}`;
}

/** The kubeconfig.conf value: the Pod's service account token and CA against `server`. */
export function kubeProxyKubeconfig(server: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- cluster:',
    `    certificate-authority: ${SA_DIR}/ca.crt`,
    `    server: ${server}`,
    '  name: default',
    'contexts:',
    '- context:',
    '    cluster: default',
    '    namespace: default',
    '    user: default',
    '  name: default',
    'current-context: default',
    'users:',
    '- name: default',
    '  user:',
    `    tokenFile: ${SA_DIR}/token`,
  ].join('\n');
}

type Obj = Record<string, unknown>;

const DURATION = Symbol('duration');
const OPTIONAL_DURATION = Symbol('optional duration');
type Field = Obj | typeof DURATION | typeof OPTIONAL_DURATION | string | number | boolean | null;

/**
 * kubeproxy.config.k8s.io/v1alpha1 as kubeadm marshals it (the same field set in 1.31-1.35):
 * every field without `omitempty` is written, with Go's zero value when unset (pointers and nil
 * slices as null, value durations as 0s). featureGates and windowsRunAsService are omitempty; the
 * logging struct is written with its own non-omitempty fields.
 */
const V1ALPHA1_FIELDS: Obj = {
  clientConnection: { kubeconfig: '', acceptContentTypes: '', contentType: '', qps: 0, burst: 0 },
  logging: {
    flushFrequency: 0,
    verbosity: 0,
    options: { text: { infoBufferSize: '0' }, json: { infoBufferSize: '0' } },
  },
  hostnameOverride: '',
  bindAddress: '',
  healthzBindAddress: '',
  metricsBindAddress: '',
  bindAddressHardFail: false,
  enableProfiling: false,
  showHiddenMetricsForVersion: '',
  mode: '',
  iptables: {
    masqueradeBit: null,
    masqueradeAll: false,
    localhostNodePorts: null,
    syncPeriod: DURATION,
    minSyncPeriod: DURATION,
  },
  ipvs: {
    syncPeriod: DURATION,
    minSyncPeriod: DURATION,
    scheduler: '',
    excludeCIDRs: null,
    strictARP: false,
    tcpTimeout: DURATION,
    tcpFinTimeout: DURATION,
    udpTimeout: DURATION,
  },
  nftables: { masqueradeBit: null, masqueradeAll: false, syncPeriod: DURATION, minSyncPeriod: DURATION },
  winkernel: {
    networkName: '',
    sourceVip: '',
    enableDSR: false,
    rootHnsEndpointName: '',
    forwardHealthCheckVip: false,
  },
  detectLocalMode: '',
  detectLocal: { bridgeInterface: '', interfaceNamePrefix: '' },
  clusterCIDR: '',
  nodePortAddresses: null,
  oomScoreAdj: null,
  conntrack: {
    maxPerCore: null,
    min: null,
    tcpEstablishedTimeout: OPTIONAL_DURATION,
    tcpCloseWaitTimeout: OPTIONAL_DURATION,
    tcpBeLiberal: false,
    udpTimeout: DURATION,
    udpStreamTimeout: DURATION,
  },
  configSyncPeriod: DURATION,
  portRange: '',
};

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A duration as Go prints a metav1.Duration (`1m` -> `1m0s`); anything unreadable as given. */
function goDuration(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const ns = parseDurationNs(v);
  return ns === undefined ? v : formatDurationNs(ns);
}

function fill(fields: Obj, given: Obj): Obj {
  const out: Obj = {};
  for (const [k, field] of Object.entries(fields) as [string, Field][]) {
    const v = given[k];
    const set = v !== undefined && v !== null;
    if (field === DURATION) out[k] = set ? goDuration(v) : '0s';
    else if (field === OPTIONAL_DURATION) out[k] = set ? goDuration(v) : null;
    else if (isObj(field)) out[k] = isObj(v) ? fill(field, v) : set ? v : fill(field, {});
    else out[k] = set ? v : field;
  }
  // The user's other fields (a newer API's, or inside logging) are kept as written.
  for (const [k, v] of Object.entries(given)) {
    if (!(k in fields) && v !== undefined && v !== null) out[k] = v;
  }
  return out;
}

/**
 * The stored KubeProxyConfiguration: the given settings over the full v1alpha1 field set, as
 * kubeadm writes it without kube-proxy's own defaulting.
 */
export function kubeProxyConfigDocument(config: Readonly<Obj>): Obj {
  const doc = fill(V1ALPHA1_FIELDS, config as Obj);
  doc.apiVersion = KUBEPROXY_CONFIG_API_VERSION;
  doc.kind = 'KubeProxyConfiguration';
  // omitempty: written only when set.
  for (const k of ['featureGates', 'windowsRunAsService'] as const) {
    const v = doc[k];
    if (v === false || (isObj(v) && Object.keys(v).length === 0)) delete doc[k];
  }
  return doc;
}

/**
 * kubeadm's component-config checksum: SHA-256 over the data values in key order, then the
 * binaryData values likewise. (A helper of its own here; the uploaded configs use the same rule.)
 */
function configMap(kubeconfig: string, config: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: KUBE_PROXY_CONFIGMAP, namespace: ADDON_NAMESPACE, labels: { app: KUBE_PROXY } },
    data: { [KUBE_PROXY_KUBECONFIG_KEY]: kubeconfig, [KUBE_PROXY_CONFIG_KEY]: config },
  };
}

function daemonSet(image: string, extraEnv: { name: string; value?: string }[]): KubeObject {
  const labels = () => ({ 'k8s-app': KUBE_PROXY });
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: KUBE_PROXY, namespace: ADDON_NAMESPACE, labels: labels() },
    spec: {
      selector: { matchLabels: labels() },
      updateStrategy: { type: 'RollingUpdate' },
      template: {
        metadata: { labels: labels() },
        spec: {
          priorityClassName: 'system-node-critical',
          containers: [
            {
              name: KUBE_PROXY,
              image,
              imagePullPolicy: 'IfNotPresent',
              command: [
                '/usr/local/bin/kube-proxy',
                `--config=/var/lib/kube-proxy/${KUBE_PROXY_CONFIG_KEY}`,
                '--hostname-override=$(NODE_NAME)',
              ],
              securityContext: { privileged: true },
              volumeMounts: [
                { mountPath: '/var/lib/kube-proxy', name: 'kube-proxy' },
                { mountPath: '/run/xtables.lock', name: 'xtables-lock', readOnly: false },
                { mountPath: '/lib/modules', name: 'lib-modules', readOnly: true },
              ],
              env: [
                { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
                ...extraEnv,
              ],
            },
          ],
          hostNetwork: true,
          serviceAccountName: KUBE_PROXY_SERVICE_ACCOUNT,
          volumes: [
            { name: 'kube-proxy', configMap: { name: KUBE_PROXY_CONFIGMAP } },
            { name: 'xtables-lock', hostPath: { path: '/run/xtables.lock', type: 'FileOrCreate' } },
            { name: 'lib-modules', hostPath: { path: '/lib/modules' } },
          ],
          tolerations: [{ operator: 'Exists' }],
          nodeSelector: { 'kubernetes.io/os': 'linux' },
        },
      },
    },
  };
}

function serviceAccount(): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: KUBE_PROXY_SERVICE_ACCOUNT, namespace: ADDON_NAMESPACE },
  };
}

function clusterRoleBinding(): KubeObject {
  return {
    apiVersion: `${RBAC}/v1`,
    kind: 'ClusterRoleBinding',
    metadata: { name: KUBE_PROXY_CLUSTER_ROLE_BINDING },
    roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: KUBE_PROXY_CLUSTER_ROLE },
    subjects: [{ kind: 'ServiceAccount', name: KUBE_PROXY_SERVICE_ACCOUNT, namespace: ADDON_NAMESPACE }],
  };
}

function role(): KubeObject {
  return {
    apiVersion: `${RBAC}/v1`,
    kind: 'Role',
    metadata: { name: KUBE_PROXY_CONFIGMAP_ROLE, namespace: ADDON_NAMESPACE },
    rules: [
      { apiGroups: [''], resources: ['configmaps'], resourceNames: [KUBE_PROXY_CONFIGMAP], verbs: ['get'] },
    ],
  };
}

function roleBinding(): KubeObject {
  return {
    apiVersion: `${RBAC}/v1`,
    kind: 'RoleBinding',
    metadata: { name: KUBE_PROXY_CONFIGMAP_ROLE, namespace: ADDON_NAMESPACE },
    roleRef: { apiGroup: RBAC, kind: 'Role', name: KUBE_PROXY_CONFIGMAP_ROLE },
    subjects: [{ kind: 'Group', name: NODE_BOOTSTRAP_TOKEN_GROUP }],
  };
}

/**
 * The kube-proxy addon. kubeadm's settings (bindAddress by the advertise address's family,
 * clusterCIDR = podSubnet, clientConnection.kubeconfig) fill what the user left out; a user value
 * that differs is kept and produces a warning.
 */
export function renderKubeProxy(inputs: KubeProxyInputs): KubeProxyAddon {
  const { cluster, localEndpoint } = inputs;
  const warnings: string[] = [];
  const given = inputs.componentConfig ?? { config: {}, userSupplied: false };
  const config = defaultKubeProxyConfig(given.config, cluster, localEndpoint, warnings);
  // Written as a `|-` block in kubeadm's template, so the value has no final newline.
  const configText = dumpYaml(kubeProxyConfigDocument(config)).replace(/\n+$/, '');
  const server = kubeProxyServerURL(cluster.controlPlaneEndpoint, localEndpoint);
  const image = controlPlaneImage('kube-proxy', cluster.imageRepository, cluster.kubernetesVersion);

  const cm = configMap(kubeProxyKubeconfig(server), configText);
  if (!given.userSupplied)
    cm.metadata.annotations = {
      [COMPONENT_CONFIG_HASH_ANNOTATION]: configMapChecksum(cm as Parameters<typeof configMapChecksum>[0]),
    };
  const ds = daemonSet(image, mergeEnv(proxyEnvVars(inputs.env)));
  const sa = serviceAccount();
  const crb = clusterRoleBinding();
  const r = role();
  const rb = roleBinding();
  return {
    name: 'kube-proxy',
    objects: [cm, ds, sa, crb, r, rb],
    manifestOrder: [sa, crb, r, rb, cm, ds],
    appliedMessage: KUBE_PROXY_APPLIED_MESSAGE,
    patchMessages: [],
    warnings,
  };
}
