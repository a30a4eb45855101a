// The kubeconfig files kubeadm writes for a control-plane node, as data, and how to build them.
import { KbadmError } from '../errors.js';
import { formatIP, joinHostPort, parseHostPort, parseIPSloppy } from '../config/net.js';
import { createKeyAndCsr } from '../certs/csr.js';
import { DEFAULT_CERTIFICATE_VALIDITY_MS, type PkiInputs } from '../certs/inputs.js';
import { generatePrivateKey, parsePrivateKeyPem } from '../certs/keys.js';
import { KUBEADM_CLUSTER_ADMINS_GROUP, SYSTEM_PRIVILEGED_GROUP, validityWindow } from '../certs/specs.js';
import {
  issuedBy,
  keyMatchesCertificate,
  parseCertificatePem,
  signCertificate,
  type CertAndKey,
  type CertificateInfo,
} from '../certs/x509.js';
import { renewCertificate } from '../certs/renewal.js';
import {
  createBasic,
  createWithCerts,
  createWithToken,
  currentCluster,
  currentUser,
  userClientCertPem,
  userClientKeyPem,
  type KubeConfig,
} from './kubeconfig.js';

export type KubeconfigFileName =
  'admin.conf' | 'super-admin.conf' | 'kubelet.conf' | 'controller-manager.conf' | 'scheduler.conf';

/** init's order. */
export const KUBECONFIG_FILES: readonly KubeconfigFileName[] = [
  'admin.conf',
  'super-admin.conf',
  'kubelet.conf',
  'controller-manager.conf',
  'scheduler.conf',
];

export const NODES_GROUP = 'system:nodes';
export const NODES_USER_PREFIX = 'system:node:';
export const CONTROLLER_MANAGER_USER = 'system:kube-controller-manager';
export const SCHEDULER_USER = 'system:kube-scheduler';

export interface KubeconfigSpec {
  fileName: KubeconfigFileName;
  /** User name and client certificate CN. */
  clientName: string;
  /** Client certificate O (groups). */
  organizations: string[];
  server: string;
  clusterName: string;
  encryptionAlgorithm: string;
  /** Client certificate NotAfter. */
  notAfter: Date;
}

/** `https://<advertiseAddress>:<bindPort>` (kubeadm's GetLocalAPIEndpoint). */
export function localAPIEndpoint(inputs: Pick<PkiInputs, 'advertiseAddress' | 'bindPort'>): string {
  if (!Number.isInteger(inputs.bindPort) || inputs.bindPort < 1 || inputs.bindPort > 65535) {
    throw new KbadmError(
      `invalid value "${inputs.bindPort}" given for api.bindPort: port must be a valid number between 1 and 65535, inclusive`,
    );
  }
  const ip = parseIPSloppy(inputs.advertiseAddress);
  if (!ip)
    throw new KbadmError(`invalid value \`${inputs.advertiseAddress}\` given for api.advertiseAddress`);
  return `https://${joinHostPort(formatIP(ip), inputs.bindPort)}`;
}

/** controlPlaneEndpoint as a URL (its port, else bindPort), or the local endpoint when unset. */
export function controlPlaneEndpoint(
  inputs: Pick<PkiInputs, 'advertiseAddress' | 'bindPort' | 'controlPlaneEndpoint'>,
): string {
  const local = localAPIEndpoint(inputs);
  if (inputs.controlPlaneEndpoint === '') return local;
  const hp = parseHostPort(inputs.controlPlaneEndpoint);
  if ('error' in hp) {
    throw new KbadmError(
      `invalid value ${JSON.stringify(inputs.controlPlaneEndpoint)} given for controlPlaneEndpoint: ${hp.error}`,
    );
  }
  return `https://${joinHostPort(hp.host, hp.port ?? inputs.bindPort)}`;
}

function minorVersion(v: string): number | undefined {
  const m = /^v?(\d+)\.(\d+)/.exec(v);
  return m ? Number(m[2]) : undefined;
}

/**
 * ControlPlaneKubeletLocalMode: an explicit feature gate wins; otherwise on from 1.33 (beta, default on).
 * With it, kubelet.conf on a control-plane node talks to the local API server.
 */
export function kubeletLocalMode(inputs: Pick<PkiInputs, 'featureGates' | 'kubernetesVersion'>): boolean {
  const gate = inputs.featureGates?.['ControlPlaneKubeletLocalMode'];
  if (gate !== undefined) return gate;
  const minor = minorVersion(inputs.kubernetesVersion);
  return minor === undefined || minor >= 33;
}

/** Client certificates: NotAfter = start + certificateValidityPeriod (else one year after NotBefore). */
function clientNotAfter(inputs: PkiInputs, now: Date): Date {
  return validityWindow(now, false, inputs).notAfter;
}

/** The spec of each kubeconfig file kubeadm init writes. */
export function kubeconfigSpecs(inputs: PkiInputs, now: Date): KubeconfigSpec[] {
  const cpe = controlPlaneEndpoint(inputs);
  const lae = localAPIEndpoint(inputs);
  const base = {
    clusterName: inputs.clusterName,
    encryptionAlgorithm: inputs.encryptionAlgorithm,
    notAfter: clientNotAfter(inputs, now),
  };
  const specs: Record<KubeconfigFileName, KubeconfigSpec> = {
    'admin.conf': {
      ...base,
      fileName: 'admin.conf',
      clientName: 'kubernetes-admin',
      organizations: [KUBEADM_CLUSTER_ADMINS_GROUP],
      server: cpe,
    },
    'super-admin.conf': {
      ...base,
      fileName: 'super-admin.conf',
      clientName: 'kubernetes-super-admin',
      organizations: [SYSTEM_PRIVILEGED_GROUP],
      server: cpe,
    },
    'kubelet.conf': {
      ...base,
      fileName: 'kubelet.conf',
      clientName: `${NODES_USER_PREFIX}${inputs.nodeName}`,
      organizations: [NODES_GROUP],
      server: kubeletLocalMode(inputs) ? lae : cpe,
    },
    'controller-manager.conf': {
      ...base,
      fileName: 'controller-manager.conf',
      clientName: CONTROLLER_MANAGER_USER,
      organizations: [],
      server: lae,
    },
    'scheduler.conf': {
      ...base,
      fileName: 'scheduler.conf',
      clientName: SCHEDULER_USER,
      organizations: [],
      server: lae,
    },
  };
  return KUBECONFIG_FILES.map((f) => specs[f]);
}

export function kubeconfigSpec(file: KubeconfigFileName, inputs: PkiInputs, now: Date): KubeconfigSpec {
  return kubeconfigSpecs(inputs, now).find((s) => s.fileName === file)!;
}

/**
 * Builds a kubeconfig with a new client key and certificate signed by `ca`. The client certificate
 * starts when the CA does (kubeadm sets only its NotAfter) and has clientAuth only, no SANs.
 */
export async function buildKubeconfig(
  spec: KubeconfigSpec,
  ca: CertAndKey,
): Promise<{ config: KubeConfig; client: CertAndKey }> {
  const key = await generatePrivateKey(spec.encryptionAlgorithm);
  const cert = await signCertificate(
    {
      commonName: spec.clientName,
      organization: spec.organizations,
      extKeyUsage: ['clientAuth'],
      altNames: { dnsNames: [], ips: [] },
      isCA: false,
      notBefore: ca.cert.notBefore,
      notAfter: spec.notAfter,
    },
    key,
    ca,
  );
  const config = createWithCerts(
    spec.server,
    spec.clusterName,
    spec.clientName,
    ca.cert.pem,
    key.toPem(),
    cert.pem,
  );
  return { config, client: { cert, key } };
}

/** All five files (init), their client keys generated in parallel. */
export async function buildKubeconfigs(
  inputs: PkiInputs,
  now: Date,
  ca: CertAndKey,
): Promise<Map<KubeconfigFileName, KubeConfig>> {
  const specs = kubeconfigSpecs(inputs, now);
  const built = await Promise.all(specs.map((s) => buildKubeconfig(s, ca)));
  return new Map(specs.map((s, i) => [s.fileName, built[i]!.config]));
}

/** The minimal config kubeadm compares existing files against (server + CA). */
export function expectedKubeconfig(
  spec: Pick<KubeconfigSpec, 'server' | 'clusterName' | 'clientName'>,
  caPem: string,
): KubeConfig {
  return createBasic(spec.server, spec.clusterName, spec.clientName, caPem);
}

/**
 * `kubeadm kubeconfig user`: server = control-plane endpoint; a client certificate (CN = clientName,
 * O = organizations) valid until now + validity, or a token instead of a certificate.
 */
export async function userKubeconfig(
  inputs: PkiInputs,
  opts: { clientName: string; organizations?: string[]; token?: string; validityMs?: number; now: Date },
  ca: CertAndKey | { cert: CertAndKey['cert'] },
): Promise<KubeConfig> {
  const server = controlPlaneEndpoint(inputs);
  if (opts.token !== undefined && opts.token !== '') {
    return createWithToken(server, inputs.clusterName, opts.clientName, ca.cert.pem, opts.token);
  }
  if (!('key' in ca)) throw new KbadmError("couldn't create a kubeconfig; the CA files couldn't be loaded");
  const spec: KubeconfigSpec = {
    fileName: 'admin.conf',
    clientName: opts.clientName,
    organizations: opts.organizations ?? [],
    server,
    clusterName: inputs.clusterName,
    encryptionAlgorithm: inputs.encryptionAlgorithm,
    notAfter: new Date(
      opts.now.getTime() +
        (opts.validityMs ?? inputs.certificateValidityPeriod ?? DEFAULT_CERTIFICATE_VALIDITY_MS),
    ),
  };
  return (await buildKubeconfig(spec, ca)).config;
}

/** `kubeconfig user --validity-period` above the default only warns. */
export function userValidityWarning(
  validityMs: number,
  defaultMs: number,
  fmt: (ms: number) => string,
): string | undefined {
  return validityMs > defaultMs
    ? `WARNING: the specified certificate validity period ${fmt(validityMs)} is longer than the default duration ${fmt(defaultMs)}, this may increase security risks.`
    : undefined;
}

/**
 * `certs renew <file>.conf`: a new key and client certificate with the old identity, and the current
 * cluster's CA replaced by `ca`; everything else is kept.
 */
export async function renewKubeconfig(
  cfg: KubeConfig,
  ca: CertAndKey,
  opts: { algorithm: string; now: Date; validityMs?: number },
  source = 'kubeconfig',
): Promise<KubeConfig> {
  const user = currentUser(cfg);
  const certPem = user && userClientCertPem(user);
  if (!user || !certPem)
    throw new KbadmError(`kubeconfig file ${source} does not contain a valid client certificate`);
  const old = await parseCertificatePem(certPem);
  const renewed = await renewCertificate(old, ca, opts);
  const next = structuredClone(cfg);
  const nextUser = currentUser(next)!;
  nextUser.user['client-certificate-data'] = Buffer.from(renewed.cert.pem).toString('base64');
  nextUser.user['client-key-data'] = Buffer.from(renewed.key.toPem()).toString('base64');
  const cluster = currentCluster(next);
  if (cluster) cluster.cluster['certificate-authority-data'] = Buffer.from(ca.cert.pem).toString('base64');
  return next;
}

/**
 * `certs generate-csr` for a kubeconfig: the file holds server, names and only the client key (no CA,
 * no certificate); the CSR goes next to it as `<file>.csr`.
 */
export async function kubeconfigWithCsr(
  spec: KubeconfigSpec,
): Promise<{ config: KubeConfig; csrPem: string }> {
  const { key, csrPem } = await createKeyAndCsr(
    { commonName: spec.clientName, organization: spec.organizations, altNames: { dnsNames: [], ips: [] } },
    spec.encryptionAlgorithm,
  );
  return {
    config: createWithCerts(spec.server, spec.clusterName, spec.clientName, '', key.toPem(), ''),
    csrPem,
  };
}

/**
 * What is wrong with the client credentials embedded in an existing kubeconfig file, or undefined:
 * the key must belong to the certificate, and the certificate must be signed by `ca`. Files that
 * authenticate otherwise (a token, a key in a separate file) have nothing to check here.
 */
export async function clientPairProblem(
  cfg: KubeConfig,
  ca: CertificateInfo,
  source = 'kubeconfig',
): Promise<string | undefined> {
  const user = currentUser(cfg);
  const certPem = user && userClientCertPem(user);
  const keyPem = user && userClientKeyPem(user);
  if (!certPem || !keyPem) return undefined;
  let cert: CertificateInfo;
  try {
    cert = await parseCertificatePem(certPem);
  } catch {
    return `kubeconfig file ${source}: its client certificate does not load`;
  }
  let matches: boolean;
  try {
    matches = keyMatchesCertificate(parsePrivateKeyPem(keyPem, `in ${source}`), cert);
  } catch {
    return `kubeconfig file ${source}: its client key does not load`;
  }
  if (!matches) return `kubeconfig file ${source}: its client key does not match its client certificate`;
  if (!issuedBy(cert, ca))
    return `kubeconfig file ${source}: its client certificate is not signed by the cluster CA`;
  return undefined;
}
