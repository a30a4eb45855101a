// `kbadm upgrade node|apply phase kubelet-config`: this node's kubelet configuration rewritten from
// the cluster's kubelet-config ConfigMap (the one the upgraded control plane uploaded), after a
// copy of the old file is kept in kbadm's scratch directory. The kubelet picks it up when it is
// restarted after its package is upgraded.
import { randomInt } from 'node:crypto';
import * as path from 'node:path';
import { serviceIsActive } from '../../host/services.js';
import {
  KUBELET_CONFIG_FILE,
  KUBELET_FILE_MODE,
  KUBELET_FLAGS_ENV_FILE,
  kubeletFiles,
} from '../../manifests/kubelet.js';
import { writeKubeletFiles } from '../../manifests/manifest-files.js';
import type { Phase } from '../../workflow/index.js';
import { patchSets } from '../init/static-pods.js';
import type { UpgradeNodeData } from './node-data.js';
import { manifestView } from '../init/data.js';

export async function runUpgradeKubeletConfig(d: UpgradeNodeData): Promise<void> {
  const config = await d.config();
  const m = manifestView(d, config);
  const current = await d.host.readFileIfExists(path.join(d.paths.kubeletDir, KUBELET_CONFIG_FILE));
  if (current !== undefined) {
    const backupDir = path.join(d.paths.tmpDir, `kubeadm-kubelet-config${randomInt(1e9)}`);
    const backup = path.join(backupDir, KUBELET_CONFIG_FILE);
    d.out.progress('upgrade', `Backing up kubelet config file to ${d.paths.onHost(backup)}`);
    await d.host.mkdir(backupDir, 0o700);
    await d.host.writeFile(backup, current, KUBELET_FILE_MODE);
  }
  const { files, warnings } = kubeletFiles({
    config,
    hostname: (await d.host.facts()).hostname,
    systemdResolvedActive: await serviceIsActive(d.host, 'systemd-resolved'),
    patchSets: await patchSets(m),
    shownDir: d.paths.onHost(d.paths.kubeletDir),
  });
  for (const w of warnings) d.out.warn(w);
  // The flags file is the node's own (post-upgrade cleans it up); only the configuration changes.
  const written = files.filter((f) => f.path !== KUBELET_FLAGS_ENV_FILE);
  await writeKubeletFiles(d.host, d.out, d.paths.kubeletDir, written);
  if (!d.dryRun) d.outcome.kubeletConfigUpgraded = true;
  d.out.progress(
    'upgrade/kubelet-config',
    'The kubelet configuration for this node was successfully upgraded!',
  );
}

export const upgradeKubeletConfigPhase: Phase<UpgradeNodeData> = {
  name: 'kubelet-config',
  short: "Rewrite this node's kubelet configuration from the cluster's kubelet-config",
  long:
    "Keeps a copy of /var/lib/kubelet/config.yaml in /etc/kubernetes/tmp, then writes it again (and instance-config.yaml while the NodeLocalCRISocket gate is on) from the cluster's kubelet-config ConfigMap, with any kubeletconfiguration patches. " +
    'The kubelet reads it when it restarts, after its package is upgraded.',
  inheritFlags: ['config', 'dry-run', 'kubeconfig', 'patches'],
  run: runUpgradeKubeletConfig,
};
