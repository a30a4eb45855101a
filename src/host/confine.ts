// Reads and writes stay inside --rootfs. A chroot would resolve a symbolic link under the root
// against the root; kbadm, which only prefixes paths, would follow it onto the machine itself. So
// before a read, write or mkdir, the path (or its deepest existing ancestor) is resolved and must
// still lie under --rootfs.
import { realpath, stat } from 'node:fs/promises';
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

/** Throws when `dir` (or its deepest existing ancestor) really lives outside --rootfs. */
export async function confineToRoot(
  paths: Paths,
  dir: string,
  action: 'read' | 'write' = 'write',
): Promise<void> {
  if (paths.rootfs === '/') return;
  const root = await realpath(paths.rootfs);
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
