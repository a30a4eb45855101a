// `kbadm init phase kubelet-finalize`: once the kubelet has its own client certificate from the TLS
// bootstrap, kubelet.conf is pointed at the file the kubelet rotates instead of the embedded
// certificate init wrote, so the node keeps working after that certificate expires.
import * as path from 'node:path';
import { KbadmError, errorMessage } from '../../errors.js';
import { userPath } from '../../host/paths.js';
import type { KubeConfig } from '../../kubeconfig/kubeconfig.js';
import type { Phase } from '../../workflow/index.js';
import type { InitData } from './data.js';

const TAG = 'kubelet-finalize';
export const KUBELET_CLIENT_CURRENT = 'kubelet-client-current.pem';

/** The kubelet's PKI directory: its --cert-dir when kubeletExtraArgs sets one, else <kubelet dir>/pki. */
export function kubeletPkiDir(d: Pick<InitData, 'config' | 'paths'>): string {
  const certDir = d.config.init.nodeRegistration.kubeletExtraArgs.findLast((a) => a.name === 'cert-dir');
  return certDir ? userPath(d.paths, certDir.value) : path.join(d.paths.kubeletDir, 'pki');
}

/**
 * kubelet.conf with its current user reading the certificate and key from `pem` (one file holds
 * both) instead of embedded data; errors name the file as kubeadm does.
 */
export function pointAtRotatedCert(cfg: KubeConfig, file: string, pem: string): KubeConfig {
  const current = cfg['current-context'];
  if (!current) throw new KbadmError(`the file "${file}" does not have current context set`);
  const context = cfg.contexts.find((c) => c.name === current);
  if (!context)
    throw new KbadmError(
      `the file "${file}" is not a valid kubeconfig: "${current}" set as current-context, but not found in context list`,
    );
  const userName = context.context.user;
  if (!userName)
    throw new KbadmError(`the file "${file}" is not a valid kubeconfig: empty username for current context`);
  const user = cfg.users?.find((u) => u.name === userName);
  if (!user)
    throw new KbadmError(`the file "${file}" does not contain authentication for user "${userName}"`);
  const { 'client-certificate-data': _cert, 'client-key-data': _key, ...rest } = user.user;
  const users = cfg.users!.map((u) =>
    u === user ? { name: u.name, user: { ...rest, 'client-certificate': pem, 'client-key': pem } } : u,
  );
  return { ...cfg, users };
}

async function enableClientCertRotation(d: InitData): Promise<void> {
  const pkiDir = kubeletPkiDir(d);
  const current = path.join(pkiDir, KUBELET_CLIENT_CURRENT);
  if (!(await d.host.exists(current))) {
    d.out.log.debug(`no ${d.paths.onHost(current)} yet: kubelet.conf keeps its embedded client certificate`);
    return;
  }
  const kubeletConf = path.join(d.paths.kubernetesDir, 'kubelet.conf');
  const shown = d.paths.onHost(kubeletConf);
  d.out.progress(TAG, `Updating "${shown}" to point to a rotatable kubelet client certificate and key`);
  if (d.dryRun) return;
  const { KUBECONFIG_FILE_MODE, parseKubeconfig, serializeKubeconfig } =
    await import('../../kubeconfig/kubeconfig.js');
  const { detectInitSystem, managesServices, restartService } = await import('../../host/services.js');
  const text = await d.host.readFileIfExists(kubeletConf);
  if (!text) throw new KbadmError(`failed to load kubeconfig: ${shown} does not exist`);
  const updated = pointAtRotatedCert(
    parseKubeconfig(text.toString('utf8'), shown),
    shown,
    d.paths.onHost(current),
  );
  await d.host.writeFile(kubeletConf, serializeKubeconfig(updated), KUBECONFIG_FILE_MODE);
  // The kubelet reads kubelet.conf at start only; a failed restart leaves the old credentials
  // working until they expire, so it is reported rather than fatal.
  if (!managesServices(d.host)) return;
  try {
    const init = await detectInitSystem(d.host);
    if (init) await restartService(d.host, init, 'kubelet');
  } catch (err) {
    d.out.warn(`[${TAG}] the kubelet could not be restarted: ${errorMessage(err)}`);
  }
}

const FLAGS = ['config', 'cert-dir', 'dry-run'];

export const kubeletFinalizePhase: Phase<InitData> = {
  name: 'kubelet-finalize',
  short: 'Switch the kubelet to its own rotating client certificate',
  long: 'Runs after the TLS bootstrap: the kubelet now holds a client certificate it renews by itself, and kubelet.conf is changed to use it.',
  example:
    '  # Point kubelet.conf at the rotating certificate once the kubelet has one.\n  kbadm init phase kubelet-finalize all --config config.yaml',
  phases: [
    {
      name: 'enable-client-cert-rotation',
      short: "Make kubelet.conf use the kubelet's rotating client certificate",
      inheritFlags: FLAGS,
      run: enableClientCertRotation,
    },
  ],
};
