// kubeadm's certificate tree as data: what each certificate is (names, subject, usages, SANs,
// validity, files), computed from the inputs. Building and signing live in x509.ts.
import { KbadmError } from '../errors.js';
import {
  CERTIFICATE_BACKDATE_MS,
  DEFAULT_CA_CERTIFICATE_VALIDITY_MS,
  DEFAULT_CERTIFICATE_VALIDITY_MS,
  hasLocalEtcd,
  type PkiInputs,
} from './inputs.js';
import { keyTypeOf } from './keys.js';
import {
  apiServerAltNames,
  etcdAltNames,
  removeDuplicateAltNames,
  type AltNames,
  type AltNamesResult,
} from './sans.js';

export type ExtKeyUsage = 'serverAuth' | 'clientAuth';
export type CAName = 'ca' | 'front-proxy-ca' | 'etcd-ca';
export type LeafName =
  | 'apiserver'
  | 'apiserver-kubelet-client'
  | 'front-proxy-client'
  | 'etcd-server'
  | 'etcd-peer'
  | 'etcd-healthcheck-client'
  | 'apiserver-etcd-client';
export type CertName = CAName | LeafName;

export const CERT_FILE_MODE = 0o644;
export const KEY_FILE_MODE = 0o600;
export const CSR_FILE_MODE = 0o600;

export const KUBEADM_CLUSTER_ADMINS_GROUP = 'kubeadm:cluster-admins';
export const SYSTEM_PRIVILEGED_GROUP = 'system:masters';

export interface CertSpec {
  /** kubeadm's internal name, also the `init phase certs <name>` and (leaves) `certs renew <name>` name. */
  name: CertName;
  /** File stem under certificatesDir, used in log lines: `etcd/server`. */
  baseName: string;
  /** For help texts: what the certificate is for, e.g. "etcd's serving certificate for client connections". */
  longName: string;
  /** `init phase certs` sub-phase name (same as name). */
  phaseName: CertName;
  /** `certs renew` name for leaves; undefined for CAs (never renewed). */
  renewalName?: LeafName;
  /** The signing CA's name; undefined for self-signed CAs. */
  caName?: CAName;
  isCA: boolean;
  commonName: string;
  organization: string[];
  extKeyUsage: ExtKeyUsage[];
  /** De-duplicated and ordered as they are signed. */
  altNames: AltNames;
  /** SANs that were dropped, with kubeadm's warning text. */
  warnings: string[];
  encryptionAlgorithm: string;
  notBefore: Date;
  notAfter: Date;
  /** Paths relative to certificatesDir. */
  certFile: string;
  keyFile: string;
  certMode: number;
  keyMode: number;
}

interface Definition {
  name: CertName;
  baseName: string;
  longName: string;
  caName?: CAName;
  commonName?: string;
  organization?: string[];
  extKeyUsage: ExtKeyUsage[];
  altNames?: (inputs: PkiInputs) => AltNamesResult;
  /** The etcd serving certs are named after the node. */
  cnIsNodeName?: boolean;
}

const DEFINITIONS: readonly Definition[] = [
  {
    name: 'ca',
    baseName: 'ca',
    longName: 'the Kubernetes CA, which signs the API server and client certificates',
    commonName: 'kubernetes',
    extKeyUsage: [],
  },
  {
    name: 'apiserver',
    baseName: 'apiserver',
    longName: "the API server's serving certificate",
    caName: 'ca',
    commonName: 'kube-apiserver',
    extKeyUsage: ['serverAuth'],
    altNames: apiServerAltNames,
  },
  {
    name: 'apiserver-kubelet-client',
    baseName: 'apiserver-kubelet-client',
    longName: 'the client certificate the API server uses toward kubelets',
    caName: 'ca',
    commonName: 'kube-apiserver-kubelet-client',
    organization: [KUBEADM_CLUSTER_ADMINS_GROUP],
    extKeyUsage: ['clientAuth'],
  },
  {
    name: 'front-proxy-ca',
    baseName: 'front-proxy-ca',
    longName: 'the front-proxy CA, which signs the aggregation-layer client certificate',
    commonName: 'front-proxy-ca',
    extKeyUsage: [],
  },
  {
    name: 'front-proxy-client',
    baseName: 'front-proxy-client',
    longName: 'the client certificate the API server presents to aggregated API servers',
    caName: 'front-proxy-ca',
    commonName: 'front-proxy-client',
    extKeyUsage: ['clientAuth'],
  },
  {
    name: 'etcd-ca',
    baseName: 'etcd/ca',
    longName: "the etcd CA, which signs etcd's serving, peer and client certificates",
    commonName: 'etcd-ca',
    extKeyUsage: [],
  },
  {
    name: 'etcd-server',
    baseName: 'etcd/server',
    longName: "etcd's serving certificate for client connections",
    caName: 'etcd-ca',
    cnIsNodeName: true,
    // etcd insists on clientAuth on its serving cert too.
    extKeyUsage: ['serverAuth', 'clientAuth'],
    altNames: (i) => etcdAltNames(i, 'server'),
  },
  {
    name: 'etcd-peer',
    baseName: 'etcd/peer',
    longName: 'the certificate etcd members present to each other',
    caName: 'etcd-ca',
    cnIsNodeName: true,
    extKeyUsage: ['serverAuth', 'clientAuth'],
    altNames: (i) => etcdAltNames(i, 'peer'),
  },
  {
    name: 'etcd-healthcheck-client',
    baseName: 'etcd/healthcheck-client',
    longName: "the client certificate etcd's liveness probe connects with",
    caName: 'etcd-ca',
    commonName: 'kube-etcd-healthcheck-client',
    extKeyUsage: ['clientAuth'],
  },
  {
    name: 'apiserver-etcd-client',
    baseName: 'apiserver-etcd-client',
    longName: 'the client certificate the API server connects to etcd with',
    caName: 'etcd-ca',
    commonName: 'kube-apiserver-etcd-client',
    extKeyUsage: ['clientAuth'],
  },
];

/** kubeadm's order (init phase order): ca, apiserver, ..., apiserver-etcd-client. */
export const ALL_CERT_NAMES: readonly CertName[] = DEFINITIONS.map((d) => d.name);
const ETCD_SIGNED = new Set<CertName>([
  'etcd-ca',
  'etcd-server',
  'etcd-peer',
  'etcd-healthcheck-client',
  'apiserver-etcd-client',
]);

/** kubeadm's `CertificateValidity` arithmetic: backdated NotBefore, NotAfter counted from the start time. */
export function validityWindow(
  now: Date,
  isCA: boolean,
  inputs: Pick<PkiInputs, 'certificateValidityPeriod' | 'caCertificateValidityPeriod'>,
): { notBefore: Date; notAfter: Date } {
  const notBefore = new Date(now.getTime() - CERTIFICATE_BACKDATE_MS);
  const period = isCA ? inputs.caCertificateValidityPeriod : inputs.certificateValidityPeriod;
  // With a configured period kubeadm counts from the start time; without one, from NotBefore.
  const notAfter =
    period !== undefined
      ? new Date(now.getTime() + period)
      : new Date(
          notBefore.getTime() + (isCA ? DEFAULT_CA_CERTIFICATE_VALIDITY_MS : DEFAULT_CERTIFICATE_VALIDITY_MS),
        );
  return { notBefore, notAfter };
}

function definition(name: string): Definition {
  const d = DEFINITIONS.find((x) => x.name === name);
  if (!d) throw new KbadmError(`unknown certificate ${JSON.stringify(name)}`);
  return d;
}

/** What a certificate is whatever the inputs (its names, files and CA): for help texts. */
export function certIdentity(
  name: CertName,
): Pick<CertSpec, 'name' | 'baseName' | 'longName' | 'isCA' | 'caName' | 'certFile' | 'keyFile'> {
  const d = definition(name);
  return {
    name: d.name,
    baseName: d.baseName,
    longName: d.longName,
    isCA: d.caName === undefined,
    ...(d.caName === undefined ? {} : { caName: d.caName }),
    certFile: `${d.baseName}.crt`,
    keyFile: `${d.baseName}.key`,
  };
}

/** The spec of one certificate. `now` is the process start time shared by every cert of one run. */
export function certSpec(name: CertName, inputs: PkiInputs, now: Date): CertSpec {
  const d = definition(name);
  keyTypeOf(inputs.encryptionAlgorithm); // fail early on a bad algorithm
  const isCA = d.caName === undefined;
  let altNames: AltNames = { dnsNames: [], ips: [] };
  let warnings: string[] = [];
  const commonName = d.cnIsNodeName ? inputs.nodeName : (d.commonName ?? '');
  if (isCA) {
    // Go's self-signed CA template carries its own CN as a DNS SAN.
    altNames = { dnsNames: [commonName], ips: [] };
  } else if (d.altNames) {
    const r = d.altNames(inputs);
    altNames = removeDuplicateAltNames(r.altNames);
    warnings = r.warnings;
  }
  const { notBefore, notAfter } = validityWindow(now, isCA, inputs);
  return {
    name: d.name,
    baseName: d.baseName,
    longName: d.longName,
    phaseName: d.name,
    ...(isCA ? {} : { renewalName: d.name as LeafName, caName: d.caName! }),
    isCA,
    commonName,
    organization: [...(d.organization ?? [])],
    extKeyUsage: [...d.extKeyUsage],
    altNames,
    warnings,
    encryptionAlgorithm: inputs.encryptionAlgorithm,
    notBefore,
    notAfter,
    certFile: `${d.baseName}.crt`,
    keyFile: `${d.baseName}.key`,
    certMode: CERT_FILE_MODE,
    keyMode: KEY_FILE_MODE,
  };
}

/** Every certificate kubeadm makes for these inputs, in kubeadm's order (no etcd certs for external etcd). */
export function certSpecs(inputs: PkiInputs, now: Date): CertSpec[] {
  const local = hasLocalEtcd(inputs);
  return ALL_CERT_NAMES.filter((n) => local || !ETCD_SIGNED.has(n)).map((n) => certSpec(n, inputs, now));
}

/** `[certs] apiserver serving cert is signed for DNS names [...] and IPs [...]`, for specs with serverAuth. */
export function servingCertMessage(spec: CertSpec): string | undefined {
  if (!spec.extKeyUsage.includes('serverAuth')) return undefined;
  return `[certs] ${spec.baseName} serving cert is signed for DNS names [${spec.altNames.dnsNames.join(' ')}] and IPs [${spec.altNames.ips.join(' ')}]`;
}

/** PKI base name of the CA that signs a certificate (a CA's own for a self-signed CA spec). */
export function caBaseName(signed: Pick<CertSpec, 'caName' | 'baseName'> | { caName: CAName }): string {
  if (signed.caName === undefined) return signed.baseName;
  return signed.caName === 'etcd-ca' ? 'etcd/ca' : signed.caName;
}
