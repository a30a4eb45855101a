// Every host path kbadm touches, resolved under --rootfs. Nothing else builds host paths.
import * as path from 'node:path';
import { ValidationError } from '../errors.js';

export interface Paths {
  /** The --rootfs directory every path below lives under (`/` on a real host). */
  readonly rootfs: string;
  /** /etc/kubernetes */
  readonly kubernetesDir: string;
  /** /etc/kubernetes/pki (the default; a config's certificatesDir goes through `under`). */
  readonly pkiDir: string;
  /** /etc/kubernetes/manifests */
  readonly manifestsDir: string;
  /** /etc/kubernetes/tmp */
  readonly tmpDir: string;
  /** /var/lib/kubelet */
  readonly kubeletDir: string;
  /** /var/lib/etcd */
  readonly etcdDataDir: string;
  /** /etc/cni/net.d */
  readonly cniConfDir: string;
  /** The path a host path has under --rootfs: `under('/etc/kubernetes')`. */
  under(hostPath: string): string;
  /** The host path for a path under --rootfs (the inverse of `under`), for messages and configs. */
  onHost(rootedPath: string): string;
}

export const HOST_DEFAULTS = {
  kubernetesDir: '/etc/kubernetes',
  pkiDir: '/etc/kubernetes/pki',
  manifestsDir: '/etc/kubernetes/manifests',
  tmpDir: '/etc/kubernetes/tmp',
  kubeletDir: '/var/lib/kubelet',
  etcdDataDir: '/var/lib/etcd',
  cniConfDir: '/etc/cni/net.d',
} as const;

export function createPaths(rootfs = '/'): Paths {
  if (!path.isAbsolute(rootfs)) {
    throw new ValidationError([{ field: '--rootfs', value: rootfs, detail: 'must be an absolute path' }]);
  }
  const root = path.resolve(rootfs);
  const under = (hostPath: string): string => {
    if (!path.isAbsolute(hostPath)) throw new Error(`"${hostPath}" is not an absolute path`);
    return path.join(root, path.resolve(hostPath));
  };
  const onHost = (rootedPath: string): string => {
    const rel = path.relative(root, path.resolve(rootedPath));
    if (rel.startsWith('..') || path.isAbsolute(rel)) throw new Error(`"${rootedPath}" is outside ${root}`);
    return `/${rel}`;
  };
  return {
    rootfs: root,
    kubernetesDir: under(HOST_DEFAULTS.kubernetesDir),
    pkiDir: under(HOST_DEFAULTS.pkiDir),
    manifestsDir: under(HOST_DEFAULTS.manifestsDir),
    tmpDir: under(HOST_DEFAULTS.tmpDir),
    kubeletDir: under(HOST_DEFAULTS.kubeletDir),
    etcdDataDir: under(HOST_DEFAULTS.etcdDataDir),
    cniConfDir: under(HOST_DEFAULTS.cniConfDir),
    under,
    onHost,
  };
}

/**
 * A path the user gave (a flag or a configuration field) as a path under --rootfs. Without --rootfs
 * a relative path is relative to the working directory; with it, kubeadm has chrooted and changed
 * to `/`, so it is relative to the root.
 */
export function userPath(paths: Pick<Paths, 'rootfs' | 'under'>, file: string): string {
  if (paths.rootfs === '/') return path.resolve(file);
  return paths.under(path.resolve('/', file));
}
