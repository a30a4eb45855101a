// Reads and writes stay inside --rootfs. A chroot would resolve a symbolic link under the root
// against the root; kbadm, which only prefixes paths, would follow it onto the machine itself. So
// before a read, write or mkdir, the path (or its deepest existing ancestor) is resolved and must
// still lie under --rootfs.
//
// The lookups are synchronous lstat calls, one per path component: a command makes hundreds of
// them, each a microsecond's work for the kernel, and going through the thread pool (where key
// generation runs) and a failed-lookup error per missing file cost far more than the lookup itself.
import { lstatSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { KbadmError, ValidationError } from '../errors.js';
import { fsError, isMissing } from './files.js';
import type { Paths } from './paths.js';
import { isInside } from './removal-guard.js';

/** --rootfs must be an existing directory: kubeadm could not chroot into anything else. */
export async function checkRootfs(paths: Paths): Promise<void> {
  if (paths.rootfs === '/') return;
  let info;
  try {
    info = statSync(paths.rootfs);
  } catch (err) {
    if (!isMissing(err)) throw err;
  }
  if (!info?.isDirectory()) {
    throw new ValidationError([{ field: '--rootfs', value: paths.rootfs, detail: 'no such directory' }]);
  }
}

/** The real path of --rootfs, resolved once per run: every lookup starts from it. */
const realRoots = new WeakMap<Paths, string>();
function realRoot(paths: Paths): string {
  let root = realRoots.get(paths);
  if (root === undefined) {
    root = realpathSync(paths.rootfs);
    realRoots.set(paths, root);
  }
  return root;
}

/** Symbolic links followed in one lookup before giving up, as the kernel's limit. */
const MAX_LINK_HOPS = 40;

/** Where a lookup ended. */
interface Lookup {
  /** The resolved path of the deepest part of the path that exists. */
  real: string;
  /** The path as given, up to the component whose resolution produced `real`. */
  given: string;
  /** Whether the whole path exists. */
  complete: boolean;
  /** Whether a symbolic link was followed on the way. */
  viaLink: boolean;
}

const components = (p: string): string[] => p.split('/').filter((x) => x !== '' && x !== '.');

/**
 * Resolves `parts` from `start` (a resolved directory), following symbolic links. On the machine
 * (`chroot` undefined) an absolute link target starts again at `/` and `..` climbs freely, as
 * realpath(3); under `chroot` an absolute target starts again at `chroot` and `..` never climbs
 * above it. Stops at the first component that does not exist.
 */
function lookUp(start: string, parts: readonly string[], givenStart: string, chroot?: string): Lookup {
  let cur = start;
  let given = givenStart;
  let hops = 0;
  const top = chroot ?? '/';
  // A stack of pending components; a link's target is pushed in front of what follows it.
  const pending = parts.map((part) => ({ part, original: true }));
  while (pending.length > 0) {
    const { part, original } = pending.shift()!;
    if (part === '..') {
      if (cur !== top) cur = path.dirname(cur);
      if (original) given = path.dirname(given);
      continue;
    }
    const next = path.join(cur, part);
    const info = lstatSync(next, { throwIfNoEntry: false });
    if (!info) return { real: cur, given, complete: false, viaLink: hops > 0 };
    if (original) given = path.join(given, part);
    if (info.isSymbolicLink()) {
      if (++hops > MAX_LINK_HOPS) throw fsError('ELOOP', 'lstat', next);
      const target = readlinkSync(next);
      if (path.isAbsolute(target)) cur = top;
      pending.unshift(...components(target).map((p) => ({ part: p, original: false })));
      continue;
    }
    cur = next;
    // Anything but a directory ends the lookup when more follows (ENOTDIR, a missing path).
    if (!info.isDirectory() && pending.length > 0)
      return { real: cur, given, complete: false, viaLink: hops > 0 };
  }
  return { real: cur, given, complete: true, viaLink: hops > 0 };
}

/** `p` resolved on the machine; starts from the resolved --rootfs when `p` lies under it. */
function lookUpOnHost(paths: Paths, p: string): Lookup {
  const abs = path.resolve(p);
  const rel = path.relative(path.resolve(paths.rootfs), abs);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return lookUp('/', components(abs), '/');
  return lookUp(realRoot(paths), components(rel), path.resolve(paths.rootfs));
}

function refuse(paths: Paths, p: string, found: Lookup, action: 'read' | 'write'): KbadmError {
  return new KbadmError(
    `refusing to ${action} ${action === 'read' ? '' : 'to '}"${paths.onHost(path.resolve(p))}": "${paths.onHost(found.given)}" leads to "${found.real}", outside --rootfs "${paths.rootfs}"`,
  );
}

/** Throws when `dir` (or its deepest existing ancestor) really lives outside --rootfs. */
export async function confineToRoot(
  paths: Paths,
  dir: string,
  action: 'read' | 'write' = 'write',
): Promise<void> {
  if (paths.rootfs === '/') return;
  const found = lookUpOnHost(paths, dir);
  if (!isInside(found.real, realRoot(paths))) throw refuse(paths, dir, found, action);
}

/**
 * Whether a lookup on the machine ended inside --rootfs and a chroot would have found the same:
 * the whole path exists there, or it is missing and no link was followed on the way (without
 * links, both lookups walk the same directories).
 */
function isPlainlyInside(paths: Paths, onHost: Lookup): boolean {
  return (onHost.complete || !onHost.viaLink) && isInside(onHost.real, realRoot(paths));
}

/** `p` resolved as under a chroot into --rootfs, when it lies under --rootfs and exists there. */
function lookUpUnderRoot(paths: Paths, p: string): string | undefined {
  const rel = path.relative(path.resolve(paths.rootfs), path.resolve(p));
  if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  const root = realRoot(paths);
  const found = lookUp(root, components(rel), root, root);
  // Every component was checked not to be a link, and `..` stopped at the root: it lies inside.
  return found.complete ? found.real : undefined;
}

/**
 * The path a read of `p` should use, refusing one that leads outside --rootfs. A link that,
 * followed on the machine, would leave --rootfs (such as the kubelet's kubelet-client-current.pem,
 * an absolute link written on the node itself) is resolved as the node would resolve it, inside the
 * root, when that leads to something.
 */
export async function confinedReadPath(paths: Paths, p: string): Promise<string> {
  if (paths.rootfs === '/') return p;
  const onHost = lookUpOnHost(paths, p);
  if (isPlainlyInside(paths, onHost)) return p;
  const underRoot = lookUpUnderRoot(paths, p);
  if (underRoot !== undefined) return underRoot;
  if (!isInside(onHost.real, realRoot(paths))) throw refuse(paths, p, onHost, 'read');
  return p;
}

/**
 * The path a stat of `p` should use: as confinedReadPath, but refusing nothing (whether a file
 * exists, and what it is, can be learnt of any path), and a lookup that fails is left to the stat.
 */
export async function statPathUnderRoot(paths: Paths, p: string): Promise<string> {
  if (paths.rootfs === '/') return p;
  try {
    const onHost = lookUpOnHost(paths, p);
    if (isPlainlyInside(paths, onHost)) return p;
    return lookUpUnderRoot(paths, p) ?? p;
  } catch {
    return p;
  }
}
