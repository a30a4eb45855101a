// kubeadm's defaults for the kubelet and kube-proxy component configs. kbadm carries these foreign
// documents as plain data and sets only the fields kubeadm itself sets; everything else stays as
// the user wrote it and is defaulted by the component.
import type { Defaulted } from './defaults.js';
import type { APIEndpoint, ClusterConfiguration, ComponentConfig, ComponentConfigs } from './model.js';
import { KUBELET_CONFIG_API_VERSION, KUBEPROXY_CONFIG_API_VERSION } from './model.js';
import { formatIP, nthIP, parseCIDRList, parseIP } from './net.js';
import { joinPath } from './file-path.js';

export const KUBELET_DEFAULTS = {
  staticPodPath: '/etc/kubernetes/manifests',
  healthzBindAddress: '127.0.0.1',
  healthzPort: 10248,
  authorizationMode: 'Webhook',
  cgroupDriver: 'systemd',
  defaultClusterDNS: '10.96.0.10',
} as const;

export const KUBEPROXY_DEFAULTS = {
  bindAddressV4: '0.0.0.0',
  bindAddressV6: '::',
  kubeconfig: '/var/lib/kube-proxy/kubeconfig.conf',
} as const;

type Obj = Record<string, unknown>;

function child(o: Obj, key: string): Obj {
  const v = o[key];
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v as Obj;
  const fresh: Obj = {};
  o[key] = fresh;
  return fresh;
}

function isUnset(v: unknown): boolean {
  return v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
}

function recommend(
  kind: string,
  param: string,
  recommended: unknown,
  given: unknown,
  warnings: string[],
): void {
  warnings.push(
    `The recommended value for "${param}" in "${kind}" is: ${fmt(recommended)}; the provided value is: ${fmt(given)}`,
  );
}

function fmt(v: unknown): string {
  return Array.isArray(v) ? `[${v.join(' ')}]` : String(v);
}

/** The 10th address of the first service subnet, or kubeadm's fallback when the subnet is bad. */
export function clusterDNSIP(serviceSubnet: string): string {
  const first = parseCIDRList(serviceSubnet)?.[0];
  const ip = first ? nthIP(first, 10) : undefined;
  return ip ? formatIP(ip) : KUBELET_DEFAULTS.defaultClusterDNS;
}

/** kubeadm's kubelet component-config defaults (componentconfigs/kubelet.go). */
export function defaultKubeletConfig(config: Obj, cluster: ClusterConfiguration, warnings: string[]): Obj {
  const c = structuredClone(config);
  const kind = 'KubeletConfiguration';
  c.apiVersion ??= KUBELET_CONFIG_API_VERSION;
  c.kind ??= kind;

  if (isUnset(c.staticPodPath)) c.staticPodPath = KUBELET_DEFAULTS.staticPodPath;
  else if (c.staticPodPath !== KUBELET_DEFAULTS.staticPodPath)
    recommend(kind, 'staticPodPath', KUBELET_DEFAULTS.staticPodPath, c.staticPodPath, warnings);

  const dns = clusterDNSIP(cluster.networking.serviceSubnet);
  if (isUnset(c.clusterDNS)) c.clusterDNS = [dns];
  else if (!(Array.isArray(c.clusterDNS) && c.clusterDNS.length === 1 && c.clusterDNS[0] === dns))
    recommend(kind, 'clusterDNS', [dns], c.clusterDNS, warnings);

  if (isUnset(c.clusterDomain)) c.clusterDomain = cluster.networking.dnsDomain;
  else if (c.clusterDomain !== cluster.networking.dnsDomain)
    recommend(kind, 'clusterDomain', cluster.networking.dnsDomain, c.clusterDomain, warnings);

  const authn = child(c, 'authentication');
  const x509 = child(authn, 'x509');
  const caFile = joinPath(cluster.certificatesDir, 'ca.crt');
  if (isUnset(x509.clientCAFile)) x509.clientCAFile = caFile;
  else if (x509.clientCAFile !== caFile)
    recommend(kind, 'authentication.x509.clientCAFile', caFile, x509.clientCAFile, warnings);

  const anonymous = child(authn, 'anonymous');
  if (anonymous.enabled === undefined || anonymous.enabled === null) anonymous.enabled = false;
  else if (anonymous.enabled !== false)
    recommend(kind, 'authentication.anonymous.enabled', false, anonymous.enabled, warnings);

  const webhook = child(authn, 'webhook');
  if (webhook.enabled === undefined || webhook.enabled === null) webhook.enabled = true;
  else if (webhook.enabled !== true)
    recommend(kind, 'authentication.webhook.enabled', true, webhook.enabled, warnings);

  const authz = child(c, 'authorization');
  if (isUnset(authz.mode)) authz.mode = KUBELET_DEFAULTS.authorizationMode;
  else if (authz.mode !== KUBELET_DEFAULTS.authorizationMode)
    recommend(kind, 'authorization.mode', KUBELET_DEFAULTS.authorizationMode, authz.mode, warnings);

  if (isUnset(c.healthzBindAddress)) c.healthzBindAddress = KUBELET_DEFAULTS.healthzBindAddress;
  if (c.healthzPort === undefined || c.healthzPort === null) c.healthzPort = KUBELET_DEFAULTS.healthzPort;

  if (c.readOnlyPort !== undefined && c.readOnlyPort !== null && c.readOnlyPort !== 0)
    recommend(kind, 'readOnlyPort', 0, c.readOnlyPort, warnings);

  // Client certificate rotation is required by kubeadm's kubelet-finalize step.
  if (c.rotateCertificates === false) recommend(kind, 'rotateCertificates', true, false, warnings);
  c.rotateCertificates = true;

  if (isUnset(c.cgroupDriver)) c.cgroupDriver = KUBELET_DEFAULTS.cgroupDriver;
  return c;
}

/** kubeadm's kube-proxy component-config defaults (componentconfigs/kubeproxy.go). */
export function defaultKubeProxyConfig(
  config: Obj,
  cluster: ClusterConfiguration,
  endpoint: APIEndpoint,
  warnings: string[],
): Obj {
  const c = structuredClone(config);
  const kind = 'KubeProxyConfiguration';
  c.apiVersion ??= KUBEPROXY_CONFIG_API_VERSION;
  c.kind ??= kind;

  const v6 = parseIP(endpoint.advertiseAddress)?.family === 6;
  const bind = v6 ? KUBEPROXY_DEFAULTS.bindAddressV6 : KUBEPROXY_DEFAULTS.bindAddressV4;
  if (isUnset(c.bindAddress)) c.bindAddress = bind;
  else if (c.bindAddress !== bind) recommend(kind, 'bindAddress', bind, c.bindAddress, warnings);

  const pods = cluster.networking.podSubnet;
  if (pods !== '' && isUnset(c.clusterCIDR)) c.clusterCIDR = pods;
  else if (pods !== '' && c.clusterCIDR !== pods)
    recommend(kind, 'clusterCIDR', pods, c.clusterCIDR, warnings);

  const conn = child(c, 'clientConnection');
  if (isUnset(conn.kubeconfig)) conn.kubeconfig = KUBEPROXY_DEFAULTS.kubeconfig;
  else if (conn.kubeconfig !== KUBEPROXY_DEFAULTS.kubeconfig)
    recommend(kind, 'clientConnection.kubeconfig', KUBEPROXY_DEFAULTS.kubeconfig, conn.kubeconfig, warnings);
  return c;
}

/** Both component configs, generated when absent and kubeadm-defaulted either way. */
export function defaultComponentConfigs(
  cluster: ClusterConfiguration,
  endpoint: APIEndpoint,
  existing: ComponentConfigs,
): Defaulted<ComponentConfigs> {
  const warnings: string[] = [];
  const kubelet: ComponentConfig = existing.kubelet ?? { config: {}, userSupplied: false };
  const kubeProxy: ComponentConfig = existing.kubeProxy ?? { config: {}, userSupplied: false };
  return {
    value: {
      kubelet: {
        config: defaultKubeletConfig(kubelet.config, cluster, warnings),
        userSupplied: kubelet.userSupplied,
      },
      kubeProxy: {
        config: defaultKubeProxyConfig(kubeProxy.config, cluster, endpoint, warnings),
        userSupplied: kubeProxy.userSupplied,
      },
    },
    warnings,
  };
}
