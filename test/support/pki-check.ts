// Checks a node's files as the components that use them would: every certificate verifies against
// its CA with openssl (one call per tree), every private key belongs to its certificate, every
// kubeconfig's client pair matches and is signed by the cluster CA, and kbadm left no temporary
// file or commit record anywhere under the root.
import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';

export const CA_FILES = ['ca', 'front-proxy-ca', 'etcd/ca'] as const;
export const LEAF_FILES: readonly { base: string; ca: (typeof CA_FILES)[number] }[] = [
  { base: 'apiserver', ca: 'ca' },
  { base: 'apiserver-kubelet-client', ca: 'ca' },
  { base: 'front-proxy-client', ca: 'front-proxy-ca' },
  { base: 'etcd/server', ca: 'etcd/ca' },
  { base: 'etcd/peer', ca: 'etcd/ca' },
  { base: 'etcd/healthcheck-client', ca: 'etcd/ca' },
  { base: 'apiserver-etcd-client', ca: 'etcd/ca' },
];
export const KUBECONFIG_FILES = [
  'admin.conf',
  'super-admin.conf',
  'kubelet.conf',
  'controller-manager.conf',
  'scheduler.conf',
] as const;

const KBADM_TEMP = /\.kbadm-[0-9a-f]{12}\.(tmp|commit)$|^\.kbadm-[0-9a-f]{12}\.commit$/;

/** Every kbadm temporary file or commit record under `dir`, as paths relative to it. */
export function leftovers(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name), `${rel}/${e.name}`);
      else if (KBADM_TEMP.test(e.name)) found.push(`${rel}/${e.name}`);
    }
  };
  if (existsSync(dir)) walk(dir, '');
  return found;
}

function keyMatches(keyPem: string, cert: X509Certificate): boolean {
  const fromKey = createPublicKey(createPrivateKey(keyPem)).export({ format: 'der', type: 'spki' });
  return Buffer.compare(fromKey, cert.publicKey.export({ format: 'der', type: 'spki' })) === 0;
}

function signedBy(cert: X509Certificate, ca: X509Certificate): boolean {
  return cert.checkIssued(ca) && cert.verify(ca.publicKey);
}

export interface TreeCheckOptions {
  /** Check the five kubeconfig files too (default true). */
  kubeconfigs?: boolean;
}

/**
 * The problems with the tree under `root` (a --rootfs with /etc/kubernetes), one line each; [] when
 * everything verifies.
 */
export function treeProblems(root: string, options: TreeCheckOptions = {}): string[] {
  const problems: string[] = leftovers(root).map((f) => `left behind: ${f}`);
  const kube = join(root, 'etc/kubernetes');
  const pki = join(kube, 'pki');
  const read = (p: string): string | undefined => (existsSync(p) ? readFileSync(p, 'utf8') : undefined);
  const cas = new Map<string, X509Certificate>();
  for (const ca of CA_FILES) {
    const crt = read(join(pki, `${ca}.crt`));
    const key = read(join(pki, `${ca}.key`));
    if (!crt || !key) {
      problems.push(`${ca}: missing ${crt ? 'key' : 'certificate'}`);
      continue;
    }
    const cert = new X509Certificate(crt);
    cas.set(ca, cert);
    if (!keyMatches(key, cert)) problems.push(`${ca}: key does not match`);
  }
  const toVerify: { what: string; file: string; ca: string }[] = [];
  for (const leaf of LEAF_FILES) {
    const crt = read(join(pki, `${leaf.base}.crt`));
    const key = read(join(pki, `${leaf.base}.key`));
    if (!crt || !key) {
      problems.push(`${leaf.base}: missing ${crt ? 'key' : 'certificate'}`);
      continue;
    }
    const cert = new X509Certificate(crt);
    if (!keyMatches(key, cert)) problems.push(`${leaf.base}: key does not match`);
    const ca = cas.get(leaf.ca);
    if (ca && !signedBy(cert, ca)) problems.push(`${leaf.base}: not signed by ${leaf.ca}`);
    toVerify.push({ what: leaf.base, file: join(pki, `${leaf.base}.crt`), ca: leaf.ca });
  }
  const saKey = read(join(pki, 'sa.key'));
  const saPub = read(join(pki, 'sa.pub'));
  if (!saKey || !saPub) problems.push(`sa: missing ${saKey ? 'sa.pub' : 'sa.key'}`);
  else if (createPublicKey(createPrivateKey(saKey)).export({ format: 'pem', type: 'spki' }) !== saPub)
    problems.push('sa: sa.pub is not the public half of sa.key');

  const scratch = mkdtempSync(join(tmpdir(), 'kbadm-check-'));
  try {
    if (options.kubeconfigs ?? true) {
      for (const file of KUBECONFIG_FILES) {
        const text = read(join(kube, file));
        if (!text) {
          problems.push(`${file}: missing`);
          continue;
        }
        const cfg = parse(text) as {
          users: { user: Record<string, string> }[];
          clusters: { cluster: Record<string, string> }[];
        };
        const user = cfg.users[0]!.user;
        const certPem = Buffer.from(user['client-certificate-data'] ?? '', 'base64').toString();
        const keyPem = Buffer.from(user['client-key-data'] ?? '', 'base64').toString();
        const caPem = Buffer.from(
          cfg.clusters[0]!.cluster['certificate-authority-data'] ?? '',
          'base64',
        ).toString();
        const cert = new X509Certificate(certPem);
        if (!keyMatches(keyPem, cert)) problems.push(`${file}: client key does not match`);
        const ca = cas.get('ca');
        if (ca && !signedBy(cert, ca)) problems.push(`${file}: client certificate not signed by ca`);
        if (ca && caPem !== ca.toString()) problems.push(`${file}: embedded CA is not ca.crt`);
        const certFile = join(scratch, `${file}.crt`);
        writeFileSync(certFile, certPem);
        toVerify.push({ what: file, file: certFile, ca: 'ca' });
      }
    }
    // One openssl call for the whole tree: the three CAs have distinct names, so each certificate
    // can only chain to its own (and node checked above which one signed it).
    if (cas.size === CA_FILES.length && toVerify.length > 0) {
      const bundle = join(scratch, 'cas.pem');
      writeFileSync(bundle, CA_FILES.map((c) => cas.get(c)!.toString()).join(''));
      let out: string;
      try {
        out = execFileSync('openssl', ['verify', '-CAfile', bundle, ...toVerify.map((v) => v.file)], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
        });
      } catch (err) {
        out =
          String((err as { stdout?: string }).stdout ?? '') +
          String((err as { stderr?: string }).stderr ?? '');
      }
      for (const v of toVerify) {
        if (!out.includes(`${v.file}: OK`)) problems.push(`${v.what}: openssl verify failed`);
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return problems;
}
