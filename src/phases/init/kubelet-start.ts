// `kbadm init phase kubelet-start`: write the kubelet's flags, instance and configuration files,
// then (re)start the kubelet. The kubelet is stopped first so it never reads half-written files.
// What renders and writes them is imported when the phase runs.
import type { PlannedFile } from '../../manifests/kubelet.js';
import type { Phase } from '../../workflow/index.js';
import type { InitData, ManifestData } from './data.js';

const TAG = 'kubelet-start';

/** The kubelet files for this node, rendered from the configuration and the host's facts. */
async function renderKubeletFiles(d: ManifestData): Promise<PlannedFile[]> {
  const { serviceIsActive } = await import('../../host/services.js');
  const { kubeletFiles } = await import('../../manifests/kubelet.js');
  const { patchSets } = await import('./static-pods.js');
  const { files, warnings } = kubeletFiles({
    config: d.config,
    hostname: (await d.host.facts()).hostname,
    systemdResolvedActive: await serviceIsActive(d.host, 'systemd-resolved'),
    patchSets: await patchSets(d),
    shownDir: d.paths.onHost(d.paths.kubeletDir),
  });
  for (const w of warnings) d.out.warn(w);
  return files;
}

export async function runKubeletStart(d: ManifestData): Promise<void> {
  const { managesServices } = await import('../../host/services.js');
  const { writeKubeletFiles } = await import('../../manifests/manifest-files.js');
  const { kubeletNotManagedLine, tryStartKubelet, tryStopKubelet } = await import('../kubelet-service.js');
  if (!d.dryRun) {
    await tryStopKubelet(d.host, d.out);
    await writeKubeletFiles(d.host, d.out, d.paths.kubeletDir, await renderKubeletFiles(d));
    await tryStartKubelet(d.host, d.out);
    return;
  }
  const manage = managesServices(d.host);
  if (manage) d.out.progress(TAG, 'Would stop the kubelet');
  await writeKubeletFiles(d.host, d.out, d.paths.kubeletDir, await renderKubeletFiles(d));
  d.out.progress(TAG, manage ? 'Would start the kubelet' : kubeletNotManagedLine(d.host.paths.rootfs));
}

export const kubeletStartPhase: Phase<InitData> = {
  name: 'kubelet-start',
  short: 'Configure the kubelet on this node and restart it',
  long:
    'Stops the kubelet, writes its files into /var/lib/kubelet, then starts it again: config.yaml (the KubeletConfiguration, with any kubeletconfiguration patches), ' +
    'kubeadm-flags.env (command-line flags specific to this node) and, while the NodeLocalCRISocket gate is on, instance-config.yaml (the CRI endpoint). ' +
    'When --rootfs is not /, the files are written but the service is left alone.',
  example:
    '  # Write the kubelet files from the settings in a configuration file, then restart it.\n' +
    '  kbadm init phase kubelet-start --config config.yaml',
  inheritFlags: ['config', 'image-repository', 'cri-socket', 'node-name', 'patches', 'dry-run'],
  run: (d) => runKubeletStart(d),
};
