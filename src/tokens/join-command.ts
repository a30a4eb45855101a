// The `kbadm join ...` command init prints and `token create --print-join-command` will print:
// kubeadm's layout, with a line break and a tab before each group of flags.
import { caCertHash } from '../certs/ca-hash.js';
import { certificateDers } from '../certs/pem.js';
import { KbadmError } from '../errors.js';
import { clusterCAPem, currentCluster, parseKubeconfig } from '../kubeconfig/kubeconfig.js';

export const WITHHELD = '<value withheld>';

export interface JoinCommandInput {
  /** host:port of the API server, as in admin.conf's server without `https://`. */
  endpoint: string;
  token: string;
  /** `sha256:<hex>` pins of every CA certificate in admin.conf. */
  caCertHashes: readonly string[];
  controlPlane?: boolean;
  certificateKey?: string;
  skipTokenPrint?: boolean;
  skipCertificateKeyPrint?: boolean;
}

export function joinCommand(i: JoinCommandInput): string {
  const token = i.skipTokenPrint ? WITHHELD : i.token;
  let cmd = `kbadm join ${i.endpoint} --token ${token} \\\n\t`;
  for (const h of i.caCertHashes) cmd += `--discovery-token-ca-cert-hash ${h} `;
  if (i.controlPlane) {
    cmd += '\\\n\t--control-plane ';
    if (i.certificateKey) {
      cmd += `--certificate-key ${i.skipCertificateKeyPrint ? WITHHELD : i.certificateKey}`;
    }
  }
  return cmd;
}

/** The same command on one line (`--print-join-command`): no line breaks, no tabs. */
export function singleLine(cmd: string): string {
  return cmd.replace(/\\\n/g, '').replace(/\t/g, '');
}

/** host:port from a kubeconfig server URL. */
export function endpointOf(server: string): string {
  return server.replace(/https:\/\//g, '');
}

/** The API server endpoint and CA pins a joining node needs, from admin.conf as kubeadm takes them. */
export function joinFacts(adminConf: string, source: string): { endpoint: string; caCertHashes: string[] } {
  const cluster = currentCluster(parseKubeconfig(adminConf, source));
  if (!cluster) throw new KbadmError(`failed to get default cluster config from ${source}`);
  const ca = clusterCAPem(cluster);
  if (!ca) throw new KbadmError(`no CA certificates found in ${source}`);
  return {
    endpoint: endpointOf(cluster.cluster.server),
    caCertHashes: certificateDers(ca).map((der) => caCertHash(der)),
  };
}
