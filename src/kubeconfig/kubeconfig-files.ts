// kubeconfig files on disk, through a Host: kubeadm's reuse rule for existing files (same CA, and
// here also the same server, or a clear error), writing new ones with mode 0600, and the
// external-CA check init runs before any phase.
import * as path from 'node:path';
import { KbadmError, errorMessage } from '../errors.js';
import type { Host } from '../host/host.js';
import type { Output } from '../output/output.js';
import type { CertAndKey, CertificateInfo } from '../certs/x509.js';
import {
  clusterCAPem,
  currentCluster,
  currentUser,
  KUBECONFIG_FILE_MODE,
  parseKubeconfig,
  userClientCertPem,
  userClientKeyPem,
  serializeKubeconfig,
  validateExistingKubeconfig,
  type KubeConfig,
} from './kubeconfig.js';
import { buildKubeconfig, clientPairProblem, expectedKubeconfig, type KubeconfigSpec } from './specs.js';

/** Like /etc/kubernetes itself, the kubeconfig folder is created world-readable; the files are not. */
export const KUBECONFIG_DIR_MODE = 0o755;

/** One kubeconfig folder (already under --rootfs). */
export class KubeconfigStore {
  constructor(
    readonly host: Host,
    readonly dir: string,
  ) {}

  path(file: string): string {
    return path.join(this.dir, file);
  }

  shown(file: string): string {
    return this.host.paths.onHost(this.path(file));
  }

  /** The parsed file, or undefined when it does not exist. */
  async read(file: string): Promise<KubeConfig | undefined> {
    const data = await this.host.readFileIfExists(this.path(file));
    if (data === undefined) return undefined;
    return parseKubeconfig(data.toString('utf8'), this.shown(file));
  }

  /** `exclusive`: a new file, never put over an existing one (it would replace a private key). */
  async write(file: string, cfg: KubeConfig, options: { exclusive?: boolean } = {}): Promise<void> {
    const target = this.path(file);
    await this.host.mkdir(path.dirname(target), KUBECONFIG_DIR_MODE);
    await this.host.writeFile(target, serializeKubeconfig(cfg), KUBECONFIG_FILE_MODE, options);
  }
}

/**
 * An existing file is reused only when it has the expected CA and the expected server (kubeadm
 * only warns about a different server, which leaves a node pointing at the wrong API endpoint),
 * and when its client key belongs to its client certificate, signed by that CA (kubeadm does not
 * look at the credentials at all).
 */
export async function checkExisting(
  store: KubeconfigStore,
  spec: KubeconfigSpec,
  existing: KubeConfig,
  ca: CertificateInfo,
): Promise<void> {
  const shown = store.shown(spec.fileName);
  const { warnings } = validateExistingKubeconfig(shown, existing, expectedKubeconfig(spec, ca.pem));
  const serverMismatch = warnings.find((w) => w.includes('unexpected API Server URL'));
  if (serverMismatch) throw new KbadmError(serverMismatch);
  const problem = await clientPairProblem(existing, ca, shown);
  if (problem) throw new KbadmError(problem);
}

export interface KubeconfigRun {
  store: KubeconfigStore;
  out: Output;
  /** The CA from certificatesDir, loaded on first need. */
  ca: () => Promise<CertAndKey>;
  /** A file built ahead (in parallel with the others), when there is one. */
  prebuilt?: (file: string) => Promise<KubeConfig> | undefined;
}

/**
 * `init phase kubeconfig <file>`: reuse a valid existing file, else build one with a new client
 * certificate signed by the CA and write it.
 */
export async function ensureKubeconfig(run: KubeconfigRun, spec: KubeconfigSpec): Promise<void> {
  const { store, out } = run;
  const existing = await store.read(spec.fileName);
  const ca = await run.ca();
  if (existing) {
    await checkExisting(store, spec, existing, ca.cert);
    out.progress('kubeconfig', `Using existing kubeconfig file: "${store.shown(spec.fileName)}"`);
    return;
  }
  const cfg = (await run.prebuilt?.(spec.fileName)) ?? (await buildKubeconfig(spec, ca)).config;
  out.progress('kubeconfig', `Writing "${spec.fileName}" kubeconfig file`);
  await store.write(spec.fileName, cfg, { exclusive: true });
}

/**
 * kubeadm's ValidateKubeconfigsForExternalCA: without the CA key kbadm cannot make kubeconfig
 * files, so each must exist with the CA on disk. A different server only warns here, as in
 * kubeadm: these files are the user's own.
 */
export async function validateKubeconfigsForExternalCA(
  store: KubeconfigStore,
  specs: readonly KubeconfigSpec[],
  caPem: string,
  out: Output,
): Promise<void> {
  for (const spec of specs) {
    try {
      const existing = await store.read(spec.fileName);
      if (!existing) throw new KbadmError(`open ${store.shown(spec.fileName)}: no such file or directory`);
      const { warnings } = validateExistingKubeconfig(
        store.shown(spec.fileName),
        existing,
        expectedKubeconfig(spec, caPem),
      );
      for (const w of warnings) out.warn(w);
    } catch (err) {
      throw new KbadmError(
        `the ${spec.fileName} file does not exists or it is not valid: ${errorMessage(err)}`,
        { cause: err },
      );
    }
  }
}

/** The PEM material a TLS client takes from a kubeconfig's current context. */
export interface KubeconfigClientTLS {
  ca: string;
  cert: string;
  key: string;
}

/**
 * The current context's CA and client certificate and key, embedded or in files (relative paths
 * count from the kubeconfig's folder, as in client-go). Never puts key material in a message.
 */
export async function readClientTLS(store: KubeconfigStore, file: string): Promise<KubeconfigClientTLS> {
  const shown = store.shown(file);
  const cfg = await store.read(file);
  if (!cfg) throw new KbadmError(`open ${shown}: no such file or directory`);
  const cluster = currentCluster(cfg);
  const user = currentUser(cfg);
  if (!cluster || !user) throw new KbadmError(`${shown}: the current context names no cluster or no user`);
  const fromFile = async (p: unknown, what: string): Promise<string | undefined> => {
    if (typeof p !== 'string' || p === '') return undefined;
    const onHost = path.isAbsolute(p) ? p : path.join(store.host.paths.onHost(store.dir), p);
    const data = await store.host.readFileIfExists(store.host.paths.under(onHost));
    if (data === undefined) throw new KbadmError(`${shown}: ${what} ${onHost} does not exist`);
    return data.toString('utf8');
  };
  const ca =
    clusterCAPem(cluster) ||
    (await fromFile(cluster.cluster['certificate-authority'], 'certificate-authority'));
  const cert =
    userClientCertPem(user) ?? (await fromFile(user.user['client-certificate'], 'client-certificate'));
  const key = userClientKeyPem(user) ?? (await fromFile(user.user['client-key'], 'client-key'));
  if (!ca) throw new KbadmError(`${shown}: the cluster has no certificate authority`);
  if (!cert || !key) throw new KbadmError(`${shown}: the user has no client certificate and key`);
  return { ca, cert, key };
}
