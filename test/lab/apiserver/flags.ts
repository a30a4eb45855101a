// The kube-apiserver command line the stand-in accepts, and the start-up checks the real server
// makes on it: unknown flags, unreadable files, certificates and keys that do not parse or do not
// belong together all stop it before it serves, so a wrong flag in kbadm's manifest shows.
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';

const KNOWN = new Set([
  'advertise-address',
  'allow-privileged',
  'anonymous-auth',
  'audit-log-maxage',
  'audit-log-maxbackup',
  'audit-log-maxsize',
  'audit-log-path',
  'audit-policy-file',
  'authorization-mode',
  'bind-address',
  'client-ca-file',
  'enable-admission-plugins',
  'disable-admission-plugins',
  'enable-bootstrap-token-auth',
  'encryption-provider-config',
  'etcd-cafile',
  'etcd-certfile',
  'etcd-keyfile',
  'etcd-prefix',
  'etcd-servers',
  'event-ttl',
  'feature-gates',
  'kubelet-client-certificate',
  'kubelet-client-key',
  'kubelet-preferred-address-types',
  'profiling',
  'proxy-client-cert-file',
  'proxy-client-key-file',
  'requestheader-allowed-names',
  'requestheader-client-ca-file',
  'requestheader-extra-headers-prefix',
  'requestheader-group-headers',
  'requestheader-username-headers',
  'secure-port',
  'service-account-issuer',
  'service-account-key-file',
  'service-account-signing-key-file',
  'service-cluster-ip-range',
  'service-node-port-range',
  'tls-cert-file',
  'tls-private-key-file',
  'tls-min-version',
  'tls-cipher-suites',
  'v',
  'runtime-config',
  'max-requests-inflight',
  'max-mutating-requests-inflight',
  'request-timeout',
  'endpoint-reconciler-type',
  'kubelet-certificate-authority',
  'authentication-token-webhook-config-file',
]);

export interface ApiServerConfig {
  advertiseAddress: string;
  bindAddress: string;
  securePort: number;
  tlsCert: Buffer;
  tlsKey: Buffer;
  clientCA: Buffer;
  etcdServers: string[];
  etcdCA: Buffer;
  etcdCert: Buffer;
  etcdKey: Buffer;
  bootstrapTokenAuth: boolean;
  anonymousAuth: boolean;
  authorizationModes: string[];
  serviceClusterIPRange: string;
  version: string;
}

/** A start-up failure, printed the way the real server reports it before it exits. */
export class StartupError extends Error {}

/** Flags kube-apiserver declares as IP addresses: anything else fails while parsing the command line. */
const IP_FLAGS = new Set(['advertise-address', 'bind-address']);

export function parseArgs(args: readonly string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (const arg of args) {
    const m = /^--([a-z0-9-]+)(?:=(.*))?$/s.exec(arg);
    if (!m) throw new StartupError(`unexpected argument ${JSON.stringify(arg)}`);
    if (!KNOWN.has(m[1]!)) throw new StartupError(`unknown flag: --${m[1]}`);
    const value = m[2] ?? 'true';
    if (IP_FLAGS.has(m[1]!) && value !== '' && isIP(value.trim()) === 0)
      throw new StartupError(
        `invalid argument ${JSON.stringify(value)} for "--${m[1]}" flag: failed to parse IP: ${JSON.stringify(value)}`,
      );
    flags.set(m[1]!, value);
  }
  return flags;
}

function read(flag: string, path: string | undefined, resolve: (p: string) => string): Buffer {
  if (path === undefined || path === '') throw new StartupError(`--${flag} must be set`);
  try {
    return readFileSync(resolve(path));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new StartupError(
      `--${flag}: open ${path}: ${code === 'ENOENT' ? 'no such file or directory' : code}`,
    );
  }
}

function certificates(flag: string, pem: Buffer): X509Certificate[] {
  const blocks =
    pem.toString('utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new StartupError(`--${flag}: no certificate found in the file`);
  try {
    return blocks.map((b) => new X509Certificate(b));
  } catch (err) {
    throw new StartupError(`--${flag}: ${(err as Error).message}`);
  }
}

/** Checks that a certificate file and a key file form a pair, as the real server's TLS setup does. */
function pair(certFlag: string, keyFlag: string, cert: Buffer, key: Buffer): void {
  const [leaf] = certificates(certFlag, cert);
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch (err) {
    throw new StartupError(`--${keyFlag}: ${(err as Error).message}`);
  }
  if (!leaf!.checkPrivateKey(privateKey)) {
    throw new StartupError(`--${certFlag} and --${keyFlag}: private key does not match public key`);
  }
}

/**
 * Reads and checks every file the flags name. `resolve` maps a path inside the container to the
 * file (the identity inside a container; a root prefix when run on the host in unit tests).
 */
export function loadConfig(
  args: readonly string[],
  resolve: (p: string) => string = (p) => p,
): ApiServerConfig {
  const f = parseArgs(args);
  const get = (name: string) => f.get(name);
  const tlsCert = read('tls-cert-file', get('tls-cert-file'), resolve);
  const tlsKey = read('tls-private-key-file', get('tls-private-key-file'), resolve);
  pair('tls-cert-file', 'tls-private-key-file', tlsCert, tlsKey);
  const clientCA = read('client-ca-file', get('client-ca-file'), resolve);
  certificates('client-ca-file', clientCA);
  const etcdCA = read('etcd-cafile', get('etcd-cafile'), resolve);
  certificates('etcd-cafile', etcdCA);
  const etcdCert = read('etcd-certfile', get('etcd-certfile'), resolve);
  const etcdKey = read('etcd-keyfile', get('etcd-keyfile'), resolve);
  pair('etcd-certfile', 'etcd-keyfile', etcdCert, etcdKey);
  for (const [c, k] of [
    ['kubelet-client-certificate', 'kubelet-client-key'],
    ['proxy-client-cert-file', 'proxy-client-key-file'],
  ] as const) {
    if (get(c) !== undefined || get(k) !== undefined)
      pair(c, k, read(c, get(c), resolve), read(k, get(k), resolve));
  }
  if (get('requestheader-client-ca-file') !== undefined) {
    certificates(
      'requestheader-client-ca-file',
      read('requestheader-client-ca-file', get('requestheader-client-ca-file'), resolve),
    );
  }
  const saPub = read('service-account-key-file', get('service-account-key-file'), resolve);
  try {
    createPublicKey(saPub);
  } catch (err) {
    throw new StartupError(`--service-account-key-file: ${(err as Error).message}`);
  }
  const saKey = read('service-account-signing-key-file', get('service-account-signing-key-file'), resolve);
  try {
    createPrivateKey(saKey);
  } catch (err) {
    throw new StartupError(`--service-account-signing-key-file: ${(err as Error).message}`);
  }
  if (get('service-account-issuer') === undefined)
    throw new StartupError('--service-account-issuer must be set');
  const etcdServers = (get('etcd-servers') ?? '').split(',').filter((s) => s !== '');
  if (etcdServers.length === 0) throw new StartupError('--etcd-servers must be specified');
  const port = Number(get('secure-port') ?? '6443');
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new StartupError(`--secure-port ${get('secure-port')} must be between 1 and 65535`);
  const modes = (get('authorization-mode') ?? 'AlwaysAllow').split(',');
  for (const m of modes) {
    if (!['AlwaysAllow', 'AlwaysDeny', 'Node', 'RBAC', 'ABAC', 'Webhook'].includes(m)) {
      throw new StartupError(`--authorization-mode: authorization mode "${m}" is not supported`);
    }
  }
  return {
    advertiseAddress: get('advertise-address') || '127.0.0.1',
    bindAddress: get('bind-address') || '0.0.0.0',
    securePort: port,
    tlsCert,
    tlsKey,
    clientCA,
    etcdServers,
    etcdCA,
    etcdCert,
    etcdKey,
    bootstrapTokenAuth: get('enable-bootstrap-token-auth') === 'true',
    anonymousAuth: get('anonymous-auth') !== 'false',
    authorizationModes: modes,
    serviceClusterIPRange: get('service-cluster-ip-range') ?? '10.0.0.0/24',
    version: 'v1.34.0',
  };
}
