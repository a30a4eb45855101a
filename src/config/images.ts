// Container image names kubeadm v1.34.0 uses, and the `kubeadm config images list` order.
// Checked against real v1.33.0 and v1.34.0 `kubeadm config images list` output.

import { formatVersion, imageTag, parseKubernetesVersion, type KubeVersion } from './k8s-version.js';
import type { ClusterConfiguration } from './model.js';

export const DEFAULT_IMAGE_REPOSITORY = 'registry.k8s.io';

/** A constant of the kubeadm release, not of the target version (kubeadm 1.34 deploying 1.33 uses it too). */
export const PAUSE_VERSION = '3.10.1';
export const COREDNS_VERSION = 'v1.12.1';
/** Used when the target version cannot be read; equals the entry for kbadm's own minor. */
export const DEFAULT_ETCD_VERSION = '3.6.4-0';

/** Kubernetes minor → etcd image tag, as in kubeadm v1.34.0's SupportedEtcdVersion. */
export const SUPPORTED_ETCD_VERSIONS: ReadonlyMap<number, string> = new Map([
  [31, '3.5.21-0'],
  [32, '3.5.21-0'],
  [33, '3.5.21-0'],
  [34, '3.6.4-0'],
]);

export type ControlPlaneComponent =
  'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler' | 'kube-proxy';

function versionText(v: KubeVersion | string): string {
  return typeof v === 'string' ? v : imageTag(v);
}

/** `<repo>/<component>:<v-tag>`, `+` in the version becoming `_`. */
export function controlPlaneImage(
  component: ControlPlaneComponent,
  repo: string,
  version: KubeVersion | string,
): string {
  return `${repo}/${component}:${imageTag(versionText(version))}`;
}

/** `<repo>/pause:<PAUSE_VERSION>`; the target version does not change the tag (see PAUSE_VERSION). */
export function pauseImage(repo: string, _version?: KubeVersion | string): string {
  return `${repo}/pause:${PAUSE_VERSION}`;
}

/**
 * `<etcd.local.imageRepository or imageRepository>/etcd:<tag>`. Without imageTag the tag comes from
 * the supported-etcd table by minor; a minor outside it takes the nearest entry, with kubeadm's
 * warning (which names the version as given).
 */
export function etcdImage(
  opts: { repository: string; imageTag?: string },
  k8sVersion: KubeVersion | string,
): { image: string; warning?: string } {
  if (opts.imageTag) return { image: `${opts.repository}/etcd:${opts.imageTag}` };
  const given = typeof k8sVersion === 'string' ? k8sVersion : formatVersion(k8sVersion);
  const v = typeof k8sVersion === 'string' ? parseKubernetesVersion(k8sVersion) : k8sVersion;
  if (!v) return { image: `${opts.repository}/etcd:${DEFAULT_ETCD_VERSION}` };
  // A minor beyond the table's numbers only needs to compare as larger: Number() is enough.
  const minor = Number(v.minor);
  const exact = SUPPORTED_ETCD_VERSIONS.get(minor);
  if (exact) return { image: `${opts.repository}/etcd:${exact}` };
  const minors = [...SUPPORTED_ETCD_VERSIONS.keys()];
  const nearest = minor < Math.min(...minors) ? Math.min(...minors) : Math.max(...minors);
  const tag = SUPPORTED_ETCD_VERSIONS.get(nearest)!;
  return {
    image: `${opts.repository}/etcd:${tag}`,
    warning: `could not find officially supported version of etcd for Kubernetes ${given}, falling back to the nearest etcd version (${tag})`,
  };
}

/**
 * CoreDNS: dns.imageRepository or the global repository; when that is exactly registry.k8s.io the
 * image lives one level deeper (`registry.k8s.io/coredns/coredns`), a mirror does not get the extra
 * path. dns.imageTag overrides the tag.
 */
export function coreDNSImage(
  opts: { globalRepository: string; dnsRepository?: string; dnsTag?: string },
  _version?: KubeVersion | string,
): string {
  let repo = opts.dnsRepository || opts.globalRepository;
  if (repo === DEFAULT_IMAGE_REPOSITORY) repo = `${repo}/coredns`;
  return `${repo}/coredns:${opts.dnsTag || COREDNS_VERSION}`;
}

export interface ImageListOptions {
  imageRepository: string;
  kubernetesVersion: KubeVersion | string;
  /** Local etcd settings; undefined means external etcd (no etcd image). */
  etcdLocal?: { imageRepository?: string; imageTag?: string };
  dns?: { disabled?: boolean; imageRepository?: string; imageTag?: string };
  proxy?: { disabled?: boolean };
}

/**
 * `kubeadm config images list` order: kube-apiserver, kube-controller-manager, kube-scheduler,
 * kube-proxy, coredns, pause, etcd. Disabled addons and external etcd drop their image.
 */
export function imageList(opts: ImageListOptions): string[] {
  const repo = opts.imageRepository;
  const v = opts.kubernetesVersion;
  const images = [
    controlPlaneImage('kube-apiserver', repo, v),
    controlPlaneImage('kube-controller-manager', repo, v),
    controlPlaneImage('kube-scheduler', repo, v),
  ];
  if (!opts.proxy?.disabled) images.push(controlPlaneImage('kube-proxy', repo, v));
  if (!opts.dns?.disabled) {
    const dns: { globalRepository: string; dnsRepository?: string; dnsTag?: string } = {
      globalRepository: repo,
    };
    if (opts.dns?.imageRepository) dns.dnsRepository = opts.dns.imageRepository;
    if (opts.dns?.imageTag) dns.dnsTag = opts.dns.imageTag;
    images.push(coreDNSImage(dns, v));
  }
  images.push(pauseImage(repo, v));
  if (opts.etcdLocal) {
    const etcd: { repository: string; imageTag?: string } = {
      repository: opts.etcdLocal.imageRepository || repo,
    };
    if (opts.etcdLocal.imageTag) etcd.imageTag = opts.etcdLocal.imageTag;
    images.push(etcdImage(etcd, v).image);
  }
  return images;
}

/** The images a cluster configuration needs, in `kubeadm config images list` order. */
export function clusterImages(cluster: ClusterConfiguration): string[] {
  const opts: ImageListOptions = {
    imageRepository: cluster.imageRepository,
    kubernetesVersion: cluster.kubernetesVersion,
    dns: {
      disabled: cluster.dns.disabled,
      imageRepository: cluster.dns.imageRepository,
      imageTag: cluster.dns.imageTag,
    },
    proxy: { disabled: cluster.proxy.disabled },
  };
  if (cluster.etcd.local) {
    opts.etcdLocal = {
      imageRepository: cluster.etcd.local.imageRepository,
      imageTag: cluster.etcd.local.imageTag,
    };
  }
  return imageList(opts);
}
