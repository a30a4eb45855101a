// Building, reading and checking X.509 certificates. Certificates come out as Go's crypto/x509 makes
// them for kubeadm: v3, random serial in [1, 2^63-1), KeyUsage and BasicConstraints critical, SKI on
// CAs, AKI on leaves, SANs DNS before IP, subject O before CN.
import { randomBytes, X509Certificate as NodeX509Certificate } from 'node:crypto';
import { KbadmError } from '../errors.js';
import { formatIP, parseIP } from '../config/net.js';
import {
  buildCertificate,
  encodeName,
  keyIdentifier,
  parseCertificate,
  readName,
  type KeyUsageName,
} from './certificate-der.js';
import { keyMatchesPublicKey, type PrivateKey, generatePrivateKey } from './keys.js';
import { ParsedByContent, pemText } from './parsed-by-content.js';
import { certificateDers, encodePem } from './pem.js';
import type { AltNames } from './sans.js';
import type { ExtKeyUsage } from './specs.js';

export type { KeyUsageName } from './certificate-der.js';

const EKU_OIDS: Record<ExtKeyUsage, string> = {
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
};

/** What a certificate says about its holder: the part renewal keeps. */
export interface CertIdentity {
  commonName: string;
  organization: string[];
  extKeyUsage: ExtKeyUsage[];
  altNames: AltNames;
}

export interface CertTemplate extends CertIdentity {
  isCA: boolean;
  notBefore: Date;
  notAfter: Date;
}

/** A parsed certificate. `pem` is this one certificate; `node` is Node's view for signature checks. */
export interface CertificateInfo {
  pem: string;
  der: Buffer;
  serialNumber: string;
  subject: { commonName: string; organization: string[] };
  issuer: { commonName: string; organization: string[] };
  notBefore: Date;
  notAfter: Date;
  isCA: boolean;
  keyUsage: KeyUsageName[];
  /** Known usages by name, unknown ones as OIDs. */
  extKeyUsage: string[];
  dnsNames: string[];
  ips: string[];
  subjectKeyId?: string;
  authorityKeyId?: string;
  /** DER SubjectPublicKeyInfo. */
  publicKeyDer: Buffer;
  node: NodeX509Certificate;
}

export interface CertAndKey {
  cert: CertificateInfo;
  key: PrivateKey;
}

/** Uniform in [1, 2^63-1), as kubeadm draws serials (crypto/rand below MaxInt64-1, plus one). */
export function randomSerial(): bigint {
  const max = (1n << 63n) - 2n; // exclusive bound of the draw
  // Rejection sampling over 63 bits keeps the draw uniform.
  for (;;) {
    const b = randomBytes(8);
    b[0] = b[0]! & 0x7f;
    const v = b.readBigUInt64BE();
    if (v < max) return v + 1n;
  }
}

function validateTemplate(t: CertTemplate): void {
  if (t.commonName === '') throw new KbadmError('must specify a CommonName');
  if (!t.isCA && t.extKeyUsage.length === 0) throw new KbadmError('must specify at least one ExtKeyUsage');
}

/**
 * Signs `template` for `key`. Without `issuer` the certificate is self-signed (a CA); otherwise it is
 * signed by the issuer's key and carries the issuer's subject and key identifier.
 */
export async function signCertificate(
  template: CertTemplate,
  key: PrivateKey,
  issuer?: CertAndKey,
): Promise<CertificateInfo> {
  validateTemplate(template);
  const publicKey = key.publicKeyDer();
  const subject = encodeName(template.commonName, template.organization);
  const keyUsage: KeyUsageName[] = ['digitalSignature', 'keyEncipherment'];
  if (template.isCA) keyUsage.push('keyCertSign');
  const fields = {
    serial: randomSerial(),
    subject,
    // The issuer's encoded subject, so that name chaining never depends on re-encoding.
    issuer: issuer ? subjectDer(issuer.cert) : subject,
    notBefore: wholeSeconds(template.notBefore),
    notAfter: wholeSeconds(template.notAfter),
    publicKey,
    keyUsage,
    extKeyUsage: template.extKeyUsage.map((u) => EKU_OIDS[u]),
    isCA: template.isCA,
    dnsNames: [...template.altNames.dnsNames],
    ips: [...template.altNames.ips],
    ...(template.isCA ? { subjectKeyId: keyIdentifier(publicKey) } : {}),
    ...(issuer?.cert.subjectKeyId ? { authorityKeyId: Buffer.from(issuer.cert.subjectKeyId, 'hex') } : {}),
  };
  const der = buildCertificate(fields, issuer ? issuer.key : key);
  const name = readName(subject);
  // What was just signed is known field by field: reading it back would only cost time (a run
  // signs a dozen). x509.test.ts holds this equal to parseCertificateDer of the same bytes.
  const info = certificateInfo({
    pem: encodePem('CERTIFICATE', der),
    der,
    serialNumber: fields.serial.toString(16),
    subject: { commonName: name.commonName, organization: name.organization },
    issuer: issuer
      ? { commonName: issuer.cert.subject.commonName, organization: [...issuer.cert.subject.organization] }
      : { commonName: name.commonName, organization: [...name.organization] },
    notBefore: fields.notBefore,
    notAfter: fields.notAfter,
    isCA: fields.isCA,
    keyUsage: [...keyUsage],
    extKeyUsage: [...template.extKeyUsage],
    dnsNames: [...fields.dnsNames],
    ips: fields.ips.map(canonicalIP),
    ...(fields.subjectKeyId ? { subjectKeyId: fields.subjectKeyId.toString('hex') } : {}),
    ...(fields.authorityKeyId ? { authorityKeyId: fields.authorityKeyId.toString('hex') } : {}),
    publicKeyDer: publicKey,
  });
  subjects.set(info, subject);
  // The file this certificate is about to be written to reads back as it.
  chains.set(info.pem, [info]);
  return info;
}

/** Encoded subjects by certificate, so that a CA signing many leaves reads its own name once. */
const subjects = new WeakMap<CertificateInfo, Buffer>();

function subjectDer(cert: CertificateInfo): Buffer {
  let raw = subjects.get(cert);
  if (!raw) subjects.set(cert, (raw = parseCertificate(cert.der).subject.raw));
  return raw;
}

/** A CertificateInfo whose Node view is made on first use: most certificates are never verified. */
function certificateInfo(fields: Omit<CertificateInfo, 'node'>, node?: NodeX509Certificate): CertificateInfo {
  let view = node;
  return Object.defineProperty(fields, 'node', {
    enumerable: true,
    get: () => (view ??= new NodeX509Certificate(fields.der)),
  }) as CertificateInfo;
}

function wholeSeconds(d: Date): Date {
  return new Date(Math.floor(d.getTime() / 1000) * 1000);
}

/** A new key (of `algorithm`) and a self-signed CA certificate for it. */
export async function createCA(
  template: CertTemplate,
  algorithm: string,
  key?: PrivateKey,
): Promise<CertAndKey> {
  const k = key ?? (await generatePrivateKey(algorithm));
  return { cert: await signCertificate({ ...template, isCA: true }, k, undefined), key: k };
}

// ---------------------------------------------------------------------------------------------------
// Reading

function ekuName(oid: string): string {
  for (const [name, o] of Object.entries(EKU_OIDS)) if (o === oid) return name;
  return oid;
}

function canonicalIP(text: string): string {
  const ip = parseIP(text);
  return ip ? formatIP(ip) : text;
}

/** Parses one DER certificate. */
export async function parseCertificateDer(der: Buffer): Promise<CertificateInfo> {
  let c: ReturnType<typeof parseCertificate>;
  let node: NodeX509Certificate;
  try {
    c = parseCertificate(der);
    node = new NodeX509Certificate(der);
  } catch (cause) {
    throw new KbadmError('failed to parse certificate', { cause });
  }
  const info = certificateInfo(
    {
      pem: encodePem('CERTIFICATE', der),
      der,
      serialNumber: c.serial.toString(16),
      subject: { commonName: c.subject.commonName, organization: c.subject.organization },
      issuer: { commonName: c.issuer.commonName, organization: c.issuer.organization },
      notBefore: c.notBefore,
      notAfter: c.notAfter,
      isCA: c.isCA,
      keyUsage: c.keyUsage,
      extKeyUsage: c.extKeyUsage.map(ekuName),
      dnsNames: c.dnsNames,
      ips: c.ips.map(canonicalIP),
      ...(c.subjectKeyId ? { subjectKeyId: c.subjectKeyId.toString('hex') } : {}),
      ...(c.authorityKeyId ? { authorityKeyId: c.authorityKeyId.toString('hex') } : {}),
      publicKeyDer: node.publicKey.export({ format: 'der', type: 'spki' }),
    },
    node,
  );
  subjects.set(info, c.subject.raw);
  return info;
}

const chains = new ParsedByContent<readonly CertificateInfo[]>();

/** Parses a certificate file: the first block is the certificate, the rest are intermediates. */
export async function parseCertificateChain(pem: string | Uint8Array): Promise<CertificateInfo[]> {
  const text = pemText(pem);
  const known = chains.get(text);
  if (known) return [...known];
  const chain = await Promise.all(certificateDers(text).map((d) => parseCertificateDer(d)));
  chains.set(text, chain);
  return [...chain];
}

/** The first certificate of a PEM file. */
export async function parseCertificatePem(pem: string | Uint8Array): Promise<CertificateInfo> {
  const [first] = certificateDers(pem);
  return parseCertificateDer(first!);
}

/** The identity renewal keeps: CN, O, SANs, EKUs. Unknown EKUs are dropped (kubeadm only uses these two). */
export function identityOf(cert: CertificateInfo): CertIdentity {
  return {
    commonName: cert.subject.commonName,
    organization: [...cert.subject.organization],
    extKeyUsage: cert.extKeyUsage.filter((u): u is ExtKeyUsage => u === 'serverAuth' || u === 'clientAuth'),
    altNames: { dnsNames: [...cert.dnsNames], ips: [...cert.ips] },
  };
}

// ---------------------------------------------------------------------------------------------------
// Checks

/** Go's RFC3339 rendering of a UTC time, whole seconds. */
function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Go's default (%v) rendering of a UTC time: `2021-09-12 13:21:49 +0000 UTC`. */
export function goTimeString(d: Date): string {
  const iso = d.toISOString();
  const ms = d.getUTCMilliseconds();
  const frac = ms === 0 ? '' : `.${String(ms).padStart(3, '0').replace(/0+$/, '')}`;
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${frac} +0000 UTC`;
}

function timeValidityError(c: CertificateInfo, now: Date): string | undefined {
  const t = wholeSeconds(now);
  if (now < c.notBefore) {
    return `x509: certificate has expired or is not yet valid: current time ${rfc3339(t)} is before ${rfc3339(c.notBefore)}`;
  }
  if (now > c.notAfter) {
    return `x509: certificate has expired or is not yet valid: current time ${rfc3339(t)} is after ${rfc3339(c.notAfter)}`;
  }
  return undefined;
}

/** `child` names `parent` as its issuer and carries its signature (validity periods aside). */
export function issuedBy(child: CertificateInfo, parent: CertificateInfo): boolean {
  if (!child.node.checkIssued(parent.node)) return false;
  try {
    return child.node.verify(parent.node.publicKey);
  } catch {
    return false;
  }
}

/**
 * kubeadm's VerifyCertChain: `cert` must chain to `root` (through `intermediates`) at `now`, any EKU
 * allowed. Returns Go's error text, or undefined when the chain is good.
 */
export function verifyCertChain(
  cert: CertificateInfo,
  intermediates: readonly CertificateInfo[],
  root: CertificateInfo,
  now: Date,
): string | undefined {
  const expired = timeValidityError(cert, now);
  if (expired) return expired;
  let current = cert;
  const pool = [...intermediates];
  for (let depth = 0; depth <= intermediates.length; depth++) {
    if (issuedBy(current, root))
      return root.isCA ? timeValidityError(root, now) : 'x509: certificate signed by unknown authority';
    const next = pool.findIndex((c) => c.isCA && issuedBy(current, c));
    if (next === -1) break;
    current = pool.splice(next, 1)[0]!;
    const e = timeValidityError(current, now);
    if (e) return e;
  }
  return 'x509: certificate signed by unknown authority';
}

/** True when the private key belongs to the certificate. */
export function keyMatchesCertificate(key: PrivateKey, cert: CertificateInfo): boolean {
  return keyMatchesPublicKey(key, cert.publicKeyDer);
}

function matchHostname(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase().replace(/\.$/, '');
  const h = host.toLowerCase().replace(/\.$/, '');
  if (p === h) return true;
  // Wildcards only cover one left-most label of a well-formed host name, as in Go's matchHostnames.
  if (!p.startsWith('*.') || h.includes('*')) return false;
  const hl = h.split('.');
  const pl = p.split('.');
  if (hl.length !== pl.length || hl.some((l) => l === '')) return false;
  return pl.slice(1).every((l, i) => l === hl[i + 1]);
}

/** What VerifyHostname reads of a certificate: its SANs (IPs in canonical form) and subject CN. */
export type HostnameNames = Pick<CertificateInfo, 'dnsNames' | 'ips'> & {
  subject: Pick<CertificateInfo['subject'], 'commonName'>;
};

/**
 * Go's Certificate.VerifyHostname for one expected SAN (DNS name or IP): undefined when covered,
 * otherwise Go's HostnameError text.
 */
export function verifyHostname(cert: HostnameNames, host: string): string | undefined {
  const ip = parseIP(host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host);
  if (ip) {
    const want = formatIP(ip);
    if (cert.ips.includes(want)) return undefined;
    if (cert.ips.length === 0)
      return `x509: cannot validate certificate for ${host} because it doesn't contain any IP SANs`;
    return `x509: certificate is valid for ${cert.ips.join(', ')}, not ${host}`;
  }
  if (cert.dnsNames.some((n) => matchHostname(n, host))) return undefined;
  if (cert.dnsNames.length === 0) {
    if (cert.subject.commonName !== '' && matchHostname(cert.subject.commonName, host)) {
      return 'x509: certificate relies on legacy Common Name field, use SANs instead';
    }
    return `x509: certificate is not valid for any names, but wanted to match ${host}`;
  }
  return `x509: certificate is valid for ${cert.dnsNames.join(', ')}, not ${host}`;
}

/** Every expected DNS name and IP must verify; extra SANs on the certificate are fine. First error wins. */
export function checkAltNames(cert: CertificateInfo, expected: AltNames): string | undefined {
  for (const name of [...expected.dnsNames, ...expected.ips]) {
    const err = verifyHostname(cert, name);
    if (err) return err;
  }
  return undefined;
}

/** pkiutil.ValidateCertPeriod: the error text, or undefined when now is inside the window. */
export function validateCertPeriod(cert: CertificateInfo, now: Date, offsetMs = 0): string | undefined {
  const t = new Date(now.getTime() + offsetMs);
  const period = `NotBefore: ${goTimeString(cert.notBefore)}, NotAfter: ${goTimeString(cert.notAfter)}`;
  if (t < cert.notBefore) return `the certificate is not valid yet: ${period}`;
  if (t > cert.notAfter) return `the certificate has expired: ${period}`;
  return undefined;
}

/** kubeadm's CheckCertificatePeriodValidity warning (never fatal), or undefined. */
export function certificatePeriodWarning(
  baseName: string,
  cert: CertificateInfo,
  now: Date,
): string | undefined {
  const err = validateCertPeriod(cert, now);
  return err ? `WARNING: could not validate bounds for certificate ${baseName}: ${err}` : undefined;
}
