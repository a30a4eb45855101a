// What init's phases may read, built once per run by the data initializer: the configuration
// (--config + flags + defaults, validated), the host paths, the host, the output and one start time.
import { randomBytes } from 'node:crypto';
import { formatDuration } from '../../config/duration.js';
import { validateMixedArguments } from '../../config/flags.js';
import type { Arg } from '../../config/model.js';
import { parseOutputFormat } from '../../output/printer.js';
import { CONTROL_PLANE_EXTRA_ARGS_FLAGS, extraArgsFromFlags } from './control-plane.js';
import { gatherDefaultingFacts, readConfigFile, userPath } from '../../config/host-facts.js';
import type { InitConfig } from '../../config/model.js';
import { resolveInitConfig } from '../../config/resolve.js';
import { pkiInputsFromConfig, type PkiInputs } from '../../certs/inputs.js';
import { externalCAError } from '../../certs/reuse.js';
import { checkCAPairs, externalCAStatus, PkiStore } from '../../certs/pki-files.js';
import { KbadmError } from '../../errors.js';
import type { Host } from '../../host/host.js';
import type { Paths } from '../../host/paths.js';
import { KubeconfigStore, validateKubeconfigsForExternalCA } from '../../kubeconfig/kubeconfig-files.js';
import { kubeconfigSpecs } from '../../kubeconfig/specs.js';
import type { Output } from '../../output/output.js';
import type { FlagSpec, FlagValues, InitContext } from '../../workflow/index.js';

export interface InitData {
  /** The init and cluster configuration: defaulted and validated. */
  spec: InitConfig;
  /** Every host path under --rootfs; pkiDir is certificatesDir, kubernetesDir is --kubeconfig-dir. */
  paths: Paths;
  host: Host;
  out: Output;
  dryRun: boolean;
  /** The run's start time: every certificate of one run shares it (kubeadm's StartTimeUTC). */
  now: Date;
  /** kbadm's environment (proxy variables go into the control-plane Pods). */
  env: Readonly<Record<string, string | undefined>>;
  /** --upload-certs. */
  uploadCerts: boolean;
  /** The key for the kubeadm-certs Secret: given, generated for --upload-certs, or ''. */
  certificateKey: string;
  skipTokenPrint: boolean;
  skipCertificateKeyPrint: boolean;
  /** -o: 'text' prints kubeadm's messages; 'json' or 'yaml' print one result object instead. */
  outputFormat: string;
}

/** What the initializer needs from the command context (CommandContext provides it). */
export interface InitDataDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  output(options?: { quiet?: boolean }): Output;
  host(options: { dryRun?: boolean; out?: Output; dryRunDir?: 'init'; writes?: boolean }): Promise<Host>;
}

export const DEFAULT_KUBECONFIG_DIR = '/etc/kubernetes';

/** The PKI renderers' view of the configuration. */
export function pkiInputs(d: Pick<InitData, 'spec'>): PkiInputs {
  return pkiInputsFromConfig(d.spec.init, d.spec.cluster);
}

/** certificatesDir, as the user knows it (for messages). */
export function certificatesDirOnHost(d: Pick<InitData, 'spec'>): string {
  return d.spec.cluster.certificatesDir;
}

export function pkiStore(d: Pick<InitData, 'host' | 'paths'>): PkiStore {
  return new PkiStore(d.host, d.paths.pkiDir);
}

export function kubeconfigStore(d: Pick<InitData, 'host' | 'paths'>): KubeconfigStore {
  return new KubeconfigStore(d.host, d.paths.kubernetesDir);
}

/** The flags the user set (except --config), by name, as the config API takes them. */
export function setFlagValues(flags: FlagValues, specs: readonly FlagSpec[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const spec of specs) {
    if (spec.name === 'config' || !flags.isSet(spec.name)) continue;
    switch (spec.type) {
      case 'string':
        out[spec.name] = flags.string(spec.name);
        break;
      case 'boolean':
        out[spec.name] = flags.boolean(spec.name);
        break;
      case 'int':
        out[spec.name] = flags.int(spec.name);
        break;
      case 'strings':
        out[spec.name] = flags.strings(spec.name);
        break;
      case 'duration':
        // The config API reads durations in Go's notation.
        out[spec.name] = formatDuration(flags.duration(spec.name));
        break;
    }
  }
  return out;
}

/**
 * init's data initializer. Loads and validates the configuration before anything is written,
 * refuses an incomplete external CA as kubeadm does, and on a full run prints
 * `[init] Using Kubernetes version: ...` before the first phase.
 */
export async function newInitData(
  deps: InitDataDeps,
  ctx: InitContext,
  specs: readonly FlagSpec[],
): Promise<InitData> {
  const { flags } = ctx;
  const outputFormat = flags.has('output') ? parseOutputFormat(flags.string('output')) : 'text';
  // A machine-readable result owns stdout: progress lines would corrupt it.
  const out = deps.output({ quiet: outputFormat !== 'text' });
  const dryRunFlag = flags.has('dry-run') && flags.boolean('dry-run');
  // Only reads happen until the configuration is valid; the dry-run directory comes after that.
  const realHost = await deps.host({ out });

  const configPath = flags.has('config') ? flags.string('config') : '';
  let configText: string | undefined;
  if (configPath !== '') {
    // readConfigFile reports a missing or unreadable file as one clear error.
    configText = await readConfigFile(realHost, configPath);
  }
  const extraArgs = extraArgsFromFlags(flags);
  if (configText !== undefined) validateMixedArguments(['config', ...extraArgsFlagsSet(flags)]);
  const resolved = resolveInitConfig({
    ...(configText !== undefined ? { configText, source: configPath } : {}),
    flags: setFlagValues(
      flags,
      specs.filter((f) => !EXTRA_ARGS_FLAGS.has(f.name) && f.name !== 'output'),
    ),
    facts: await gatherDefaultingFacts(realHost),
  });
  for (const w of resolved.warnings) out.warn(w);
  const spec = resolved.config;
  overrideExtraArgs(spec.cluster.apiServer, extraArgs.apiServer);
  overrideExtraArgs(spec.cluster.controllerManager, extraArgs.controllerManager);
  overrideExtraArgs(spec.cluster.scheduler, extraArgs.scheduler);

  const dryRun = dryRunFlag || spec.init.dryRun;
  // A real run changes the node: from here on it holds the node lock, and reads what is on disk
  // only after that (what another run left, finished or cleaned up).
  const host = dryRun
    ? await deps.host({ dryRun: true, out, dryRunDir: 'init' })
    : await deps.host({ out, writes: true });

  const kubeconfigDir = flags.has('kubeconfig-dir') ? flags.string('kubeconfig-dir') : DEFAULT_KUBECONFIG_DIR;
  const paths: Paths = {
    ...host.paths,
    pkiDir: userPath(host, spec.cluster.certificatesDir),
    kubernetesDir: userPath(host, kubeconfigDir || DEFAULT_KUBECONFIG_DIR),
  };
  const uploadCerts = flags.has('upload-certs') && flags.boolean('upload-certs');
  const data: InitData = {
    spec,
    paths,
    host,
    out,
    dryRun,
    now: new Date(),
    env: deps.env,
    uploadCerts,
    // kubeadm makes a key for --upload-certs when none is given, so the join command can carry it.
    certificateKey: spec.init.certificateKey || (uploadCerts ? randomBytes(32).toString('hex') : ''),
    skipTokenPrint: flags.has('skip-token-print') && flags.boolean('skip-token-print'),
    skipCertificateKeyPrint:
      flags.has('skip-certificate-key-print') && flags.boolean('skip-certificate-key-print'),
    outputFormat,
  };

  await checkExternalCAs(data, uploadCerts);
  // A CA whose key is not its certificate's would sign certificates that fail verification.
  await checkCAPairs(pkiStore(data));
  if (ctx.phase === undefined)
    out.progress('init', `Using Kubernetes version: ${spec.cluster.kubernetesVersion}`);
  return data;
}

const EXTRA_ARGS_FLAGS = new Set(CONTROL_PLANE_EXTRA_ARGS_FLAGS.map((f) => f.name));

function extraArgsFlagsSet(flags: FlagValues): string[] {
  return [...EXTRA_ARGS_FLAGS].filter((n) => flags.has(n) && flags.isSet(n));
}

/** The deprecated --*-extra-args flags win over the same arguments from the configuration. */
function overrideExtraArgs(component: { extraArgs: Arg[] }, fromFlags: Arg[] | undefined): void {
  if (!fromFlags) return;
  const names = new Set(fromFlags.map((a) => a.name));
  component.extraArgs = [...component.extraArgs.filter((a) => !names.has(a.name)), ...fromFlags];
}

/**
 * kubeadm's newInitData checks: an external CA (ca.crt without ca.key) needs every certificate and
 * kubeconfig file it would have signed; so does an external front-proxy CA.
 */
async function checkExternalCAs(d: InitData, uploadCerts: boolean): Promise<void> {
  const store = pkiStore(d);
  const ca = await externalCAStatus(store, 'ca', d.now);
  if (ca.external) {
    if (ca.error) throw externalCAError('ca', ca.error);
    const caCert = await store.cert('ca');
    if (caCert.state === 'ok') {
      await validateKubeconfigsForExternalCA(
        kubeconfigStore(d),
        kubeconfigSpecs(pkiInputs(d), d.now),
        caCert.value.pem,
        d.out,
      );
    }
  }
  const frontProxy = await externalCAStatus(store, 'front-proxy-ca', d.now);
  if (frontProxy.external && frontProxy.error) throw externalCAError('front-proxy-ca', frontProxy.error);
  if (uploadCerts && (ca.external || frontProxy.external)) {
    throw new KbadmError("can't use upload-certs with an external CA or an external front-proxy CA");
  }
}
