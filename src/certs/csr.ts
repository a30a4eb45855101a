// Certificate signing requests for `kubeadm certs generate-csr` (external CA): subject and SANs only,
// no key usages requested, as pkiutil.NewCSR makes them.
import { generatePrivateKey, signingAlgorithm, type PrivateKey } from './keys.js';
import { encodePem } from './pem.js';
import type { PkiInputs } from './inputs.js';
import { removeDuplicateAltNames, type AltNames } from './sans.js';
import { certSpecs, CSR_FILE_MODE, KEY_FILE_MODE } from './specs.js';
import type { PkiFile } from './tree.js';
import { x509Lib } from './x509-lib.js';

export interface CsrRequest {
  commonName: string;
  organization: string[];
  altNames: AltNames;
}

export interface KeyAndCsr {
  key: PrivateKey;
  /** "CERTIFICATE REQUEST" PEM. */
  csrPem: string;
}

function isPrintable(s: string): boolean {
  return /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(s);
}

/** A CSR for `key`. */
export async function createCsr(req: CsrRequest, key: PrivateKey): Promise<string> {
  const lib = await x509Lib();
  const keys = await key.webKeys();
  const alt = removeDuplicateAltNames(req.altNames);
  const value = (s: string) => (isPrintable(s) ? { printableString: s } : { utf8String: s });
  const rdns: Record<string, { utf8String: string }[]>[] = [];
  if (req.organization.length > 0) rdns.push({ O: req.organization.map(value) as { utf8String: string }[] });
  rdns.push({ CN: [value(req.commonName)] as { utf8String: string }[] });
  const names = [
    ...alt.dnsNames.map((v) => ({ type: 'dns' as const, value: v })),
    ...alt.ips.map((v) => ({ type: 'ip' as const, value: v })),
  ];
  const csr = await lib.Pkcs10CertificateRequestGenerator.create({
    name: new lib.Name(rdns),
    keys: keys as Parameters<typeof lib.Pkcs10CertificateRequestGenerator.create>[0]['keys'],
    signingAlgorithm: signingAlgorithm(key.type) as Parameters<
      typeof lib.Pkcs10CertificateRequestGenerator.create
    >[0]['signingAlgorithm'],
    extensions: names.length > 0 ? [new lib.SubjectAlternativeNameExtension(names, false)] : [],
  });
  return encodePem('CERTIFICATE REQUEST', new Uint8Array(csr.rawData));
}

/** A new key of `algorithm` and its CSR. */
export async function createKeyAndCsr(req: CsrRequest, algorithm: string): Promise<KeyAndCsr> {
  const key = await generatePrivateKey(algorithm);
  return { key, csrPem: await createCsr(req, key) };
}

export interface LeafCsr extends KeyAndCsr {
  baseName: string;
}

/**
 * Keys and CSRs for every leaf of the full default tree (local etcd, as kubeadm always uses for
 * generate-csr), in kubeadm's order, generated in parallel.
 */
export async function generateLeafCsrs(inputs: PkiInputs, now: Date): Promise<LeafCsr[]> {
  const local: PkiInputs = inputs.etcd.local
    ? inputs
    : { ...inputs, etcd: { local: { serverCertSANs: [], peerCertSANs: [] } } };
  const leaves = certSpecs(local, now).filter((s) => !s.isCA);
  return Promise.all(
    leaves.map(async (s) => ({
      baseName: s.baseName,
      ...(await createKeyAndCsr(
        { commonName: s.commonName, organization: s.organization, altNames: s.altNames },
        s.encryptionAlgorithm,
      )),
    })),
  );
}

/** `<base>.key` then `<base>.csr`, both 0600. */
export function csrFiles(c: LeafCsr): PkiFile[] {
  return [
    { path: `${c.baseName}.key`, mode: KEY_FILE_MODE, data: c.key.toPem() },
    { path: `${c.baseName}.csr`, mode: CSR_FILE_MODE, data: c.csrPem },
  ];
}
