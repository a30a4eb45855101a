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
import { ALL_CERT_NAMES, certIdentity, certSpec, type CertName } from '../../certs/specs.js';
import { cpuJobSlots } from '../../host/thread-pool.js';
import type { Phase, PhaseStep } from '../../workflow/index.js';
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
type CertsData = Pick<InitData, 'config' | 'host' | 'paths' | 'out' | 'now' | 'cache' | 'env'>;

/**
 * What the PKI steps need, with the keys the parent phase started generating (if it ran) and the
 * CAs signed so far.
 */
function certRun(d: CertsData, step?: PhaseStep): CertRun {
  const run: CertRun = {
    store: pkiStore(d),
    out: d.out,
    inputs: pkiInputs(d),
    now: d.now,
    issued: d.cache.issuedCAs,
  };
  if (d.cache.keys) run.keys = d.cache.keys;
  if (step) run.release = () => step.release();
  return run;
}

function certPhase(name: CertName): Phase<InitData> {
  const spec = certIdentity(name);
  return {
    name,
    short: `Create ${spec.longName}`,
    long:
      `Creates ${spec.certFile} and ${spec.keyFile} in --cert-dir: ${spec.longName}.\n\n` +
      (spec.isCA
        ? `An existing ${spec.certFile} is reused, with its key when the key is there; without the key the CA counts as external and nothing new can be signed by it. A key without its certificate stops the run.`
        : `An existing ${spec.certFile} that chains to its CA is reused as it is; one that does not, or a key without its certificate, stops the run.`) +
      (name === 'etcd-ca' || spec.caName === 'etcd-ca'
        ? ' With an external etcd this phase does nothing.'
        : ''),
    inheritFlags: name === 'apiserver' ? APISERVER_FLAGS : BASE_FLAGS,
    // A leaf waits for its CA's phase when that one runs too: until that has signed a new CA (which
    // then signs the leaf, whose files go in place after the CA's), or has finished.
    ...(spec.caName ? { after: [spec.caName] } : {}),
    run: async (d, step) => {
      const run = certRun(d, step);
      const s = certSpec(name, run.inputs, d.now);
      await (s.isCA ? ensureCA(run, s) : ensureLeaf(run, s));
    },
  };
}

export const saPhase: Phase<InitData> = {
  name: 'sa',
  short: 'Create the key pair that signs and verifies service-account tokens',
  long:
    'Writes sa.key and sa.pub into --cert-dir. The API server and the controller manager sign service-account tokens with sa.key; the API server checks them with sa.pub.\n\n' +
    'An existing sa.key is reused; one that cannot be read stops the run.',
  inheritFlags: ['cert-dir', 'config', 'dry-run'],
  run: async (d) => ensureServiceAccountKey(certRun(d)),
};

export const certsPhase: Phase<InitData> = {
  name: 'certs',
  short: 'Create the cluster PKI: CAs, certificates and the service-account key',
  long:
    'Creates in --cert-dir the three CAs (Kubernetes, front proxy, etcd), the certificates they sign and the service-account key pair, reusing what is already there. ' +
    'Name one of the sub-phases below to create just that one, or "all" for every one.',
  phases: [...ALL_CERT_NAMES.map(certPhase), saPhase],
  // Each certificate is a handful of small reads and synced writes: run at once, their waits overlap.
  parallel: true,
  all: { short: 'Create every certificate and key of the cluster PKI' },
  run: async (d) => {
    d.out.progress('certs', `Using certificateDir folder "${certificatesDirOnHost(d)}"`);
    // Every key the sub-phases will need is generated at once, in parallel, before they run. The
    // run's data usually started them already, before the node lock; a key that only the locked
    // look would find missing (another run removed its files meanwhile) is made when it is taken.
    const inputs = pkiInputs(d);
    if (d.cache.keys?.algorithm === inputs.encryptionAlgorithm) return;
    const pool = new KeyPool(inputs.encryptionAlgorithm, cpuJobSlots(d.env));
    pool.prefetch(await missingPkiNames(pkiStore(d), inputs, d.now));
    d.cache.keys = pool;
  },
};
