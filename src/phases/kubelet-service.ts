// Stopping and (re)starting the kubelet around writing its files, with kubeadm's messages. Shared
// by the phases that write kubelet files; the service commands themselves are in host/services.ts.
import { errorMessage } from '../errors.js';
import type { Host } from '../host/host.js';
import {
  detectInitSystem,
  managesServices,
  restartService,
  serviceExists,
  stopService,
} from '../host/services.js';
import type { Output } from '../output/output.js';

const TAG = 'kubelet-start';
const KUBELET_SERVICE = 'kubelet';

/** The line printed instead of stopping and starting the kubelet under another --rootfs. */
export function kubeletNotManagedLine(rootfs: string): string {
  return `Not managing the kubelet service: --rootfs is "${rootfs}"; start it on that system with "systemctl restart kubelet"`;
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
    await stopService(host, init, KUBELET_SERVICE);
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
    await restartService(host, init, KUBELET_SERVICE);
  } catch (err) {
    out.warn(`[${TAG}] unable to start the kubelet service: [${errorMessage(err)}]`);
    out.progress(TAG, 'Please ensure kubelet is reloaded and running manually.');
  }
}
