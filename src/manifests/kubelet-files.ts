// The kubelet's files on a Host: one writer for what kubeletFiles (kubelet.ts) rendered.
// Messages name host paths, never --rootfs ones.
import * as path from 'node:path';
import type { Host } from '../host/host.js';
import type { Output } from '../output/output.js';
import { KUBELET_DIR_MODE, type PlannedFile } from './kubelet.js';

/** Writes the files in order into `dir` (under --rootfs), each after its progress lines. */
export async function writeKubeletFiles(
  host: Host,
  out: Output,
  dir: string,
  files: readonly PlannedFile[],
): Promise<void> {
  await host.mkdir(dir, KUBELET_DIR_MODE);
  for (const f of files) {
    for (const line of f.lines) out.progressLine(line);
    await host.writeFile(path.join(dir, f.path), f.data, f.mode);
  }
}
