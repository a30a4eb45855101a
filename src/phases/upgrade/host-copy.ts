// Copying a directory tree through the Host, keeping file modes: the etcd data backup before an
// upgrade and its restore after a failed one. Sockets and other special files are left out.
import * as path from 'node:path';
import type { Host } from '../../host/host.js';

/** Copies every file and directory below `from` into `to` (created 0700 when missing). */
export async function copyTree(host: Host, from: string, to: string): Promise<void> {
  const info = await host.stat(from);
  await host.mkdir(to, info?.isDirectory ? info.mode : 0o700);
  for (const name of await host.listDir(from)) {
    const src = path.join(from, name);
    const dst = path.join(to, name);
    const st = await host.stat(src);
    if (!st) continue;
    if (st.isDirectory) await copyTree(host, src, dst);
    else if (st.isFile) await host.writeFile(dst, await host.readFile(src), st.mode);
  }
}

/** Replaces `dir` by a copy of `backup`: what was in `dir` before is removed first. */
export async function restoreTree(host: Host, backup: string, dir: string): Promise<void> {
  await host.remove(dir);
  await copyTree(host, backup, dir);
}
