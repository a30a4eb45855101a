// Validation entry points, one per kind. Each returns every problem it finds (field paths start
// with the kind, e.g. `ClusterConfiguration.networking.podSubnet`) plus warnings; nothing throws.
// The rules here are the structural ones the loader needs end to end; the full rule set of
// kubeadm's validation.go is added beside them, rule by rule.
import type { FieldProblem } from '../../errors.js';
import { parseBootstrapToken, bootstrapTokenFormatError } from '../../tokens/token-format.js';
import { parseCAPinOrError } from '../../certs/ca-pin-format.js';
import { validateFeatureGates } from '../feature-gates.js';
import type {
  APIEndpoint,
  Arg,
  BootstrapToken,
  ClusterConfiguration,
  InitConfig,
  JoinConfiguration,
  NodeRegistrationOptions,
  ResetConfiguration,
  UpgradeConfiguration,
} from '../model.js';
import { dns1123SubdomainErrors } from '../names.js';
import { parseCIDRList, parseIP } from '../net.js';

export interface ValidationContext {
  /** The command the configuration is for. */
  command: 'init' | 'join' | 'reset' | 'upgrade' | 'validate';
  /** Whether a host path exists (for discovery.file.kubeConfigPath); the rule is skipped without it. */
  fileExists?: (path: string) => boolean;
}

export interface ValidationResult {
  errors: FieldProblem[];
  warnings: string[];
}

const HOUR = 3_600_000;
const ENCRYPTION_ALGORITHMS = ['RSA-2048', 'RSA-3072', 'RSA-4096', 'ECDSA-P256', 'ECDSA-P384'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const TOKEN_USAGES = ['signing', 'authentication'];
const TOKEN_GROUP = /^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$/;
const UNMOUNT_FLAGS = ['MNT_FORCE', 'MNT_DETACH', 'MNT_EXPIRE', 'UMOUNT_NOFOLLOW'];

class Collector implements ValidationResult {
  errors: FieldProblem[] = [];
  warnings: string[] = [];
  add(field: string, detail: string, value?: unknown): void {
    this.errors.push(value === undefined ? { field, detail } : { field, value, detail });
  }
  merge(r: ValidationResult): void {
    this.errors.push(...r.errors);
    this.warnings.push(...r.warnings);
  }
}

function isAbs(p: string): boolean {
  return p.startsWith('/');
}

function absolutePath(c: Collector, field: string, p: string): void {
  if (!isAbs(p)) c.add(field, 'path is not absolute', p);
}

function extraArgs(c: Collector, field: string, args: readonly Arg[]): void {
  args.forEach((a, i) => {
    if (a.name === '') c.add(`${field}[${i}].name`, 'argument has no name', a.name);
  });
}

function nodeRegistration(c: Collector, field: string, nr: NodeRegistrationOptions): void {
  if (nr.name === '') {
    c.add(
      `${field}.name`,
      "--node-name or .nodeRegistration.name in the config file is a required value. It seems like this value couldn't be automatically detected in your environment, please specify the desired value using the CLI or config file.",
    );
  } else {
    for (const msg of dns1123SubdomainErrors(nr.name)) c.add(`${field}.name`, msg, nr.name);
  }
  if (nr.criSocket === '') c.add(`${field}.criSocket`, 'empty CRI socket', nr.criSocket);
  else if (!/^(unix|npipe):\/\//.test(nr.criSocket)) {
    c.add(`${field}.criSocket`, 'unsupported URL scheme; must be one of: unix, npipe', nr.criSocket);
  }
  extraArgs(c, `${field}.kubeletExtraArgs`, nr.kubeletExtraArgs);
  if (!PULL_POLICIES.includes(nr.imagePullPolicy)) {
    c.add(
      `${field}.imagePullPolicy`,
      `invalid pull policy; supported values: ${PULL_POLICIES.map((p) => `"${p}"`).join(', ')}`,
      nr.imagePullPolicy,
    );
  }
  ignorePreflightErrors(c, `${field}.ignorePreflightErrors`, nr.ignorePreflightErrors);
  (nr.taints ?? []).forEach((t, i) => {
    if (t.key === '') c.add(`${field}.taints[${i}].key`, 'Required value');
    if (!['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(t.effect)) {
      c.add(
        `${field}.taints[${i}].effect`,
        'Unsupported value; supported values: "NoExecute", "NoSchedule", "PreferNoSchedule"',
        t.effect,
      );
    }
  });
}

function ignorePreflightErrors(c: Collector, field: string, list: readonly string[]): void {
  const lower = list.map((s) => s.toLowerCase());
  if (lower.includes('all') && lower.some((s) => s !== 'all')) {
    c.add(field, "don't specify individual checks if 'all' is used", list);
  }
}

function apiEndpoint(c: Collector, field: string, ep: APIEndpoint): void {
  if (!parseIP(ep.advertiseAddress))
    c.add(`${field}.advertiseAddress`, 'ip address is not valid', ep.advertiseAddress);
  if (!(Number.isInteger(ep.bindPort) && ep.bindPort >= 1 && ep.bindPort <= 65535)) {
    c.add(`${field}.bindPort`, 'port number is not valid', ep.bindPort);
  }
}

function bootstrapTokens(c: Collector, field: string, tokens: readonly BootstrapToken[]): void {
  tokens.forEach((t, i) => {
    const f = `${field}[${i}]`;
    if (t.token !== '' && !parseBootstrapToken(t.token))
      c.add(`${f}.token`, bootstrapTokenFormatError('<value withheld>'));
    const badUsages = t.usages.filter((u) => !TOKEN_USAGES.includes(u));
    if (badUsages.length > 0) {
      c.add(
        `${f}.usages`,
        `invalid bootstrap token usage string: ${badUsages.join(',')}, valid usage options: ${TOKEN_USAGES.join(',')}`,
        t.usages,
      );
    }
    for (const g of t.groups) {
      if (!TOKEN_GROUP.test(g)) {
        c.add(
          `${f}.groups`,
          `bootstrap group "${g}" is invalid (must match ${TOKEN_GROUP.source})`,
          t.groups,
        );
      }
    }
    if (t.groups.length > 0 && !t.usages.includes('authentication')) {
      c.add(
        `${f}.groups`,
        'token groups cannot be specified unless the token is used for authentication',
        t.groups,
      );
    }
  });
}

function certificateKey(c: Collector, field: string, key: string): void {
  if (key === '') return;
  if (!/^[0-9a-fA-F]*$/.test(key) || key.length % 2 !== 0) c.add(field, 'certificate key is not hex-encoded');
  else if (key.length !== 64) c.add(field, `certificate key size must be 32 bytes, got ${key.length / 2}`);
}

export function validateCluster(cfg: ClusterConfiguration, _ctx: ValidationContext): ValidationResult {
  const c = new Collector();
  const k = 'ClusterConfiguration';
  const { local, external } = cfg.etcd;
  if (local && external)
    c.add(`${k}.etcd`, 'either .Etcd.Local or .Etcd.External is required, but not both', undefined);
  if (!local && !external) c.add(`${k}.etcd`, 'either .Etcd.Local or .Etcd.External is required');
  if (local) {
    absolutePath(c, `${k}.etcd.local.dataDir`, local.dataDir);
    extraArgs(c, `${k}.etcd.local.extraArgs`, local.extraArgs);
  }
  if (external) {
    if (external.endpoints.length === 0)
      c.add(`${k}.etcd.external.endpoints`, 'empty etcd.external.endpoints');
    if ((external.certFile === '') !== (external.keyFile === '')) {
      c.add(
        `${k}.etcd.external.certFile`,
        'either both or none of .Etcd.External.CertFile and .Etcd.External.KeyFile must be set',
      );
    }
  }
  const svc = parseCIDRList(cfg.networking.serviceSubnet);
  if (!svc) c.add(`${k}.networking.serviceSubnet`, "couldn't parse subnet", cfg.networking.serviceSubnet);
  if (cfg.networking.podSubnet !== '' && !parseCIDRList(cfg.networking.podSubnet)) {
    c.add(`${k}.networking.podSubnet`, "couldn't parse subnet", cfg.networking.podSubnet);
  }
  for (const msg of dns1123SubdomainErrors(cfg.networking.dnsDomain)) {
    c.add(`${k}.networking.dnsDomain`, msg, cfg.networking.dnsDomain);
  }
  absolutePath(c, `${k}.certificatesDir`, cfg.certificatesDir);
  extraArgs(c, `${k}.apiServer.extraArgs`, cfg.apiServer.extraArgs);
  extraArgs(c, `${k}.controllerManager.extraArgs`, cfg.controllerManager.extraArgs);
  extraArgs(c, `${k}.scheduler.extraArgs`, cfg.scheduler.extraArgs);
  if (!ENCRYPTION_ALGORITHMS.includes(cfg.encryptionAlgorithm)) {
    c.add(
      `${k}.encryptionAlgorithm`,
      `Invalid encryption algorithm "${cfg.encryptionAlgorithm}". Must be one of [${ENCRYPTION_ALGORITHMS.join(' ')}]`,
      cfg.encryptionAlgorithm,
    );
  }
  if (cfg.certificateValidityPeriod > 8760 * HOUR) {
    c.warnings.push(
      `certificateValidityPeriod: the value ${fmtHours(cfg.certificateValidityPeriod)} is more than the recommended default for certificate expiration: 8760h0m0s`,
    );
  }
  if (cfg.caCertificateValidityPeriod > 87600 * HOUR) {
    c.warnings.push(
      `caCertificateValidityPeriod: the value ${fmtHours(cfg.caCertificateValidityPeriod)} is more than the recommended default for CA certificate expiration: 87600h0m0s`,
    );
  }
  c.merge(validateFeatureGates(cfg.featureGates, `${k}.featureGates`));
  return c;
}

function fmtHours(ms: number): string {
  const h = Math.floor(ms / HOUR);
  const m = Math.floor((ms % HOUR) / 60000);
  const s = (ms % 60000) / 1000;
  return `${h}h${m}m${s}s`;
}

export function validateInit(cfg: InitConfig, ctx: ValidationContext): ValidationResult {
  const c = new Collector();
  const k = 'InitConfiguration';
  nodeRegistration(c, `${k}.nodeRegistration`, cfg.init.nodeRegistration);
  apiEndpoint(c, `${k}.localAPIEndpoint`, cfg.init.localAPIEndpoint);
  bootstrapTokens(c, `${k}.bootstrapTokens`, cfg.init.bootstrapTokens);
  certificateKey(c, `${k}.certificateKey`, cfg.init.certificateKey);
  if (cfg.init.patches && cfg.init.patches.directory !== '') {
    absolutePath(c, `${k}.patches.directory`, cfg.init.patches.directory);
  }
  c.merge(validateCluster(cfg.cluster, ctx));
  return c;
}

export function validateJoin(cfg: JoinConfiguration, ctx: ValidationContext): ValidationResult {
  const c = new Collector();
  const k = 'JoinConfiguration';
  nodeRegistration(c, `${k}.nodeRegistration`, cfg.nodeRegistration);
  absolutePath(c, `${k}.caCertPath`, cfg.caCertPath);
  if (!cfg.caCertPath.endsWith('.crt'))
    c.add(`${k}.caCertPath`, 'the ca certificate path must be a valid certificate file', cfg.caCertPath);
  const d = cfg.discovery;
  if (d.bootstrapToken && d.file) c.add(`${k}.discovery`, 'bootstrapToken and file cannot both be set');
  if (!d.bootstrapToken && !d.file) c.add(`${k}.discovery`, 'bootstrapToken or file must be set');
  if (d.tlsBootstrapToken === '') c.add(`${k}.discovery.tlsBootstrapToken`, 'the bootstrap token is invalid');
  else if (!parseBootstrapToken(d.tlsBootstrapToken) && d.file === undefined) {
    c.add(`${k}.discovery.tlsBootstrapToken`, 'the bootstrap token is invalid');
  }
  if (d.bootstrapToken) {
    const f = `${k}.discovery.bootstrapToken`;
    if (!parseBootstrapToken(d.bootstrapToken.token)) c.add(`${f}.token`, 'the bootstrap token is invalid');
    if (d.bootstrapToken.apiServerEndpoint === '') c.add(`${f}.apiServerEndpoint`, 'Required value');
    if (d.bootstrapToken.caCertHashes.length === 0 && !d.bootstrapToken.unsafeSkipCAVerification) {
      c.add(
        `${f}.caCertHashes`,
        'using token-based discovery without caCertHashes can be unsafe. Set unsafeSkipCAVerification as true in your kubeadm config file or pass --discovery-token-unsafe-skip-ca-verification flag to continue',
        '',
      );
    }
    d.bootstrapToken.caCertHashes.forEach((h, i) => {
      const r = parseCAPinOrError(h);
      if ('error' in r) c.add(`${f}.caCertHashes[${i}]`, r.error, h);
    });
  }
  if (d.file) {
    const p = d.file.kubeConfigPath;
    const isURL = /^https?:\/\//.test(p);
    if (p === '') c.add(`${k}.discovery.file.kubeConfigPath`, 'Required value');
    else if (!isURL && ctx.fileExists && !ctx.fileExists(p)) {
      c.add(`${k}.discovery.file.kubeConfigPath`, 'not a valid HTTPS URL or a file on disk', p);
    }
  }
  if (cfg.controlPlane) {
    apiEndpoint(c, `${k}.controlPlane.localAPIEndpoint`, cfg.controlPlane.localAPIEndpoint);
    certificateKey(c, `${k}.controlPlane.certificateKey`, cfg.controlPlane.certificateKey);
  }
  if (cfg.patches && cfg.patches.directory !== '')
    absolutePath(c, `${k}.patches.directory`, cfg.patches.directory);
  return c;
}

export function validateReset(cfg: ResetConfiguration, _ctx: ValidationContext): ValidationResult {
  const c = new Collector();
  const k = 'ResetConfiguration';
  absolutePath(c, `${k}.certificatesDir`, cfg.certificatesDir);
  if (cfg.criSocket !== '' && !/^(unix|npipe):\/\//.test(cfg.criSocket)) {
    c.add(`${k}.criSocket`, 'unsupported URL scheme; must be one of: unix, npipe', cfg.criSocket);
  }
  ignorePreflightErrors(c, `${k}.ignorePreflightErrors`, cfg.ignorePreflightErrors);
  cfg.unmountFlags.forEach((f, i) => {
    if (!UNMOUNT_FLAGS.includes(f)) c.add(`${k}.unmountFlags[${i}]`, 'unknown unmount flag', f);
  });
  return c;
}

export function validateUpgrade(cfg: UpgradeConfiguration, _ctx: ValidationContext): ValidationResult {
  const c = new Collector();
  const k = 'UpgradeConfiguration';
  for (const [section, policy] of [
    ['apply', cfg.apply.imagePullPolicy],
    ['node', cfg.node.imagePullPolicy],
  ] as const) {
    if (!PULL_POLICIES.includes(policy)) {
      c.add(
        `${k}.${section}.imagePullPolicy`,
        `invalid pull policy; supported values: ${PULL_POLICIES.map((p) => `"${p}"`).join(', ')}`,
        policy,
      );
    }
  }
  ignorePreflightErrors(c, `${k}.apply.ignorePreflightErrors`, cfg.apply.ignorePreflightErrors);
  ignorePreflightErrors(c, `${k}.node.ignorePreflightErrors`, cfg.node.ignorePreflightErrors);
  ignorePreflightErrors(c, `${k}.plan.ignorePreflightErrors`, cfg.plan.ignorePreflightErrors);
  if (cfg.apply.patches && cfg.apply.patches.directory !== '') {
    absolutePath(c, `${k}.apply.patches.directory`, cfg.apply.patches.directory);
  }
  if (cfg.node.patches && cfg.node.patches.directory !== '') {
    absolutePath(c, `${k}.node.patches.directory`, cfg.node.patches.directory);
  }
  return c;
}
