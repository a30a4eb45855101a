// `kbadm init phase upload-certs`: with --upload-certs, the cluster's CA, front-proxy CA, service
// account and etcd CA keys go into the kubeadm-certs Secret, encrypted under the certificate key,
// so another control-plane node can join with that key instead of copying files by hand. The Secret
// is owned by a two-hour token Secret, so the cluster deletes it when that token expires.
import { KbadmError } from '../../errors.js';
import type { Phase } from '../../workflow/index.js';
import { pkiStore, type InitData } from './data.js';
import { apiCall } from './api-call.js';

const TAG = 'upload-certs';

async function runUploadCerts(d: InitData): Promise<void> {
  if (!d.uploadCerts) {
    d.out.progress(TAG, 'Skipping phase. Please see --upload-certs');
    return;
  }
  const { createOrUpdate } = await import('../../cluster/idempotency.js');
  const {
    UPLOAD_CERTS_STORING_LINE,
    kubeadmCertFiles,
    kubeadmCertsSecret,
    parseCertificateKey,
    uploadCertsToken,
  } = await import('../../certs/copy-certs.js');
  const { readKubeadmCertFiles } = await import('../../certs/pki-files.js');
  const { kubeadmCertsRbac } = await import('../../manifests/rbac.js');
  const { bootstrapTokenSecretName } = await import('../../tokens/bootstrap-secret.js');
  const { generateBootstrapToken, parseBootstrapToken } = await import('../../tokens/token-format.js');
  const { updateOrCreateTokens } = await import('../bootstrap-tokens.js');
  const key = await d.certificateKey();
  parseCertificateKey(key);
  const client = await d.cluster();
  const files = await readKubeadmCertFiles(pkiStore(d), kubeadmCertFiles(d.config.cluster));
  d.out.progressLine(UPLOAD_CERTS_STORING_LINE);

  // A fresh owner token on every upload: the Secret lives exactly as long as this token.
  const token = uploadCertsToken(generateBootstrapToken());
  await updateOrCreateTokens(client, [token], { failIfExists: false, now: d.now, ...apiCall(d) });
  const owner = bootstrapTokenSecretName(parseBootstrapToken(token.token)!.id);
  const stored = await client.get({
    apiVersion: 'v1',
    kind: 'Secret',
    namespace: 'kube-system',
    name: owner,
  });
  if (!stored?.metadata.uid)
    throw new KbadmError(`the token Secret ${owner} disappeared right after it was created`);
  await createOrUpdate(
    client,
    kubeadmCertsSecret(files, key, { name: owner, uid: stored.metadata.uid }),
    apiCall(d),
  );
  for (const o of kubeadmCertsRbac()) await createOrUpdate(client, o, apiCall(d));
  d.cache.certificatesUploaded = true;
  if (!d.skipCertificateKeyPrint) {
    d.out.progress(TAG, 'Using certificate key:');
    d.out.progressLine(key);
  }
}

export const uploadCertsPhase: Phase<InitData> = {
  name: 'upload-certs',
  short: 'Store the control-plane certificates, encrypted, in the kubeadm-certs Secret',
  long:
    'With --upload-certs, encrypts the cluster CA, front-proxy CA, service-account and etcd CA keys and certificates with AES-256-GCM under the certificate key ' +
    '(--certificate-key, or a new one that is then printed) and stores them in the kubeadm-certs Secret in kube-system for two hours. ' +
    'Without --upload-certs it does nothing.',
  example:
    '  # Upload the certificates again (for example after the two hours) and print the new key.\n' +
    '  kbadm init phase upload-certs --upload-certs --config config.yaml',
  inheritFlags: [
    'certificate-key',
    'config',
    'dry-run',
    'kubeconfig',
    'skip-certificate-key-print',
    'upload-certs',
  ],
  run: runUploadCerts,
};
