// Mount points: read from /proc/self/mountinfo, selected below a directory, and unmounted with
// umount(8). The parsing and the selection are pure; only readMountPoints touches the machine.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { isInside } from './removal-guard.js';

/** ResetConfiguration.unmountFlags: the umount2(2) flags kubeadm accepts. */
export type UnmountFlag = 'MNT_FORCE' | 'MNT_DETACH' | 'MNT_EXPIRE' | 'UMOUNT_NOFOLLOW';

/** mountinfo escapes space, tab, newline and backslash in paths as three octal digits. */
function unescapeOctal(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** The mount point (fifth field) of every line of a mountinfo file, in mount order. */
export function parseMountInfo(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    if (fields.length < 5 || fields[4] === '') continue;
    out.push(unescapeOctal(fields[4]!));
  }
  return out;
}

/**
 * The mount points strictly below `dir` (the directory itself is left alone, as kubeadm does), in
 * the order they can be unmounted: deepest first, and a path mounted twice once per mount, the
 * latest first.
 */
export function mountsBelow(mountPoints: readonly string[], dir: string): string[] {
  const base = path.resolve(dir);
  const below = mountPoints
    .map((m) => path.resolve(m))
    .filter((m) => m !== base && isInside(m, base))
    .reverse();
  const depth = (p: string) => p.split('/').length;
  return below.sort((a, b) => depth(b) - depth(a));
}

/**
 * umount(8)'s arguments for one mount point. umount(8) offers MNT_FORCE (--force) and MNT_DETACH
 * (--lazy); MNT_EXPIRE and UMOUNT_NOFOLLOW have no umount(8) option and are returned as unsupported.
 * The mount point comes from mountinfo, so it is already a path without symbolic links, and
 * --no-canonicalize keeps umount(8) from resolving it again.
 */
export function umountArgs(
  mountPoint: string,
  flags: readonly UnmountFlag[],
): { args: string[]; unsupported: UnmountFlag[] } {
  const args: string[] = [];
  const unsupported: UnmountFlag[] = [];
  for (const f of new Set(flags)) {
    if (f === 'MNT_FORCE') args.push('--force');
    else if (f === 'MNT_DETACH') args.push('--lazy');
    else unsupported.push(f);
  }
  return { args: [...args, '--no-canonicalize', mountPoint], unsupported };
}

/** The mount points of the machine kbadm runs on, from the kernel's view of this process. */
export async function readMountPoints(): Promise<string[]> {
  return parseMountInfo(readFileSync('/proc/self/mountinfo', 'utf8'));
}
