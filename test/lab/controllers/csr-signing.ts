// What the kube-controller-manager's CSR controllers decide and produce: which kubelet client
// CSRs may be approved (the requester holds the nodeclient or selfnodeclient permission, the
// subject is system:node:<name> in system:nodes, the usages are a client's), and the signed
// certificate for an approved one, issued by the cluster CA from --cluster-signing-*-file.
import { createPrivateKey, randomBytes, webcrypto, X509Certificate } from 'node:crypto';
import { x509Lib } from '../../../src/certs/x509-lib.js';

export const KUBELET_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client-kubelet';

export interface CsrFacts {
  commonName: string;
  organizations: string[];
  dnsNames: number;
  ipAddresses: number;
}

export async function csrFacts(pem: string): Promise<CsrFacts> {
  const x509 = await x509Lib();
  const csr = new x509.Pkcs10CertificateRequest(pem);
  if (!(await csr.verify())) throw new Error('the CSR signature does not verify');
  const names = csr.subjectName.toJSON();
  const values = (oid: string) => names.flatMap((rdn) => (rdn[oid] as string[] | undefined) ?? []);
  const san = csr.extensions.find((e) => e instanceof x509.SubjectAlternativeNameExtension) as
    InstanceType<typeof x509.SubjectAlternativeNameExtension> | undefined;
  const sans: { type: string }[] = san?.names.toJSON() ?? [];
  return {
    commonName: values('CN')[0] ?? '',
    organizations: values('O'),
    dnsNames: sans.filter((n) => n.type === 'dns').length,
    ipAddresses: sans.filter((n) => n.type === 'ip').length,
  };
}

/** The shape checks of the kubelet client approver; the permission check is the caller's. */
export function kubeletClientShapeProblem(facts: CsrFacts, usages: string[]): string | undefined {
  if (!facts.commonName.startsWith('system:node:')) return 'common name does not start with system:node:';
  if (facts.organizations.length !== 1 || facts.organizations[0] !== 'system:nodes')
    return 'organization is not system:nodes';
  if (facts.dnsNames > 0 || facts.ipAddresses > 0)
    return 'a client certificate request may not carry alternative names';
  const allowed = new Set(['digital signature', 'key encipherment', 'client auth']);
  if (!usages.includes('client auth') || usages.some((u) => !allowed.has(u)))
    return `usages ${usages.join(',')} are not a client's`;
  return undefined;
}

function signingParams(
  key: ReturnType<typeof createPrivateKey>,
): webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams {
  if (key.asymmetricKeyType === 'rsa') return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  const curve = key.asymmetricKeyDetails?.namedCurve === 'secp384r1' ? 'P-384' : 'P-256';
  return { name: 'ECDSA', namedCurve: curve };
}

/** Signs `csrPem` with the CA; the validity is one year or the CA's remaining life, whichever is shorter. */
export async function signClientCertificate(
  csrPem: string,
  caCertPem: Buffer,
  caKeyPem: Buffer,
  usages: string[],
): Promise<string> {
  const x509 = await x509Lib();
  const csr = new x509.Pkcs10CertificateRequest(csrPem);
  const ca = new x509.X509Certificate(caCertPem);
  const caKeyObject = createPrivateKey(caKeyPem);
  if (!new X509Certificate(caCertPem).checkPrivateKey(caKeyObject))
    throw new Error('the signing key does not match the signing certificate');
  const params = signingParams(caKeyObject);
  const der = caKeyObject.export({ type: 'pkcs8', format: 'der' });
  const signingKey = await webcrypto.subtle.importKey('pkcs8', der, params, false, ['sign']);
  const hash = 'namedCurve' in params && params.namedCurve === 'P-384' ? 'SHA-384' : 'SHA-256';
  const notBefore = new Date(Date.now() - 5 * 60_000);
  const yearLater = new Date(Date.now() + 365 * 24 * 3600_000);
  const notAfter = ca.notAfter < yearLater ? ca.notAfter : yearLater;
  let keyUsage = 0;
  if (usages.includes('digital signature')) keyUsage |= x509.KeyUsageFlags.digitalSignature;
  if (usages.includes('key encipherment')) keyUsage |= x509.KeyUsageFlags.keyEncipherment;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomBytes(16)
      .toString('hex')
      .replace(/^[89a-f]/, '1'),
    subject: csr.subjectName,
    issuer: ca.subjectName,
    notBefore,
    notAfter,
    publicKey: csr.publicKey,
    signingKey: signingKey as never,
    signingAlgorithm: { ...params, hash },
    extensions: [
      new x509.KeyUsagesExtension(keyUsage, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
      new x509.BasicConstraintsExtension(false, undefined, true),
      await x509.AuthorityKeyIdentifierExtension.create(ca, false),
    ],
  });
  return `${cert.toString('pem').trimEnd()}\n`;
}
