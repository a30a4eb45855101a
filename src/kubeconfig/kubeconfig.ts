// kubeconfig objects in client-go's v1 wire form (what `clientcmd.Write` produces), their YAML, and
// the checks kubeadm applies to existing files.
import { KbadmError } from '../errors.js';
import { dumpYaml, yamlErrorReason, yamlLib } from '../output/yaml.js';

export interface NamedCluster {
  name: string;
  cluster: {
    server: string;
    /** base64 of the CA PEM. */
    'certificate-authority-data'?: string;
    'certificate-authority'?: string;
    'tls-server-name'?: string;
    'insecure-skip-tls-verify'?: boolean;
    [k: string]: unknown;
  };
}

export interface NamedContext {
  name: string;
  context: { cluster: string; user: string; namespace?: string; [k: string]: unknown };
}

export interface NamedUser {
  name: string;
  user: {
    'client-certificate-data'?: string;
    'client-key-data'?: string;
    'client-certificate'?: string;
    'client-key'?: string;
    token?: string;
    [k: string]: unknown;
  };
}

export interface KubeConfig {
  apiVersion: 'v1';
  kind: 'Config';
  clusters: NamedCluster[];
  contexts: NamedContext[];
  'current-context': string;
  users: NamedUser[] | null;
  preferences?: Record<string, unknown>;
  [k: string]: unknown;
}

export const KUBECONFIG_FILE_MODE = 0o600;

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string | undefined) =>
  s === undefined ? undefined : Buffer.from(s, 'base64').toString('utf8');

/** kubeadm's CreateBasic: one cluster, one context `<user>@<cluster>`, current; no credentials yet. */
export function createBasic(
  server: string,
  clusterName: string,
  userName: string,
  caPem: string,
): KubeConfig {
  const contextName = `${userName}@${clusterName}`;
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: clusterName,
        cluster: { ...(caPem ? { 'certificate-authority-data': b64(caPem) } : {}), server },
      },
    ],
    contexts: [{ name: contextName, context: { cluster: clusterName, user: userName } }],
    'current-context': contextName,
    users: null,
  };
}

/** A kubeconfig with embedded client certificate and key (PEM). */
export function createWithCerts(
  server: string,
  clusterName: string,
  userName: string,
  caPem: string,
  clientKeyPem: string,
  clientCertPem: string,
): KubeConfig {
  const cfg = createBasic(server, clusterName, userName, caPem);
  const user: NamedUser['user'] = {};
  if (clientCertPem) user['client-certificate-data'] = b64(clientCertPem);
  if (clientKeyPem) user['client-key-data'] = b64(clientKeyPem);
  cfg.users = [{ name: userName, user }];
  return cfg;
}

/** A kubeconfig authenticating with a bearer token. */
export function createWithToken(
  server: string,
  clusterName: string,
  userName: string,
  caPem: string,
  token: string,
): KubeConfig {
  const cfg = createBasic(server, clusterName, userName, caPem);
  cfg.users = [{ name: userName, user: { token } }];
  return cfg;
}

/** YAML as clientcmd writes it: keys sorted, sequences not indented, data base64 on one line. */
export function serializeKubeconfig(cfg: KubeConfig): string {
  return dumpYaml(cfg);
}

/** Parses a kubeconfig file; lists default to empty. */
export function parseKubeconfig(text: string, source = 'kubeconfig'): KubeConfig {
  // A kubeconfig holds keys and tokens, and the parser's messages quote the file (and some quote the
  // offending text on their first line): report only the kind of error and where, with no cause.
  const Y = yamlLib();
  const lineCounter = new Y.LineCounter();
  const parsed = Y.parseDocument(text, { prettyErrors: false, lineCounter });
  const bad = parsed.errors[0];
  if (bad !== undefined) {
    const { line, col } = lineCounter.linePos(bad.pos[0]);
    const reason = yamlErrorReason(bad);
    throw new KbadmError(
      `failed to load kubeconfig file ${source}: yaml: ${reason} at line ${line}, column ${col}`,
    );
  }
  let doc: unknown;
  try {
    doc = parsed.toJS();
  } catch {
    throw new KbadmError(`failed to load kubeconfig file ${source}: yaml: invalid alias`);
  }
  if (doc === null || doc === undefined) doc = {};
  if (typeof doc !== 'object' || Array.isArray(doc))
    throw new KbadmError(`failed to load kubeconfig file ${source}: not a mapping`);
  const d = doc as Record<string, unknown>;
  const list = <T>(k: string): T[] => {
    const v = d[k];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v))
      throw new KbadmError(`failed to load kubeconfig file ${source}: ${k} is not a list`);
    return v as T[];
  };
  return {
    ...d,
    apiVersion: 'v1',
    kind: 'Config',
    clusters: list<NamedCluster>('clusters'),
    contexts: list<NamedContext>('contexts'),
    'current-context': typeof d['current-context'] === 'string' ? d['current-context'] : '',
    users: list<NamedUser>('users'),
  };
}

export function currentContext(cfg: KubeConfig): NamedContext | undefined {
  return cfg.contexts.find((c) => c.name === cfg['current-context']);
}

export function currentCluster(cfg: KubeConfig): NamedCluster | undefined {
  const ctx = currentContext(cfg);
  return ctx && cfg.clusters.find((c) => c.name === ctx.context.cluster);
}

export function currentUser(cfg: KubeConfig): NamedUser | undefined {
  const ctx = currentContext(cfg);
  return ctx && (cfg.users ?? []).find((u) => u.name === ctx.context.user);
}

/** PEM of the current cluster's embedded CA, '' when none. */
export function clusterCAPem(cluster: NamedCluster): string {
  return unb64(cluster.cluster['certificate-authority-data']) ?? '';
}

export function userClientCertPem(user: NamedUser): string | undefined {
  return unb64(user.user['client-certificate-data']);
}

export function userClientKeyPem(user: NamedUser): string | undefined {
  return unb64(user.user['client-key-data']);
}

export interface ValidationResult {
  /** kubeadm only warns when the server differs. */
  warnings: string[];
}

/**
 * kubeadm's validateKubeConfig for an existing file at `path`: its current context and cluster must
 * exist, and its CA (whitespace-trimmed; else read from `certificate-authority` via `readCAFile`) must
 * equal the expected one. A different server is only a warning. Client credentials are not checked.
 */
export function validateExistingKubeconfig(
  path: string,
  existing: KubeConfig,
  expected: KubeConfig,
  readCAFile?: (caPath: string) => string | undefined,
): ValidationResult {
  const expectedCluster = currentCluster(expected);
  if (!currentContext(expected) || !expectedCluster) {
    throw new KbadmError(`failed to find expected context ${expected['current-context']}`);
  }
  if (!currentContext(existing))
    throw new KbadmError(`failed to find CurrentContext in Contexts of the kubeconfig file ${path}`);
  const cluster = currentCluster(existing);
  if (!cluster)
    throw new KbadmError(
      `failed to find the given CurrentContext Cluster in Clusters of the kubeconfig file ${path}`,
    );
  const warnings: string[] = [];
  let caCurrent = clusterCAPem(cluster).trim();
  const caFile = cluster.cluster['certificate-authority'];
  if (caCurrent === '' && caFile) {
    const content = readCAFile?.(caFile);
    if (content === undefined)
      warnings.push(
        `failed to load CA cert from ${JSON.stringify(caFile)} for kubeconfig ${JSON.stringify(path)}`,
      );
    else caCurrent = content.trim();
  }
  if (caCurrent !== clusterCAPem(expectedCluster).trim()) {
    throw new KbadmError(
      `a kubeconfig file ${JSON.stringify(path)} exists already but has got the wrong CA cert`,
    );
  }
  if (cluster.cluster.server !== expectedCluster.cluster.server) {
    warnings.push(
      `a kubeconfig file ${JSON.stringify(path)} exists already but has an unexpected API Server URL: expected: ${expectedCluster.cluster.server}, got: ${cluster.cluster.server}`,
    );
  }
  return { warnings };
}
