// The kubelet's TLS bootstrap: with only bootstrap-kubelet.conf, make a key, send a client CSR as
// the bootstrap token user, wait until the controller-manager has signed it, then write the pair
// to /var/lib/kubelet/pki and kubelet.conf pointing at it, in the files and shape the kubelet uses.
import { webcrypto } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse as parseYaml, stringify } from 'yaml';
import { x509Lib } from '../../../src/certs/x509-lib.js';
import { clientFromKubeconfig } from '../kube-client.js';
import { resolveInNode } from '../node-paths.js';

const pemBlock = (label: string, der: ArrayBuffer) =>
  `-----BEGIN ${label}-----\n${Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .trimEnd()}\n-----END ${label}-----\n`;

export async function nodeClientCSR(nodeName: string): Promise<{ csrPem: string; keyPem: string }> {
  const x509 = await x509Lib();
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: `O=system:nodes, CN=system:node:${nodeName}`,
    keys: keys as never,
    signingAlgorithm: alg,
  });
  const sec1 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { csrPem: csr.toString('pem'), keyPem: pemBlock('PRIVATE KEY', sec1) };
}

/**
 * Runs the bootstrap against the API server named in bootstrap-kubelet.conf. `root` is the
 * node's root on the machine; the files are written where the kubelet writes them.
 */
export async function tlsBootstrap(root: string, nodeName: string, signal: AbortSignal): Promise<void> {
  const bootstrapFile = path.join(root, 'etc/kubernetes/bootstrap-kubelet.conf');
  const bootstrap = parseYaml(await fs.readFile(bootstrapFile, 'utf8'));
  const client = clientFromKubeconfig(bootstrapFile, (p) => resolveInNode(root, p));
  try {
    const { csrPem, keyPem } = await nodeClientCSR(nodeName);
    const name = `node-csr-${Buffer.from(webcrypto.getRandomValues(new Uint8Array(8))).toString('hex')}`;
    await client.request('POST', '/apis/certificates.k8s.io/v1/certificatesigningrequests', {
      apiVersion: 'certificates.k8s.io/v1',
      kind: 'CertificateSigningRequest',
      metadata: { name },
      spec: {
        request: Buffer.from(csrPem).toString('base64'),
        signerName: 'kubernetes.io/kube-apiserver-client-kubelet',
        usages: ['digital signature', 'client auth'],
      },
    });
    let certificate: string | undefined;
    while (certificate === undefined) {
      if (signal.aborted) throw new Error('TLS bootstrap stopped');
      const csr = await client.request(
        'GET',
        `/apis/certificates.k8s.io/v1/certificatesigningrequests/${name}`,
      );
      if (
        (csr.status?.conditions ?? []).some(
          (c: { type: string }) => c.type === 'Denied' || c.type === 'Failed',
        )
      ) {
        throw new Error(`certificate signing request ${name} was denied or failed`);
      }
      if (csr.status?.certificate)
        certificate = Buffer.from(csr.status.certificate, 'base64').toString('utf8');
      else await sleep(500);
    }
    const pki = path.join(root, 'var/lib/kubelet/pki');
    await fs.mkdir(pki, { recursive: true, mode: 0o755 });
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
    const pairFile = `kubelet-client-${stamp}.pem`;
    await fs.writeFile(path.join(pki, pairFile), `${certificate.trimEnd()}\n${keyPem}`, { mode: 0o600 });
    const current = path.join(pki, 'kubelet-client-current.pem');
    await fs.rm(current, { force: true });
    await fs.symlink(path.join('/var/lib/kubelet/pki', pairFile), current);
    const cluster = bootstrap.clusters[0].cluster;
    const kubeconfig = {
      apiVersion: 'v1',
      clusters: [
        {
          cluster: {
            'certificate-authority-data': cluster['certificate-authority-data'],
            server: cluster.server,
          },
          name: 'default-cluster',
        },
      ],
      contexts: [
        {
          context: { cluster: 'default-cluster', namespace: 'default', user: 'default-auth' },
          name: 'default-context',
        },
      ],
      'current-context': 'default-context',
      kind: 'Config',
      preferences: {},
      users: [
        {
          name: 'default-auth',
          user: {
            'client-certificate': '/var/lib/kubelet/pki/kubelet-client-current.pem',
            'client-key': '/var/lib/kubelet/pki/kubelet-client-current.pem',
          },
        },
      ],
    };
    const target = path.join(root, 'etc/kubernetes/kubelet.conf');
    await fs.writeFile(`${target}.tmp`, stringify(kubeconfig), { mode: 0o600 });
    await fs.rename(`${target}.tmp`, target);
  } finally {
    client.close();
  }
}
