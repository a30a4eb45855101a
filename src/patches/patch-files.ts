// The patches directory on a Host: its regular files, read in name order and parsed into patch sets.
import * as path from 'node:path';
import { errorMessage, KbadmError } from '../errors.js';
import type { Host } from '../host/host.js';
import { printable } from '../output/printable.js';
import { patchSetsFromFiles, readingPatchesMessage, type PatchFiles } from './patches.js';

/**
 * Reads a patches directory through the host: regular files at its top level, in name order.
 * `dir` is the path under --rootfs; `shownDir` is what messages call it.
 */
export async function readPatchDir(host: Host, dir: string, shownDir = dir): Promise<PatchFiles> {
  const info = await host.stat(dir);
  const where = `could not list patch files for path "${printable(shownDir)}"`;
  if (!info) throw new KbadmError(`${where}: no such directory`);
  if (!info.isDirectory) throw new KbadmError(`${where}: not a directory`);
  const files: { name: string; data: string }[] = [];
  for (const name of await host.listDir(dir)) {
    const full = path.join(dir, name);
    const st = await host.stat(full);
    if (!st?.isFile) continue;
    files.push({ name, data: (await host.readFile(full)).toString('utf8') });
  }
  let r: PatchFiles;
  try {
    r = patchSetsFromFiles(files);
  } catch (err) {
    // kubeadm reports a bad file name or an unreadable patch as a failure to list the directory.
    const why = errorMessage(err);
    throw new KbadmError(`${where}: ${why}`, { cause: err });
  }
  return { sets: r.sets, messages: [readingPatchesMessage(shownDir), ...r.messages] };
}
