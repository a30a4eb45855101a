// The PKI on disk, through a Host: loading files into what the decide* rules take, writing
// key/cert pairs with kubeadm's modes (each pair one unit: key then certificate, put in place
// together or finished by the next run), and the certs phase steps that join the rules to the
// disk; and the files upload-certs / download-certs carry. Messages name host paths, never rootfs
// ones.
import * as path from 'node:path';
import { KbadmError, errorMessage } from '../errors.js';
import type { Host } from '../host/host.js';
import { userPath } from '../host/paths.js';
import type { CopyCertFile, DownloadedCertFile } from './copy-certs.js';
import type { Output } from '../output/output.js';
import type { PkiInputs } from './inputs.js';
import {
  generatePrivateKey,
  keyMatchesPublicKey,
  parsePrivateKeyPem,
  parsePublicKeyPem,
  SA_KEY_FILE,
  SA_PUB_FILE,
  type PrivateKey,
} from './keys.js';
import {
  decideCA,
  decideLeaf,
  decideServiceAccountKey,
  EXTERNAL_CA_REQUIREMENTS,
  invalid,
  keyMismatch,
  loadError,
  MISSING,
  ok,
  usingExternalCA,
  type ExternalCAResult,
  type Loaded,
  type PairFiles,
} from './reuse.js';
import { caBaseName, certSpecs, type CertSpec } from './specs.js';
import { certFiles, serviceAccountFiles, type PkiFile } from './tree.js';
import {
  checkAltNames,
  keyMatchesCertificate,
  parseCertificateChain,
  signCertificate,
  type CertAndKey,
  type CertificateInfo,
} from './x509.js';

/** kubeadm creates pki/ and pki/etcd/ world-readable; only the key files are private. */
export const PKI_DIR_MODE = 0o755;

/** One certificates directory (already under --rootfs). */
export class PkiStore {
  constructor(
    readonly host: Host,
    readonly dir: string,
  ) {}

  path(rel: string): string {
    return path.join(this.dir, rel);
  }

  /** The path as the user knows it (without the --rootfs prefix). */
  shown(rel: string): string {
    return this.host.paths.onHost(this.path(rel));
  }

  async exists(rel: string): Promise<boolean> {
    return this.host.exists(this.path(rel));
  }

  /** `<base>.crt`: the certificate first, then any intermediates. */
  async certChain(baseName: string): Promise<Loaded<CertificateInfo[]>> {
    const rel = `${baseName}.crt`;
    const data = await this.host.readFileIfExists(this.path(rel));
    if (data === undefined) return MISSING;
    try {
      return ok(await parseCertificateChain(data));
    } catch (err) {
      return invalid(`couldn't load the certificate file ${this.shown(rel)}: ${errorMessage(err)}`);
    }
  }

  async cert(baseName: string): Promise<Loaded<CertificateInfo>> {
    const chain = await this.certChain(baseName);
    return chain.state === 'ok' ? ok(chain.value[0]!) : chain;
  }

  /** `<base>.key` (or any other key file, e.g. `sa.key`, when `rel` ends in `.key`). */
  async key(baseNameOrFile: string): Promise<Loaded<PrivateKey>> {
    const rel = baseNameOrFile.endsWith('.key') ? baseNameOrFile : `${baseNameOrFile}.key`;
    const data = await this.host.readFileIfExists(this.path(rel));
    if (data === undefined) return MISSING;
    try {
      return ok(parsePrivateKeyPem(data, this.shown(rel)));
    } catch (err) {
      return invalid(`couldn't load the private key file ${this.shown(rel)}: ${errorMessage(err)}`);
    }
  }

  /** A "PUBLIC KEY" file such as sa.pub, as DER SubjectPublicKeyInfo. */
  async publicKey(rel: string): Promise<Loaded<Buffer>> {
    const data = await this.host.readFileIfExists(this.path(rel));
    if (data === undefined) return MISSING;
    try {
      return ok(parsePublicKeyPem(data, this.shown(rel)));
    } catch (err) {
      return invalid(errorMessage(err));
    }
  }

  /** Host paths of `<base>.crt` and `<base>.key`, for messages. */
  pairFiles(baseName: string): PairFiles {
    return { cert: this.shown(`${baseName}.crt`), key: this.shown(`${baseName}.key`) };
  }

  /**
   * A CA about to sign: an error saying which half is missing, or that its key is not the one
   * its certificate was made for (which would sign certificates that do not verify).
   */
  async certAndKey(baseName: string): Promise<CertAndKey> {
    const [cert, key] = await Promise.all([this.cert(baseName), this.key(baseName)]);
    if (cert.state !== 'ok')
      throw new KbadmError(
        `couldn't load CA certificate ${baseName}: ${loadError(cert, this.shown(`${baseName}.crt`))}`,
      );
    if (key.state !== 'ok')
      throw new KbadmError(
        `couldn't load CA private key ${baseName}: ${loadError(key, this.shown(`${baseName}.key`))}`,
      );
    if (!keyMatchesCertificate(key.value, cert.value))
      throw new KbadmError(`couldn't load CA ${baseName}: ${keyMismatch(this.pairFiles(baseName))}`);
    return { cert: cert.value, key: key.value };
  }

  /**
   * Writes files in order, those of one directory (a key and its certificate) as one unit; parent
   * directories are created 0755 as kubeadm does. `replace` (renewal) lets the files replace
   * existing ones; otherwise each is written only where nothing is (see PkiFile.exclusive). With
   * `after`, they are put in place only once it has resolved (see UnitOptions.after).
   */
  async write(
    files: readonly PkiFile[],
    options: { replace?: boolean; after?: Promise<unknown> } = {},
  ): Promise<void> {
    const units: PkiFile[][] = [];
    for (const f of files) {
      const last = units.at(-1);
      if (last && path.dirname(last[0]!.path) === path.dirname(f.path)) last.push(f);
      else units.push([f]);
    }
    for (const unit of units) {
      await this.host.mkdir(path.dirname(this.path(unit[0]!.path)), PKI_DIR_MODE);
      await this.host.writeFiles(
        unit.map((f) => ({
          path: this.path(f.path),
          data: f.data,
          mode: f.mode,
          exclusive: !options.replace && f.exclusive !== false,
        })),
        options.after ? { after: options.after } : {},
      );
    }
  }
}

/** A decision's warning on stderr, once per run (the rules word them with kubeadm's `WARNING: `). */
function warnOnce(out: Output, warning: string): void {
  out.warnOnce(warning.replace(/^WARNING: /, ''));
}

/**
 * Keys generated ahead, in parallel, for the certificates a run is about to create. At most
 * `concurrency` are made at once (the rest wait their turn, in the order asked for): key generation
 * and file I/O share Node's thread pool, and the run's writes must not wait for every key.
 */
export class KeyPool {
  readonly #keys = new Map<string, Promise<PrivateKey>>();
  /** Keys asked for and not started yet, in order. */
  readonly #waiting = new Map<string, () => void>();
  #running = 0;

  constructor(
    readonly algorithm: string,
    readonly concurrency = 2,
    private readonly generate: (algorithm: string) => Promise<PrivateKey> = generatePrivateKey,
  ) {}

  /** Starts generating a key for each name that has none yet, in this order. */
  prefetch(names: readonly string[]): void {
    for (const name of names) {
      if (this.#keys.has(name)) continue;
      let start!: () => void;
      const p = new Promise<void>((resolve) => (start = resolve))
        .then(() => this.generate(this.algorithm))
        .finally(() => {
          this.#running--;
          this.#startNext();
        });
      // A key nobody takes (its phase was skipped) must not become an unhandled rejection.
      p.catch(() => undefined);
      this.#keys.set(name, p);
      this.#waiting.set(name, start);
    }
    this.#startNext();
  }

  #startNext(): void {
    for (const name of [...this.#waiting.keys()]) {
      if (this.#running >= this.concurrency) return;
      this.#start(name);
    }
  }

  #start(name: string): void {
    const start = this.#waiting.get(name);
    if (!start) return;
    this.#waiting.delete(name);
    this.#running++;
    start();
  }

  /** The names whose key is asked for and not yet taken. */
  get names(): string[] {
    return [...this.#keys.keys()];
  }

  /** The prefetched key for `name` (each is handed out once; one still waiting starts now), or a fresh one. */
  take(name: string, algorithm: string): Promise<PrivateKey> {
    const p = this.#keys.get(name);
    if (p && algorithm === this.algorithm) {
      this.#keys.delete(name);
      this.#start(name);
      return p;
    }
    return this.generate(algorithm);
  }
}

export interface CertRun {
  store: PkiStore;
  out: Output;
  inputs: PkiInputs;
  /** One start time for every certificate of the run. */
  now: Date;
  keys?: KeyPool;
  /**
   * The CAs this run has signed, by base name, shared by the certs sub-phases: a certificate is
   * signed by its new CA as soon as that exists, not once the CA's files are on disk.
   */
  issued?: Map<string, IssuedCA>;
  /** Lets the sub-phases waiting for this one start (PhaseStep.release). */
  release?: () => void;
}

/** A CA signed in this run, and the write of its files. */
export interface IssuedCA {
  ca: CertAndKey;
  /** Resolves once its files are in place; what it signed goes in place only after that. */
  written: Promise<void>;
}

const SA_POOL_NAME = 'sa';

/**
 * Names of the certificates (and `sa`) whose files are all absent: those a run will generate. The
 * CAs come first: every other certificate waits for its CA.
 */
export async function missingPkiNames(store: PkiStore, inputs: PkiInputs, now: Date): Promise<string[]> {
  const specs = certSpecs(inputs, now).sort((a, b) => Number(b.isCA) - Number(a.isCA));
  const absent = await Promise.all(
    specs.map(async (s) => !(await store.exists(s.certFile)) && !(await store.exists(s.keyFile))),
  );
  const names = specs.filter((_, i) => absent[i]).map((s) => s.name as string);
  if (!(await store.exists(SA_KEY_FILE))) names.push(SA_POOL_NAME);
  return names;
}

function pairFiles(store: PkiStore, spec: CertSpec): PairFiles {
  return { cert: store.shown(spec.certFile), key: store.shown(spec.keyFile) };
}

function printDecision(out: Output, d: { messages: string[]; warnings: string[] }): void {
  for (const w of d.warnings) warnOnce(out, w);
  for (const m of d.messages) out.progressLine(m);
}

/** `init phase certs <ca>`: reuse an existing CA (keyless in external-CA mode) or generate one. */
export async function ensureCA(run: CertRun, spec: CertSpec): Promise<void> {
  const { store, out } = run;
  const [cert, key] = await Promise.all([store.cert(spec.baseName), store.key(spec.baseName)]);
  const decision = decideCA(
    spec,
    { cert, key },
    { externalEtcd: !run.inputs.etcd.local, now: run.now, files: pairFiles(store, spec) },
  );
  if (decision.action !== 'generate') return printDecision(out, decision);
  const newKey = await (run.keys?.take(spec.name, spec.encryptionAlgorithm) ??
    generatePrivateKey(spec.encryptionAlgorithm));
  const newCert = await signCertificate(spec, newKey);
  printDecision(out, decision);
  const written = store.write(certFiles({ spec, cert: newCert, key: newKey }));
  if (run.issued) {
    // Its certificates are signed while its files are written, and wait for them only to go in place.
    written.catch(() => undefined);
    run.issued.set(spec.baseName, { ca: { cert: newCert, key: newKey }, written });
    run.release?.();
  }
  await written;
}

/**
 * `init phase certs <leaf>`: an existing certificate is kept when it chains to its CA, its key loads
 * and matches it, and it covers every SAN the configuration asks for; anything else is an error
 * rather than a silent overwrite. A missing one is signed by the CA this run signed, or else by the
 * CA on disk.
 */
export async function ensureLeaf(run: CertRun, spec: CertSpec): Promise<void> {
  const { store, out } = run;
  const caBase = caBaseName(spec);
  const issued = run.issued?.get(caBase);
  const [cert, key, caCert, caKey] = await Promise.all([
    store.certChain(spec.baseName),
    store.key(spec.baseName),
    issued ? ok(issued.ca.cert) : store.cert(caBase),
    issued ? ok(issued.ca.key) : store.key(caBase),
  ]);
  const decision = decideLeaf(
    spec,
    { cert, key, caCert, caKey },
    {
      externalEtcd: !run.inputs.etcd.local,
      now: run.now,
      files: pairFiles(store, spec),
      caFiles: { cert: store.shown(`${caBase}.crt`), key: store.shown(`${caBase}.key`) },
    },
  );
  if (decision.action === 'reuse' && cert.state === 'ok') {
    const leaf = cert.value[0]!;
    if (key.state !== 'ok') {
      throw new KbadmError(
        `failure loading key for ${spec.baseName}: ${loadError(key, store.shown(spec.keyFile))}`,
      );
    }
    if (!keyMatchesCertificate(key.value, leaf)) {
      throw new KbadmError(`certificate ${spec.baseName}: ${keyMismatch(pairFiles(store, spec))}`);
    }
    const sanErr = checkAltNames(leaf, spec.altNames);
    if (sanErr) throw new KbadmError(`certificate ${spec.baseName} is invalid: ${sanErr}`);
  }
  if (decision.action !== 'generate') return printDecision(out, decision);
  if (caCert.state !== 'ok' || caKey.state !== 'ok') throw new KbadmError(`couldn't load CA ${caBase}`);
  const newKey = await (run.keys?.take(spec.name, spec.encryptionAlgorithm) ??
    generatePrivateKey(spec.encryptionAlgorithm));
  const newCert = await signCertificate(spec, newKey, { cert: caCert.value, key: caKey.value });
  for (const w of spec.warnings) warnOnce(out, w);
  printDecision(out, decision);
  await store.write(certFiles({ spec, cert: newCert, key: newKey }), issued ? { after: issued.written } : {});
}

/**
 * `init phase certs sa`: reuse a loadable sa.key (whose sa.pub, when there is one, must be its
 * public half), generate sa.key + sa.pub when there is none.
 */
export async function ensureServiceAccountKey(run: CertRun): Promise<void> {
  const { store, out } = run;
  const external = (await externalCAStatus(store, 'ca', run.now)).external;
  const existing = await store.key(SA_KEY_FILE);
  const decision = decideServiceAccountKey(existing, external);
  if (decision.action === 'reuse' && existing.state === 'ok')
    await checkServiceAccountPair(store, existing.value);
  if (decision.action === 'reuse' && existing.state === 'ok' && !(await store.exists(SA_PUB_FILE))) {
    // sa.key is written before sa.pub: a run that stopped in between left the key alone. kubeadm
    // would keep reusing it without sa.pub, which kube-apiserver needs; the public half is derived.
    printDecision(out, decision);
    out.progressLine(`[certs] Writing "${SA_PUB_FILE}" for the existing "sa" key`);
    await store.write(serviceAccountFiles(existing.value).filter((f) => f.path === SA_PUB_FILE));
    return;
  }
  if (decision.action !== 'generate') return printDecision(out, decision);
  const key = await (run.keys?.take(SA_POOL_NAME, run.inputs.encryptionAlgorithm) ??
    generatePrivateKey(run.inputs.encryptionAlgorithm));
  printDecision(out, decision);
  await store.write(serviceAccountFiles(key));
}

/** sa.pub, when it exists, must be the public half of sa.key: kube-apiserver verifies tokens with it. */
async function checkServiceAccountPair(store: PkiStore, key: PrivateKey): Promise<void> {
  const pub = await store.publicKey(SA_PUB_FILE);
  if (pub.state === 'invalid') throw new KbadmError(pub.error);
  if (pub.state === 'ok' && !keyMatchesPublicKey(key, pub.value)) {
    throw new KbadmError(
      `private key ${store.shown(SA_KEY_FILE)} does not match the public key ${store.shown(SA_PUB_FILE)}`,
    );
  }
}

/** The CAs of the tree, by base name. */
export const CA_BASE_NAMES = ['ca', 'front-proxy-ca', 'etcd/ca'] as const;

/**
 * Refuses a CA whose certificate and key both load but do not belong together, before anything is
 * written: every certificate it signed would fail verification.
 */
export async function checkCAPairs(
  store: PkiStore,
  caBases: readonly string[] = CA_BASE_NAMES,
): Promise<void> {
  for (const base of caBases) {
    const [cert, key] = await Promise.all([store.cert(base), store.key(base)]);
    if (cert.state === 'ok' && key.state === 'ok' && !keyMatchesCertificate(key.value, cert.value)) {
      throw new KbadmError(`CA ${base}: ${keyMismatch(store.pairFiles(base))}`);
    }
  }
}

/**
 * Every pair of the tree whose key and certificate (or, for sa, public key) both load but do not
 * belong together, as messages naming both files.
 */
export async function mismatchedPairs(store: PkiStore, baseNames: readonly string[]): Promise<string[]> {
  const problems: string[] = [];
  for (const base of baseNames) {
    const [cert, key] = await Promise.all([store.cert(base), store.key(base)]);
    if (cert.state === 'ok' && key.state === 'ok' && !keyMatchesCertificate(key.value, cert.value))
      problems.push(keyMismatch(store.pairFiles(base)));
  }
  const [saKey, saPub] = await Promise.all([store.key(SA_KEY_FILE), store.publicKey(SA_PUB_FILE)]);
  if (saKey.state === 'ok' && saPub.state === 'ok' && !keyMatchesPublicKey(saKey.value, saPub.value))
    problems.push(
      `private key ${store.shown(SA_KEY_FILE)} does not match the public key ${store.shown(SA_PUB_FILE)}`,
    );
  return problems;
}

/**
 * kubeadm's UsingExternalCA / UsingExternalFrontProxyCA / UsingExternalEtcdCA for one CA: its
 * certificate loads, its key file does not exist; then what it must have signed is checked.
 */
export async function externalCAStatus(
  store: PkiStore,
  caBase: keyof typeof EXTERNAL_CA_REQUIREMENTS,
  now: Date,
): Promise<ExternalCAResult> {
  const req = EXTERNAL_CA_REQUIREMENTS[caBase];
  const [cert, keyExists] = await Promise.all([store.cert(caBase), store.exists(`${caBase}.key`)]);
  const signed = await Promise.all(
    req.signed.map(async ([baseName, uxName]) => ({
      baseName,
      uxName,
      cert: await store.certChain(baseName),
      key: await store.key(baseName),
    })),
  );
  return usingExternalCA({ baseName: caBase, uxName: req.uxName, cert, keyExists }, signed, now);
}

/**
 * Whether a CA is managed outside the cluster: its certificate file is there and its key file is not
 * (the first test of kubeadm's UsingExternalCA; no file is parsed). The one place that rule lives.
 */
export async function caExternallyManaged(store: PkiStore, caBase = 'ca'): Promise<boolean> {
  const [crt, key] = await Promise.all([store.exists(`${caBase}.crt`), store.exists(`${caBase}.key`)]);
  return crt && !key;
}

/** Where a copy-certs file lives under --rootfs: in the certificates directory, or its own absolute path. */
function copyCertPath(store: PkiStore, f: CopyCertFile): string {
  return path.isAbsolute(f.path) ? userPath(store.host.paths, f.path) : store.path(f.path);
}

/**
 * upload-certs: each file's bytes by Secret key, undefined for a file that does not exist (kubeadm
 * uploads it as an empty value); any other read error fails.
 */
export async function readKubeadmCertFiles(
  store: PkiStore,
  files: readonly CopyCertFile[],
): Promise<Map<string, Buffer | undefined>> {
  const out = new Map<string, Buffer | undefined>();
  for (const f of files) out.set(f.secretKey, await store.host.readFileIfExists(copyCertPath(store, f)));
  return out;
}

/**
 * download-certs: writes each file with its mode, replacing what is there; parent directories are
 * created 0755, as kubeadm's certificate and key writers do.
 */
export async function writeKubeadmCertFiles(
  store: PkiStore,
  files: readonly DownloadedCertFile[],
): Promise<void> {
  for (const f of files) {
    const target = copyCertPath(store, f);
    await store.host.mkdir(path.dirname(target), PKI_DIR_MODE);
    await store.host.writeFile(target, f.data, f.mode);
  }
}
