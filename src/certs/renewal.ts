// `kubeadm certs renew` and `check-expiration` as pure functions.
import { CERTIFICATE_BACKDATE_MS, DEFAULT_CERTIFICATE_VALIDITY_MS } from './inputs.js';
import { generatePrivateKey } from './keys.js';
import { caBaseName, type CAName } from './specs.js';
import { identityOf, signCertificate, type CertAndKey, type CertificateInfo } from './x509.js';

/**
 * A renewed leaf: same CN, O, SANs and EKUs as `old`, a new key of `algorithm`, signed by `ca`.
 * NotBefore = now − 5 min; NotAfter = now + validity (kubeadm counts from the renewal start time).
 */
export async function renewCertificate(
  old: CertificateInfo,
  ca: CertAndKey,
  opts: { algorithm: string; now: Date; validityMs?: number },
): Promise<CertAndKey> {
  const key = await generatePrivateKey(opts.algorithm);
  const cert = await signCertificate(
    {
      ...identityOf(old),
      isCA: false,
      notBefore: new Date(opts.now.getTime() - CERTIFICATE_BACKDATE_MS),
      notAfter: new Date(opts.now.getTime() + (opts.validityMs ?? DEFAULT_CERTIFICATE_VALIDITY_MS)),
    },
    key,
    ca,
  );
  return { cert, key };
}

/** Everything `certs renew` and `check-expiration` handle, in kubeadm's (sorted) order. */
export interface RenewableCert {
  name: string;
  longName: string;
  /** The CA that signs it. */
  caName: CAName;
  /** PKI base name, or undefined for a certificate embedded in a kubeconfig file. */
  baseName?: string;
  /** kubeconfig file name, for embedded certificates. */
  kubeconfigFile?: string;
}

const RENEWABLE: readonly (RenewableCert & { etcd?: true })[] = [
  {
    name: 'admin.conf',
    longName: 'certificate embedded in the kubeconfig file for the admin to use and for kubeadm itself',
    caName: 'ca',
    kubeconfigFile: 'admin.conf',
  },
  {
    name: 'apiserver',
    longName: 'certificate for serving the Kubernetes API',
    caName: 'ca',
    baseName: 'apiserver',
  },
  {
    name: 'apiserver-etcd-client',
    longName: 'certificate the apiserver uses to access etcd',
    caName: 'etcd-ca',
    baseName: 'apiserver-etcd-client',
    etcd: true,
  },
  {
    name: 'apiserver-kubelet-client',
    longName: 'certificate for the API server to connect to kubelet',
    caName: 'ca',
    baseName: 'apiserver-kubelet-client',
  },
  {
    name: 'controller-manager.conf',
    longName: 'certificate embedded in the kubeconfig file for the controller manager to use',
    caName: 'ca',
    kubeconfigFile: 'controller-manager.conf',
  },
  {
    name: 'etcd-healthcheck-client',
    longName: 'certificate for liveness probes to healthcheck etcd',
    caName: 'etcd-ca',
    baseName: 'etcd/healthcheck-client',
    etcd: true,
  },
  {
    name: 'etcd-peer',
    longName: 'certificate for etcd nodes to communicate with each other',
    caName: 'etcd-ca',
    baseName: 'etcd/peer',
    etcd: true,
  },
  {
    name: 'etcd-server',
    longName: 'certificate for serving etcd',
    caName: 'etcd-ca',
    baseName: 'etcd/server',
    etcd: true,
  },
  {
    name: 'front-proxy-client',
    longName: 'certificate for the front proxy client',
    caName: 'front-proxy-ca',
    baseName: 'front-proxy-client',
  },
  {
    name: 'scheduler.conf',
    longName: 'certificate embedded in the kubeconfig file for the scheduler manager to use',
    caName: 'ca',
    kubeconfigFile: 'scheduler.conf',
  },
  {
    name: 'super-admin.conf',
    longName: 'certificate embedded in the kubeconfig file for the super-admin',
    caName: 'ca',
    kubeconfigFile: 'super-admin.conf',
  },
];

/** 11 names with local etcd, 7 with external etcd; kubelet.conf is never here (the kubelet rotates it). */
export function renewableCertificates(localEtcd: boolean): RenewableCert[] {
  return RENEWABLE.filter((r) => localEtcd || !r.etcd).map(({ etcd: _e, ...r }) => r);
}

/** The CAs listed by check-expiration, sorted by name. */
export function expirationCAs(localEtcd: boolean): { name: CAName; baseName: string }[] {
  const all: { name: CAName; baseName: string }[] = [
    { name: 'ca', baseName: 'ca' },
    { name: 'etcd-ca', baseName: 'etcd/ca' },
    { name: 'front-proxy-ca', baseName: 'front-proxy-ca' },
  ];
  return all.filter((c) => localEtcd || c.name !== 'etcd-ca');
}

export const RENEW_ALL_DONE =
  'Done renewing certificates. You must restart the kube-apiserver, kube-controller-manager, kube-scheduler and etcd, so that they can use the new certificates.';

export function renewedMessage(r: RenewableCert): string {
  return `${r.longName} renewed`;
}
export function missingMessage(r: RenewableCert): string {
  return `MISSING! ${r.longName}`;
}
export function externalCAMessage(r: RenewableCert): string {
  return `Detected external ${caBaseName(r)}, ${r.longName} can't be renewed`;
}
