// `kbadm kubeconfig user`: a kubeconfig for another user, signed by the cluster CA, on stdout.
import { Command } from 'commander';
import { pkiInputsFromConfig, DEFAULT_CERTIFICATE_VALIDITY_MS } from '../certs/inputs.js';
import { PkiStore } from '../certs/pki-files.js';
import { formatDuration } from '../config/duration.js';
import { KbadmError, ValidationError, errorMessage } from '../errors.js';
import { serializeKubeconfig } from '../kubeconfig/kubeconfig.js';
import { userKubeconfig, userValidityWarning } from '../kubeconfig/specs.js';
import { loadCommandConfig } from '../phases/command-config.js';
import { addFlags, readFlags, type FlagSpec } from '../workflow/index.js';
import type { CommandContext } from './context.js';

const USER_FLAGS: FlagSpec[] = [
  {
    name: 'client-name',
    type: 'string',
    description: 'The name of user. It will be used as the CN if client certificates are created',
  },
  { name: 'config', type: 'string', description: 'Path to a kubeadm configuration file.' },
  {
    name: 'org',
    type: 'strings',
    description:
      'The organizations of the client certificate. It will be used as the O if client certificates are created',
  },
  {
    name: 'token',
    type: 'string',
    description:
      'The token that should be used as the authentication mechanism for this kubeconfig, instead of client certificates',
  },
  {
    name: 'validity-period',
    type: 'duration',
    default: '8760h0m0s',
    description: 'The validity period of the client certificate. It is an offset from the current time.',
  },
];

function userCommand(ctx: CommandContext): Command {
  const cmd = new Command('user')
    .summary('Output a kubeconfig file for an additional user')
    .description('Output a kubeconfig file for an additional user.')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  # Output a kubeconfig file for an additional user named foo\n' +
        '  kbadm kubeconfig user --client-name=foo\n\n' +
        '  # Output a kubeconfig file for an additional user named foo using a kubeadm config file bar\n' +
        '  kbadm kubeconfig user --client-name=foo --config=bar\n',
    );
  addFlags(cmd, USER_FLAGS);
  cmd.action(async () => {
    const flags = readFlags(cmd, USER_FLAGS);
    const clientName = flags.string('client-name');
    if (clientName === '') throw new KbadmError('required flag(s) "client-name" not set');
    const validityMs = flags.duration('validity-period');
    // Go's duration flag takes 0 and negative values; they would sign an already expired certificate.
    if (validityMs <= 0)
      throw new ValidationError([
        {
          field: '--validity-period',
          value: formatDuration(validityMs),
          detail: 'must be greater than zero',
        },
      ]);
    const now = new Date();
    // stdout carries the kubeconfig only; everything else goes to stderr.
    const out = ctx.output({ quiet: true });
    const host = await ctx.host({ out });
    const { config, pkiDir } = await loadCommandConfig(host, out, { configPath: flags.string('config') });
    const warning = userValidityWarning(validityMs, DEFAULT_CERTIFICATE_VALIDITY_MS, formatDuration);
    if (warning) out.warn(warning.replace(/^WARNING: /, ''));

    const store = new PkiStore(host, pkiDir);
    const token = flags.string('token');
    let ca;
    try {
      ca = token !== '' ? { cert: await certOnly(store) } : await store.certAndKey('ca');
    } catch (err) {
      throw new KbadmError(
        `couldn't create a kubeconfig; the CA files couldn't be loaded: ${errorMessage(err)}`,
        { cause: err },
      );
    }
    const kubeconfig = await userKubeconfig(
      pkiInputsFromConfig(config.init, config.cluster),
      { clientName, organizations: flags.strings('org'), token, validityMs, now },
      ca,
    );
    ctx.stdout.write(serializeKubeconfig(kubeconfig));
  });
  return cmd;
}

async function certOnly(store: PkiStore) {
  const cert = await store.cert('ca');
  if (cert.state !== 'ok')
    throw new KbadmError(
      cert.state === 'invalid' ? cert.error : `open ${store.shown('ca.crt')}: no such file or directory`,
    );
  return cert.value;
}

export function kubeconfigCommand(ctx: CommandContext): Command {
  const cmd = new Command('kubeconfig')
    .summary('Kubeconfig file utilities')
    .description('Kubeconfig file utilities.');
  cmd.addCommand(userCommand(ctx));
  return cmd;
}
