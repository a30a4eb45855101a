// upload-certs / download-certs (kubeadm's copycerts): the control-plane certificates and keys a
// joining control-plane node needs travel through the kube-system/kubeadm-certs Secret, each value
// sealed with AES-256-GCM under the certificate key. Values in, values out: the adapter
// (pki-files.ts) reads and writes the files, the phase talks to the API server.
import { createCipheriv, createDecipheriv, createPublicKey, randomBytes, X509Certificate } from 'node:crypto';
import * as path from 'node:path';
import type { BootstrapToken, ClusterConfiguration } from '../config/model.js';
import { validateCertificateKey } from '../config/validation/endpoint.js';
import type { KubeObject } from '../cluster/types.js';
import { KbadmError, ValidationError } from '../errors.js';
import { decodePemBlocks } from './pem.js';
import { parsePrivateKeyPem } from './keys.js';

export const KUBEADM_CERTS_SECRET = 'kubeadm-certs';
export const KUBEADM_CERTS_NAMESPACE = 'kube-system';
/** 32 bytes: AES-256. */
export const CERTIFICATE_KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** Whoever gave the key is named in errors: the flag unless the caller knows better. */
export const CERTIFICATE_KEY_FLAG = '--certificate-key';

/** A fresh certificate key: 32 random bytes as lowercase hex (kubeadm's CreateCertificateKey). */
export function generateCertificateKey(random: (size: number) => Uint8Array = randomBytes): string {
  return Buffer.from(random(CERTIFICATE_KEY_BYTES)).toString('hex');
}

/**
 * The 32 key bytes of a hex certificate key. Errors name `field` and never echo the key; the texts
 * are those of the configuration's own certificateKey check.
 */
export function parseCertificateKey(key: string, field = CERTIFICATE_KEY_FLAG): Buffer {
  const problems =
    key === ''
      ? [
          {
            field,
            detail: `invalid certificate key size 0, the key must be an AES key of size ${CERTIFICATE_KEY_BYTES}`,
          },
        ]
      : validateCertificateKey(key, field);
  if (problems.length > 0) throw new ValidationError(problems);
  return Buffer.from(key, 'hex');
}

/** Go's `gcm.Seal(nonce, nonce, data, nil)`: nonce ‖ ciphertext ‖ tag, no additional data. */
export function encryptBytes(
  data: Uint8Array,
  key: Uint8Array,
  random: (size: number) => Uint8Array = randomBytes,
): Buffer {
  const nonce = Buffer.from(random(NONCE_BYTES));
  const cipher = createCipheriv(aesGcm(key), key, nonce, { authTagLength: TAG_BYTES });
  return Buffer.concat([nonce, cipher.update(data), cipher.final(), cipher.getAuthTag()]);
}

/**
 * The inverse of encryptBytes. Throws with Go's texts: a value shorter than the nonce, or one that
 * does not authenticate under this key (a wrong key and a tampered value look the same).
 */
export function decryptBytes(sealed: Uint8Array, key: Uint8Array): Buffer {
  if (sealed.length < NONCE_BYTES) throw new Error('size of data is less than the nonce');
  if (sealed.length < NONCE_BYTES + TAG_BYTES) throw new Error('cipher: message authentication failed');
  const buf = Buffer.from(sealed);
  const nonce = buf.subarray(0, NONCE_BYTES);
  const body = buf.subarray(NONCE_BYTES, buf.length - TAG_BYTES);
  const tag = buf.subarray(buf.length - TAG_BYTES);
  const decipher = createDecipheriv(aesGcm(key), key, nonce, { authTagLength: TAG_BYTES });
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    throw new Error('cipher: message authentication failed');
  }
}

/** Go's aes.NewCipher takes 16, 24 or 32 bytes; the certificate key is always 32. */
function aesGcm(key: Uint8Array): 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm' {
  switch (key.length) {
    case 16:
      return 'aes-128-gcm';
    case 24:
      return 'aes-192-gcm';
    case 32:
      return 'aes-256-gcm';
    default:
      throw new Error(`crypto/aes: invalid key size ${key.length}`);
  }
}

/** One file the Secret carries. */
export interface CopyCertFile {
  /** kubeadm's name for it (`etcd/ca.crt`, `external-etcd.key`), used in messages. */
  name: string;
  /** The Secret data key: the name with `/` replaced by `-`. */
  secretKey: string;
  /** Relative to the certificates directory, or absolute (the external etcd client files). */
  path: string;
}

const PKI_FILES = ['ca.crt', 'ca.key', 'front-proxy-ca.crt', 'front-proxy-ca.key', 'sa.pub', 'sa.key'];
const LOCAL_ETCD_FILES = ['etcd/ca.crt', 'etcd/ca.key'];

const file = (name: string, filePath = name): CopyCertFile => ({
  name,
  secretKey: name.replaceAll('/', '-'),
  path: filePath,
});

/**
 * The files that travel, in a stable order: the cluster CA, front-proxy CA and service-account
 * keys, then the etcd CA (local etcd) or the external etcd client files as configured.
 */
export function kubeadmCertFiles(cluster: Pick<ClusterConfiguration, 'etcd'>): CopyCertFile[] {
  const external = cluster.etcd.external;
  return [
    ...PKI_FILES.map((n) => file(n)),
    ...(external
      ? [
          file('external-etcd-ca.crt', external.caFile),
          file('external-etcd.crt', external.certFile),
          file('external-etcd.key', external.keyFile),
        ]
      : LOCAL_ETCD_FILES.map((n) => file(n))),
  ];
}

/** The file's path as the user knows it (certificatesDir joined in), for messages. */
export function copyCertHostPath(f: CopyCertFile, certificatesDir: string): string {
  return path.posix.isAbsolute(f.path) ? f.path : path.posix.join(certificatesDir, f.path);
}

/** The owner the Secret is garbage-collected with: the short-lived token's Secret. */
export interface SecretOwner {
  /** `bootstrap-token-<id>`. */
  name: string;
  uid: string;
}

/**
 * The kubeadm-certs Secret: every value sealed under the certificate key; a file that was missing
 * on disk (undefined) is stored as an empty value, as kubeadm does.
 */
export function kubeadmCertsSecret(
  files: ReadonlyMap<string, Uint8Array | undefined>,
  key: string,
  owner: SecretOwner,
): KubeObject {
  const aesKey = parseCertificateKey(key);
  const data: Record<string, string> = {};
  for (const [secretKey, bytes] of files) {
    data[secretKey] = bytes === undefined ? '' : encryptBytes(bytes, aesKey).toString('base64');
  }
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: KUBEADM_CERTS_SECRET,
      namespace: KUBEADM_CERTS_NAMESPACE,
      ownerReferences: [
        {
          apiVersion: 'v1',
          kind: 'Secret',
          name: owner.name,
          uid: owner.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    data,
  };
}

/** 2h: the Secret disappears with this token, so a joining node has two hours to use it. */
export const UPLOAD_CERTS_TOKEN_TTL_MS = 2 * 60 * 60 * 1000;
export const UPLOAD_CERTS_TOKEN_DESCRIPTION = 'Proxy for managing TTL for the kubeadm-certs secret';

/**
 * The short-lived token that owns the Secret: no usages and no groups, so it cannot authenticate
 * or sign anything; only its expiry matters. The caller generates the token string.
 */
export function uploadCertsToken(token: string): BootstrapToken {
  return {
    token,
    description: UPLOAD_CERTS_TOKEN_DESCRIPTION,
    ttl: UPLOAD_CERTS_TOKEN_TTL_MS,
    usages: [],
    groups: [],
  };
}

export const UPLOAD_CERTS_STORING_LINE = `[upload-certs] Storing the certificates in Secret "${KUBEADM_CERTS_SECRET}" in the "${KUBEADM_CERTS_NAMESPACE}" Namespace`;
export const DOWNLOAD_CERTS_DOWNLOADING_LINE = `[download-certs] Downloading the certificates in Secret "${KUBEADM_CERTS_SECRET}" in the "${KUBEADM_CERTS_NAMESPACE}" Namespace`;

/** kubeadm's text when the Secret is gone (its token expired, or upload-certs never ran). */
export function kubeadmCertsSecretNotFound(): string {
  return `Secret "${KUBEADM_CERTS_SECRET}" was not found in the "${KUBEADM_CERTS_NAMESPACE}" Namespace. This Secret might have expired. Please, run \`kubeadm init phase upload-certs --upload-certs\` on a control plane to generate a new one`;
}

/** kubeadm writes private keys 0600 and everything else (certificates, sa.pub) 0644. */
export const PRIVATE_KEY_MODE = 0o600;
export const PUBLIC_FILE_MODE = 0o644;

/** A downloaded file to write. */
export interface DownloadedCertFile extends CopyCertFile {
  data: Buffer;
  mode: number;
}

export interface DownloadedCerts {
  /** In kubeadmCertFiles order. */
  files: DownloadedCertFile[];
  /** Debug lines for the entries that were empty in the Secret (not written). */
  skipped: string[];
}

/**
 * What download-certs writes. Every value is decrypted and every file classified before anything is
 * returned, so a wrong key or a bad entry leaves the disk untouched. The errors are kubeadm's.
 */
export function decryptKubeadmCerts(
  secret: KubeObject,
  key: string,
  cluster: Pick<ClusterConfiguration, 'etcd' | 'certificatesDir'>,
): DownloadedCerts {
  const aesKey = parseCertificateKey(key);
  const data = (secret.data ?? {}) as Record<string, string | null | undefined>;
  const plain = new Map<string, Buffer>();
  for (const [secretKey, value] of Object.entries(data)) {
    const sealed = Buffer.from(value ?? '', 'base64');
    if (sealed.length === 0) {
      plain.set(secretKey, sealed);
      continue;
    }
    try {
      plain.set(secretKey, decryptBytes(sealed, aesKey));
    } catch (err) {
      throw new KbadmError(`error decoding secret data with provided key: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  const files: DownloadedCertFile[] = [];
  const skipped: string[] = [];
  for (const f of kubeadmCertFiles(cluster)) {
    const bytes = plain.get(f.secretKey);
    if (bytes === undefined) {
      throw new KbadmError(
        `the Secret does not include the required certificate or key - name: ${f.name}, path: ${copyCertHostPath(f, cluster.certificatesDir)}`,
      );
    }
    if (bytes.length === 0) {
      skipped.push(
        `[download-certs] Not saving "${f.name}" to disk, since it is empty in the "${KUBEADM_CERTS_SECRET}" Secret`,
      );
      continue;
    }
    files.push({ ...f, data: bytes, mode: fileMode(bytes) });
  }
  return { files, skipped };
}

/** A private key PEM is a key file (0600); certificates and public keys are 0644; anything else is refused. */
function fileMode(data: Buffer): number {
  if (isPrivateKeyPem(data)) return PRIVATE_KEY_MODE;
  if (isCertificateOrPublicKeyPem(data)) return PUBLIC_FILE_MODE;
  throw new KbadmError('unknown data found in Secret entry');
}

function isPrivateKeyPem(data: Buffer): boolean {
  try {
    parsePrivateKeyPem(data);
    return true;
  } catch {
    return false;
  }
}

/** client-go's ParsePublicKeysPEM: some block is a certificate or a public key that parses. */
function isCertificateOrPublicKeyPem(data: Buffer): boolean {
  return decodePemBlocks(data).some((b) => {
    try {
      if (b.type === 'CERTIFICATE') new X509Certificate(b.der);
      else if (b.type === 'PUBLIC KEY') createPublicKey({ key: b.der, format: 'der', type: 'spki' });
      else if (b.type === 'RSA PUBLIC KEY') createPublicKey({ key: b.der, format: 'der', type: 'pkcs1' });
      else return false;
      return true;
    } catch {
      return false;
    }
  });
}
