// The CoreDNS addon's objects, rendered from the configuration: ConfigMap (Corefile),
// ClusterRole, ClusterRoleBinding, ServiceAccount, Deployment and the kube-dns Service.
import type { KubeObject } from '../cluster/types.js';
import { coreDNSImage } from '../config/images.js';
import type { ClusterConfiguration } from '../config/model.js';
import { formatIP, nthIP, parseCIDRList } from '../config/net.js';
import { KbadmError } from '../errors.js';
import type { Json } from '../patches/json-patch.js';
import { applyPatches, type PatchSet } from '../patches/patches.js';
import { ADDON_NAMESPACE, type CoreDNSAddon } from './addon.js';

export const COREDNS = 'coredns';
export const COREDNS_CONFIGMAP = 'coredns';
export const COREDNS_DEPLOYMENT = 'coredns';
export const COREDNS_SERVICE_ACCOUNT = 'coredns';
export const COREDNS_CLUSTER_ROLE = 'system:coredns';
export const KUBE_DNS_SERVICE = 'kube-dns';
export const KUBE_DNS_LABEL = 'k8s-app';
export const KUBE_DNS_LABEL_VALUE = 'kube-dns';
/** The label selector that finds the DNS Deployment (CoreDNS or the old kube-dns). */
export const KUBE_DNS_SELECTOR = `${KUBE_DNS_LABEL}=${KUBE_DNS_LABEL_VALUE}`;
/** Replicas of a new DNS Deployment, and always for --print-manifest. */
export const DEFAULT_COREDNS_REPLICAS = 2;
export const COREFILE_KEY = 'Corefile';
export const CONTROL_PLANE_TAINT_KEY = 'node-role.kubernetes.io/control-plane';
export const COREDNS_APPLIED_MESSAGE = '[addons] Applied essential addon: CoreDNS';

const RBAC = 'rbac.authorization.k8s.io';

export interface CoreDNSInputs {
  cluster: Pick<ClusterConfiguration, 'imageRepository' | 'dns' | 'networking'>;
  /** From coreDNSReplicas(state) for an apply; DEFAULT_COREDNS_REPLICAS for --print-manifest. */
  replicas: number;
  /** The configured patches; those for `corednsdeployment` are applied to the Deployment. */
  patches?: readonly PatchSet[];
}

/**
 * The Corefile kubeadm writes. The cache block that keeps cluster-domain answers out of the cache
 * is there since 1.32 and only with a domain; `legacyCache` gives the older bare `cache 30`.
 */
export function coreDNSCorefile(dnsDomain: string, opts: { legacyCache?: boolean } = {}): string {
  // Plugin blocks open at 4 spaces and indent their lines by 3 more, as in kubeadm's template.
  const block = (head: string, body: string[]) => [
    `    ${head} {`,
    ...body.map((l) => `       ${l}`),
    '    }',
  ];
  const cache =
    dnsDomain === '' || opts.legacyCache
      ? ['    cache 30']
      : block('cache 30', [`disable success ${dnsDomain}`, `disable denial ${dnsDomain}`]);
  return [
    '.:53 {',
    '    errors',
    ...block('health', ['lameduck 5s']),
    '    ready',
    ...block(`kubernetes ${dnsDomain} in-addr.arpa ip6.arpa`, [
      'pods insecure',
      'fallthrough in-addr.arpa ip6.arpa',
      'ttl 30',
    ]),
    '    prometheus :9153',
    ...block('forward . /etc/resolv.conf', ['max_concurrent 1000']),
    ...cache,
    '    loop',
    '    reload',
    '    loadbalance',
    '}',
    '',
  ].join('\n');
}

/**
 * The Corefiles that count as kubeadm's own: the current and the pre-1.32 default, for the
 * configured domain and for cluster.local (an unchanged default from before a domain change).
 */
export function defaultCorefiles(dnsDomain: string): string[] {
  const domains = [...new Set([dnsDomain, 'cluster.local'])];
  return domains.flatMap((d) => [coreDNSCorefile(d), coreDNSCorefile(d, { legacyCache: true })]);
}

/**
 * Whether a Corefile is one of `defaults`, ignoring indentation and blank lines. kubeadm asks
 * CoreDNS's migration library, which knows every release's default; this compares with the
 * defaults kbadm itself writes, so a default with reordered plugins counts as the user's.
 */
export function isDefaultCorefile(corefile: string, defaults: readonly string[]): boolean {
  const norm = (s: string) =>
    s
      .split('\n')
      .map((l) => l.trim().replace(/\s+/g, ' '))
      .filter((l) => l !== '')
      .join('\n');
  const given = norm(corefile);
  return defaults.some((d) => norm(d) === given);
}

/** The 10th address of the first service subnet: the cluster DNS Service's IP. */
export function dnsServiceIP(serviceSubnet: string): string {
  const first = parseCIDRList(serviceSubnet)?.[0];
  const ip = first ? nthIP(first, 10) : undefined;
  if (!ip) {
    throw new KbadmError(
      `ClusterConfiguration.networking.serviceSubnet: ${JSON.stringify(serviceSubnet)}: unable to get the DNS Service IP (the 10th address) from the service subnet`,
    );
  }
  return formatIP(ip);
}

const kubeDNSLabels = () => ({ [KUBE_DNS_LABEL]: KUBE_DNS_LABEL_VALUE });

function configMap(dnsDomain: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: COREDNS_CONFIGMAP, namespace: ADDON_NAMESPACE },
    data: { [COREFILE_KEY]: coreDNSCorefile(dnsDomain) },
  };
}

function clusterRole(): KubeObject {
  return {
    apiVersion: `${RBAC}/v1`,
    kind: 'ClusterRole',
    metadata: { name: COREDNS_CLUSTER_ROLE },
    rules: [
      {
        apiGroups: [''],
        resources: ['endpoints', 'services', 'pods', 'namespaces'],
        verbs: ['list', 'watch'],
      },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
    ],
  };
}

function clusterRoleBinding(): KubeObject {
  return {
    apiVersion: `${RBAC}/v1`,
    kind: 'ClusterRoleBinding',
    metadata: { name: COREDNS_CLUSTER_ROLE },
    roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: COREDNS_CLUSTER_ROLE },
    subjects: [{ kind: 'ServiceAccount', name: COREDNS_SERVICE_ACCOUNT, namespace: ADDON_NAMESPACE }],
  };
}

function serviceAccount(): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: COREDNS_SERVICE_ACCOUNT, namespace: ADDON_NAMESPACE },
  };
}

function deployment(image: string, replicas: number): KubeObject {
  const port = (name: string, containerPort: number, protocol: string) => ({ containerPort, name, protocol });
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: COREDNS_DEPLOYMENT, namespace: ADDON_NAMESPACE, labels: kubeDNSLabels() },
    spec: {
      replicas,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
      selector: { matchLabels: kubeDNSLabels() },
      template: {
        metadata: { labels: kubeDNSLabels() },
        spec: {
          priorityClassName: 'system-cluster-critical',
          serviceAccountName: COREDNS_SERVICE_ACCOUNT,
          affinity: {
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                {
                  weight: 100,
                  podAffinityTerm: {
                    labelSelector: {
                      matchExpressions: [
                        { key: KUBE_DNS_LABEL, operator: 'In', values: [KUBE_DNS_LABEL_VALUE] },
                      ],
                    },
                    topologyKey: 'kubernetes.io/hostname',
                  },
                },
              ],
            },
          },
          tolerations: [
            { key: 'CriticalAddonsOnly', operator: 'Exists' },
            { key: CONTROL_PLANE_TAINT_KEY, effect: 'NoSchedule' },
          ],
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          containers: [
            {
              name: COREDNS,
              image,
              imagePullPolicy: 'IfNotPresent',
              resources: { limits: { memory: '170Mi' }, requests: { cpu: '100m', memory: '70Mi' } },
              args: ['-conf', '/etc/coredns/Corefile'],
              volumeMounts: [{ name: 'config-volume', mountPath: '/etc/coredns', readOnly: true }],
              ports: [
                port('dns', 53, 'UDP'),
                port('dns-tcp', 53, 'TCP'),
                port('metrics', 9153, 'TCP'),
                port('liveness-probe', 8080, 'TCP'),
                port('readiness-probe', 8181, 'TCP'),
              ],
              securityContext: {
                allowPrivilegeEscalation: false,
                capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] },
                readOnlyRootFilesystem: true,
              },
              livenessProbe: {
                httpGet: { path: '/health', port: 'liveness-probe', scheme: 'HTTP' },
                initialDelaySeconds: 60,
                timeoutSeconds: 5,
                successThreshold: 1,
                failureThreshold: 5,
              },
              readinessProbe: { httpGet: { path: '/ready', port: 'readiness-probe', scheme: 'HTTP' } },
            },
          ],
          dnsPolicy: 'Default',
          volumes: [
            {
              name: 'config-volume',
              configMap: { name: COREDNS_CONFIGMAP, items: [{ key: COREFILE_KEY, path: COREFILE_KEY }] },
            },
          ],
        },
      },
    },
  };
}

function service(clusterIP: string): KubeObject {
  const port = (name: string, p: number, protocol: string) => ({ name, port: p, protocol, targetPort: p });
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: KUBE_DNS_SERVICE,
      namespace: ADDON_NAMESPACE,
      labels: {
        ...kubeDNSLabels(),
        'kubernetes.io/cluster-service': 'true',
        'kubernetes.io/name': 'CoreDNS',
      },
      annotations: { 'prometheus.io/port': '9153', 'prometheus.io/scrape': 'true' },
      // A PUT of the Service (the fallback when it exists) needs some resourceVersion to be
      // accepted; "0" is also allowed on create.
      resourceVersion: '0',
    },
    spec: {
      clusterIP,
      ports: [port('dns', 53, 'UDP'), port('dns-tcp', 53, 'TCP'), port('metrics', 9153, 'TCP')],
      selector: kubeDNSLabels(),
    },
  };
}

/** The CoreDNS addon for a configuration and a replica count. */
export function renderCoreDNS(inputs: CoreDNSInputs): CoreDNSAddon {
  const { cluster } = inputs;
  const image = coreDNSImage({
    globalRepository: cluster.imageRepository,
    dnsRepository: cluster.dns.imageRepository,
    dnsTag: cluster.dns.imageTag,
  });
  const dnsDomain = cluster.networking.dnsDomain;
  const cm = configMap(dnsDomain);
  const role = clusterRole();
  const binding = clusterRoleBinding();
  const sa = serviceAccount();
  const svc = service(dnsServiceIP(cluster.networking.serviceSubnet));
  const printed = deployment(image, inputs.replicas);
  const patched = applyPatches('corednsdeployment', printed as unknown as Json, inputs.patches ?? []);
  const applied = patched.value as unknown as KubeObject;
  return {
    name: 'coredns',
    objects: [cm, role, binding, sa, applied, svc],
    manifestOrder: [applied, cm, svc, role, binding, sa],
    appliedMessage: COREDNS_APPLIED_MESSAGE,
    patchMessages: patched.messages,
    warnings: [],
    defaultCorefiles: defaultCorefiles(dnsDomain),
  };
}
