// The manifests folder's files on a Host: which CA-certificate directories the host has (the
// control plane mounts them), static Pod manifests (written, and read back as the kubelet sees
// them) and the kubelet's files, written with kubeadm's modes. Rendering happens before
// (control-plane.ts, etcd.ts, kubelet.ts).
import * as path from 'node:path';
import { KbadmError, errorMessage } from '../errors.js';
import type { Host } from '../host/host.js';
import type { Paths } from '../host/paths.js';
import type { Output } from '../output/output.js';
import { yamlLib } from '../output/yaml.js';
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

/**
 * `<manifestsDir>/<component>.yaml` as written (patches included), parsed; a missing or unreadable
 * file is an error naming it. `shown` is the directory as the user knows it.
 */
export async function readStaticPod(
  host: Host,
  manifestsDir: string,
  component: string,
  shown: string,
): Promise<unknown> {
  const name = manifestFileName(component);
  const file = path.join(shown, name);
  let text: string;
  try {
    const data = await host.readFileIfExists(path.join(manifestsDir, name));
    if (data === undefined) throw new KbadmError(`static Pod manifest ${file} does not exist`);
    text = data.toString('utf8');
  } catch (err) {
    if (err instanceof KbadmError) throw err;
    throw new KbadmError(`cannot read the static Pod manifest ${file}: ${errorMessage(err)}`, { cause: err });
  }
  try {
    return yamlLib().parse(text) as unknown;
  } catch (err) {
    throw new KbadmError(`static Pod manifest ${file} is not valid YAML: ${errorMessage(err)}`, {
      cause: err,
    });
  }
}
