// Command-line flags that set configuration fields, for init / join / reset. Pure functions: the
// commands hand in the flags the user actually set (by flag name, as typed: `pod-network-cidr`),
// and get either v1beta4 documents built from the flags (no --config) or the loaded file's
// configuration with the few flags kubeadm lets through on top of --config.
import { KbadmError, ValidationError } from '../errors.js';
import { parseFeatureGates } from './feature-gates.js';
import type {
  Arg,
  ClusterConfiguration,
  InitConfiguration,
  JoinConfiguration,
  ResetConfiguration,
} from './model.js';
import { V1BETA4 } from './model.js';

/** Flag name → the value the user gave; flags the user did not set are absent. */
export type SetFlags = Readonly<Record<string, unknown>>;

/** Flags that may be given together with --config (kubeadm's isAllowedFlag), besides any `skip-*`. */
export const FLAGS_ALLOWED_WITH_CONFIG: readonly string[] = [
  'config',
  'ignore-preflight-errors',
  'dry-run',
  'kubeconfig',
  'node-name',
  'kubeconfig-dir',
  'upload-certs',
  'print-join-command',
  'rootfs',
  'v',
  'log-file',
  // kbadm's -o only changes how results are printed, so it combines with --config too.
  'output',
];

/**
 * kbadm's own join flags that combine with --config: they set kbadm-only fields, which a user of
 * a kubeadm-compatible file may want to give per node on the command line.
 */
export const JOIN_FLAGS_ALLOWED_WITH_CONFIG: readonly string[] = ['control-plane-endpoint'];

export function isAllowedWithConfig(flag: string, alsoAllowed: readonly string[] = []): boolean {
  return FLAGS_ALLOWED_WITH_CONFIG.includes(flag) || flag.startsWith('skip-') || alsoAllowed.includes(flag);
}

/**
 * kubeadm's ValidateMixedArguments: with --config, only the allowed flags (plus the command's own
 * `alsoAllowed`) may be set. The list in the error is sorted, as pflag visits flags in lexical order.
 */
export function validateMixedArguments(
  setFlags: readonly string[],
  alsoAllowed: readonly string[] = [],
): void {
  if (!setFlags.includes('config')) return;
  const bad = [...new Set(setFlags.filter((f) => !isAllowedWithConfig(f, alsoAllowed)))].sort();
  if (bad.length > 0) throw new KbadmError(`can not mix '--config' with arguments [${bad.join(' ')}]`);
}

/** Which init flags set which configuration fields. */
export const INIT_FLAG_FIELDS: Readonly<Record<string, string>> = {
  'apiserver-advertise-address': 'InitConfiguration.localAPIEndpoint.advertiseAddress',
  'apiserver-bind-port': 'InitConfiguration.localAPIEndpoint.bindPort',
  'apiserver-cert-extra-sans': 'ClusterConfiguration.apiServer.certSANs',
  'cert-dir': 'ClusterConfiguration.certificatesDir',
  'certificate-key': 'InitConfiguration.certificateKey',
  'control-plane-endpoint': 'ClusterConfiguration.controlPlaneEndpoint',
  'cri-socket': 'InitConfiguration.nodeRegistration.criSocket',
  'dry-run': 'InitConfiguration.dryRun',
  'feature-gates': 'ClusterConfiguration.featureGates',
  'ignore-preflight-errors': 'InitConfiguration.nodeRegistration.ignorePreflightErrors',
  'image-repository': 'ClusterConfiguration.imageRepository',
  'kubernetes-version': 'ClusterConfiguration.kubernetesVersion',
  'node-name': 'InitConfiguration.nodeRegistration.name',
  patches: 'InitConfiguration.patches.directory',
  'pod-network-cidr': 'ClusterConfiguration.networking.podSubnet',
  'service-cidr': 'ClusterConfiguration.networking.serviceSubnet',
  'service-dns-domain': 'ClusterConfiguration.networking.dnsDomain',
  'skip-phases': 'InitConfiguration.skipPhases',
  token: 'InitConfiguration.bootstrapTokens[0].token',
  'token-ttl': 'InitConfiguration.bootstrapTokens[0].ttl',
};

export const JOIN_FLAG_FIELDS: Readonly<Record<string, string>> = {
  'apiserver-advertise-address': 'JoinConfiguration.controlPlane.localAPIEndpoint.advertiseAddress',
  'apiserver-bind-port': 'JoinConfiguration.controlPlane.localAPIEndpoint.bindPort',
  'certificate-key': 'JoinConfiguration.controlPlane.certificateKey',
  'control-plane': 'JoinConfiguration.controlPlane',
  'control-plane-endpoint': 'JoinConfiguration.controlPlaneEndpoint',
  'cri-socket': 'JoinConfiguration.nodeRegistration.criSocket',
  'discovery-file': 'JoinConfiguration.discovery.file.kubeConfigPath',
  'discovery-token': 'JoinConfiguration.discovery.bootstrapToken.token',
  'discovery-token-ca-cert-hash': 'JoinConfiguration.discovery.bootstrapToken.caCertHashes',
  'discovery-token-unsafe-skip-ca-verification':
    'JoinConfiguration.discovery.bootstrapToken.unsafeSkipCAVerification',
  'dry-run': 'JoinConfiguration.dryRun',
  'ignore-preflight-errors': 'JoinConfiguration.nodeRegistration.ignorePreflightErrors',
  'node-name': 'JoinConfiguration.nodeRegistration.name',
  patches: 'JoinConfiguration.patches.directory',
  'skip-phases': 'JoinConfiguration.skipPhases',
  'tls-bootstrap-token': 'JoinConfiguration.discovery.tlsBootstrapToken',
  token: 'JoinConfiguration.discovery.bootstrapToken.token, JoinConfiguration.discovery.tlsBootstrapToken',
};

export const RESET_FLAG_FIELDS: Readonly<Record<string, string>> = {
  'cert-dir': 'ResetConfiguration.certificatesDir',
  'cleanup-tmp-dir': 'ResetConfiguration.cleanupTmpDir',
  'cri-socket': 'ResetConfiguration.criSocket',
  'dry-run': 'ResetConfiguration.dryRun',
  force: 'ResetConfiguration.force',
  'ignore-preflight-errors': 'ResetConfiguration.ignorePreflightErrors',
  'skip-phases': 'ResetConfiguration.skipPhases',
};

/** kubeadm's description for the token `init` creates from flags. */
export const INIT_TOKEN_DESCRIPTION = "The default bootstrap token generated by 'kubeadm init'.";

type Obj = Record<string, unknown>;

function has(flags: SetFlags, name: string): boolean {
  return Object.hasOwn(flags, name) && flags[name] !== undefined;
}

function str(flags: SetFlags, name: string): string {
  const v = flags[name];
  return typeof v === 'string' ? v : String(v);
}

/** pflag string slices: repeated flags and comma-separated values both work. */
function list(flags: SetFlags, name: string): string[] {
  const v = flags[name];
  const items = Array.isArray(v) ? v.map(String) : [String(v)];
  return items.flatMap((s) => s.split(',')).filter((s) => s !== '');
}

function bool(flags: SetFlags, name: string): boolean {
  const v = flags[name];
  if (typeof v === 'boolean') return v;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new ValidationError([{ field: `--${name}`, value: v, detail: 'invalid boolean value' }]);
}

function port(flags: SetFlags, name: string): number {
  const v = flags[name];
  const n = typeof v === 'number' ? v : /^[0-9]+$/.test(String(v)) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < 0 || n >= 2 ** 31) {
    throw new ValidationError([
      { field: `--${name}`, value: v, detail: 'invalid argument: not a valid int32' },
    ]);
  }
  return n;
}

function child(o: Obj, key: string): Obj {
  const v = o[key];
  if (v !== undefined && v !== null && typeof v === 'object') return v as Obj;
  const fresh: Obj = {};
  o[key] = fresh;
  return fresh;
}

/** The v1beta4 InitConfiguration and ClusterConfiguration that init flags describe (no --config). */
export function initDocumentsFromFlags(flags: SetFlags): [Obj, Obj] {
  const init: Obj = { apiVersion: V1BETA4, kind: 'InitConfiguration' };
  const cluster: Obj = { apiVersion: V1BETA4, kind: 'ClusterConfiguration' };
  const nr = child(init, 'nodeRegistration');
  if (has(flags, 'apiserver-advertise-address'))
    child(init, 'localAPIEndpoint').advertiseAddress = str(flags, 'apiserver-advertise-address');
  if (has(flags, 'apiserver-bind-port'))
    child(init, 'localAPIEndpoint').bindPort = port(flags, 'apiserver-bind-port');
  if (has(flags, 'apiserver-cert-extra-sans'))
    child(cluster, 'apiServer').certSANs = list(flags, 'apiserver-cert-extra-sans');
  if (has(flags, 'cert-dir')) cluster.certificatesDir = str(flags, 'cert-dir');
  if (has(flags, 'certificate-key')) init.certificateKey = str(flags, 'certificate-key');
  if (has(flags, 'control-plane-endpoint'))
    cluster.controlPlaneEndpoint = str(flags, 'control-plane-endpoint');
  if (has(flags, 'cri-socket')) nr.criSocket = str(flags, 'cri-socket');
  if (has(flags, 'dry-run')) init.dryRun = bool(flags, 'dry-run');
  if (has(flags, 'feature-gates')) cluster.featureGates = parseFeatureGates(str(flags, 'feature-gates'));
  if (has(flags, 'ignore-preflight-errors'))
    nr.ignorePreflightErrors = list(flags, 'ignore-preflight-errors');
  if (has(flags, 'image-repository')) cluster.imageRepository = str(flags, 'image-repository');
  if (has(flags, 'kubernetes-version')) cluster.kubernetesVersion = str(flags, 'kubernetes-version');
  if (has(flags, 'node-name')) nr.name = str(flags, 'node-name');
  if (has(flags, 'patches')) init.patches = { directory: str(flags, 'patches') };
  if (has(flags, 'pod-network-cidr')) child(cluster, 'networking').podSubnet = str(flags, 'pod-network-cidr');
  if (has(flags, 'service-cidr')) child(cluster, 'networking').serviceSubnet = str(flags, 'service-cidr');
  if (has(flags, 'service-dns-domain'))
    child(cluster, 'networking').dnsDomain = str(flags, 'service-dns-domain');
  if (has(flags, 'skip-phases')) init.skipPhases = list(flags, 'skip-phases');
  // Without --config, init creates exactly the token the flags describe.
  const token: Obj = { description: INIT_TOKEN_DESCRIPTION };
  if (has(flags, 'token')) token.token = str(flags, 'token');
  if (has(flags, 'token-ttl')) token.ttl = str(flags, 'token-ttl');
  init.bootstrapTokens = [token];
  return [init, cluster];
}

function mergeIgnorePreflightErrors(fromFlag: readonly string[], fromConfig: readonly string[]): string[] {
  return [...new Set([...fromFlag, ...fromConfig].map((s) => s.toLowerCase()))].sort();
}

/**
 * What the flags allowed next to --config change in a loaded Init- or JoinConfiguration: node name,
 * dry-run, ignore-preflight-errors (united with the file's, lower-cased) and skip-phases (the flag wins).
 */
function overrideNodeFromFlags<T extends InitConfiguration | JoinConfiguration>(cfg: T, flags: SetFlags): T {
  const out = structuredClone(cfg);
  if (has(flags, 'node-name')) out.nodeRegistration.name = str(flags, 'node-name');
  if (has(flags, 'dry-run')) out.dryRun = bool(flags, 'dry-run');
  if (has(flags, 'ignore-preflight-errors')) {
    out.nodeRegistration.ignorePreflightErrors = mergeIgnorePreflightErrors(
      list(flags, 'ignore-preflight-errors'),
      out.nodeRegistration.ignorePreflightErrors,
    );
  }
  if (has(flags, 'skip-phases') && list(flags, 'skip-phases').length > 0)
    out.skipPhases = list(flags, 'skip-phases');
  return out;
}

export function overrideInitFromFlags(init: InitConfiguration, flags: SetFlags): InitConfiguration {
  return overrideNodeFromFlags(init, flags);
}

/**
 * The v1beta4 JoinConfiguration that join flags and the positional API server endpoint describe
 * (no --config), following kubeadm: token discovery only with an endpoint, file discovery when
 * --discovery-file is set, `--token` filling both tokens unless they were given separately.
 */
export function joinDocumentFromFlags(
  flags: SetFlags,
  args: readonly string[] = [],
): { document: Obj; warnings: string[] } {
  const warnings: string[] = [];
  const join: Obj = { apiVersion: V1BETA4, kind: 'JoinConfiguration' };
  const nr = child(join, 'nodeRegistration');
  const discovery = child(join, 'discovery');
  if (has(flags, 'cri-socket')) nr.criSocket = str(flags, 'cri-socket');
  if (has(flags, 'node-name')) nr.name = str(flags, 'node-name');
  if (has(flags, 'ignore-preflight-errors'))
    nr.ignorePreflightErrors = list(flags, 'ignore-preflight-errors');
  if (has(flags, 'control-plane-endpoint')) join.controlPlaneEndpoint = str(flags, 'control-plane-endpoint');
  if (has(flags, 'dry-run')) join.dryRun = bool(flags, 'dry-run');
  if (has(flags, 'patches')) join.patches = { directory: str(flags, 'patches') };
  if (has(flags, 'skip-phases')) join.skipPhases = list(flags, 'skip-phases');
  if (has(flags, 'tls-bootstrap-token')) discovery.tlsBootstrapToken = str(flags, 'tls-bootstrap-token');

  if (has(flags, 'discovery-file') && str(flags, 'discovery-file') !== '') {
    discovery.file = { kubeConfigPath: str(flags, 'discovery-file') };
  }
  if (args.length > 0) {
    if (args.length > 1) {
      warnings.push(
        `[preflight] WARNING: More than one API server endpoint supplied on command line [${args.join(' ')}]. Using the first one.`,
      );
    }
    const bt = child(discovery, 'bootstrapToken');
    bt.apiServerEndpoint = args[0];
    if (has(flags, 'discovery-token')) bt.token = str(flags, 'discovery-token');
    if (has(flags, 'discovery-token-ca-cert-hash'))
      bt.caCertHashes = list(flags, 'discovery-token-ca-cert-hash');
    if (has(flags, 'discovery-token-unsafe-skip-ca-verification'))
      bt.unsafeSkipCAVerification = bool(flags, 'discovery-token-unsafe-skip-ca-verification');
  }
  if (has(flags, 'token') && str(flags, 'token') !== '') {
    const token = str(flags, 'token');
    if (discovery.tlsBootstrapToken === undefined || discovery.tlsBootstrapToken === '')
      discovery.tlsBootstrapToken = token;
    const bt = discovery.bootstrapToken as Obj | undefined;
    if (bt && (bt.token === undefined || bt.token === '')) bt.token = token;
  }
  if (has(flags, 'control-plane') && bool(flags, 'control-plane')) {
    const cp = child(join, 'controlPlane');
    const ep = child(cp, 'localAPIEndpoint');
    if (has(flags, 'apiserver-advertise-address'))
      ep.advertiseAddress = str(flags, 'apiserver-advertise-address');
    if (has(flags, 'apiserver-bind-port')) ep.bindPort = port(flags, 'apiserver-bind-port');
    if (has(flags, 'certificate-key')) cp.certificateKey = str(flags, 'certificate-key');
  }
  return { document: join, warnings };
}

/**
 * The flags allowed next to --config, applied to a loaded JoinConfiguration. --control-plane-endpoint
 * replaces the file's value; given empty, it removes it (the discovered server is used).
 */
export function overrideJoinFromFlags(join: JoinConfiguration, flags: SetFlags): JoinConfiguration {
  const out = overrideNodeFromFlags(join, flags);
  if (has(flags, 'control-plane-endpoint')) {
    const endpoint = str(flags, 'control-plane-endpoint');
    if (endpoint === '') delete out.controlPlaneEndpoint;
    else out.controlPlaneEndpoint = endpoint;
  }
  return out;
}

/** The v1beta4 ResetConfiguration that reset flags describe (no --config). */
export function resetDocumentFromFlags(flags: SetFlags): Obj {
  const reset: Obj = { apiVersion: V1BETA4, kind: 'ResetConfiguration' };
  if (has(flags, 'cert-dir')) reset.certificatesDir = str(flags, 'cert-dir');
  if (has(flags, 'cleanup-tmp-dir')) reset.cleanupTmpDir = bool(flags, 'cleanup-tmp-dir');
  if (has(flags, 'cri-socket')) reset.criSocket = str(flags, 'cri-socket');
  if (has(flags, 'dry-run')) reset.dryRun = bool(flags, 'dry-run');
  if (has(flags, 'force')) reset.force = bool(flags, 'force');
  if (has(flags, 'ignore-preflight-errors'))
    reset.ignorePreflightErrors = list(flags, 'ignore-preflight-errors');
  if (has(flags, 'skip-phases')) reset.skipPhases = list(flags, 'skip-phases');
  return reset;
}

/** The flags allowed next to --config, applied to a loaded ResetConfiguration. */
export function overrideResetFromFlags(reset: ResetConfiguration, flags: SetFlags): ResetConfiguration {
  const out = structuredClone(reset);
  if (has(flags, 'dry-run')) out.dryRun = bool(flags, 'dry-run');
  if (has(flags, 'ignore-preflight-errors')) {
    out.ignorePreflightErrors = mergeIgnorePreflightErrors(
      list(flags, 'ignore-preflight-errors'),
      out.ignorePreflightErrors,
    );
  }
  if (has(flags, 'skip-phases') && list(flags, 'skip-phases').length > 0)
    out.skipPhases = list(flags, 'skip-phases');
  return out;
}

/**
 * The deprecated per-component extra-args flags of init's phase subcommands, by the component
 * whose extraArgs each sets (kubeadm binds them to apiServer/controllerManager/scheduler.extraArgs).
 */
export const EXTRA_ARGS_FLAGS = {
  apiServer: 'apiserver-extra-args',
  controllerManager: 'controller-manager-extra-args',
  scheduler: 'scheduler-extra-args',
} as const;

type ExtraArgsComponent = keyof typeof EXTRA_ARGS_FLAGS;

export const EXTRA_ARGS_FLAG_NAMES: readonly string[] = Object.values(EXTRA_ARGS_FLAGS);

/**
 * The deprecated `--apiserver-extra-args` style flags: `k=v,k2=v2` (pflag's StringToString, so a
 * value cannot hold a comma). Returned sorted by name, as kubeadm converts the map.
 */
export function parseExtraArgsFlag(value: string, flag: string): Arg[] {
  const byName = new Map<string, string>();
  for (const item of value.split(',')) {
    if (item === '') continue;
    const eq = item.indexOf('=');
    if (eq <= 0)
      throw new Error(
        `invalid argument "${value}" for "--${flag}" flag: ${item} must be formatted as key=value`,
      );
    byName.set(item.slice(0, eq), item.slice(eq + 1));
  }
  return [...byName].map(([name, v]) => ({ name, value: v })).sort((a, b) => compare(a.name, b.name));
}

// Go compares strings byte-wise; UTF-16 order differs only outside the BMP, which flags never use.
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The extraArgs the user set through the deprecated flags, parsed, by component. */
export function extraArgsFromFlags(flags: SetFlags): Partial<Record<ExtraArgsComponent, Arg[]>> {
  const out: Partial<Record<ExtraArgsComponent, Arg[]>> = {};
  for (const [component, flag] of Object.entries(EXTRA_ARGS_FLAGS) as [ExtraArgsComponent, string][]) {
    if (has(flags, flag)) out[component] = parseExtraArgsFlag(str(flags, flag), flag);
  }
  return out;
}

/** The deprecated --*-extra-args flags win over the same arguments from the configuration. */
export function overrideExtraArgs(
  cluster: ClusterConfiguration,
  extraArgs: Partial<Record<ExtraArgsComponent, Arg[]>>,
): void {
  for (const component of Object.keys(EXTRA_ARGS_FLAGS) as ExtraArgsComponent[]) {
    const fromFlags = extraArgs[component];
    if (!fromFlags) continue;
    const names = new Set(fromFlags.map((a) => a.name));
    const target = cluster[component];
    target.extraArgs = [...target.extraArgs.filter((a) => !names.has(a.name)), ...fromFlags];
  }
}
