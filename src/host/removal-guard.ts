// Which paths kbadm may delete. The decision is a pure function so that every case can be tested
// without a disk; RemovalGuard adds the only I/O it needs: resolving symbolic links.
import { lstatSync, realpathSync } from 'node:fs';
import * as path from 'node:path';
import { KbadmError } from '../errors.js';
import { HOST_DEFAULTS, type Paths } from './paths.js';

/**
 * Host directories kubeadm creates and `kubeadm reset` empties (manifests, pki, tmp and the
 * kubeconfig files all live in the kubernetes dir), plus the CNI config dir that reset tells the
 * user to remove and kube-proxy's state dir.
 */
export const KUBEADM_MANAGED_DIRS: readonly string[] = [
  HOST_DEFAULTS.kubernetesDir,
  HOST_DEFAULTS.kubeletDir,
  HOST_DEFAULTS.etcdDataDir,
  HOST_DEFAULTS.cniConfDir,
  '/var/lib/kube-proxy',
];

/** Host directories never removed, nor accepted as managed, whatever a caller or a config says. */
export const PROTECTED_DIRS: readonly string[] = [
  '/',
  '/bin',
  '/boot',
  '/dev',
  '/etc',
  '/etc/cni',
  '/home',
  '/lib',
  '/lib32',
  '/lib64',
  '/media',
  '/mnt',
  '/opt',
  '/proc',
  '/root',
  '/run',
  '/sbin',
  '/srv',
  '/sys',
  '/tmp',
  '/usr',
  '/usr/bin',
  '/usr/lib',
  '/usr/local',
  '/usr/sbin',
  '/usr/share',
  '/var',
  '/var/lib',
  '/var/log',
  '/var/run',
  '/var/tmp',
];

export interface RemovalPolicy {
  /** The --rootfs directory, and what it resolves to when it involves symbolic links. */
  roots: readonly string[];
  /** Absolute, normalized directories (already under a root) in which removal is allowed. */
  managedDirs: readonly string[];
}

export interface RemovalTarget {
  /** The path as the caller gave it. */
  path: string;
  /**
   * The path with the symbolic links of its parent directories resolved: what would be deleted.
   * When it is itself a symbolic link, only the link is deleted, so where it points does not matter.
   */
  real?: string;
}

/** `child` is `dir` or below it (both absolute and normalized). */
export function isInside(child: string, dir: string): boolean {
  return child === dir || child.startsWith(dir.endsWith('/') ? dir : `${dir}/`);
}

function protectedReason(roots: readonly string[], p: string): string | undefined {
  for (const root of new Set(['/', ...roots])) {
    if (p === root && root !== '/') return 'it is the --rootfs directory';
    for (const dir of PROTECTED_DIRS) {
      if (p === path.join(root, dir)) return 'it is a protected system directory';
    }
  }
  return undefined;
}

/** Why `target` must not be removed under `policy`, or undefined when it may be. Pure. */
export function removalRefusal(policy: RemovalPolicy, target: RemovalTarget): string | undefined {
  const given = target.path;
  if (given === '') return 'refusing to remove an empty path';
  if (!path.isAbsolute(given)) return `refusing to remove "${given}": it is not an absolute path`;
  const normalized = path.resolve(given);
  const subject = normalized === given ? `"${given}"` : `"${given}" (${normalized})`;
  const inManaged = (p: string): boolean => policy.managedDirs.some((dir) => isInside(p, dir));

  const lexical = protectedReason(policy.roots, normalized);
  if (lexical) return `refusing to remove ${subject}: ${lexical}`;
  if (!inManaged(normalized)) {
    if (given.split('/').includes('..')) {
      return `refusing to remove ${subject}: ".." leads outside the kubeadm-managed directories`;
    }
    return `refusing to remove ${subject}: it is not inside a kubeadm-managed directory (${policy.managedDirs.join(', ')})`;
  }

  const resolved = target.real;
  if (resolved === undefined || resolved === normalized) return undefined;
  const why = protectedReason(policy.roots, resolved);
  if (why) return `refusing to remove ${subject}: it resolves to "${resolved}" and ${why}`;
  if (!inManaged(resolved)) {
    return `refusing to remove ${subject}: a symbolic link leads to "${resolved}", outside the kubeadm-managed directories`;
  }
  return undefined;
}

/** Why `dir` cannot become a managed directory, or undefined when it can. Pure. */
export function managedDirRefusal(roots: readonly string[], dir: string): string | undefined {
  if (dir === '' || !path.isAbsolute(dir)) {
    return `refusing to manage "${dir}": it is not an absolute path`;
  }
  const normalized = path.resolve(dir);
  const why = protectedReason(roots, normalized);
  if (why) return `refusing to manage "${dir}": ${why}`;
  const root = roots.find((r) => isInside(normalized, r));
  if (root === undefined) return `refusing to manage "${dir}": it is outside --rootfs "${roots[0] ?? '/'}"`;
  // A top-level directory (/data, /srv2, ...) is too likely to hold more than kubeadm's files.
  if (path.dirname(path.relative(root, normalized)) === '.') {
    return `refusing to manage "${dir}": a top-level directory cannot be a kubeadm-managed directory`;
  }
  return undefined;
}

/**
 * The path with the links of its parent directories resolved (`real`), and where `real` leads when
 * it is itself a link (`linkTarget`, used to resolve the managed dirs and the rootfs themselves).
 */
export type ResolveLinks = (p: string) => Promise<{ real: string; linkTarget?: string }>;

/** For hosts without symbolic links (the in-memory test host). */
export const noLinks: ResolveLinks = async (p) => ({ real: p });

/** Resolves the parent directories on disk (as far as they exist) and a final symbolic link. */
export const resolveLinksOnDisk: ResolveLinks = async (p) => {
  // Synchronous, as the rootfs confinement's lookups: each is a moment of the kernel's time.
  const real = path.join(realpathOfExisting(path.dirname(p)), path.basename(p));
  if (!orUndefined(() => lstatSync(real))?.isSymbolicLink()) return { real };
  // A dangling link points nowhere: removing it deletes only the link.
  const linkTarget = orUndefined(() => realpathSync.native(real));
  return linkTarget === undefined ? { real } : { real, linkTarget };
};

function orUndefined<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

function realpathOfExisting(p: string): string {
  try {
    return realpathSync.native(p);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const parent = path.dirname(p);
    if ((code !== 'ENOENT' && code !== 'ENOTDIR') || parent === p) throw err;
    return path.join(realpathOfExisting(parent), path.basename(p));
  }
}

/** The managed directories of one host, and the check `remove` makes before deleting anything. */
export class RemovalGuard {
  private readonly dirs: string[];

  constructor(
    private readonly paths: Paths,
    private readonly resolve: ResolveLinks,
  ) {
    this.dirs = KUBEADM_MANAGED_DIRS.map((d) => paths.under(d));
  }

  get managedDirs(): readonly string[] {
    return this.dirs;
  }

  /** Throws a KbadmError for a dangerous directory. */
  addManagedDir(dir: string): void {
    const why = managedDirRefusal([this.paths.rootfs], dir);
    if (why) throw new KbadmError(why);
    const normalized = path.resolve(dir);
    if (!this.dirs.includes(normalized)) this.dirs.push(normalized);
  }

  /** Throws a KbadmError unless `p` may be removed; returns the path to delete. */
  async check(p: string): Promise<string> {
    const lexical = removalRefusal({ roots: [this.paths.rootfs], managedDirs: this.dirs }, { path: p });
    if (lexical) throw new KbadmError(lexical);
    const fullPath = async (d: string): Promise<string> => {
      const r = await this.resolve(d);
      return r.linkTarget ?? r.real;
    };
    const roots = [this.paths.rootfs, await fullPath(this.paths.rootfs)];
    const resolvedDirs = await Promise.all(this.dirs.map(fullPath));
    // A managed dir that is a link to / or /etc must not make everything below it removable.
    const managedDirs = [
      ...this.dirs,
      ...resolvedDirs.filter((d) => protectedReason(roots, d) === undefined),
    ];
    // A final symbolic link is judged where it lies, not where it points: removing it deletes the link.
    const { real } = await this.resolve(path.resolve(p));
    const why = removalRefusal({ roots, managedDirs }, { path: p, real });
    if (why) throw new KbadmError(why);
    return real;
  }
}
