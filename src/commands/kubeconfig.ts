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
    description:
      "The user's name (required): the client certificate's common name, which RBAC takes as the user name.",
  },
  {
    name: 'config',
    type: 'string',
    description:
      "kubeadm configuration file (v1beta3 or v1beta4); its ClusterConfiguration gives the API server address, cluster name and CA location. kbadm's defaults apply without it.",
  },
  {
    name: 'org',
    type: 'strings',
    description:
      "Groups of the user: the client certificate's organizations, which RBAC takes as group names; comma-separated or repeated.",
  },
  {
    name: 'token',
    type: 'string',
    description:
      'Put this bearer token into the kubeconfig instead of a client certificate; the CA key is then not needed.',
  },
  {
    name: 'validity-period',
    type: 'duration',
    default: '8760h0m0s',
    description:
      'How long the client certificate stays valid, counted from now (e.g. 720h); longer than the default draws a warning.',
  },
];

function userCommand(ctx: CommandContext): Command {
  const cmd = new Command('user')
    .summary('Print a kubeconfig for another user, signed by the cluster CA')
    .description(
      'Prints to standard output a kubeconfig for the user --client-name, pointing at the cluster API server and ' +
        'authenticating with a new client certificate signed by ca.crt and ca.key (or with --token). ' +
        'What the user may do is up to RBAC bindings for that name and its --org groups.',
    )
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  # A kubeconfig for jane, saved to a file she can use with kubectl\n' +
        '  kbadm kubeconfig user --client-name=jane > jane.conf\n\n' +
        '  # The same for a member of the ops group, with the cluster settings from a configuration file\n' +
        '  kbadm kubeconfig user --client-name=jane --org=ops --config=cluster.yaml\n',
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
    .summary('Write kubeconfig files for additional users')
    .description(
      'Make kubeconfig files for people and tools that need their own credentials for the cluster.',
    );
  cmd.addCommand(userCommand(ctx));
  return cmd;
}
