// kubelet-start on a Host: the three kubelet files and the kubelet service, kubeadm's way
// (phases/kubelet/*.go, util/initsystem). Messages name host paths, never --rootfs ones.
import * as path from 'node:path';
import { errorMessage } from '../errors.js';
import type { Host } from '../host/host.js';
import type { Output } from '../output/output.js';
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
const KUBELET_SERVICE = 'kubelet';

type InitSystem = 'systemd' | 'openrc';

/**
 * Service commands act on the machine kbadm runs on. Under another --rootfs kubeadm has chrooted,
 * and systemctl in a chroot ignores service requests, so kbadm leaves the services alone there.
 */
export function managesServices(host: Host): boolean {
  return host.paths.rootfs === '/';
}

/** The line printed instead of stopping and starting the kubelet under another --rootfs. */
export function kubeletNotManagedLine(rootfs: string): string {
  return `Not managing the kubelet service: --rootfs is "${rootfs}"; start it on that system with "systemctl restart kubelet"`;
}

/** kubeadm's GetInitSystem: systemctl on the PATH means systemd, else openrc, else none. */
export async function detectInitSystem(host: Host): Promise<InitSystem | undefined> {
  if (await host.which('systemctl')) return 'systemd';
  if (await host.which('openrc')) return 'openrc';
  return undefined;
}

async function serviceExists(host: Host, init: InitSystem, service: string): Promise<boolean> {
  const r =
    init === 'systemd'
      ? await host.run('systemctl', ['status', service], { allowFailure: true, readOnly: true })
      : await host.run('rc-service', [service, 'status'], { allowFailure: true, readOnly: true });
  const text = init === 'systemd' ? r.stdout : r.stdout + r.stderr;
  return !text.includes(init === 'systemd' ? 'Loaded: not-found' : 'does not exist');
}

/** `systemctl is-active <service>` is active or activating (a crash-looping kubelet counts). */
export async function serviceIsActive(host: Host, service: string): Promise<boolean> {
  // This machine's services say nothing about the system under --rootfs (in kubeadm's chroot the
  // query fails and counts as inactive).
  if (!managesServices(host)) return false;
  const init = await detectInitSystem(host);
  if (init === undefined) return false;
  const r =
    init === 'systemd'
      ? await host.run('systemctl', ['is-active', service], { allowFailure: true, readOnly: true })
      : await host.run('rc-service', [service, 'status'], { allowFailure: true, readOnly: true });
  if (init === 'openrc') {
    const text = r.stdout + r.stderr;
    return !text.includes('stopped') && !text.includes('does not exist');
  }
  const state = r.stdout.trim();
  return state === 'active' || state === 'activating';
}

/** Stops the kubelet for a moment so it does not start with half-written files; failures only warn. */
export async function tryStopKubelet(host: Host, out: Output): Promise<void> {
  if (!managesServices(host)) return;
  const init = await detectInitSystem(host);
  if (init === undefined) {
    out.progress(
      TAG,
      "No supported init system detected, won't make sure the kubelet not running for a short period of time while setting up configuration for it.",
    );
    return;
  }
  if (!(await serviceExists(host, init, KUBELET_SERVICE))) {
    out.progress(
      TAG,
      "Couldn't detect a kubelet service, can't make sure the kubelet not running for a short period of time while setting up configuration for it.",
    );
  }
  try {
    if (init === 'systemd') await host.run('systemctl', ['stop', KUBELET_SERVICE]);
    else await host.run('rc-service', [KUBELET_SERVICE, 'stop']);
  } catch (err) {
    out.warn(`[${TAG}] unable to stop the kubelet service momentarily: [${errorMessage(err)}]`);
  }
}

/** Reloads the init system and restarts the kubelet; a missing init system or service only informs. */
export async function tryStartKubelet(host: Host, out: Output): Promise<void> {
  if (!managesServices(host)) {
    out.progress(TAG, kubeletNotManagedLine(host.paths.rootfs));
    return;
  }
  out.progress(TAG, 'Starting the kubelet');
  const init = await detectInitSystem(host);
  if (init === undefined) {
    out.progress(TAG, "No supported init system detected, won't make sure the kubelet is running properly.");
    return;
  }
  if (!(await serviceExists(host, init, KUBELET_SERVICE))) {
    out.progress(TAG, "Couldn't detect a kubelet service, can't make sure the kubelet is running properly.");
  }
  try {
    if (init === 'systemd') {
      await host.run('systemctl', ['daemon-reload']);
      await host.run('systemctl', ['restart', KUBELET_SERVICE]);
    } else {
      await host.run('rc-service', [KUBELET_SERVICE, 'restart']);
    }
  } catch (err) {
    out.warn(`[${TAG}] unable to start the kubelet service: [${errorMessage(err)}]`);
    out.progress(TAG, 'Please ensure kubelet is reloaded and running manually.');
  }
}

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
