// `kbadm reset phase cleanup-node`: stop the kubelet, unmount what the kubelet mounted, stop and
// remove every Pod sandbox through CRI, then delete kubeadm's files. Removal goes through the
// host's guard, so nothing outside kubeadm's directories can go, whatever the configuration says.
import * as path from 'node:path';
import { criEndpointUnder } from '../../host/cri/endpoint.js';
import type { UnmountFlag } from '../../host/mounts.js';
import { mountsBelow, umountArgs } from '../../host/mounts.js';
import { aggregateError, removePodSandboxes } from '../../host/runtime-ops.js';
import { detectInitSystem, managesServices } from '../../host/services.js';
import type { Phase } from '../../workflow/index.js';
import { initMarkerPath, removeInitMarker } from '../init-in-progress.js';
import { cleanDir, errorText } from './clean.js';
import { DEFAULT_CERTIFICATES_DIR, type ResetData } from './data.js';

const TAG = 'reset';

/** The kubeconfig files kubeadm writes into /etc/kubernetes, in kubeadm's order. */
export const KUBECONFIG_FILES = [
  'admin.conf',
  'super-admin.conf',
  'kubelet.conf',
  'bootstrap-kubelet.conf',
  'controller-manager.conf',
  'scheduler.conf',
] as const;

function shown(d: ResetData, p: string): string {
  try {
    return d.paths.onHost(p);
  } catch {
    return p; // a symbolic link led outside --rootfs; the guard refuses to touch it anyway
  }
}

async function stopKubelet(d: ResetData): Promise<void> {
  if (!managesServices(d.host)) {
    d.out.progress(
      TAG,
      `Not stopping the kubelet service: --rootfs is "${d.paths.rootfs}"; stop it on that system with "systemctl stop kubelet"`,
    );
    return;
  }
  const init = await detectInitSystem(d.host);
  if (init === undefined) {
    d.out.warn(
      `[${TAG}] The kubelet service could not be stopped by kbadm. Unable to detect a supported init system!`,
    );
    d.out.warn(`[${TAG}] Please ensure kubelet is stopped manually`);
    return;
  }
  if (d.dryRun) {
    d.out.progress(TAG, 'Would stop the kubelet service');
    return;
  }
  d.out.progress(TAG, 'Stopping the kubelet service');
  try {
    if (init === 'systemd') await d.host.run('systemctl', ['stop', 'kubelet']);
    else await d.host.run('rc-service', ['kubelet', 'stop']);
  } catch (err) {
    d.out.warn(`[${TAG}] The kubelet service could not be stopped by kbadm: [${errorText(err)}]`);
    d.out.warn(`[${TAG}] Please ensure kubelet is stopped manually`);
  }
}

/** Unmounts everything below `dir`, deepest first; every failure is reported and fails the phase. */
async function unmountBelow(d: ResetData, dir: string): Promise<void> {
  const flags = d.config.unmountFlags as UnmountFlag[];
  const unsupported = umountArgs(dir, flags).unsupported;
  if (unsupported.length > 0) {
    d.out.warn(`[${TAG}] umount(8) has no option for ${unsupported.join(', ')}; unmounting without it`);
  }
  const failures: string[] = [];
  for (const mountPoint of mountsBelow(await d.host.mountPoints(), dir)) {
    d.out.log.debug('unmounting', { mountPoint });
    try {
      await d.host.unmount(mountPoint, flags);
    } catch (err) {
      failures.push(`failed to unmount "${shown(d, mountPoint)}": ${errorText(err)}`);
    }
  }
  if (failures.length > 0) {
    throw new Error(
      `encountered the following errors while unmounting directories in "${shown(d, dir)}/": [${failures.join(', ')}]`,
    );
  }
}

/** Stops and removes every Pod sandbox through CRI, as kubeadm does; a dry-run host only records it. */
async function removeAllPodSandboxes(d: ResetData): Promise<void> {
  const runtime = await d.host.runtime(criEndpointUnder(d.paths, d.config.criSocket));
  try {
    const sandboxes = await runtime.listPodSandboxes();
    const errors = await removePodSandboxes(
      runtime,
      sandboxes.map((s) => s.id),
      d.out.log,
    );
    d.out.log.info('stopped and removed Pod sandboxes', { removed: sandboxes.length - errors.length });
    if (errors.length > 0) throw aggregateError(errors);
  } finally {
    runtime.close();
  }
}

async function deleteFiles(d: ResetData, dirs: string[]): Promise<void> {
  const dirList = `[${dirs.map((p) => shown(d, p)).join(' ')}]`;
  d.out.progress(TAG, `${d.dryRun ? 'Would delete' : 'Deleting'} contents of directories: ${dirList}`);
  for (const dir of dirs) {
    try {
      await cleanDir(d.host, dir);
    } catch (err) {
      d.out.warn(`[${TAG}] Failed to delete contents of "${shown(d, dir)}" directory: ${errorText(err)}`);
    }
  }
  const files = KUBECONFIG_FILES.map((f) => path.join(d.paths.kubernetesDir, f));
  d.out.progress(
    TAG,
    `${d.dryRun ? 'Would delete' : 'Deleting'} files: [${files.map((p) => shown(d, p)).join(' ')}]`,
  );
  for (const file of files) {
    try {
      await d.host.remove(file);
    } catch (err) {
      d.out.warn(`[${TAG}] Failed to remove file: "${shown(d, file)}" [${errorText(err)}]`);
    }
  }
}

export async function runCleanupNode(d: ResetData): Promise<void> {
  const dirs = [d.paths.manifestsDir];
  await stopKubelet(d);

  const kubeletDir = shown(d, d.paths.kubeletDir);
  if (d.dryRun) d.out.progress(TAG, `Would unmount mounted directories in "${kubeletDir}"`);
  let realKubeletDir: string | undefined;
  try {
    // A kubelet directory that is a symbolic link has its mounts under the link's target.
    realKubeletDir = await d.host.realPath(d.paths.kubeletDir);
  } catch (err) {
    if (!d.dryRun)
      d.out.warn(`[${TAG}] Skipping unmount of directories in "${kubeletDir}": ${errorText(err)}`);
  }
  if (realKubeletDir !== undefined) {
    if (!d.dryRun) d.out.progress(TAG, `Unmounting mounted directories in "${kubeletDir}"`);
    await unmountBelow(d, realKubeletDir);
    dirs.push(realKubeletDir);
  }

  if (d.dryRun) d.out.progress(TAG, 'Would remove Kubernetes-managed containers');
  else d.out.log.info('removing Kubernetes-managed containers');
  try {
    await removeAllPodSandboxes(d);
  } catch (err) {
    if (d.dryRun) d.out.log.info('could not list the Pod sandboxes', { error: errorText(err) });
    else d.out.warn(`[${TAG}] Failed to remove containers: ${errorText(err)}`);
  }
  // The etcd member kept running until its sandbox went, and may have written its data again.
  if (d.emptiedEtcdDataDir !== undefined) {
    await cleanDir(d.host, d.emptiedEtcdDataDir).catch((err: unknown) =>
      d.out.warn(`[${TAG}] Failed to delete contents of the etcd data directory again: ${errorText(err)}`),
    );
  }

  if (d.config.certificatesDir !== DEFAULT_CERTIFICATES_DIR) {
    d.out.warn(`[${TAG}] Cleaning a non-default certificates directory: "${d.config.certificatesDir}"`);
  }
  dirs.push(d.paths.pkiDir);
  if (d.config.cleanupTmpDir) dirs.push(d.paths.tmpDir);
  await deleteFiles(d, dirs);
  // The mark of an interrupted init (kbadm's own, kept in tmp even without --cleanup-tmp-dir): the
  // next init starts afresh on a reset node and must not take its files for that init's work.
  const marker = shown(d, initMarkerPath(d.paths));
  try {
    await removeInitMarker(d.host, d.paths);
    d.out.log.debug('removed the mark of an interrupted init, if any', { file: marker });
  } catch (err) {
    d.out.warn(`[${TAG}] Failed to remove file: "${marker}" [${errorText(err)}]`);
  }
}

export const cleanupNodePhase: Phase<ResetData> = {
  name: 'cleanup-node',
  aliases: ['cleanupnode'],
  short: 'Stop the kubelet, remove Pod sandboxes and delete the files kbadm wrote',
  long:
    'Stop the kubelet where kbadm manages services, unmount everything below the kubelet ' +
    'directory, stop and remove every Pod sandbox through the container runtime, and delete the ' +
    'static Pod manifests, the kubelet directory, the certificates and the kubeconfig files.',
  inheritFlags: ['cert-dir', 'cri-socket', 'cleanup-tmp-dir', 'dry-run'],
  run: (d) => runCleanupNode(d),
};
