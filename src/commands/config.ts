// `kbadm config`: print default configurations, migrate and validate configuration files, and
// list or pull the images a configuration uses.
import { Command, Option } from 'commander';
import { KbadmError } from '../errors.js';
import { criEndpointUnder } from '../host/cri/endpoint.js';
import type { Host } from '../host/host.js';
import { pullImageWithRetries, PULL_IMAGE_RETRIES } from '../host/runtime-ops.js';
import { outputOption, parseOutputFormat, renderResult } from '../output/printer.js';
import { KBADM_VERSION } from '../version.js';
import { DEFAULTS, KNOWN_CRI_SOCKETS, type DefaultingFacts } from '../config/defaults.js';
import { readConfigFile } from '../config/config-files.js';
import { gatherDefaultingFacts } from '../host/facts.js';
import { userPath } from '../host/paths.js';
import { clusterImages } from '../config/images.js';
import { decodeConfig, loadAllConfig } from '../config/load.js';
import type { ClusterConfiguration } from '../config/model.js';
import {
  COMPONENT_CONFIG_KINDS,
  migrateConfig,
  printInitDefaults,
  printJoinDefaults,
  printResetDefaults,
  printUpgradeDefaults,
} from '../config/print.js';
import { resolveInitConfig } from '../config/resolve.js';
import type { CommandContext } from './context.js';

export const IMAGES_OUTPUT_API_VERSION = 'output.kubeadm.k8s.io/v1alpha3';

interface ImageFlags {
  config?: string;
  featureGates?: string;
  imageRepository: string;
  kubernetesVersion: string;
  criSocket?: string;
}

function warnAll(ctx: CommandContext, warnings: readonly string[], quiet = false): void {
  const out = ctx.output({ quiet });
  for (const w of warnings) out.warn(w);
}

/** Init configuration for `config images`: the file when given (flags are then ignored, as in kubeadm), else the flags. */
async function imagesConfig(
  ctx: CommandContext,
  host: Host,
  cmd: Command,
  flags: ImageFlags,
  skipCRIDetect: boolean,
  quiet: boolean,
): Promise<{ cluster: ClusterConfiguration; criSocket: string }> {
  const facts: DefaultingFacts = await gatherDefaultingFacts(host, KNOWN_CRI_SOCKETS);
  const set: Record<string, unknown> = {};
  const fromCli = (key: string): boolean => cmd.getOptionValueSource(key) === 'cli';
  // Defaults stand in for unset flags, as kubeadm's flag defaults do.
  set['kubernetes-version'] = flags.kubernetesVersion;
  set['image-repository'] = flags.imageRepository;
  if (flags.featureGates !== undefined) set['feature-gates'] = flags.featureGates;
  if (flags.criSocket !== undefined && fromCli('criSocket')) set['cri-socket'] = flags.criSocket;
  const r =
    flags.config !== undefined
      ? resolveInitConfig({
          configText: await readConfigFile(host, flags.config),
          source: flags.config,
          flags: {},
          facts,
          defaulting: { skipCRIDetect },
        })
      : resolveInitConfig({ flags: set, facts, defaulting: { skipCRIDetect } });
  warnAll(ctx, r.warnings, quiet);
  return { cluster: r.config.cluster, criSocket: r.config.init.nodeRegistration.criSocket };
}

function imagesCommonFlags(cmd: Command): Command {
  return cmd
    .option(
      '--config <path>',
      'kubeadm configuration file (v1beta3 or v1beta4) whose ClusterConfiguration decides the images; the other flags are then ignored.',
    )
    .option(
      '--feature-gates <gates>',
      'kubeadm feature gates as Name=true|false pairs, comma-separated ("kbadm init --help" lists them).',
    )
    .addOption(
      new Option(
        '--image-repository <repository>',
        'Registry, with an optional path, the images are taken from; point it at a mirror for offline installs.',
      ).default(DEFAULTS.imageRepository),
    )
    .addOption(
      new Option(
        '--kubernetes-version <version>',
        "Kubernetes release whose images are meant, e.g. v1.34.1; labels such as stable-1 fall back to kbadm's own release.",
      ).default(KBADM_VERSION),
    );
}

function imagesListCommand(ctx: CommandContext): Command {
  const cmd = new Command('list')
    .summary('List the container images a cluster with this configuration runs')
    .description(
      'Prints, one per line, the images init would deploy: kube-apiserver, kube-controller-manager, kube-scheduler, ' +
        'kube-proxy, CoreDNS, pause and etcd, with the registry, versions and overrides taken from --config or the flags. ' +
        'Disabled add-ons and an external etcd leave their images out.',
    )
    .addOption(
      outputOption(
        ['text', 'json', 'yaml'],
        'text',
        'Print one image per line (text), or one json or yaml Images object.',
      ),
    )
    .option(
      '--allow-missing-template-keys',
      'Accepted for compatibility with kubeadm scripts; kbadm has no template output, so it changes nothing.',
      true,
    )
    .option(
      '--show-managed-fields',
      'Accepted for compatibility with kubeadm scripts; the printed object has no managedFields to keep.',
      false,
    );
  imagesCommonFlags(cmd);
  cmd.action(async (flags: ImageFlags & { output: string }) => {
    const format = parseOutputFormat(flags.output);
    const host = await ctx.host();
    const { cluster } = await imagesConfig(ctx, host, cmd, flags, true, format !== 'text');
    const images = clusterImages(cluster);
    if (format !== 'text') {
      const result = { kind: 'Images', apiVersion: IMAGES_OUTPUT_API_VERSION, images };
      ctx.stdout.write(`${renderResult(format, result, () => '')}\n`);
    } else {
      ctx.stdout.write(`${images.join('\n')}\n`);
    }
  });
  return cmd;
}

function imagesPullCommand(ctx: CommandContext): Command {
  const cmd = new Command('pull')
    .summary('Pull the images of "config images list" into the container runtime')
    .description(
      'Pulls each image that "kbadm config images list" names into the container runtime, over its CRI socket, ' +
        `trying each up to ${PULL_IMAGE_RETRIES} times, and stops at the first one that cannot be pulled.`,
    )
    .option(
      '--cri-socket <socket>',
      "Container runtime's CRI endpoint to pull through, e.g. unix:///var/run/crio/crio.sock. Default: the one of containerd, CRI-O or cri-dockerd that answers on its usual socket under /var/run; containerd's when none does; an error when several do.",
    );
  imagesCommonFlags(cmd);
  cmd.action(async (flags: ImageFlags) => {
    const host = await ctx.host();
    const { cluster, criSocket } = await imagesConfig(ctx, host, cmd, flags, false, false);
    const out = ctx.output();
    // Like kubeadm, every image is pulled whatever the pull policy, one at a time.
    const runtime = await host.runtime(criEndpointUnder(host.paths, criSocket));
    try {
      for (const image of clusterImages(cluster)) {
        try {
          await pullImageWithRetries(runtime, image);
        } catch (err) {
          throw new KbadmError(`failed to pull image ${JSON.stringify(image)}: ${(err as Error).message}`, {
            cause: err,
          });
        }
        out.progress('config/images', `Pulled ${image}`);
      }
    } finally {
      runtime.close();
    }
  });
  return cmd;
}

function printCommand(ctx: CommandContext): Command {
  const print = new Command('print')
    .summary('Print default configuration files for init, join, reset or upgrade')
    .description(
      'Prints kubeadm configuration documents (v1beta4) filled with the defaults, as a starting point for a --config file.',
    );
  const action = (
    name: string,
    render: (opts: { componentConfigs?: string[] }) => Promise<string> | string,
  ): Command => {
    const action = name.replace('-defaults', '');
    const cmd = new Command(name)
      .summary(`Print the default configuration of "kbadm ${action}"`)
      .description(
        `Prints, as v1beta4 YAML, the configuration "kbadm ${action}" uses when it gets no --config, to start a file from.\n\n` +
          'Values that depend on the machine or must stay secret are placeholders (a bootstrap token, for one, reads ' +
          'abcdef.0123456789abcdef): the output validates, but replace them before use.',
      )
      .action(async (opts: { componentConfigs?: string[] }) => {
        ctx.stdout.write(await render(opts));
      });
    return cmd;
  };
  print.addCommand(
    action('init-defaults', (o) => printInitDefaults(o.componentConfigs ?? [])).addOption(
      new Option(
        '--component-configs <kinds>',
        `Also print the defaults of these component configurations, comma-separated: ${COMPONENT_CONFIG_KINDS.join(', ')}. None are printed without it.`,
      ).argParser((v: string, prev: string[] | undefined) => [
        ...(prev ?? []),
        ...v.split(',').filter((s) => s !== ''),
      ]),
    ),
  );
  print.addCommand(
    action('join-defaults', async () => {
      const host = await ctx.host();
      return printJoinDefaults((await host.facts()).hostname);
    }),
  );
  print.addCommand(action('reset-defaults', () => printResetDefaults()));
  print.addCommand(action('upgrade-defaults', () => printUpgradeDefaults()));
  return print;
}

function migrateCommand(ctx: CommandContext): Command {
  return new Command('migrate')
    .summary('Convert a kubeadm configuration file to the newest API version, v1beta4')
    .description(
      'Reads every kubeadm document of --old-config (kubeadm.k8s.io/v1beta3 or v1beta4), fills in defaults, validates it ' +
        'and writes it out again as kubeadm.k8s.io/v1beta4: to --new-config, or to standard output. ' +
        'The result is what kbadm itself works with when given the old file. ' +
        'Component configurations (KubeletConfiguration, KubeProxyConfiguration) are left out. Nothing outside the files is touched.',
    )
    .option('--old-config <path>', 'The file to convert (required).')
    .option('--new-config <path>', 'Where to write the converted file; standard output when left out.')
    .option(
      '--allow-experimental-api',
      'Also accept API versions that are not released yet. This release knows none, so it changes nothing.',
      false,
    )
    .action(async (opts: { oldConfig?: string; newConfig?: string }) => {
      if (!opts.oldConfig) throw new KbadmError('the --old-config flag is mandatory');
      const host = await ctx.host();
      const text = await readConfigFile(host, opts.oldConfig);
      const facts = await gatherDefaultingFacts(host, KNOWN_CRI_SOCKETS);
      const r = migrateConfig(text, { source: opts.oldConfig, facts });
      warnAll(ctx, r.warnings);
      if (!opts.newConfig) {
        ctx.stdout.write(r.text);
        return;
      }
      try {
        await host.writeFile(userPath(host.paths, opts.newConfig), r.text, 0o644);
      } catch (e) {
        throw new KbadmError(`failed to write the new configuration to the file "${opts.newConfig}"`, {
          cause: e,
        });
      }
    });
}

function validateCommand(ctx: CommandContext): Command {
  return new Command('validate')
    .summary('Check a kubeadm configuration file and report every problem in it')
    .description(
      'Loads --config strictly, the way init and join would: unknown fields, unknown API versions or kinds and invalid values ' +
        'are errors, each named by its field path and line; warnings are printed too. ' +
        'Prints "ok" and exits 0 for a valid file, exits 3 otherwise.\n\n' +
        'Accepted API versions: kubeadm.k8s.io/v1beta3 and kubeadm.k8s.io/v1beta4.',
    )
    .option('--config <path>', 'The file to check (required).')
    .option(
      '--allow-experimental-api',
      'Also accept API versions that are not released yet. This release knows none, so it changes nothing.',
      false,
    )
    .action(async (opts: { config?: string }) => {
      if (!opts.config) throw new KbadmError('the --config flag is mandatory');
      const host = await ctx.host();
      const text = await readConfigFile(host, opts.config);
      const facts = await gatherDefaultingFacts(host, KNOWN_CRI_SOCKETS);
      // kubeadm stats a discovery file here; look it up on the host before the pure validation.
      const discoveryFile = decodeConfig(text, { source: opts.config, strict: true }).documents.join
        ?.discovery.file?.kubeConfigPath;
      const present =
        discoveryFile !== undefined && (await host.exists(userPath(host.paths, discoveryFile)))
          ? discoveryFile
          : undefined;
      const r = loadAllConfig(text, {
        source: opts.config,
        strict: true,
        facts,
        defaulting: { skipCRIDetect: true },
        command: 'validate',
        validation: { fileExists: (p) => p === present },
      });
      warnAll(ctx, r.warnings);
      ctx.stdout.write('ok\n');
    });
}

export function configCommand(ctx: CommandContext): Command {
  const cmd = new Command('config')
    .summary('Print, convert and check kubeadm configuration files; list or pull images')
    .description(
      'Tools for the kubeadm configuration API (kubeadm.k8s.io/v1beta3 and v1beta4): print defaults to start a file from, ' +
        'convert an old file to v1beta4, validate a file, and list or pull the images a configuration needs. ' +
        'Every subcommand works on local files.',
    )
    .addOption(
      new Option(
        '--kubeconfig <path>',
        'Kubeconfig for reaching the API server. The current subcommands work on local files and do not use it.',
      ).default('/etc/kubernetes/admin.conf'),
    );
  cmd.addCommand(printCommand(ctx));
  cmd.addCommand(migrateCommand(ctx));
  cmd.addCommand(validateCommand(ctx));
  const images = new Command('images')
    .summary('List or pull the container images a cluster needs')
    .description('List or pull the container images a cluster needs');
  images.addCommand(imagesListCommand(ctx));
  images.addCommand(imagesPullCommand(ctx));
  cmd.addCommand(images);
  return cmd;
}
