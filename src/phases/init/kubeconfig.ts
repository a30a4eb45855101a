// `kbadm init phase kubeconfig [all|<file>]`: admin.conf, super-admin.conf, kubelet.conf,
// controller-manager.conf and scheduler.conf, each with a client certificate signed by the CA.
import { caExternallyManaged } from '../../certs/pki-files.js';
import type { CertAndKey } from '../../certs/x509.js';
import { KbadmError, errorMessage } from '../../errors.js';
import { ensureKubeconfig, type KubeconfigRun } from '../../kubeconfig/kubeconfig-files.js';
import {
  buildKubeconfig,
  KUBECONFIG_FILES,
  kubeconfigSpec,
  type KubeconfigFileName,
} from '../../kubeconfig/specs.js';
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

function filePhase(name: string, file: KubeconfigFileName, short: string): Phase<InitData> {
  return {
    name,
    short,
    long: `${short}.`,
    inheritFlags: file === 'kubelet.conf' ? [...FLAGS, 'node-name'] : FLAGS,
    run: async (d) => {
      if (await externalCA(d)) {
        d.out.progress('kubeconfig', `External CA mode: Using user provided ${file}`);
        return;
      }
      const { prebuilt } = d.cache;
      const run: KubeconfigRun = {
        store: kubeconfigStore(d),
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
  short:
    'Generate all kubeconfig files necessary to establish the control plane and the admin kubeconfig file',
  long: 'This command is not meant to be run on its own. See list of available subcommands.',
  phases: [
    filePhase(
      'admin',
      'admin.conf',
      'Generate a kubeconfig file for the admin to use and for kubeadm itself',
    ),
    filePhase('super-admin', 'super-admin.conf', 'Generate a kubeconfig file for the super-admin'),
    filePhase(
      'kubelet',
      'kubelet.conf',
      'Generate a kubeconfig file for the kubelet to use *only* for cluster bootstrapping purposes',
    ),
    filePhase(
      'controller-manager',
      'controller-manager.conf',
      'Generate a kubeconfig file for the controller manager to use',
    ),
    filePhase('scheduler', 'scheduler.conf', 'Generate a kubeconfig file for the scheduler to use'),
  ],
  all: { short: 'Generate all kubeconfig files' },
  run: async (d) => {
    d.out.progress('kubeconfig', `Using kubeconfig folder "${d.paths.onHost(d.paths.kubernetesDir)}"`);
    if (await externalCA(d)) return;
    // Build the missing files' client keys and certificates in parallel, ahead of the sub-phases.
    const ca = await caOf(d).catch(() => undefined);
    if (!ca) return; // each sub-phase reports the missing CA itself
    const store = kubeconfigStore(d);
    const inputs = pkiInputs(d);
    for (const file of KUBECONFIG_FILES) {
      if (await d.host.exists(store.path(file))) continue;
      const p = buildKubeconfig(kubeconfigSpec(file, inputs, d.now), ca).then((b) => b.config);
      p.catch(() => undefined);
      d.cache.prebuilt.set(file, p);
    }
  },
};
