// `kbadm token create|list|delete|generate`: bootstrap tokens kept as Secrets in kube-system.
import { Command } from 'commander';
import type { ClusterClient } from '../cluster/types.js';
import { readConfigFile } from '../config/config-files.js';
import { validateMixedArguments } from '../config/flags.js';
import type { BootstrapToken } from '../config/model.js';
import { resolveInitConfig } from '../config/resolve.js';
import { errorMessage, KbadmError, ValidationError } from '../errors.js';
import type { Host } from '../host/host.js';
import type { Output } from '../output/output.js';
import { parseOutputFormat } from '../output/printer.js';
import { updateOrCreateTokens } from '../phases/bootstrap-tokens.js';
import { goQuote } from '../config/validation/go-compat.js';
import {
  BOOTSTRAP_TOKEN_NAMESPACE,
  BOOTSTRAP_TOKEN_SECRET_TYPE,
  bootstrapTokenFromSecret,
  bootstrapTokenSecretName,
  validateTokenOptions,
} from '../tokens/bootstrap-secret.js';
import { joinCommand, joinFacts, singleLine } from '../tokens/join-command.js';
import {
  BOOTSTRAP_TOKEN_PATTERN,
  generateBootstrapToken,
  isValidTokenID,
  parseBootstrapToken,
} from '../tokens/token-format.js';
import { tokenDocument, tokenTableChunk } from '../tokens/token-table.js';
import { addFlags, readFlags, type FlagSpec, type FlagValues } from '../workflow/index.js';
import type { CommandContext } from './context.js';
import { ADMIN_CONF, searchKubeconfig } from './kubeconfig-search.js';
import { PRINT_COMPAT_FLAGS } from './print-compat-flags.js';

const TOKEN_ID_PATTERN = '\\A([a-z0-9]{6})\\z';
/** Secrets per list request: bounded pages, however many tokens a cluster holds. */
export const TOKEN_LIST_PAGE_SIZE = 500;

const TOKEN_FLAGS: FlagSpec[] = [
  {
    name: 'kubeconfig',
    type: 'string',
    default: ADMIN_CONF,
    description:
      'Credentials and address of the API server to work on, read under --rootfs. An empty value looks at $KUBECONFIG, then ~/.kube/config, then admin.conf.',
  },
  {
    name: 'dry-run',
    type: 'boolean',
    description: 'Show the requests that would change the cluster and send none of them.',
  },
];

const CREATE_FLAGS: FlagSpec[] = [
  {
    name: 'config',
    type: 'string',
    description:
      'kubeadm configuration file (v1beta3 or v1beta4): every entry of InitConfiguration.bootstrapTokens is stored, and the first one printed. Takes the place of the token flags.',
  },
  {
    name: 'print-join-command',
    type: 'boolean',
    description:
      "Print a complete, one-line 'kbadm join' command for a new worker, with this token and the CA pins from --kubeconfig, instead of the bare token.",
  },
  {
    name: 'certificate-key',
    type: 'string',
    description:
      'Only with --print-join-command: the printed command joins a control-plane node, which fetches the uploaded control-plane certificates with this key.',
  },
  {
    name: 'ttl',
    type: 'duration',
    default: '24h0m0s',
    description: 'Lifetime of the token from now on (e.g. 30m, 12h); 0 gives a token that never expires.',
  },
  {
    name: 'usages',
    type: 'strings',
    default: ['signing', 'authentication'],
    description:
      'What the token may do: signing (sign the cluster-info ConfigMap for discovery) and/or authentication (log in to the API server). Comma-separated or repeated.',
  },
  {
    name: 'groups',
    type: 'strings',
    default: ['system:bootstrappers:kubeadm:default-node-token'],
    description:
      'Groups, besides system:bootstrappers, that the token logs in as; each must start with system:bootstrappers: and requires the authentication usage.',
  },
  {
    name: 'description',
    type: 'string',
    description: 'Free text kept with the token, shown by "kbadm token list".',
  },
];

const LIST_FLAGS: FlagSpec[] = [
  {
    name: 'output',
    short: 'o',
    type: 'string',
    default: 'text',
    choices: ['text', 'json', 'yaml'],
    description:
      'Print a table, or each token as an output.kubeadm.k8s.io/v1alpha3 BootstrapToken in json or yaml.',
  },
  ...PRINT_COMPAT_FLAGS,
];

/** The parent's --kubeconfig and --dry-run, read from whichever subcommand runs. */
function parentFlags(cmd: Command): FlagValues {
  return readFlags(cmd.parent!, TOKEN_FLAGS);
}

interface Session {
  host: Host;
  out: Output;
  /** --kubeconfig under --rootfs. */
  kubeconfig: string;
  dryRun: boolean;
}

async function session(ctx: CommandContext, cmd: Command, out: Output): Promise<Session> {
  const flags = parentFlags(cmd);
  const host = await ctx.host({ out });
  return {
    host,
    out,
    kubeconfig: await searchKubeconfig(ctx.env, host, flags.string('kubeconfig')),
    dryRun: flags.boolean('dry-run'),
  };
}

async function withCluster<T>(
  ctx: CommandContext,
  s: Session,
  fn: (cluster: ClusterClient) => Promise<T>,
): Promise<T> {
  const cluster = await ctx.cluster(s.kubeconfig, { dryRun: s.dryRun, out: s.out });
  try {
    return await fn(cluster);
  } finally {
    cluster.close();
  }
}

// ---------------------------------------------------------------------------------------------------
// create

/** The tokens to store: the --config file's, or one from the argument and flags. */
/** timeouts.kubernetesAPICall's default: how long a failed write is retried. */
const API_CALL_TIMEOUT_MS = 60_000;

async function tokensToCreate(
  s: Session,
  flags: FlagValues,
  tokenArg: string | undefined,
): Promise<BootstrapToken[]> {
  const configPath = flags.string('config');
  if (configPath !== '') {
    const facts = await s.host.facts();
    const r = resolveInitConfig({
      configText: await readConfigFile(s.host, configPath),
      source: configPath,
      flags: {},
      // Only the tokens are used: no CRI socket detection, and any address will do.
      facts: {
        hostname: facts.hostname,
        defaultRouteAddress: facts.defaultRouteAddress ?? '127.0.0.1',
        criSocketsPresent: [],
      },
      defaulting: { skipCRIDetect: true },
    });
    for (const w of r.warnings) s.out.warn(w);
    return r.config.init.bootstrapTokens;
  }
  if (tokenArg !== undefined && !parseBootstrapToken(tokenArg)) {
    // Left out of the message: a mistyped token may be one character away from a real one.
    throw new ValidationError([
      {
        field: 'token argument',
        detail: `the bootstrap token was not of the form ${goQuote(BOOTSTRAP_TOKEN_PATTERN)}`,
      },
    ]);
  }
  const token: BootstrapToken = {
    token: tokenArg ?? generateBootstrapToken(),
    description: flags.string('description'),
    ttl: flags.duration('ttl'),
    usages: flags.strings('usages'),
    groups: flags.strings('groups'),
  };
  validateTokenOptions(token, { usages: '--usages', groups: '--groups', ttl: '--ttl' });
  return [token];
}

/**
 * The endpoint and CA pins for --print-join-command, read before anything is stored so that an
 * unusable kubeconfig leaves no token behind.
 */
async function joinFactsOf(s: Session): Promise<ReturnType<typeof joinFacts>> {
  const shown = s.host.paths.onHost(s.kubeconfig);
  try {
    const text = await s.host.readFileIfExists(s.kubeconfig);
    if (text === undefined)
      throw new KbadmError(`failed to load kubeconfig: open ${shown}: no such file or directory`);
    return joinFacts(text.toString('utf8'), shown);
  } catch (err) {
    throw new KbadmError(`failed to get join command: ${errorMessage(err)}`, { cause: err });
  }
}

function createCommand(ctx: CommandContext): Command {
  const cmd = new Command('create')
    .summary('Store a new bootstrap token in the cluster and print it')
    .description(
      'Stores a bootstrap token as a Secret in kube-system and prints it. Without [token] a random one is made ' +
        '(node:crypto). --ttl, --usages, --groups and --description set its lifetime and powers, or --config ' +
        'takes all of them from the bootstrapTokens of a configuration file. Fails when a token with the same ID exists.',
    )
    .argument(
      '[token]',
      'The token to store, <6 of [a-z0-9]>.<16 of [a-z0-9]>; leave it out for a random one.',
    )
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  # A token for one more worker, valid for two hours, with its join command\n' +
        '  kbadm token create --ttl 2h --print-join-command\n',
    );
  addFlags(cmd, CREATE_FLAGS);
  cmd.action(async (tokenArg: string | undefined) => {
    const flags = readFlags(cmd, CREATE_FLAGS);
    const parent = parentFlags(cmd);
    if (flags.isSet('config')) validateMixedArguments([...flags.setNames(), ...parent.setNames()]);
    const certificateKey = flags.string('certificate-key');
    const printJoin = flags.boolean('print-join-command');
    // Checked before anything is stored (kubeadm stores the token first, then refuses to print it).
    if (certificateKey !== '' && !printJoin) {
      throw new KbadmError('cannot use --certificate-key without --print-join-command');
    }
    const s = await session(ctx, cmd, ctx.output());
    const tokens = await tokensToCreate(s, flags, tokenArg);
    const facts = printJoin ? await joinFactsOf(s) : undefined;
    await withCluster(ctx, s, (cluster) =>
      updateOrCreateTokens(cluster, tokens, {
        failIfExists: true,
        now: new Date(),
        timeoutMs: API_CALL_TIMEOUT_MS,
      }),
    );
    const token = tokens[0]!.token;
    if (!facts) return s.out.print(token);
    const controlPlane = certificateKey !== '';
    const join = joinCommand({ ...facts, token, controlPlane, ...(controlPlane ? { certificateKey } : {}) });
    s.out.print(singleLine(join));
  });
  return cmd;
}

// ---------------------------------------------------------------------------------------------------
// list

function listCommand(ctx: CommandContext): Command {
  const cmd = new Command('list')
    .summary('Show the bootstrap tokens stored in the cluster')
    .description(
      'Prints every bootstrap token Secret in kube-system: the token, time left, expiry, usages, description and ' +
        'extra groups. Secrets that hold no usable token are named on standard error and skipped.',
    );
  addFlags(cmd, LIST_FLAGS);
  cmd.action(async () => {
    const flags = readFlags(cmd, LIST_FLAGS);
    const format = parseOutputFormat(flags.string('output'));
    const s = await session(ctx, cmd, ctx.output({ quiet: format !== 'text' }));
    const now = new Date();
    await withCluster(ctx, s, async (cluster) => {
      const secrets = cluster.list('v1', 'Secret', {
        namespace: BOOTSTRAP_TOKEN_NAMESPACE,
        fieldSelector: `type=${BOOTSTRAP_TOKEN_SECRET_TYPE}`,
        limit: TOKEN_LIST_PAGE_SIZE,
      });
      let printed = 0;
      try {
        for await (const secret of secrets) {
          let info;
          try {
            info = bootstrapTokenFromSecret(secret);
          } catch (err) {
            s.out.stderrLine(errorMessage(err));
            continue;
          }
          // Printed as it comes, page by page: a cluster with many tokens needs no buffer.
          ctx.stdout.write(
            format === 'text'
              ? tokenTableChunk(info, now, printed === 0)
              : tokenDocument(format as 'json' | 'yaml', info, printed),
          );
          printed++;
        }
      } catch (err) {
        throw new KbadmError(`failed to list bootstrap tokens: ${errorMessage(err)}`, { cause: err });
      }
    });
  });
  return cmd;
}

// ---------------------------------------------------------------------------------------------------
// delete

function deleteCommand(ctx: CommandContext): Command {
  const cmd = new Command('delete')
    .summary('Remove bootstrap tokens from the cluster')
    .description(
      'Deletes the Secret of each token given, by its full value or by its 6-character ID. Nodes that already ' +
        'joined keep working; the token just cannot be used again.',
    )
    .argument('[token-value...]', 'Tokens (<id>.<secret>) or token IDs (<id>) to delete.');
  cmd.action(async (values: string[]) => {
    if (values.length === 0) {
      throw new KbadmError(
        `missing argument; 'token delete' is missing token of form ${goQuote(BOOTSTRAP_TOKEN_PATTERN)} or ${goQuote(TOKEN_ID_PATTERN)}`,
      );
    }
    // Every value is checked before the first deletion.
    const ids = values.map((v) => {
      const id = isValidTokenID(v) ? v : parseBootstrapToken(v)?.id;
      if (id === undefined) {
        throw new KbadmError(
          `given token didn't match pattern ${goQuote(BOOTSTRAP_TOKEN_PATTERN)} or ${goQuote(TOKEN_ID_PATTERN)}`,
        );
      }
      return id;
    });
    const s = await session(ctx, cmd, ctx.output());
    await withCluster(ctx, s, async (cluster) => {
      for (const id of ids) {
        const name = bootstrapTokenSecretName(id);
        let deleted: boolean;
        try {
          deleted = await cluster.delete({
            apiVersion: 'v1',
            kind: 'Secret',
            namespace: BOOTSTRAP_TOKEN_NAMESPACE,
            name,
          });
        } catch (err) {
          throw new KbadmError(`failed to delete bootstrap token "${id}": ${errorMessage(err)}`, {
            cause: err,
          });
        }
        if (!deleted)
          throw new KbadmError(`failed to delete bootstrap token "${id}": secrets "${name}" not found`);
        s.out.print(`bootstrap token "${id}" deleted`);
      }
    });
  });
  return cmd;
}

// ---------------------------------------------------------------------------------------------------
// generate

function generateCommand(ctx: CommandContext): Command {
  return new Command('generate')
    .summary('Print a new random bootstrap token without storing it')
    .description(
      'Prints a random token in the bootstrap token form, made with node:crypto, and contacts no cluster. ' +
        'Hand it to "kbadm init --token" or "kbadm token create" later; any string of that form works as well.',
    )
    .action(() => {
      ctx.stdout.write(`${generateBootstrapToken()}\n`);
    });
}

export function tokenCommand(ctx: CommandContext): Command {
  const cmd = new Command('token')
    .summary('Create, list and delete the bootstrap tokens that let nodes join')
    .description(
      'A bootstrap token (<id>.<secret>, 6 and 16 characters of [a-z0-9]) is a Secret named bootstrap-token-<id> in ' +
        'kube-system. A joining node uses it twice: to check that the cluster-info it downloads was signed by ' +
        'someone holding the token (usage "signing"), and to log in once to request its kubelet certificate ' +
        '(usage "authentication"). Treat the secret half like a password.',
    );
  addFlags(cmd, TOKEN_FLAGS);
  cmd.addCommand(createCommand(ctx));
  cmd.addCommand(deleteCommand(ctx));
  cmd.addCommand(generateCommand(ctx));
  cmd.addCommand(listCommand(ctx));
  return cmd;
}
