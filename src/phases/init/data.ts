// What init's phases may read, built once per run by the data initializer: the configuration
// (--config + flags + defaults, validated), the host paths, the host, the output and one start time.
// Every phase definition imports this module, so what only the run needs (the configuration loader,
// kubeconfig files, the certificate key, the API client's set-up) is imported where it is first
// needed: `kbadm init --help` builds the phase tree without it.
import {
  EXTRA_ARGS_FLAG_NAMES,
  extraArgsFromFlags,
  overrideExtraArgs,
  validateMixedArguments,
} from '../../config/flags.js';
import { parseOutputFormat } from '../../output/printer.js';
import type { InitConfig } from '../../config/model.js';
import { pkiInputsFromConfig, type PkiInputs } from '../../certs/inputs.js';
import { externalCAError } from '../../certs/reuse.js';
import {
  checkCAPairs,
  externalCAStatus,
  KeyPool,
  missingPkiNames,
  PkiStore,
  type IssuedCA,
} from '../../certs/pki-files.js';
import type { CertAndKey } from '../../certs/x509.js';
import * as path from 'node:path';
import type { ClusterClient } from '../../cluster/types.js';
import type { ApiserverClientTLS, HealthProbes } from '../../cluster/probes.js';
import type { Host } from '../../host/host.js';
import { userPath, type Paths } from '../../host/paths.js';
import { cpuJobSlots } from '../../host/thread-pool.js';
import type { KubeconfigStore } from '../../kubeconfig/kubeconfig-files.js';
import type { KubeConfig } from '../../kubeconfig/kubeconfig.js';
import type { Output } from '../../output/output.js';
import type { PatchSet } from '../../patches/patches.js';
import { userSetFlags, type FlagSpec, type Invocation } from '../../workflow/index.js';

export interface InitData {
  /** The init and cluster configuration: defaulted and validated. */
  config: InitConfig;
  /**
   * A whole `kbadm init`, not `init phase ...`: it marks the node while it writes, so that a re-run
   * after an interruption resumes it (src/phases/init-in-progress.ts).
   */
  wholeRun: boolean;
  /** Every host path under --rootfs; pkiDir is certificatesDir, kubernetesDir is --kubeconfig-dir. */
  paths: Paths;
  host: Host;
  out: Output;
  dryRun: boolean;
  /** The run's start time: every certificate of one run shares it (kubeadm's StartTimeUTC). */
  now: Date;
  /** kbadm's environment (proxy variables go into the control-plane Pods). */
  env: Readonly<Record<string, string | undefined>>;
  skipTokenPrint: boolean;
  /** -o: 'text' prints kubeadm's messages; 'json' or 'yaml' print one result object instead. */
  outputFormat: string;
  /** Work a phase starts or loads for the phases after it in this run. */
  cache: InitCache;
  /** --kubeconfig (admin.conf by default) as a host path under --rootfs. */
  kubeconfigPath: string;
  /**
   * The API server, opened on first use and then shared by every phase of the run (in a dry run,
   * a client that prints each request). Before the first write it makes sure admin.conf's group
   * is bound to cluster-admin, as init does.
   */
  cluster(): Promise<ClusterClient>;
  /** --upload-certs: share the control-plane certificates through the kubeadm-certs Secret. */
  uploadCerts: boolean;
  /** --certificate-key (or the config's), or one made for this run when certificates are uploaded. */
  certificateKey(): Promise<string>;
  skipCertificateKeyPrint: boolean;
  /** --print-manifest of the addon phases: print the addon objects instead of applying them. */
  printManifest: boolean;
  /**
   * The health checks wait-control-plane makes (the API server's as admin.conf's user): network
   * access, which only src/cluster has, handed in so tests can answer for the node.
   */
  healthProbes(apiserver: ApiserverClientTLS): Promise<HealthProbes>;
}

/**
 * Per-run state phases share. A parent phase fills what its children use (they still work
 * alone, when the parent did not run); whatever is loaded once per run is kept here too.
 */
export interface InitCache {
  /** Private keys the certs phase starts generating, in parallel, for its sub-phases. */
  keys?: KeyPool;
  /** The CAs the certs sub-phases signed, for the certificates they sign (see CertRun.issued). */
  issuedCAs: Map<string, IssuedCA>;
  /** The CA the kubeconfig sub-phases sign with, loaded on first need. */
  ca?: Promise<CertAndKey>;
  /** Kubeconfig files the kubeconfig phase built ahead, by file name; each is taken once. */
  prebuilt: Map<string, Promise<KubeConfig>>;
  /** The patches directory, read (and reported) once. */
  patches?: Promise<PatchSet[]>;
  /**
   * upload-certs stored the kubeadm-certs Secret under certificateKey() in this run (in a dry run:
   * printed the requests that would store it). Only then does a join command carry the key.
   */
  certificatesUploaded?: boolean;
}

/** An empty cache, for a new run. */
export function newInitCache(): InitCache {
  return { prebuilt: new Map(), issuedCAs: new Map() };
}

/** What the static-Pod and kubelet phases read. */
export type ManifestData = Pick<InitData, 'config' | 'paths' | 'host' | 'out' | 'dryRun' | 'env' | 'cache'>;

/** Another command's run (join, upgrade) seen as ManifestData, with the configuration it built. */
export function manifestView(d: Omit<ManifestData, 'config'>, config: InitConfig): ManifestData {
  return { config, paths: d.paths, host: d.host, out: d.out, dryRun: d.dryRun, env: d.env, cache: d.cache };
}

/** What the initializer needs from the command context (CommandContext provides it). */
export interface InitDataDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  output(options?: { quiet?: boolean }): Output;
  host(options: { dryRun?: boolean; out?: Output; dryRunDir?: 'init'; writes?: boolean }): Promise<Host>;
  cluster(kubeconfigPath: string, options: { dryRun: boolean; out?: Output }): Promise<ClusterClient>;
  healthProbes(apiserver: ApiserverClientTLS): Promise<HealthProbes>;
}

export const DEFAULT_KUBECONFIG_DIR = '/etc/kubernetes';

/** The PKI renderers' view of the configuration. */
export function pkiInputs(d: Pick<InitData, 'config'>): PkiInputs {
  return pkiInputsFromConfig(d.config.init, d.config.cluster);
}

/** certificatesDir, as the user knows it (for messages). */
export function certificatesDirOnHost(d: Pick<InitData, 'config'>): string {
  return d.config.cluster.certificatesDir;
}

export function pkiStore(d: Pick<InitData, 'host' | 'paths'>): PkiStore {
  return new PkiStore(d.host, d.paths.pkiDir);
}

export async function kubeconfigStore(d: Pick<InitData, 'host' | 'paths'>): Promise<KubeconfigStore> {
  const { KubeconfigStore } = await import('../../kubeconfig/kubeconfig-files.js');
  return new KubeconfigStore(d.host, d.paths.kubernetesDir);
}

/**
 * init's data initializer. Loads and validates the configuration before anything is written,
 * refuses an incomplete external CA as kubeadm does, and on a full run prints
 * `[init] Using Kubernetes version: ...` before the first phase.
 */
export async function newInitData(
  deps: InitDataDeps,
  invocation: Invocation,
  specs: readonly FlagSpec[],
): Promise<InitData> {
  const { flags } = invocation;
  const outputFormat = flags.has('output') ? parseOutputFormat(flags.string('output')) : 'text';
  // A machine-readable result owns stdout: progress lines would corrupt it.
  const out = deps.output({ quiet: outputFormat !== 'text' });
  const dryRunFlag = flags.has('dry-run') && flags.boolean('dry-run');
  // Only reads happen until the configuration is valid; the dry-run directory comes after that.
  const realHost = await deps.host({ out });

  const configPath = flags.has('config') ? flags.string('config') : '';
  const setFlags = userSetFlags(
    flags,
    specs.filter((f) => f.name !== 'output'),
  );
  // The deprecated --*-extra-args flags are applied after loading, over the configuration's values.
  const extraArgs = extraArgsFromFlags(setFlags);
  const extraArgsSet = EXTRA_ARGS_FLAG_NAMES.filter((n) => Object.hasOwn(setFlags, n));
  if (configPath !== '') validateMixedArguments(['config', ...extraArgsSet]);
  const { loadInitConfigOnHost } = await import('../command-config.js');
  const config = await loadInitConfigOnHost(realHost, out, {
    configPath,
    flags: Object.fromEntries(Object.entries(setFlags).filter(([n]) => !EXTRA_ARGS_FLAG_NAMES.includes(n))),
  });
  overrideExtraArgs(config.cluster, extraArgs);
  const skipped = [
    ...config.init.skipPhases,
    ...(flags.has('skip-phases') ? flags.strings('skip-phases') : []),
  ];
  syncAddonsWithSkipPhases(config, skipped);
  const now = new Date();
  const dryRun = dryRunFlag || config.init.dryRun;
  // A real run changes the node: from here on it holds the node lock, and reads what is on disk
  // only after that (what another run left, finished or cleaned up). The keys start meanwhile,
  // while flock runs: their unlocked look at the PKI only decides which keys to make ahead, never
  // what is written.
  const [host, keys] = await Promise.all([
    dryRun ? deps.host({ dryRun: true, out, dryRunDir: 'init' }) : deps.host({ out, writes: true }),
    certsPhaseRuns(invocation.phase, skipped)
      ? startCertKeys(realHost, config, now, skipped, cpuJobSlots(deps.env))
      : undefined,
  ]);

  const kubeconfigDir = flags.has('kubeconfig-dir') ? flags.string('kubeconfig-dir') : DEFAULT_KUBECONFIG_DIR;
  const paths: Paths = {
    ...host.paths,
    pkiDir: userPath(host.paths, config.cluster.certificatesDir),
    kubernetesDir: userPath(host.paths, kubeconfigDir || DEFAULT_KUBECONFIG_DIR),
  };
  const kubeconfigPath = userPath(
    host.paths,
    flags.has('kubeconfig')
      ? flags.string('kubeconfig') || DEFAULT_ADMIN_KUBECONFIG
      : DEFAULT_ADMIN_KUBECONFIG,
  );
  const bool = (name: string) => flags.has(name) && flags.boolean(name);
  let certificateKey: Promise<string> | undefined;
  let cluster: Promise<ClusterClient> | undefined;
  const data: InitData = {
    config,
    wholeRun: invocation.phase === undefined,
    paths,
    host,
    out,
    dryRun,
    now,
    env: deps.env,
    skipTokenPrint: bool('skip-token-print'),
    outputFormat,
    cache: { ...newInitCache(), ...(keys ? { keys } : {}) },
    kubeconfigPath,
    cluster: () =>
      (cluster ??= openInitCluster(deps, data).catch((err: unknown) => {
        cluster = undefined;
        throw err;
      })),
    uploadCerts: bool('upload-certs'),
    certificateKey: () =>
      (certificateKey ??= config.init.certificateKey
        ? Promise.resolve(config.init.certificateKey)
        : import('../../certs/copy-certs.js').then((m) => m.generateCertificateKey())),
    skipCertificateKeyPrint: bool('skip-certificate-key-print'),
    printManifest: bool('print-manifest'),
    healthProbes: (apiserver) => deps.healthProbes(apiserver),
  };

  await checkExternalCAs(data);
  // A CA whose key is not its certificate's would sign certificates that fail verification.
  await checkCAPairs(pkiStore(data));
  if (invocation.phase === undefined)
    out.progress('init', `Using Kubernetes version: ${config.cluster.kubernetesVersion}`);
  return data;
}

/** Whether the run includes the certs phase itself (whose run starts the key generation). */
function certsPhaseRuns(phase: string | undefined, skipped: readonly string[]): boolean {
  const skips = (p: string) => skipped.some((s) => s.toLowerCase() === p);
  return (phase === undefined || phase.toLowerCase() === 'certs') && !skips('certs') && !skips('certs/all');
}

/**
 * Starts generating the keys the certs phase is going to need as soon as the configuration is
 * known: key generation is most of that phase's time, and this way it overlaps taking the node
 * lock and the checks that follow. Nothing is decided here: the phase reads the PKI again under
 * the lock and takes from the pool only what it then generates. A read that fails here starts
 * nothing; the phase meets the same problem and reports it.
 */
async function startCertKeys(
  host: Host,
  config: InitConfig,
  now: Date,
  skipped: readonly string[],
  concurrency: number,
): Promise<KeyPool> {
  const inputs = pkiInputsFromConfig(config.init, config.cluster);
  const store = new PkiStore(host, userPath(host.paths, config.cluster.certificatesDir));
  const pool = new KeyPool(inputs.encryptionAlgorithm, concurrency);
  const names = await missingPkiNames(store, inputs, now).catch(() => []);
  pool.prefetch(names.filter((n) => !skipped.some((s) => s.toLowerCase() === `certs/${n}`)));
  return pool;
}

/**
 * kubeadm's newInitData checks: an external CA (ca.crt without ca.key) needs every certificate and
 * kubeconfig file it would have signed; so does an external front-proxy CA.
 */
async function checkExternalCAs(d: InitData): Promise<void> {
  const store = pkiStore(d);
  const ca = await externalCAStatus(store, 'ca', d.now);
  if (ca.external) {
    if (ca.error) throw externalCAError('ca', ca.error);
    const caCert = await store.cert('ca');
    if (caCert.state === 'ok') {
      const { validateKubeconfigsForExternalCA } = await import('../../kubeconfig/kubeconfig-files.js');
      const { kubeconfigSpecs } = await import('../../kubeconfig/specs.js');
      await validateKubeconfigsForExternalCA(
        await kubeconfigStore(d),
        kubeconfigSpecs(pkiInputs(d), d.now),
        caCert.value.pem,
        d.out,
      );
    }
  }
  const frontProxy = await externalCAStatus(store, 'front-proxy-ca', d.now);
  if (frontProxy.external && frontProxy.error) throw externalCAError('front-proxy-ca', frontProxy.error);
}

/**
 * A skipped addon phase is recorded as a disabled addon in the configuration init uploads, so that
 * upgrades leave it alone too; a disabled addon's phase does not run (its runIf).
 */
export function syncAddonsWithSkipPhases(config: InitConfig, skipPhases: readonly string[]): void {
  const skipped = (name: string) =>
    skipPhases.some((p) => ['addon', 'addon/all', `addon/${name}`].includes(p.toLowerCase()));
  if (skipped('coredns')) config.cluster.dns.disabled = true;
  if (skipped('kube-proxy')) config.cluster.proxy.disabled = true;
}

export const DEFAULT_ADMIN_KUBECONFIG = '/etc/kubernetes/admin.conf';

/**
 * The run's API client. With the default admin.conf, init first makes sure the
 * kubeadm:cluster-admins binding exists (falling back to super-admin.conf), since admin.conf's
 * rights come only from it.
 */
async function openInitCluster(deps: InitDataDeps, d: InitData): Promise<ClusterClient> {
  const client = await deps.cluster(d.kubeconfigPath, { dryRun: d.dryRun, out: d.out });
  if (d.dryRun || d.kubeconfigPath !== d.paths.under(DEFAULT_ADMIN_KUBECONFIG)) return client;
  const superAdminPath = path.join(path.dirname(d.kubeconfigPath), 'super-admin.conf');
  const { ensureClusterAdmins } = await import('../../cluster/cluster-admins.js');
  await ensureClusterAdmins(client, {
    superAdmin: async () =>
      (await d.host.exists(superAdminPath))
        ? deps.cluster(superAdminPath, { dryRun: false, out: d.out })
        : undefined,
    timeoutMs: d.config.init.timeouts.kubernetesAPICall,
    log: d.out.log,
  });
  return client;
}
