// `kbadm init phase kubeconfig [all|<file>]`: admin.conf, super-admin.conf, kubelet.conf,
// controller-manager.conf and scheduler.conf, each with a client certificate signed by the CA.
// The kubeconfig builders are imported when a phase runs, not with the phase tree.
import { caExternallyManaged } from '../../certs/pki-files.js';
import type { CertAndKey } from '../../certs/x509.js';
import { KbadmError, errorMessage } from '../../errors.js';
import type { KubeconfigRun } from '../../kubeconfig/kubeconfig-files.js';
import type { KubeconfigFileName } from '../../kubeconfig/specs.js';
import type { Phase } from '../../workflow/index.js';
import { kubeconfigStore, pkiInputs, pkiStore, type InitData } from './data.js';

const FLAGS = [
  'apiserver-advertise-address',
  'apiserver-bind-port',
  'control-plane-endpoint',
  'cert-dir',
  'config',
  'kubeconfig-dir',
  'kubernetes-version',
  'dry-run',
];

async function loadCA(d: InitData): Promise<CertAndKey> {
  const store = pkiStore(d);
  if (!(await store.exists('ca.crt'))) {
    throw new KbadmError(
      `the CA files do not exist in ${d.config.cluster.certificatesDir}, please run \`kbadm init phase certs ca\` to generate it`,
    );
  }
  try {
    return await store.certAndKey('ca');
  } catch (err) {
    throw new KbadmError(
      `couldn't create a kubeconfig; the CA files couldn't be loaded: ${errorMessage(err)}`,
      { cause: err },
    );
  }
}

/** The CA, loaded once per run (the parent phase starts it; a sub-phase run alone loads it). */
function caOf(d: InitData): Promise<CertAndKey> {
  if (!d.cache.ca) {
    d.cache.ca = loadCA(d);
    d.cache.ca.catch(() => undefined); // reported by the sub-phase that needs it
  }
  return d.cache.ca;
}

/** External-CA mode: the files are the user's (init checked them before any phase ran). */
const externalCA = (d: InitData): Promise<boolean> => caExternallyManaged(pkiStore(d));

/** What every kubeconfig sub-phase does with a file that is already there. */
const REUSE_NOTE =
  'The client certificate is signed by ca.crt in --cert-dir. An existing file is kept when it trusts that CA and names the same API server; otherwise the phase stops rather than overwrite it.';

function filePhase(name: string, file: KubeconfigFileName, short: string, about: string): Phase<InitData> {
  return {
    name,
    short,
    long: `${about}\n\n${REUSE_NOTE}`,
    inheritFlags: file === 'kubelet.conf' ? [...FLAGS, 'node-name'] : FLAGS,
    run: async (d) => {
      if (await externalCA(d)) {
        d.out.progress('kubeconfig', `External CA mode: Using user provided ${file}`);
        return;
      }
      const { ensureKubeconfig } = await import('../../kubeconfig/kubeconfig-files.js');
      const { kubeconfigSpec } = await import('../../kubeconfig/specs.js');
      const { prebuilt } = d.cache;
      const run: KubeconfigRun = {
        store: await kubeconfigStore(d),
        out: d.out,
        ca: () => caOf(d),
        prebuilt: (f) => {
          const p = prebuilt.get(f);
          prebuilt.delete(f);
          return p;
        },
      };
      await ensureKubeconfig(run, kubeconfigSpec(file, pkiInputs(d), d.now));
    },
  };
}

export const kubeconfigPhase: Phase<InitData> = {
  name: 'kubeconfig',
  short: 'Create the kubeconfig files for administrators, the kubelet and the control plane',
  long:
    'Creates in --kubeconfig-dir the kubeconfig files, each with a client certificate signed by the cluster CA: admin.conf, super-admin.conf, kubelet.conf, controller-manager.conf and scheduler.conf. ' +
    'Name one of the sub-phases below to create just that file, or "all" for every one.',
  phases: [
    filePhase(
      'admin',
      'admin.conf',
      'Create admin.conf, the kubeconfig for cluster administrators',
      'Writes admin.conf for the user kubernetes-admin in the group kubeadm:cluster-admins: the file to copy to ~/.kube/config for day-to-day administration with kubectl.',
    ),
    filePhase(
      'super-admin',
      'super-admin.conf',
      'Create super-admin.conf, a break-glass kubeconfig that bypasses RBAC',
      'Writes super-admin.conf for the user kubernetes-super-admin in the group system:masters, which no RBAC rule can restrict. Keep it for emergencies and use admin.conf otherwise.',
    ),
    filePhase(
      'kubelet',
      'kubelet.conf',
      "Create kubelet.conf, this node's kubelet credentials",
      'Writes kubelet.conf, with which the kubelet of this node authenticates as system:node:<node name> in the group system:nodes; --node-name sets that name.',
    ),
    filePhase(
      'controller-manager',
      'controller-manager.conf',
      'Create controller-manager.conf for kube-controller-manager',
      'Writes controller-manager.conf, with which kube-controller-manager authenticates as system:kube-controller-manager.',
    ),
    filePhase(
      'scheduler',
      'scheduler.conf',
      'Create scheduler.conf for kube-scheduler',
      'Writes scheduler.conf, with which kube-scheduler authenticates as system:kube-scheduler.',
    ),
  ],
  all: { short: 'Create every kubeconfig file' },
  run: async (d) => {
    d.out.progress('kubeconfig', `Using kubeconfig folder "${d.paths.onHost(d.paths.kubernetesDir)}"`);
    if (await externalCA(d)) return;
    // Build the missing files' client keys and certificates in parallel, ahead of the sub-phases.
    const ca = await caOf(d).catch(() => undefined);
    if (!ca) return; // each sub-phase reports the missing CA itself
    const { buildKubeconfig, KUBECONFIG_FILES, kubeconfigSpec } = await import('../../kubeconfig/specs.js');
    const store = await kubeconfigStore(d);
    const inputs = pkiInputs(d);
    for (const file of KUBECONFIG_FILES) {
      if (await d.host.exists(store.path(file))) continue;
      const p = buildKubeconfig(kubeconfigSpec(file, inputs, d.now), ca).then((b) => b.config);
      p.catch(() => undefined);
      d.cache.prebuilt.set(file, p);
    }
  },
};
