// Generating the whole PKI at once: every key in parallel first, then the CAs, then the leaves.
import type { PkiInputs } from './inputs.js';
import { generatePrivateKey, SA_FILE_MODE, SA_KEY_FILE, SA_PUB_FILE, type PrivateKey } from './keys.js';
import { certSpecs, type CertName, type CertSpec } from './specs.js';
import { signCertificate, type CertAndKey } from './x509.js';

export interface GeneratedCert extends CertAndKey {
  spec: CertSpec;
}

export interface GeneratedPki {
  /** In kubeadm's order. */
  certs: GeneratedCert[];
  serviceAccountKey: PrivateKey;
}

/** A file to write, relative to certificatesDir. Keys come before their certificate, as kubeadm writes them. */
export interface PkiFile {
  path: string;
  mode: number;
  data: string;
  /**
   * false: a new file may replace an existing one (sa.pub, only ever derived from sa.key). Otherwise
   * a file of a new pair is written only where nothing is, so that no private key is replaced.
   */
  exclusive?: boolean;
}

/** Generates every certificate and key of the tree (and the service-account key) for these inputs. */
export async function generatePki(
  inputs: PkiInputs,
  now: Date,
  deps: { generateKey?: (algorithm: string) => Promise<PrivateKey> } = {},
): Promise<GeneratedPki> {
  const specs = certSpecs(inputs, now);
  const gen = deps.generateKey ?? generatePrivateKey;
  const [saKey, ...keys] = await Promise.all([
    gen(inputs.encryptionAlgorithm),
    ...specs.map(() => gen(inputs.encryptionAlgorithm)),
  ]);
  const byName = new Map<CertName, GeneratedCert>();
  const cas = specs.map((s, i) => ({ spec: s, key: keys[i]! })).filter((x) => x.spec.isCA);
  await Promise.all(
    cas.map(async ({ spec, key }) => {
      byName.set(spec.name, { spec, key, cert: await signCertificate(spec, key) });
    }),
  );
  await Promise.all(
    specs.map(async (spec, i) => {
      if (spec.isCA) return;
      const ca = byName.get(spec.caName!)!;
      const key = keys[i]!;
      byName.set(spec.name, { spec, key, cert: await signCertificate(spec, key, ca) });
    }),
  );
  return { certs: specs.map((s) => byName.get(s.name)!), serviceAccountKey: saKey! };
}

/** The files of one certificate: `<base>.key` (0600) then `<base>.crt` (0644). */
export function certFiles(
  c: GeneratedCert | (CertAndKey & { spec: Pick<CertSpec, 'certFile' | 'keyFile' | 'certMode' | 'keyMode'> }),
): PkiFile[] {
  return [
    { path: c.spec.keyFile, mode: c.spec.keyMode, data: c.key.toPem() },
    { path: c.spec.certFile, mode: c.spec.certMode, data: c.cert.pem },
  ];
}

/** sa.key then sa.pub, both 0600 as kubeadm writes them. */
export function serviceAccountFiles(key: PrivateKey): PkiFile[] {
  return [
    { path: SA_KEY_FILE, mode: SA_FILE_MODE, data: key.toPem() },
    { path: SA_PUB_FILE, mode: SA_FILE_MODE, data: key.publicKeyPem(), exclusive: false },
  ];
}

/** Every file of a generated PKI, in the order kubeadm's init writes them. */
export function pkiFiles(pki: GeneratedPki): PkiFile[] {
  return [...pki.certs.flatMap(certFiles), ...serviceAccountFiles(pki.serviceAccountKey)];
}
