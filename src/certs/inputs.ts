// The facts the PKI and kubeconfig renderers need, and nothing else. The configuration API maps
// onto this (pkiInputsFromConfig); tests build it by hand.
import type { ClusterConfiguration, InitConfiguration } from '../config/model.js';

export const DEFAULT_CERTIFICATE_VALIDITY_MS = 365 * 24 * 3600 * 1000;
export const DEFAULT_CA_CERTIFICATE_VALIDITY_MS = 10 * DEFAULT_CERTIFICATE_VALIDITY_MS;
/** NotBefore is moved back this much to tolerate small clock differences between nodes. */
export const CERTIFICATE_BACKDATE_MS = 5 * 60 * 1000;

export interface PkiInputs {
  /** nodeRegistration.name: CN of the etcd certs, a DNS SAN, and the kubelet.conf user. */
  nodeName: string;
  /** localAPIEndpoint.advertiseAddress. */
  advertiseAddress: string;
  /** localAPIEndpoint.bindPort. */
  bindPort: number;
  /** networking.serviceSubnet, possibly a comma-separated dual-stack list. */
  serviceSubnet: string;
  /** networking.dnsDomain. */
  dnsDomain: string;
  /** `host` or `host:port`; '' when unset. */
  controlPlaneEndpoint: string;
  /** apiServer.certSANs. */
  apiServerCertSANs: readonly string[];
  /** Local etcd carries its extra SANs; with external etcd no etcd certs are made. */
  etcd: {
    local?: { serverCertSANs: readonly string[]; peerCertSANs: readonly string[] };
    external?: unknown;
  };
  /** RSA-2048 (also when ''), RSA-3072, RSA-4096, ECDSA-P256, ECDSA-P384. */
  encryptionAlgorithm: string;
  /** Leaf lifetime in ms; undefined means kubeadm's built-in year counted from NotBefore. */
  certificateValidityPeriod?: number;
  /** CA lifetime in ms; undefined means ten years counted from NotBefore. */
  caCertificateValidityPeriod?: number;
  /** e.g. v1.34.0: decides version-dependent defaults (kubelet.conf server). */
  kubernetesVersion: string;
  /** certificatesDir: where the files go; echoed in messages. */
  certificatesDir: string;
  /** clusterName: the kubeconfig cluster name. */
  clusterName: string;
  /** kubeadm feature gates (ControlPlaneKubeletLocalMode). */
  featureGates?: Readonly<Record<string, boolean>>;
}

/** Adapts the internal configuration model. */
export function pkiInputsFromConfig(init: InitConfiguration, cluster: ClusterConfiguration): PkiInputs {
  const local = cluster.etcd.local;
  return {
    nodeName: init.nodeRegistration.name,
    advertiseAddress: init.localAPIEndpoint.advertiseAddress,
    bindPort: init.localAPIEndpoint.bindPort,
    serviceSubnet: cluster.networking.serviceSubnet,
    dnsDomain: cluster.networking.dnsDomain,
    controlPlaneEndpoint: cluster.controlPlaneEndpoint,
    apiServerCertSANs: cluster.apiServer.certSANs,
    etcd: local
      ? { local: { serverCertSANs: local.serverCertSANs, peerCertSANs: local.peerCertSANs } }
      : { external: cluster.etcd.external },
    encryptionAlgorithm: cluster.encryptionAlgorithm,
    certificateValidityPeriod: cluster.certificateValidityPeriod,
    caCertificateValidityPeriod: cluster.caCertificateValidityPeriod,
    kubernetesVersion: cluster.kubernetesVersion,
    certificatesDir: cluster.certificatesDir,
    clusterName: cluster.clusterName,
    featureGates: cluster.featureGates,
  };
}

/** The etcd certs are made only for a local (stacked) etcd. */
export function hasLocalEtcd(inputs: PkiInputs): boolean {
  return inputs.etcd.local !== undefined;
}
