// Shared pieces for end-to-end tests that run kbadm commands under a temporary --rootfs and check
// the files on disk with openssl, kubectl and node's own X.509 code.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type CliResult } from './cli.js';

export const LEAVES: readonly { base: string; ca: string; purpose: 'sslserver' | 'sslclient' }[] = [
  { base: 'apiserver', ca: 'ca', purpose: 'sslserver' },
  { base: 'apiserver-kubelet-client', ca: 'ca', purpose: 'sslclient' },
  { base: 'front-proxy-client', ca: 'front-proxy-ca', purpose: 'sslclient' },
  { base: 'etcd/server', ca: 'etcd/ca', purpose: 'sslserver' },
  { base: 'etcd/peer', ca: 'etcd/ca', purpose: 'sslserver' },
  { base: 'etcd/healthcheck-client', ca: 'etcd/ca', purpose: 'sslclient' },
  { base: 'apiserver-etcd-client', ca: 'etcd/ca', purpose: 'sslclient' },
];
export const CAS = ['ca', 'front-proxy-ca', 'etcd/ca'] as const;
export const KUBECONFIGS = [
  'admin.conf',
  'super-admin.conf',
  'kubelet.conf',
  'controller-manager.conf',
  'scheduler.conf',
] as const;

export interface Root {
  dir: string;
  pki: string;
  kube: string;
  /** Runs `kbadm --rootfs <dir> ...args` in-process; fails the test on a non-zero exit unless `allowFailure`. */
  kbadm(args: string[], opts?: { allowFailure?: boolean }): Promise<CliResult>;
  cleanup(): void;
}

export function config(algorithm: string, extra = ''): string {
  return (
    'apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\n' +
    'localAPIEndpoint:\n  advertiseAddress: 10.0.0.5\nnodeRegistration:\n  name: cp-1\n---\n' +
    'apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\n' +
    `encryptionAlgorithm: ${algorithm}\ncontrolPlaneEndpoint: localhost\n${extra}`
  );
}

/** A temporary root holding /cfg.yaml. */
export function tempRoot(configText: string): Root {
  const dir = mkdtempSync(join(tmpdir(), 'kbadm-e2e-'));
  writeFileSync(join(dir, 'cfg.yaml'), configText);
  return {
    dir,
    pki: join(dir, 'etc/kubernetes/pki'),
    kube: join(dir, 'etc/kubernetes'),
    async kbadm(args, opts = {}) {
      const r = await runCli(['--rootfs', dir, ...args]);
      if (r.code !== 0 && !opts.allowFailure) {
        throw new Error(`kbadm ${args.join(' ')} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
      }
      return r;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function openssl(args: string[], input?: string): string {
  return execFileSync('openssl', args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
}

export function kubectlView(file: string): KubectlConfig {
  const json = execFileSync('kubectl', ['config', 'view', '--kubeconfig', file, '--raw', '-o', 'json'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(json) as KubectlConfig;
}

export interface KubectlConfig {
  clusters: { name: string; cluster: { server: string; 'certificate-authority-data'?: string } }[];
  contexts: { name: string; context: { cluster: string; user: string } }[];
  'current-context': string;
  users: { name: string; user: Record<string, string> }[];
}

export function decode(b64: string | undefined): string {
  return Buffer.from(b64 ?? '', 'base64').toString('utf8');
}

/** The current context's user and cluster as kubectl reports them. */
export function current(cfg: KubectlConfig) {
  const ctx = cfg.contexts.find((c) => c.name === cfg['current-context'])!;
  return {
    context: ctx,
    cluster: cfg.clusters.find((c) => c.name === ctx.context.cluster)!,
    user: cfg.users.find((u) => u.name === ctx.context.user)!,
  };
}

/** Every regular file under `dir` with its bytes, mode and inode (an atomic rewrite changes the inode). */
export function snapshot(dir: string): Map<string, { data: string; mode: number; ino: number }> {
  const out = new Map<string, { data: string; mode: number; ino: number }>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const st = statSync(p);
        out.set(p.slice(dir.length), { data: readFileSync(p, 'latin1'), mode: st.mode & 0o777, ino: st.ino });
      }
    }
  };
  walk(dir);
  return out;
}

export function modeOf(path: string): number {
  return statSync(path).mode & 0o777;
}

export function read(path: string): string {
  return readFileSync(path, 'utf8');
}
