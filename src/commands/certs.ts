// `kbadm certs`: certificate-key, check-expiration, generate-csr and renew, as kubeadm has them.
import { randomBytes } from 'node:crypto';
import { Command } from 'commander';
import { generateLeafCsrs, csrFiles } from '../certs/csr.js';
import {
  expirationInfoObject,
  expirationRow,
  formatExpirationTable,
  missingRow,
  type ExpirationRow,
} from '../certs/expiration.js';
import { caExternallyManaged, checkCAPairs, mismatchedPairs, PkiStore } from '../certs/pki-files.js';
import { caBaseName } from '../certs/specs.js';
import {
  expirationCAs,
  externalCAMessage,
  missingMessage,
  renewableCertificates,
  renewedMessage,
  RENEW_ALL_DONE,
  type RenewableCert,
} from '../certs/renewal.js';
import { KEY_FILE_MODE } from '../certs/specs.js';
import { pkiInputsFromConfig } from '../certs/inputs.js';
import { parseCertificatePem } from '../certs/x509.js';
import { userPath } from '../host/paths.js';
import { KbadmError } from '../errors.js';
import type { Host } from '../host/host.js';
import { KUBECONFIG_DIR_MODE, KubeconfigStore } from '../kubeconfig/kubeconfig-files.js';
import {
  currentUser,
  KUBECONFIG_FILE_MODE,
  serializeKubeconfig,
  userClientCertPem,
} from '../kubeconfig/kubeconfig.js';
import { clientPairProblem, kubeconfigSpecs, kubeconfigWithCsr } from '../kubeconfig/specs.js';
import { parseOutputFormat, renderResult } from '../output/printer.js';
import type { Output } from '../output/output.js';
import { renewCertificateFiles } from '../phases/cert-renewal.js';
import { loadCommandConfig, type CommandConfig } from '../phases/command-config.js';
import { addFlags, readFlags, type FlagSpec, type FlagValues } from '../workflow/index.js';
import type { CommandContext } from './context.js';
import { PRINT_COMPAT_FLAGS } from './print-compat-flags.js';

const CERT_DIR_FLAG: FlagSpec = {
  name: 'cert-dir',
  type: 'string',
  default: '/etc/kubernetes/pki',
  description: 'Directory of the cluster PKI; overrides certificatesDir from --config.',
};
const CONFIG_FLAG: FlagSpec = {
  name: 'config',
  type: 'string',
  description:
    "kubeadm configuration file (v1beta3 or v1beta4); its ClusterConfiguration sets the certificate directory, names, key type and validity. kbadm's defaults apply without it.",
};
const KUBECONFIG_FLAG: FlagSpec = {
  name: 'kubeconfig',
  type: 'string',
  default: '/etc/kubernetes/admin.conf',
  description:
    'Kubeconfig for reaching the API server. Accepted for compatibility only: this command works on the files on this machine and does not contact the cluster.',
};
const KUBECONFIG_DIR_FLAG: FlagSpec = {
  name: 'kubeconfig-dir',
  type: 'string',
  default: '/etc/kubernetes',
  description: 'Directory the partial kubeconfig files and their .csr files are written to.',
};
const OUTPUT_FLAGS: FlagSpec[] = [
  {
    name: 'output',
    short: 'o',
    type: 'string',
    default: 'text',
    choices: ['text', 'json', 'yaml'],
    description:
      'Print the tables as text, or the same data as one json or yaml CertificateExpirationInfo object.',
  },
  ...PRINT_COMPAT_FLAGS,
];

/** A subcommand with flags declared as FlagSpecs and an action that gets their values. */
function subcommand(
  name: string,
  summary: string,
  specs: FlagSpec[],
  action: (flags: FlagValues) => Promise<void>,
): Command {
  const cmd = new Command(name).summary(summary).description(summary);
  addFlags(cmd, specs);
  cmd.action(async () => action(readFlags(cmd, specs)));
  return cmd;
}

interface Env {
  host: Host;
  out: Output;
  cfg: CommandConfig;
  pki: PkiStore;
  /** /etc/kubernetes: where kubeadm keeps the kubeconfig files it renews and checks. */
  kubeconfigs: KubeconfigStore;
  now: Date;
}

async function env(
  ctx: CommandContext,
  flags: FlagValues,
  /** `writes`: the command changes the node's files, so it takes the node lock once its input is valid. */
  opts: { quiet?: boolean; addressUnused?: boolean; writes?: boolean } = {},
): Promise<Env> {
  const now = new Date();
  const out = ctx.output({ quiet: opts.quiet ?? false });
  const cfg = await loadCommandConfig(await ctx.host({ out }), out, {
    configPath: flags.string('config'),
    ...(flags.isSet('cert-dir') ? { certDir: flags.string('cert-dir') } : {}),
    addressUnused: opts.addressUnused ?? false,
  });
  const host = await ctx.host({ out, writes: opts.writes ?? false });
  return {
    host,
    out,
    cfg,
    pki: new PkiStore(host, cfg.pkiDir),
    kubeconfigs: new KubeconfigStore(host, host.paths.kubernetesDir),
    now,
  };
}

// ---------------------------------------------------------------------------------------------------
// check-expiration

async function expirationRows(
  e: Env,
): Promise<{ certificates: ExpirationRow[]; certificateAuthorities: ExpirationRow[] }> {
  const localEtcd = e.cfg.config.cluster.etcd.local !== undefined;
  const certificates: ExpirationRow[] = [];
  for (const r of renewableCertificates(localEtcd)) {
    const externallyManaged = await caExternallyManaged(e.pki, caBaseName(r));
    const notAfter = await renewableNotAfter(e, r);
    certificates.push(
      notAfter === undefined
        ? missingRow(r.name)
        : expirationRow(r.name, notAfter, e.now, { caName: r.caName, externallyManaged }),
    );
  }
  const certificateAuthorities: ExpirationRow[] = [];
  for (const ca of expirationCAs(localEtcd)) {
    const cert = await e.pki.cert(ca.baseName);
    if (cert.state === 'invalid') throw new KbadmError(cert.error);
    certificateAuthorities.push(
      cert.state === 'missing'
        ? missingRow(ca.name)
        : expirationRow(ca.name, cert.value.notAfter, e.now, {
            externallyManaged: await caExternallyManaged(e.pki, ca.baseName),
          }),
    );
  }
  return { certificates, certificateAuthorities };
}

/** NotAfter of a PKI certificate or of a kubeconfig's client certificate; undefined when missing. */
async function renewableNotAfter(e: Env, r: RenewableCert): Promise<Date | undefined> {
  if (r.baseName !== undefined) {
    const cert = await e.pki.cert(r.baseName);
    if (cert.state === 'invalid') throw new KbadmError(cert.error);
    return cert.state === 'ok' ? cert.value.notAfter : undefined;
  }
  const file = r.kubeconfigFile!;
  const cfg = await e.kubeconfigs.read(file);
  if (!cfg) return undefined;
  const user = currentUser(cfg);
  const pem = user && userClientCertPem(user);
  if (!pem)
    throw new KbadmError(
      `kubeconfig file ${e.kubeconfigs.shown(file)} does not contain a client certificate`,
    );
  return (await parseCertificatePem(pem)).notAfter;
}

/**
 * Pairs of the tree and kubeconfig files whose private key does not belong to the certificate:
 * such a certificate may be far from expiry and still useless. kubeadm does not look.
 */
async function mismatchedKeys(e: Env): Promise<string[]> {
  const localEtcd = e.cfg.config.cluster.etcd.local !== undefined;
  const renewable = renewableCertificates(localEtcd);
  const bases = [
    ...expirationCAs(localEtcd).map((c) => c.baseName),
    ...renewable.flatMap((r) => (r.baseName === undefined ? [] : [r.baseName])),
  ];
  const problems = await mismatchedPairs(e.pki, bases);
  const ca = await e.pki.cert('ca');
  if (ca.state !== 'ok') return problems;
  for (const r of renewable) {
    if (r.kubeconfigFile === undefined) continue;
    const cfg = await e.kubeconfigs.read(r.kubeconfigFile);
    const problem = cfg && (await clientPairProblem(cfg, ca.value, e.kubeconfigs.shown(r.kubeconfigFile)));
    if (problem) problems.push(problem);
  }
  return problems;
}

function checkExpirationCommand(ctx: CommandContext): Command {
  const cmd = subcommand(
    'check-expiration',
    'Show when each certificate of the control plane expires',
    [CERT_DIR_FLAG, CONFIG_FLAG, KUBECONFIG_FLAG, ...OUTPUT_FLAGS],
    async (flags) => {
      const format = parseOutputFormat(flags.string('output'));
      const e = await env(ctx, flags, { quiet: format !== 'text', addressUnused: true });
      const info = await expirationRows(e);
      for (const problem of await mismatchedKeys(e)) e.out.warn(problem);
      const obj = expirationInfoObject(info);
      const text = renderResult(format, obj, () => formatExpirationTable(info));
      ctx.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    },
  );
  return cmd.description(
    'Lists the certificates in --cert-dir and the client certificates inside the kubeconfig files in /etc/kubernetes, ' +
      'each with its expiry date, the time left, the CA that signed it and whether that CA is external; then the CAs themselves. ' +
      'Missing files are marked as such. Only local files are read.',
  );
}

// ---------------------------------------------------------------------------------------------------
// renew

async function renewOne(e: Env, r: RenewableCert): Promise<void> {
  const outcome = await renewCertificateFiles({ ...e, cluster: e.cfg.config.cluster }, r);
  e.out.print(
    outcome === 'missing'
      ? missingMessage(r)
      : outcome === 'external'
        ? externalCAMessage(r)
        : renewedMessage(r),
  );
}

const RENEW_LONG = (what: string) =>
  `Re-signs ${what} with a new key and a fresh validity period, whatever the current expiry date. ` +
  'Subject, SANs and key usages are copied from the current certificate, so nothing has to be given again. ' +
  'The signing CA is read from --cert-dir, and its private key must be there.\n\n' +
  'Running components keep the old certificate until they restart: restart the control-plane static Pods ' +
  'afterwards, and copy the new file wherever else it is used.';

/** The file a `certs renew <name>` subcommand rewrites, for its help. */
const renewTarget = (r: RenewableCert): string =>
  r.baseName !== undefined ? `${r.baseName}.crt` : `the client certificate in ${r.kubeconfigFile}`;

function renewCommand(ctx: CommandContext): Command {
  const cmd = new Command('renew')
    .summary('Re-sign control-plane certificates with the cluster CAs')
    .description(
      'Issues new certificates from the CAs in --cert-dir. Name one of the certificates below, or "all" for every one. The CAs themselves are not renewed.',
    );
  const flags = [CERT_DIR_FLAG, CONFIG_FLAG, KUBECONFIG_FLAG];
  const all = subcommand('all', 'Renew every certificate the control plane uses', flags, async (f) => {
    const e = await env(ctx, f, { addressUnused: true, writes: true });
    const renewable = renewableCertificates(e.cfg.config.cluster.etcd.local !== undefined);
    // A CA whose key does not match its certificate stops the renewal before anything is replaced.
    await checkCAPairs(e.pki, [...new Set(renewable.map((r) => caBaseName(r)))]);
    for (const r of renewable) await renewOne(e, r);
    e.out.print(`\n${RENEW_ALL_DONE}`);
  });
  all.description(
    RENEW_LONG(
      'every certificate the control plane uses, and the client certificates in its kubeconfig files,',
    ),
  );
  cmd.addCommand(all);
  for (const r of renewableCertificates(true)) {
    const sub = subcommand(r.name, `Renew ${renewTarget(r)}`, flags, async (f) => {
      await renewOne(await env(ctx, f, { addressUnused: true, writes: true }), r);
    });
    sub.description(RENEW_LONG(renewTarget(r)));
    cmd.addCommand(sub);
  }
  return cmd;
}

// ---------------------------------------------------------------------------------------------------
// generate-csr, certificate-key

function generateCsrCommand(ctx: CommandContext): Command {
  const cmd = subcommand(
    'generate-csr',
    'Write keys and signing requests for an external CA to sign',
    [CERT_DIR_FLAG, CONFIG_FLAG, KUBECONFIG_DIR_FLAG],
    async (flags) => {
      const e = await env(ctx, flags, { writes: true });
      const inputs = pkiInputsFromConfig(e.cfg.config.init, e.cfg.config.cluster);
      const kubeconfigDirFlag = flags.string('kubeconfig-dir') || '/etc/kubernetes';
      const kubeconfigDir = userPath(e.host.paths, kubeconfigDirFlag);
      const kubeconfigs = new KubeconfigStore(e.host, kubeconfigDir);
      const specs = kubeconfigSpecs(inputs, e.now);
      // Every target is checked before anything is written, so a refusal leaves no partial set.
      const leaves = await generateLeafCsrs(inputs, e.now);
      for (const l of leaves) {
        if ((await e.pki.exists(`${l.baseName}.key`)) || (await e.pki.exists(`${l.baseName}.csr`)))
          throw new KbadmError(`file already exists: key or CSR ${e.pki.shown(l.baseName)}`);
      }
      for (const s of specs) {
        if (await e.host.exists(kubeconfigs.path(s.fileName)))
          throw new KbadmError(`file already exists: kube config: ${kubeconfigs.shown(s.fileName)}`);
        if (await e.host.exists(kubeconfigs.path(`${s.fileName}.csr`)))
          throw new KbadmError(`file already exists: key or CSR ${kubeconfigs.shown(s.fileName)}`);
      }
      const built = await Promise.all(specs.map((s) => kubeconfigWithCsr(s)));
      e.out.print(`generating keys and CSRs in ${e.cfg.config.cluster.certificatesDir}`);
      for (const l of leaves) {
        e.out.print(`  ${l.baseName}`);
        await writeNew(
          e.host,
          csrFiles(l).map((f) => ({ ...f, path: e.pki.path(f.path) })),
        );
      }
      e.out.print(`generating keys and CSRs in ${kubeconfigDirFlag}`);
      await e.host.mkdir(kubeconfigDir, KUBECONFIG_DIR_MODE);
      for (const [i, s] of specs.entries()) {
        await writeNew(e.host, [
          {
            path: kubeconfigs.path(s.fileName),
            data: serializeKubeconfig(built[i]!.config),
            mode: KUBECONFIG_FILE_MODE,
          },
          { path: kubeconfigs.path(`${s.fileName}.csr`), data: built[i]!.csrPem, mode: KEY_FILE_MODE },
        ]);
        e.out.print(`  ${s.fileName}`);
      }
    },
  );
  cmd.description(
    'For clusters whose CA key is kept outside the cluster (external CA mode). For every certificate the control plane ' +
      'needs, writes a private key and a certificate signing request (<name>.key, <name>.csr) into --cert-dir; for every ' +
      'kubeconfig file, writes into --kubeconfig-dir a partial kubeconfig that holds the private key (client-key-data) and a .csr beside it.\n\n' +
      'Have your CA sign the requests, then save each certificate in PEM next to its key as <name>.crt, and put each ' +
      "kubeconfig's certificate, base64-encoded, into that file's client-certificate-data field. " +
      'Nothing is written when any of the files already exists.',
  );
  cmd.addHelpText(
    'after',
    '\nExamples:\n  # Write every key and request into a staging directory instead of /etc/kubernetes:\n  kbadm certs generate-csr --kubeconfig-dir /tmp/etc-k8s --cert-dir /tmp/etc-k8s/pki\n',
  );
  return cmd;
}

/**
 * A key and its CSR (or a kubeconfig holding the key, and its CSR) as one unit, never over an
 * existing file. CSR files go into a directory created 0700, as kubeadm's CSR writer makes it.
 */
async function writeNew(host: Host, files: readonly { path: string; mode: number; data: string }[]) {
  await host.writeFiles(files.map((f) => ({ ...f, exclusive: true })));
}

function certificateKeyCommand(ctx: CommandContext): Command {
  const cmd = new Command('certificate-key')
    .summary('Print a new random key for --certificate-key')
    .description(
      'Prints 32 random bytes as 64 hex digits, the form --certificate-key takes: the key that encrypts ' +
        'the control-plane certificates "kbadm init --upload-certs" stores in the kubeadm-certs Secret.',
    )
    .action(() => {
      ctx.stdout.write(`${randomBytes(32).toString('hex')}\n`);
    });
  return cmd;
}

export function certsCommand(ctx: CommandContext, name = 'certs'): Command {
  const cmd = new Command(name)
    .summary('Inspect, renew and create the cluster certificates and keys')
    .description(
      'Day-two work on the cluster PKI (/etc/kubernetes/pki) and the kubeconfig files in /etc/kubernetes: ' +
        'check expiry dates, renew certificates, prepare signing requests for an external CA and make certificate keys.',
    );
  cmd.addCommand(certificateKeyCommand(ctx));
  cmd.addCommand(checkExpirationCommand(ctx));
  cmd.addCommand(generateCsrCommand(ctx));
  cmd.addCommand(renewCommand(ctx));
  return cmd;
}

/** kubeadm's alias: `kbadm certificates ...` is `kbadm certs ...`. */
export function certificatesCommand(ctx: CommandContext): Command {
  return certsCommand(ctx, 'certificates');
}
