// `kbadm init phase certs [all|<name>]`: the certificate tree, one sub-phase per certificate in
// kubeadm's order, then the service-account key pair.
import {
  ensureCA,
  ensureLeaf,
  ensureServiceAccountKey,
  KeyPool,
  missingPkiNames,
  type CertRun,
} from '../../certs/pki-files.js';
import { ALL_CERT_NAMES, certSpec, type CertName } from '../../certs/specs.js';
import type { Phase } from '../../workflow/index.js';
import { certificatesDirOnHost, pkiInputs, pkiStore, type InitData } from './data.js';

const BASE_FLAGS = ['cert-dir', 'config', 'dry-run', 'kubernetes-version'];
const APISERVER_FLAGS = [
  ...BASE_FLAGS,
  'apiserver-advertise-address',
  'apiserver-cert-extra-sans',
  'control-plane-endpoint',
  'service-cidr',
  'service-dns-domain',
];

/** What the certs phases read. */
type CertsData = Pick<InitData, 'config' | 'host' | 'paths' | 'out' | 'now' | 'cache'>;

/** What the PKI steps need, with the keys the parent phase started generating, if it ran. */
function certRun(d: CertsData): CertRun {
  const run: CertRun = { store: pkiStore(d), out: d.out, inputs: pkiInputs(d), now: d.now };
  if (d.cache.keys) run.keys = d.cache.keys;
  return run;
}

function certPhase(name: CertName): Phase<InitData> {
  // The texts do not depend on the configuration; any inputs give the same names.
  const spec = certSpec(name, SAMPLE_INPUTS, new Date(0));
  return {
    name,
    short: `Generate the ${spec.longName}`,
    long:
      `Generate the ${spec.longName}, and save them into ${spec.baseName}.crt and ${spec.baseName}.key files.\n\n` +
      'If both files already exist, kbadm skips the generation step and existing files will be used.',
    inheritFlags: name === 'apiserver' ? APISERVER_FLAGS : BASE_FLAGS,
    run: async (d) => {
      const run = certRun(d);
      const s = certSpec(name, run.inputs, d.now);
      await (s.isCA ? ensureCA(run, s) : ensureLeaf(run, s));
    },
  };
}

const SAMPLE_INPUTS = {
  nodeName: 'node',
  advertiseAddress: '127.0.0.1',
  bindPort: 6443,
  serviceSubnet: '10.96.0.0/12',
  dnsDomain: 'cluster.local',
  controlPlaneEndpoint: '',
  apiServerCertSANs: [],
  etcd: { local: { serverCertSANs: [], peerCertSANs: [] } },
  encryptionAlgorithm: 'RSA-2048',
  kubernetesVersion: 'v1.34.0',
  certificatesDir: '/etc/kubernetes/pki',
  clusterName: 'kubernetes',
};

export const saPhase: Phase<InitData> = {
  name: 'sa',
  short: 'Generate a private key for signing service account tokens along with its public key',
  long:
    'Generate the private key for signing service account tokens along with its public key, and save them into sa.key and sa.pub files.\n\n' +
    'If both files already exist, kbadm skips the generation step and existing files will be used.',
  inheritFlags: ['cert-dir', 'config', 'dry-run'],
  run: async (d) => ensureServiceAccountKey(certRun(d)),
};

export const certsPhase: Phase<InitData> = {
  name: 'certs',
  short: 'Certificate generation',
  long: 'This command is not meant to be run on its own. See list of available subcommands.',
  phases: [...ALL_CERT_NAMES.map(certPhase), saPhase],
  all: { short: 'Generate all certificates' },
  run: async (d) => {
    d.out.progress('certs', `Using certificateDir folder "${certificatesDirOnHost(d)}"`);
    // Every key the sub-phases will need is generated at once, in parallel, before they run.
    const inputs = pkiInputs(d);
    const pool = new KeyPool(inputs.encryptionAlgorithm);
    pool.prefetch(await missingPkiNames(pkiStore(d), inputs, d.now));
    d.cache.keys = pool;
  },
};
