// Reads and writes stay inside --rootfs. A chroot would resolve a symbolic link under the root
// against the root; kbadm, which only prefixes paths, would follow it onto the machine itself. So
// before a read, write or mkdir, the path (or its deepest existing ancestor) is resolved and must
// still lie under --rootfs.
import { lstat, readlink, realpath, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { KbadmError, ValidationError } from '../errors.js';
import { isMissing } from './files.js';
import type { Paths } from './paths.js';
import { isInside } from './removal-guard.js';

/** --rootfs must be an existing directory: kubeadm could not chroot into anything else. */
export async function checkRootfs(paths: Paths): Promise<void> {
  if (paths.rootfs === '/') return;
  const info = await stat(paths.rootfs).catch((err: unknown) => {
    if (isMissing(err)) return undefined;
    throw err;
  });
  if (!info?.isDirectory()) {
    throw new ValidationError([{ field: '--rootfs', value: paths.rootfs, detail: 'no such directory' }]);
  }
}

/**
 * The real path of --rootfs, resolved once per run: every confined read and write compares against
 * it, and resolving it again each time cost a lookup per path component.
 */
const realRoots = new WeakMap<Paths, Promise<string>>();
function realRoot(paths: Paths): Promise<string> {
  let root = realRoots.get(paths);
  if (!root) {
    root = realpath(paths.rootfs);
    realRoots.set(paths, root);
    // A failed lookup is not kept: the next caller sees the error for itself.
    root.catch(() => realRoots.delete(paths));
  }
  return root;
}

/** Throws when `dir` (or its deepest existing ancestor) really lives outside --rootfs. */
export async function confineToRoot(
  paths: Paths,
  dir: string,
  action: 'read' | 'write' = 'write',
): Promise<void> {
  if (paths.rootfs === '/') return;
  const root = await realRoot(paths);
  for (let p = path.resolve(dir); ; p = path.dirname(p)) {
    let real: string;
    try {
      real = await realpath(p);
    } catch (err) {
      if (isMissing(err) && p !== path.dirname(p)) continue;
      throw err;
    }
    if (!isInside(real, root)) {
      throw new KbadmError(
        `refusing to ${action} ${action === 'read' ? '' : 'to '}"${paths.onHost(path.resolve(dir))}": "${paths.onHost(p)}" leads to "${real}", outside --rootfs "${paths.rootfs}"`,
      );
    }
    return;
  }
}

/** Symbolic links followed in one lookup before giving up, as the kernel's limit. */
const MAX_LINK_HOPS = 40;

/**
 * `p` with its symbolic links resolved as under a chroot into `root`: an absolute link target is
 * taken inside the root and `..` never climbs above it. Undefined when a component is missing.
 */
async function resolveAsChroot(root: string, rel: string): Promise<string | undefined> {
  let parts = rel.split(path.sep).filter((x) => x !== '' && x !== '.');
  let cur = root;
  let hops = 0;
  while (parts.length > 0) {
    const part = parts.shift()!;
    if (part === '..') {
      if (cur !== root) cur = path.dirname(cur);
      continue;
    }
    const next = path.join(cur, part);
    let info;
    try {
      info = await lstat(next);
    } catch {
      return undefined;
    }
    if (!info.isSymbolicLink()) {
      cur = next;
      continue;
    }
    if (++hops > MAX_LINK_HOPS) return undefined;
    const target = await readlink(next);
    if (path.isAbsolute(target)) cur = root;
    parts = [...target.split('/').filter((x) => x !== '' && x !== '.'), ...parts];
  }
  return cur;
}

/**
 * The path a read of `p` should use. A link that, followed on the machine, would leave --rootfs
 * (such as the kubelet's kubelet-client-current.pem, an absolute link written on the node itself)
 * is resolved as the node would resolve it, inside the root, when that leads to something. Anything
 * else is `p` unchanged, for confineToRoot to judge.
 */
export async function readPathUnderRoot(paths: Paths, p: string): Promise<string> {
  if (paths.rootfs === '/') return p;
  const root = await realRoot(paths);
  try {
    if (isInside(await realpath(p), root)) return p;
  } catch (err) {
    if (!isMissing(err)) return p;
  }
  const rel = path.relative(path.resolve(paths.rootfs), path.resolve(p));
  if (rel.startsWith('..') || path.isAbsolute(rel)) return p;
  return (await resolveAsChroot(root, rel)) ?? p;
}
