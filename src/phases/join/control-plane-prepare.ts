// `kbadm join phase control-plane-prepare`: a joining control-plane node gets what init's first
// phases give the first one: the shared certificates (downloaded from the kubeadm-certs Secret when
// a certificate key is given), its own certificates signed by those CAs, the kubeconfig files of
// the control plane, and the static Pod manifests. A worker join skips every step.
import { writeKubeadmCertFiles } from '../../certs/pki-files.js';
import { errorMessage, KbadmError } from '../../errors.js';
import type { Phase } from '../../workflow/index.js';
import { certsPhase } from '../init/certs.js';
import { controlPlanePhase } from '../init/control-plane.js';
import { pkiStore } from '../init/data.js';
import { kubeconfigPhase } from '../init/kubeconfig.js';
import { runPhaseTree } from '../run-tree.js';
import { asInitData, type JoinData } from './data.js';
import { DISCOVERY_FLAGS } from './flags.js';

const CP_FLAGS = ['apiserver-advertise-address', 'apiserver-bind-port', 'config', 'control-plane', 'dry-run'];

/** The kubeconfig files a joining control plane writes: not kubelet.conf (TLS bootstrap) nor super-admin.conf. */
const JOIN_KUBECONFIGS = ['admin', 'controller-manager', 'scheduler'];

export async function runDownloadCerts(d: JoinData): Promise<void> {
  const key = d.config.controlPlane?.certificateKey ?? '';
  if (!d.controlPlane) return;
  if (key === '') {
    d.out.log.info('[download-certs] Skipping certs download');
    return;
  }
  const {
    DOWNLOAD_CERTS_DOWNLOADING_LINE,
    KUBEADM_CERTS_NAMESPACE,
    KUBEADM_CERTS_SECRET,
    decryptKubeadmCerts,
    kubeadmCertsSecretNotFound,
  } = await import('../../certs/copy-certs.js');
  const { cluster } = await d.initConfig();
  d.out.progressLine(DOWNLOAD_CERTS_DOWNLOADING_LINE);
  const fail = (reason: string) => new KbadmError(`error downloading certs: ${reason}`);
  let secret;
  try {
    secret = await (
      await d.bootstrapCluster()
    ).get({
      apiVersion: 'v1',
      kind: 'Secret',
      namespace: KUBEADM_CERTS_NAMESPACE,
      name: KUBEADM_CERTS_SECRET,
    });
  } catch (err) {
    throw fail(`error downloading the secret: ${errorMessage(err)}`);
  }
  if (secret === undefined) throw fail(`error downloading the secret: ${kubeadmCertsSecretNotFound()}`);
  // Every value is decrypted before anything is written: a wrong key leaves the disk as it was.
  let downloaded;
  try {
    downloaded = decryptKubeadmCerts(secret, key, cluster);
  } catch (err) {
    throw fail(errorMessage(err));
  }
  for (const line of downloaded.skipped) d.out.log.debug(line);
  await writeKubeadmCertFiles(pkiStore(d), downloaded.files);
  d.out.progress('download-certs', `Saving the certificates to the folder: "${cluster.certificatesDir}"`);
}

const onlyForControlPlane = (d: JoinData) => d.controlPlane;

export const controlPlanePreparePhase: Phase<JoinData> = {
  name: 'control-plane-prepare',
  short: 'Make this machine ready to run a control-plane instance',
  long:
    'For a control-plane join (--control-plane): downloads the shared certificates, creates the certificates and kubeconfig files of this instance, and writes its static Pod manifests. ' +
    'A worker join skips it. Name one of the sub-phases below to run just that step, or "all" for every one.',
  phases: [
    {
      name: 'download-certs',
      short: 'Download the shared control-plane certificates from the kubeadm-certs Secret',
      long:
        'Reads the kubeadm-certs Secret with the bootstrap token, decrypts it with --certificate-key and writes the CAs and the service-account key pair into the certificates directory. ' +
        'Without a certificate key the shared certificates must already be on this machine, and nothing is downloaded.',
      inheritFlags: [...CP_FLAGS, 'certificate-key', ...DISCOVERY_FLAGS],
      run: runDownloadCerts,
    },
    {
      name: 'certs',
      short: "Create this control-plane instance's certificates",
      long: "Creates the API server's, etcd's and the other certificates of this instance, signed by the cluster's CAs; certificates already there and valid are kept.",
      inheritFlags: [...CP_FLAGS, ...DISCOVERY_FLAGS],
      runIf: onlyForControlPlane,
      run: async (d) => runPhaseTree(certsPhase, await asInitData(d)),
    },
    {
      name: 'kubeconfig',
      short: "Create this control-plane instance's kubeconfig files",
      long: 'Writes admin.conf, controller-manager.conf and scheduler.conf, with client certificates signed by the cluster CA.',
      inheritFlags: [...CP_FLAGS, 'certificate-key', ...DISCOVERY_FLAGS],
      runIf: onlyForControlPlane,
      run: async (d) => {
        d.out.progress('kubeconfig', 'Generating kubeconfig files');
        await runPhaseTree(kubeconfigPhase, await asInitData(d), JOIN_KUBECONFIGS);
      },
    },
    {
      name: 'control-plane',
      short: "Write this control-plane instance's static Pod manifests",
      long: 'Writes the kube-apiserver, kube-controller-manager and kube-scheduler manifests into /etc/kubernetes/manifests.',
      inheritFlags: [...CP_FLAGS, 'patches', ...DISCOVERY_FLAGS],
      runIf: onlyForControlPlane,
      run: async (d) => runPhaseTree(controlPlanePhase, await asInitData(d)),
    },
  ],
  all: { short: 'Run every step of control-plane-prepare' },
};
