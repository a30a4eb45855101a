// X.509 v3 certificates in DER, written and read directly: the fields kubeadm's certificates use and
// nothing more. Signing is node:crypto's; everything else is a few hundred bytes of DER, so neither
// costs a library load.
import { createHash, sign } from 'node:crypto';
import { KbadmError } from '../errors.js';
import { formatIP, parseIP } from '../config/net.js';
import {
  bitString,
  boolean,
  children,
  context,
  expectTag,
  integer,
  namedBits,
  nullValue,
  octetString,
  oid,
  readNamedBits,
  readNode,
  readOid,
  readString,
  readTime,
  sequence,
  setOf,
  TAG,
  time,
  tlv,
  type Node,
} from './der.js';
import type { PrivateKey } from './keys.js';

const OID = {
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  extKeyUsage: '2.5.29.37',
  subjectKeyId: '2.5.29.14',
  authorityKeyId: '2.5.29.35',
  sha256WithRSA: '1.2.840.113549.1.1.11',
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
  ecdsaWithSHA384: '1.2.840.10045.4.3.3',
} as const;

/** KeyUsage bit positions (RFC 5280 4.2.1.3). */
export const KEY_USAGE_BIT = {
  digitalSignature: 0,
  contentCommitment: 1,
  keyEncipherment: 2,
  dataEncipherment: 3,
  keyAgreement: 4,
  keyCertSign: 5,
  cRLSign: 6,
  encipherOnly: 7,
  decipherOnly: 8,
} as const;
export type KeyUsageName = keyof typeof KEY_USAGE_BIT;

export interface CertificateFields {
  serial: bigint;
  /** The encoded subject Name; a leaf's issuer is its CA's subject, byte for byte. */
  subject: Buffer;
  issuer: Buffer;
  notBefore: Date;
  notAfter: Date;
  /** DER SubjectPublicKeyInfo. */
  publicKey: Buffer;
  keyUsage: KeyUsageName[];
  extKeyUsage: string[];
  isCA: boolean;
  dnsNames: string[];
  ips: string[];
  subjectKeyId?: Buffer;
  authorityKeyId?: Buffer;
}

/** Go's asn1 picks PrintableString when every character allows it, UTF8String otherwise. */
function nameString(s: string): Buffer {
  return /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(s)
    ? tlv(TAG.printableString, Buffer.from(s, 'latin1'))
    : tlv(TAG.utf8String, Buffer.from(s, 'utf8'));
}

/** A Name as Go's pkix.Name writes it: O before CN; several O values share one RDN. */
export function encodeName(commonName: string, organization: readonly string[]): Buffer {
  const rdns: Buffer[] = [];
  const attr = (type: string, value: string) => sequence(oid(type), nameString(value));
  if (organization.length > 0) rdns.push(setOf(organization.map((o) => attr(OID.organization, o))));
  if (commonName !== '') rdns.push(setOf([attr(OID.commonName, commonName)]));
  return sequence(...rdns);
}

/** RFC 5280 key identifier (method 1): SHA-1 of the subjectPublicKey bits. */
export function keyIdentifier(spki: Buffer): Buffer {
  const [, subjectPublicKey] = children(readNode(spki));
  const bits = expectTag(subjectPublicKey, TAG.bitString, 'the subject public key');
  return createHash('sha1').update(bits.value.subarray(1)).digest();
}

function signatureScheme(key: PrivateKey): { algorithm: Buffer; hash: string } {
  if (key.type.kind === 'rsa')
    return { algorithm: sequence(oid(OID.sha256WithRSA), nullValue()), hash: 'sha256' };
  return key.type.curve === 'P-384'
    ? { algorithm: sequence(oid(OID.ecdsaWithSHA384)), hash: 'sha384' }
    : { algorithm: sequence(oid(OID.ecdsaWithSHA256)), hash: 'sha256' };
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return sequence(oid(id), ...(critical ? [boolean(true)] : []), octetString(value));
}

function ipBytes(text: string): Uint8Array {
  const ip = parseIP(text);
  if (!ip) throw new KbadmError(`invalid IP address in certificate SANs: ${JSON.stringify(text)}`);
  return ip.bytes;
}

/**
 * A certificate with kubeadm's extensions, in the order kbadm has always written them: KeyUsage
 * (critical), ExtKeyUsage, BasicConstraints (critical), SubjectKeyId on CAs, AuthorityKeyId when the
 * issuer has a key id, SubjectAltName (DNS names before IPs). Signed by `signer`.
 */
export function buildCertificate(fields: CertificateFields, signer: PrivateKey): Buffer {
  const { algorithm, hash } = signatureScheme(signer);
  const exts: Buffer[] = [
    extension(OID.keyUsage, true, namedBits(fields.keyUsage.map((u) => KEY_USAGE_BIT[u]))),
  ];
  if (fields.extKeyUsage.length > 0) {
    exts.push(extension(OID.extKeyUsage, false, sequence(...fields.extKeyUsage.map((u) => oid(u)))));
  }
  exts.push(extension(OID.basicConstraints, true, fields.isCA ? sequence(boolean(true)) : sequence()));
  if (fields.subjectKeyId) exts.push(extension(OID.subjectKeyId, false, octetString(fields.subjectKeyId)));
  if (fields.authorityKeyId) {
    exts.push(extension(OID.authorityKeyId, false, sequence(tlv(context(0, false), fields.authorityKeyId))));
  }
  const names = [
    ...fields.dnsNames.map((n) => tlv(context(2, false), Buffer.from(n, 'latin1'))),
    ...fields.ips.map((ip) => tlv(context(7, false), ipBytes(ip))),
  ];
  if (names.length > 0) exts.push(extension(OID.subjectAltName, false, sequence(...names)));

  const tbs = sequence(
    tlv(context(0, true), integer(2n)), // v3
    integer(fields.serial),
    algorithm,
    fields.issuer,
    sequence(time(fields.notBefore), time(fields.notAfter)),
    fields.subject,
    fields.publicKey,
    tlv(context(3, true), sequence(...exts)),
  );
  return sequence(tbs, algorithm, bitString(sign(hash, tbs, signer.keyObject)));
}

// ---------------------------------------------------------------------------------------------------
// Reading

export interface ParsedName {
  raw: Buffer;
  commonName: string;
  organization: string[];
}

function parseName(node: Node): ParsedName {
  expectTag(node, TAG.sequence, 'a name');
  let commonName: string | undefined;
  const organization: string[] = [];
  for (const rdn of children(node)) {
    for (const atv of children(expectTag(rdn, TAG.set, 'a relative distinguished name'))) {
      const [type, value] = children(expectTag(atv, TAG.sequence, 'an attribute'));
      const id = readOid(type!);
      if (!value) throw new KbadmError('malformed DER: attribute without a value');
      if (id === OID.commonName) commonName ??= readString(value);
      else if (id === OID.organization) organization.push(readString(value));
    }
  }
  return { raw: node.raw, commonName: commonName ?? '', organization };
}

/** An encoded Name (such as encodeName's) as it reads back: a SET OF keeps its values sorted. */
export function readName(der: Buffer): ParsedName {
  return parseName(readNode(der));
}

function ipText(bytes: Buffer): string {
  if (bytes.length === 4) return formatIP({ family: 4, bytes });
  if (bytes.length === 16) return formatIP({ family: 6, bytes });
  return bytes.toString('hex');
}

export interface ParsedCertificate extends Omit<CertificateFields, 'subject' | 'issuer' | 'extKeyUsage'> {
  subject: ParsedName;
  issuer: ParsedName;
  /** ExtKeyUsage OIDs. */
  extKeyUsage: string[];
}

/** The fields of a DER certificate that kbadm reads; the signature is checked elsewhere. */
export function parseCertificate(der: Buffer): ParsedCertificate {
  const top = readNode(der);
  if (top.raw.length !== der.length)
    throw new KbadmError('malformed DER: trailing data after the certificate');
  const [tbsNode] = children(expectTag(top, TAG.sequence, 'a certificate'));
  const tbs = children(expectTag(tbsNode, TAG.sequence, 'the certificate body'));
  let i = tbs[0]?.tag === context(0, true) ? 1 : 0;
  const serialNode = expectTag(tbs[i++], TAG.integer, 'the serial number');
  i++; // signature algorithm, repeated outside the body
  const issuer = parseName(tbs[i++]!);
  const [notBefore, notAfter] = children(expectTag(tbs[i++], TAG.sequence, 'the validity'));
  const subject = parseName(tbs[i++]!);
  const publicKey = expectTag(tbs[i++], TAG.sequence, 'the public key').raw;

  const out: ParsedCertificate = {
    serial: BigInt(`0x${serialNode.value.toString('hex') || '0'}`),
    subject,
    issuer,
    notBefore: readTime(notBefore!),
    notAfter: readTime(notAfter!),
    publicKey,
    keyUsage: [],
    extKeyUsage: [],
    isCA: false,
    dnsNames: [],
    ips: [],
  };
  const extensions = tbs.slice(i).find((n) => n.tag === context(3, true));
  const list = extensions ? children(expectTag(children(extensions)[0], TAG.sequence, 'extensions')) : [];
  for (const ext of list) {
    const parts = children(expectTag(ext, TAG.sequence, 'an extension'));
    const id = readOid(parts[0]!);
    const value = readNode(expectTag(parts[parts.length - 1], TAG.octetString, 'an extension value').value);
    switch (id) {
      case OID.keyUsage: {
        const bits = readNamedBits(value);
        out.keyUsage = (Object.keys(KEY_USAGE_BIT) as KeyUsageName[]).filter((u) =>
          bits.includes(KEY_USAGE_BIT[u]),
        );
        break;
      }
      case OID.extKeyUsage:
        out.extKeyUsage = children(value).map(readOid);
        break;
      case OID.basicConstraints: {
        const first = children(value)[0];
        out.isCA = first?.tag === TAG.boolean && first.value[0] !== 0;
        break;
      }
      case OID.subjectKeyId:
        out.subjectKeyId = expectTag(value, TAG.octetString, 'a key identifier').value;
        break;
      case OID.authorityKeyId: {
        const keyId = children(value).find((n) => n.tag === context(0, false));
        if (keyId) out.authorityKeyId = keyId.value;
        break;
      }
      case OID.subjectAltName:
        for (const name of children(value)) {
          if (name.tag === context(2, false)) out.dnsNames.push(name.value.toString('latin1'));
          else if (name.tag === context(7, false)) out.ips.push(ipText(name.value));
        }
        break;
    }
  }
  return out;
}
