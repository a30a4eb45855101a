// The kube-controller-manager stand-in, run from kbadm's kube-controller-manager.yaml: it reads
// the flags kbadm wrote (kubeconfig, cluster signing pair, controllers, secure port), serves
// /healthz, and does the controller work a kubeadm cluster relies on: approving kubelet client
// CSRs whose requester holds the nodeclient/selfnodeclient permission (asked through
// SubjectAccessReview, so kbadm's RBAC bindings decide), signing approved ones with the cluster
// CA, signing cluster-info for every bootstrap token (bootstrap signer), deleting expired tokens
// (token cleaner), and running Jobs through Pods the scheduler places and the kubelets run (Job,
// TTL-after-finished and garbage-collector controllers, job-controller.ts). It is test support for
// the lab, never shipped.
import { createHmac, createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { clientFromKubeconfig, KubeError, type KubeClient } from '../kube-client.js';
import {
  csrFacts,
  KUBELET_CLIENT_SIGNER,
  kubeletClientShapeProblem,
  signClientCertificate,
} from './csr-signing.js';
import { serveHealth } from './health-server.js';
import { JobController } from './job-controller.js';

const KNOWN = new Set([
  'allocate-node-cidrs',
  'authentication-kubeconfig',
  'authorization-kubeconfig',
  'bind-address',
  'client-ca-file',
  'cluster-cidr',
  'cluster-name',
  'cluster-signing-cert-file',
  'cluster-signing-key-file',
  'cluster-signing-duration',
  'controllers',
  'kubeconfig',
  'leader-elect',
  'requestheader-client-ca-file',
  'root-ca-file',
  'service-account-private-key-file',
  'service-cluster-ip-range',
  'terminated-pod-gc-threshold',
  'use-service-account-credentials',
  'node-cidr-mask-size',
  'node-cidr-mask-size-ipv4',
  'node-cidr-mask-size-ipv6',
  'feature-gates',
  'profiling',
  'secure-port',
  'v',
  'tls-cert-file',
  'tls-private-key-file',
]);

export function parseComponentFlags(
  args: readonly string[],
  known: ReadonlySet<string>,
): Map<string, string> {
  const flags = new Map<string, string>();
  for (const arg of args) {
    const m = /^--([a-z0-9-]+)(?:=(.*))?$/s.exec(arg);
    if (!m) throw new Error(`unexpected argument ${JSON.stringify(arg)}`);
    if (!known.has(m[1]!)) throw new Error(`unknown flag: --${m[1]}`);
    flags.set(m[1]!, m[2] ?? 'true');
  }
  return flags;
}

export function parseControllerManagerFlags(args: readonly string[]): Map<string, string> {
  return parseComponentFlags(args, KNOWN);
}

function readRequired(flags: Map<string, string>, name: string): Buffer {
  const p = flags.get(name);
  if (p === undefined) throw new Error(`--${name} must be set`);
  try {
    return readFileSync(p);
  } catch {
    throw new Error(`--${name}: open ${p}: no such file or directory`);
  }
}

/** Detached JWS (HS256, kid = token id) over `content`, as the bootstrap signer writes it. */
export function detachedJWS(content: string, tokenId: string, tokenSecret: string): string {
  const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64url');
  const header = b64(JSON.stringify({ alg: 'HS256', kid: tokenId }));
  const signature = createHmac('sha256', tokenSecret)
    .update(`${header}.${b64(content)}`)
    .digest();
  return `${header}..${b64(signature)}`;
}

const decode = (v: string | undefined) =>
  v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8');

interface TokenInfo {
  id: string;
  secret: string;
  signing: boolean;
  expired: boolean;
  name: string;
}

function tokenInfo(s: any): TokenInfo | undefined {
  // eslint-disable-line @typescript-eslint/no-explicit-any
  if (s.type !== 'bootstrap.kubernetes.io/token') return undefined;
  const d = s.data ?? {};
  const id = decode(d['token-id']);
  const secret = decode(d['token-secret']);
  if (!id || !secret || s.metadata.name !== `bootstrap-token-${id}`) return undefined;
  const expiration = decode(d['expiration']);
  return {
    id,
    secret,
    signing: decode(d['usage-bootstrap-signing']) === 'true',
    expired: expiration !== undefined && new Date(expiration).getTime() <= Date.now(),
    name: s.metadata.name,
  };
}

export class ControllerManager {
  private healthy = false;
  private readonly jobs: JobController;

  constructor(
    private readonly client: KubeClient,
    private readonly signingCert: Buffer,
    private readonly signingKey: Buffer,
    private readonly controllers: string[],
  ) {
    this.jobs = new JobController(client, {
      job: this.enabled('job'),
      ttlAfterFinished: this.enabled('ttl-after-finished'),
      garbageCollector: this.enabled('garbagecollector'),
    });
  }

  private enabled(name: string): boolean {
    if (this.controllers.includes(`-${name}`)) return false;
    if (this.controllers.includes(name)) return true;
    // bootstrapsigner and tokencleaner are off unless named, as in the real component.
    return this.controllers.includes('*') && !['bootstrapsigner', 'tokencleaner'].includes(name);
  }

  isHealthy(): boolean {
    return this.healthy;
  }

  /** One pass of every enabled controller; errors of one do not stop the others. */
  async reconcile(): Promise<void> {
    const results = await Promise.allSettled([
      this.enabled('csrapproving') ? this.approveCSRs() : undefined,
      this.enabled('csrsigning') ? this.signCSRs() : undefined,
      this.enabled('bootstrapsigner') || this.enabled('tokencleaner') ? this.tokens() : undefined,
      this.enabled('job') || this.enabled('ttl-after-finished') || this.enabled('garbagecollector')
        ? this.jobs.reconcile()
        : undefined,
    ]);
    this.healthy = results.every((r) => r.status === 'fulfilled');
    for (const r of results)
      if (r.status === 'rejected')
        process.stderr.write(`controller error: ${String(r.reason?.message ?? r.reason)}\n`);
  }

  private async allowed(user: string, groups: string[], subresource: string): Promise<boolean> {
    const review = await this.client.request('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: {
        user,
        groups,
        resourceAttributes: {
          group: 'certificates.k8s.io',
          resource: 'certificatesigningrequests',
          subresource,
          verb: 'create',
        },
      },
    });
    return review.status?.allowed === true;
  }

  private async approveCSRs(): Promise<void> {
    const list = await this.client.request('GET', '/apis/certificates.k8s.io/v1/certificatesigningrequests');
    for (const csr of list.items ?? []) {
      if (csr.spec?.signerName !== KUBELET_CLIENT_SIGNER) continue;
      if (
        (csr.status?.conditions ?? []).some(
          (c: { type: string }) => c.type === 'Approved' || c.type === 'Denied',
        )
      )
        continue;
      const facts = await csrFacts(Buffer.from(csr.spec.request, 'base64').toString('utf8'));
      if (kubeletClientShapeProblem(facts, csr.spec.usages ?? []) !== undefined) continue;
      const self = csr.spec.username === facts.commonName;
      const permitted =
        (self && (await this.allowed(csr.spec.username, csr.spec.groups ?? [], 'selfnodeclient'))) ||
        (await this.allowed(csr.spec.username, csr.spec.groups ?? [], 'nodeclient'));
      if (!permitted) continue;
      csr.status = {
        ...csr.status,
        conditions: [
          ...(csr.status?.conditions ?? []),
          {
            type: 'Approved',
            status: 'True',
            reason: 'AutoApproved',
            message: 'Auto approving kubelet client certificate after SubjectAccessReview.',
            lastUpdateTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
          },
        ],
      };
      await this.client.request(
        'PUT',
        `/apis/certificates.k8s.io/v1/certificatesigningrequests/${csr.metadata.name}/approval`,
        csr,
      );
    }
  }

  private async signCSRs(): Promise<void> {
    const list = await this.client.request('GET', '/apis/certificates.k8s.io/v1/certificatesigningrequests');
    for (const csr of list.items ?? []) {
      if (csr.spec?.signerName !== KUBELET_CLIENT_SIGNER || csr.status?.certificate) continue;
      const conditions: { type: string }[] = csr.status?.conditions ?? [];
      if (
        !conditions.some((c) => c.type === 'Approved') ||
        conditions.some((c) => c.type === 'Denied' || c.type === 'Failed')
      )
        continue;
      const pem = await signClientCertificate(
        Buffer.from(csr.spec.request, 'base64').toString('utf8'),
        this.signingCert,
        this.signingKey,
        csr.spec.usages ?? [],
      );
      csr.status = { ...csr.status, certificate: Buffer.from(pem).toString('base64') };
      await this.client.request(
        'PUT',
        `/apis/certificates.k8s.io/v1/certificatesigningrequests/${csr.metadata.name}/status`,
        csr,
      );
    }
  }

  private async tokens(): Promise<void> {
    const secrets = await this.client.request(
      'GET',
      '/api/v1/namespaces/kube-system/secrets?fieldSelector=type%3Dbootstrap.kubernetes.io%2Ftoken',
    );
    const tokens = (secrets.items ?? [])
      .map(tokenInfo)
      .filter((t: TokenInfo | undefined): t is TokenInfo => t !== undefined);
    if (this.enabled('tokencleaner')) {
      for (const t of tokens.filter((x: TokenInfo) => x.expired)) {
        await this.client
          .request('DELETE', `/api/v1/namespaces/kube-system/secrets/${t.name}`)
          .catch((err: unknown) => {
            if (!(err instanceof KubeError && err.code === 404)) throw err;
          });
      }
    }
    if (!this.enabled('bootstrapsigner')) return;
    let cm;
    try {
      cm = await this.client.request('GET', '/api/v1/namespaces/kube-public/configmaps/cluster-info');
    } catch (err) {
      if (err instanceof KubeError && err.code === 404) return;
      throw err;
    }
    const content: string | undefined = cm.data?.kubeconfig;
    if (content === undefined) return;
    const wanted: Record<string, string> = {};
    for (const t of tokens as TokenInfo[])
      if (t.signing && !t.expired) wanted[`jws-kubeconfig-${t.id}`] = detachedJWS(content, t.id, t.secret);
    const data: Record<string, string> = { ...cm.data };
    for (const k of Object.keys(data)) if (k.startsWith('jws-kubeconfig-') && !(k in wanted)) delete data[k];
    Object.assign(data, wanted);
    if (JSON.stringify(data) === JSON.stringify(cm.data)) return;
    await this.client.request('PUT', '/api/v1/namespaces/kube-public/configmaps/cluster-info', {
      ...cm,
      data,
    });
  }
}

/** `kube-controller-manager <flags>`: checks the flags as the real one does, then serves and reconciles. */
export async function runControllerManager(
  args: readonly string[],
  intervalMs = 1000,
): Promise<() => Promise<void>> {
  const flags = parseControllerManagerFlags(args);
  const signingCert = readRequired(flags, 'cluster-signing-cert-file');
  const signingKey = readRequired(flags, 'cluster-signing-key-file');
  if (!new X509Certificate(signingCert).checkPrivateKey(createPrivateKey(signingKey))) {
    throw new Error(
      '--cluster-signing-cert-file and --cluster-signing-key-file: private key does not match public key',
    );
  }
  for (const f of [
    'root-ca-file',
    'service-account-private-key-file',
    'client-ca-file',
    'requestheader-client-ca-file',
  ]) {
    if (flags.has(f)) readRequired(flags, f);
  }
  const kubeconfig = flags.get('kubeconfig');
  if (kubeconfig === undefined) throw new Error('--kubeconfig must be set');
  const client = clientFromKubeconfig(kubeconfig);
  const cm = new ControllerManager(
    client,
    signingCert,
    signingKey,
    (flags.get('controllers') ?? '*').split(','),
  );
  const server = await serveHealth(
    'kube-controller-manager',
    flags.get('bind-address') ?? '0.0.0.0',
    Number(flags.get('secure-port') ?? 10257),
    () => cm.isHealthy(),
  );
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      await cm.reconcile();
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  })();
  return async () => {
    stopped = true;
    await loop;
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    client.close();
  };
}
