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
  renewCertificate,
  renewedMessage,
  RENEW_ALL_DONE,
  type RenewableCert,
} from '../certs/renewal.js';
import { CERT_FILE_MODE, KEY_FILE_MODE } from '../certs/specs.js';
import { pkiInputsFromConfig } from '../certs/inputs.js';
import { parseCertificatePem } from '../certs/x509.js';
import { userPath } from '../config/host-facts.js';
import { KbadmError } from '../errors.js';
import type { Host } from '../host/host.js';
import { KUBECONFIG_DIR_MODE, KubeconfigStore } from '../kubeconfig/kubeconfig-files.js';
import {
  currentUser,
  KUBECONFIG_FILE_MODE,
  serializeKubeconfig,
  userClientCertPem,
} from '../kubeconfig/kubeconfig.js';
import {
  clientPairProblem,
  kubeconfigSpecs,
  kubeconfigWithCsr,
  renewKubeconfig,
} from '../kubeconfig/specs.js';
import { parseOutputFormat, renderResult } from '../output/printer.js';
import type { Output } from '../output/output.js';
import { loadCommandConfig, type CommandConfig } from '../phases/command-config.js';
import { addFlags, readFlags, type FlagSpec, type FlagValues } from '../workflow/index.js';
import type { CommandContext } from './context.js';

const CERT_DIR_FLAG: FlagSpec = {
  name: 'cert-dir',
  type: 'string',
  default: '/etc/kubernetes/pki',
  description: 'The path where to save the certificates',
};
const CONFIG_FLAG: FlagSpec = {
  name: 'config',
  type: 'string',
  description: 'Path to a kubeadm configuration file.',
};
const KUBECONFIG_FLAG: FlagSpec = {
  name: 'kubeconfig',
  type: 'string',
  default: '/etc/kubernetes/admin.conf',
  description:
    'The kubeconfig file to use when talking to the cluster. If the flag is not set, a set of standard locations can be searched for an existing kubeconfig file.',
};
const KUBECONFIG_DIR_FLAG: FlagSpec = {
  name: 'kubeconfig-dir',
  type: 'string',
  default: '/etc/kubernetes',
  description: 'The path where to save the kubeconfig file.',
};
const OUTPUT_FLAGS: FlagSpec[] = [
  {
    name: 'output',
    short: 'o',
    type: 'string',
    default: 'text',
    choices: ['text', 'json', 'yaml'],
    description: 'Output format. One of: text|json|yaml.',
  },
  {
    name: 'allow-missing-template-keys',
    type: 'boolean',
    default: true,
    description:
      'If true, ignore any errors in templates when a field or map key is missing in the template. Only applies to golang and jsonpath output formats.',
  },
  {
    name: 'show-managed-fields',
    type: 'boolean',
    description: 'If true, keep the managedFields when printing objects in JSON or YAML format.',
  },
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
  return subcommand(
    'check-expiration',
    'Check certificates expiration for a Kubernetes cluster',
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
}

// ---------------------------------------------------------------------------------------------------
// renew

async function renewOne(e: Env, r: RenewableCert): Promise<void> {
  const cluster = e.cfg.config.cluster;
  const opts = {
    algorithm: cluster.encryptionAlgorithm,
    now: e.now,
    validityMs: cluster.certificateValidityPeriod,
  };
  const exists =
    r.baseName !== undefined
      ? await e.pki.exists(`${r.baseName}.crt`)
      : await e.host.exists(e.kubeconfigs.path(r.kubeconfigFile!));
  if (!exists) {
    e.out.print(missingMessage(r));
    return;
  }
  if (await caExternallyManaged(e.pki, caBaseName(r))) {
    e.out.print(externalCAMessage(r));
    return;
  }
  const ca = await e.pki.certAndKey(caBaseName(r));
  if (r.baseName !== undefined) {
    const old = await e.pki.cert(r.baseName);
    if (old.state !== 'ok')
      throw new KbadmError(old.state === 'invalid' ? old.error : `${r.baseName} is missing`);
    const renewed = await renewCertificate(old.value, ca, opts);
    // One unit: the new key never sits next to the old certificate once the next run has started.
    await e.pki.write(
      [
        { path: `${r.baseName}.key`, mode: KEY_FILE_MODE, data: renewed.key.toPem() },
        { path: `${r.baseName}.crt`, mode: CERT_FILE_MODE, data: renewed.cert.pem },
      ],
      { replace: true },
    );
  } else {
    const file = r.kubeconfigFile!;
    const cfg = await e.kubeconfigs.read(file);
    if (!cfg) throw new KbadmError(`${e.kubeconfigs.shown(file)} is missing`);
    await e.kubeconfigs.write(file, await renewKubeconfig(cfg, ca, opts, e.kubeconfigs.shown(file)));
  }
  e.out.print(renewedMessage(r));
}

const RENEW_LONG = (what: string) =>
  `Renew the ${what}.\n\n` +
  'Renewals run unconditionally, regardless of certificate expiration date; extra attributes such as SANs will ' +
  'be based on the existing file/certificates, there is no need to resupply them.\n\n' +
  'Renewal uses the certificate authority in the local PKI; its key must be present.\n\n' +
  'After renewal, in order to make changes effective, is required to restart control-plane components and ' +
  'eventually re-distribute the renewed certificate in case the file is used elsewhere.';

function renewCommand(ctx: CommandContext): Command {
  const cmd = new Command('renew')
    .summary('Renew certificates for a Kubernetes cluster')
    .description('This command is not meant to be run on its own. See list of available subcommands.');
  const flags = [CERT_DIR_FLAG, CONFIG_FLAG, KUBECONFIG_FLAG];
  const all = subcommand('all', 'Renew all available certificates', flags, async (f) => {
    const e = await env(ctx, f, { addressUnused: true, writes: true });
    const renewable = renewableCertificates(e.cfg.config.cluster.etcd.local !== undefined);
    // A CA whose key does not match its certificate stops the renewal before anything is replaced.
    await checkCAPairs(e.pki, [...new Set(renewable.map((r) => caBaseName(r)))]);
    for (const r of renewable) await renewOne(e, r);
    e.out.print(`\n${RENEW_ALL_DONE}`);
  });
  all.description(RENEW_LONG('known certificates necessary to run the control plane'));
  cmd.addCommand(all);
  for (const r of renewableCertificates(true)) {
    const sub = subcommand(r.name, `Renew the ${r.longName}`, flags, async (f) => {
      await renewOne(await env(ctx, f, { addressUnused: true, writes: true }), r);
    });
    sub.description(RENEW_LONG(r.longName));
    cmd.addCommand(sub);
  }
  return cmd;
}

// ---------------------------------------------------------------------------------------------------
// generate-csr, certificate-key

function generateCsrCommand(ctx: CommandContext): Command {
  const cmd = subcommand(
    'generate-csr',
    'Generate keys and certificate signing requests',
    [CERT_DIR_FLAG, CONFIG_FLAG, KUBECONFIG_DIR_FLAG],
    async (flags) => {
      const e = await env(ctx, flags, { writes: true });
      const inputs = pkiInputsFromConfig(e.cfg.config.init, e.cfg.config.cluster);
      const kubeconfigDirFlag = flags.string('kubeconfig-dir') || '/etc/kubernetes';
      const kubeconfigDir = userPath(e.host, kubeconfigDirFlag);
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
    'Generates keys and certificate signing requests (CSRs) for all the certificates required to run the control plane. ' +
      'This command also generates partial kubeconfig files with private key data in the "users > user > client-key-data" field, ' +
      'and for each kubeconfig file an accompanying ".csr" file is created.\n\n' +
      'This command is designed for use in external CA mode. It generates CSRs which you can then submit to your ' +
      'external certificate authority for signing.\n\n' +
      'The PEM encoded signed certificates should then be saved alongside the key files, using ".crt" as the file ' +
      'extension, or in the case of kubeconfig files, the PEM encoded signed certificate should be base64 encoded ' +
      'and added to the kubeconfig file in the "users > user > client-certificate-data" field.',
  );
  cmd.addHelpText(
    'after',
    '\nExamples:\n  # The following command will generate keys and CSRs for all control-plane certificates and kubeconfig files:\n  kbadm certs generate-csr --kubeconfig-dir /tmp/etc-k8s --cert-dir /tmp/etc-k8s/pki\n',
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
    .summary('Generate certificate keys')
    .description(
      'This command will print out a secure randomly-generated certificate key that can be used with\n' +
        'the "init" command.\n\n' +
        'You can also use "kbadm init --upload-certs" without specifying a certificate key and it will\n' +
        'generate and print one for you.',
    )
    .action(() => {
      ctx.stdout.write(`${randomBytes(32).toString('hex')}\n`);
    });
  return cmd;
}

export function certsCommand(ctx: CommandContext, name = 'certs'): Command {
  const cmd = new Command(name)
    .summary('Commands related to handling Kubernetes certificates')
    .description('Commands related to handling Kubernetes certificates');
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
