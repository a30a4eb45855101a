// The manifests folder's files on a Host: which CA-certificate directories the host has (the
// control plane mounts them), static Pod manifests and the kubelet's files, written with
// kubeadm's modes. Rendering happens before (control-plane.ts, etcd.ts, kubelet.ts).
import * as path from 'node:path';
import type { Host } from '../host/host.js';
import type { Paths } from '../host/paths.js';
import type { Output } from '../output/output.js';
import { CA_CERTS_EXTRA_PATHS } from './control-plane.js';
import { KUBELET_DIR_MODE, type PlannedFile } from './kubelet.js';
import { manifestFileName, MANIFEST_FILE_MODE, MANIFESTS_DIR_MODE, toYaml } from './serialize.js';

/** Which of CA_CERTS_EXTRA_PATHS exist under --rootfs. */
export async function existingCaCertDirs(host: Host, paths: Pick<Paths, 'under'>): Promise<string[]> {
  const present: string[] = [];
  for (const p of CA_CERTS_EXTRA_PATHS) if (await host.exists(paths.under(p))) present.push(p);
  return present;
}

/** Writes `<manifestsDir>/<component>.yaml` (0600, the directory 0700); returns its path. */
export async function writeStaticPod(
  host: Host,
  manifestsDir: string,
  component: string,
  pod: unknown,
): Promise<string> {
  await host.mkdir(manifestsDir, MANIFESTS_DIR_MODE);
  const file = path.join(manifestsDir, manifestFileName(component));
  await host.writeFile(file, toYaml(pod), MANIFEST_FILE_MODE);
  return file;
}

/** Writes the kubelet's files in order into `dir` (under --rootfs), each after its progress lines. */
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
