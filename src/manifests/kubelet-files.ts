// kubelet-start on a Host: the three kubelet files, kubeadm's way (phases/kubelet/*.go).
// Messages name host paths, never --rootfs ones.
import * as path from 'node:path';
import { serviceIsActive } from '../host/services.js';
import type { Json } from '../patches/json-patch.js';
import { applyPatches, createPatchSet } from '../patches/patches.js';
import {
  KUBELET_CONFIG_FILE,
  KUBELET_DIR_MODE,
  KUBELET_FILE_MODE,
  KUBELET_FLAGS_ENV_FILE,
  KUBELET_INSTANCE_CONFIG_FILE,
  kubeletConfigYaml,
  kubeletFlags,
  kubeletFlagsEnvFile,
  kubeletInstanceConfigFile,
  nodeKubeletConfig,
  nodeLocalCRISocket,
} from './kubelet.js';
import { patched, type StaticPodRunData } from './static-pod-files.js';

const TAG = 'kubelet-start';

/**
 * The three kubelet files, in kubeadm's order; returns the paths written. config.yaml is the
 * cluster KubeletConfiguration with this node's changes, then the user's patches, then the
 * instance config applied last as a strategic-merge patch (so it wins over a user patch).
 */
export async function writeKubeletFiles(d: StaticPodRunData): Promise<string[]> {
  const { config: cfg, host, paths, out } = d;
  const dir = paths.kubeletDir;
  const shown = (f: string) => paths.onHost(path.join(dir, f));
  const written: string[] = [];

  const flags = kubeletFlags({
    cluster: cfg.cluster,
    nodeRegistration: cfg.init.nodeRegistration,
    hostname: (await host.facts()).hostname,
    // The control-plane taint is applied by mark-control-plane, not by the kubelet flag.
    registerTaintsUsingFlags: false,
  });
  out.progress(TAG, `Writing kubelet environment file with flags to file "${shown(KUBELET_FLAGS_ENV_FILE)}"`);
  await host.mkdir(dir, KUBELET_DIR_MODE);
  await host.writeFile(path.join(dir, KUBELET_FLAGS_ENV_FILE), kubeletFlagsEnvFile(flags), KUBELET_FILE_MODE);
  written.push(path.join(dir, KUBELET_FLAGS_ENV_FILE));

  const gate = nodeLocalCRISocket(cfg.cluster);
  const instance = kubeletInstanceConfigFile(cfg.init.nodeRegistration.criSocket);
  if (gate) {
    out.progress(TAG, `Writing kubelet configuration to file "${shown(KUBELET_INSTANCE_CONFIG_FILE)}"`);
    await host.writeFile(path.join(dir, KUBELET_INSTANCE_CONFIG_FILE), instance, KUBELET_FILE_MODE);
    written.push(path.join(dir, KUBELET_INSTANCE_CONFIG_FILE));
  }

  const base = cfg.componentConfigs.kubelet?.config ?? {};
  const node = nodeKubeletConfig({
    config: base,
    systemdResolvedActive: await serviceIsActive(host, 'systemd-resolved'),
  });
  for (const w of node.warnings) out.warn(w);
  let config = await patched(d, 'kubeletconfiguration', node.value as Json);
  if (gate) {
    const set = createPatchSet(
      shown(KUBELET_INSTANCE_CONFIG_FILE),
      'kubeletconfiguration',
      'strategic',
      instance,
    );
    const r = applyPatches('kubeletconfiguration', config, [set]);
    for (const m of r.messages) out.progress('patches', m);
    config = r.value;
  }
  out.progress(TAG, `Writing kubelet configuration to file "${shown(KUBELET_CONFIG_FILE)}"`);
  await host.writeFile(
    path.join(dir, KUBELET_CONFIG_FILE),
    kubeletConfigYaml(config as Record<string, unknown>),
    KUBELET_FILE_MODE,
  );
  written.push(path.join(dir, KUBELET_CONFIG_FILE));
  return written;
}
