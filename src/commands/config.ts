// `kbadm config`: print default configurations, migrate and validate configuration files, and
// list or pull the images a configuration uses.
import { Command, Option } from 'commander';
import { KbadmError } from '../errors.js';
import { criEndpointUnder } from '../host/cri/endpoint.js';
import type { Host } from '../host/host.js';
import { pullImageWithRetries } from '../host/runtime-ops.js';
import { outputOption, parseOutputFormat, renderResult } from '../output/printer.js';
import { KBADM_VERSION } from '../version.js';
import { DEFAULTS, KNOWN_CRI_SOCKETS, type DefaultingFacts } from '../config/defaults.js';
import { readConfigFile } from '../config/config-files.js';
import { gatherDefaultingFacts } from '../host/facts.js';
import { userPath } from '../host/paths.js';
import { imageList } from '../config/images.js';
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

/** The images a configuration needs, in `kubeadm config images list` order. */
export function clusterImages(cluster: ClusterConfiguration): string[] {
  const opts: Parameters<typeof imageList>[0] = {
    imageRepository: cluster.imageRepository,
    kubernetesVersion: cluster.kubernetesVersion,
    dns: {
      disabled: cluster.dns.disabled,
      imageRepository: cluster.dns.imageRepository,
      imageTag: cluster.dns.imageTag,
    },
    proxy: { disabled: cluster.proxy.disabled },
  };
  if (cluster.etcd.local) {
    opts.etcdLocal = {
      imageRepository: cluster.etcd.local.imageRepository,
      imageTag: cluster.etcd.local.imageTag,
    };
  }
  return imageList(opts);
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
    .option('--config <path>', 'Path to a kubeadm configuration file.')
    .option(
      '--feature-gates <gates>',
      'A set of key=value pairs that describe feature gates for various features.',
    )
    .addOption(
      new Option(
        '--image-repository <repository>',
        'Choose a container registry to pull control plane images from',
      ).default(DEFAULTS.imageRepository),
    )
    .addOption(
      new Option(
        '--kubernetes-version <version>',
        'Choose a specific Kubernetes version for the control plane.',
      ).default(KBADM_VERSION),
    );
}

function imagesListCommand(ctx: CommandContext): Command {
  const cmd = new Command('list')
    .summary(
      'Print a list of images kbadm will use. The configuration file is used in case any images or image repositories are customized',
    )
    .description(
      'Print a list of images kbadm will use. The configuration file is used in case any images or image repositories are customized',
    )
    .addOption(outputOption(['text', 'json', 'yaml'], 'text', 'Output format. One of: text|json|yaml.'))
    .option(
      '--allow-missing-template-keys',
      'Ignore errors in templates when a field or map key is missing (accepted for compatibility).',
      true,
    )
    .option(
      '--show-managed-fields',
      'Keep the managedFields when printing objects (accepted for compatibility).',
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
    .summary('Pull images used by kbadm')
    .description('Pull images used by kbadm')
    .option(
      '--cri-socket <socket>',
      'Path to the CRI socket to connect. If empty kbadm will try to auto-detect this value; use this option only if you have more than one CRI installed or if you have non-standard CRI socket.',
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
    .summary('Print configuration')
    .description('This command prints configurations for subcommands provided.');
  const action = (
    name: string,
    render: (opts: { componentConfigs?: string[] }) => Promise<string> | string,
  ): Command => {
    const action = name.replace('-defaults', '');
    const cmd = new Command(name)
      .summary(`Print default ${action} configuration, that can be used for 'kbadm ${action}'`)
      .description(
        `This command prints objects such as the default ${action} configuration that is used for 'kbadm ${action}'.\n\nNote that sensitive values like the Bootstrap Token fields are replaced with placeholder values like "abcdef.0123456789abcdef" in order to pass validation but\nnot perform the real computation for creating a token.`,
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
        `A comma-separated list for component config API objects to print the default values for. Available values: [${COMPONENT_CONFIG_KINDS.join(' ')}]. If this flag is not set, no component configs will be printed.`,
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
    .summary(
      'Read an older version of the kubeadm configuration API types from a file, and output the similar config object for the newer version',
    )
    .description(
      `This command lets you convert configuration objects of older versions to the latest supported version,
locally in the CLI tool without ever touching anything in the cluster.
In this version of kbadm, the following API versions are supported:
- kubeadm.k8s.io/v1beta4

Further, kbadm can only write out config of version "kubeadm.k8s.io/v1beta4", but read both types.
So regardless of what version you pass to the --old-config parameter here, the API object will be
read, deserialized, defaulted, converted, validated, and re-serialized when written to stdout or
--new-config if specified.`,
    )
    .option(
      '--old-config <path>',
      'Path to the kubeadm config file that is using an old API version and should be converted. This flag is mandatory.',
    )
    .option(
      '--new-config <path>',
      'Path to the resulting equivalent kubeadm config file using the new API version. Optional, if not specified output will be sent to STDOUT.',
    )
    .option('--allow-experimental-api', 'Allow migration to experimental, unreleased APIs.', false)
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
    .summary('Read a file containing the kubeadm configuration API and report any validation problems')
    .description(
      `This command lets you validate a kubeadm configuration API file and report any warnings and errors.
If there are no errors the exit status will be zero, otherwise it will be non-zero.
Any unmarshaling problems such as unknown API fields will trigger errors. Unknown API versions and
fields with invalid values will also trigger errors. Any other errors or warnings may be reported
depending on contents of the input file.

In this version of kbadm, the following API versions are supported:
- kubeadm.k8s.io/v1beta4`,
    )
    .option('--config <path>', 'Path to a kubeadm configuration file.')
    .option('--allow-experimental-api', 'Allow validation of experimental, unreleased APIs.', false)
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
    .summary('Manage configuration for a kubeadm cluster persisted in a ConfigMap in the cluster')
    .description(
      `There is a ConfigMap in the kube-system namespace called "kubeadm-config" that kbadm uses to store internal configuration about the
cluster. kbadm automatically creates this ConfigMap with the config used with 'kbadm init'.
This is required so that 'kbadm upgrade' can configure your upgraded cluster correctly.`,
    )
    .addOption(
      new Option(
        '--kubeconfig <path>',
        'The kubeconfig file to use when talking to the cluster. If the flag is not set, a set of standard locations can be searched for an existing kubeconfig file.',
      ).default('/etc/kubernetes/admin.conf'),
    );
  cmd.addCommand(printCommand(ctx));
  cmd.addCommand(migrateCommand(ctx));
  cmd.addCommand(validateCommand(ctx));
  const images = new Command('images')
    .summary('Interact with container images used by kbadm')
    .description('Interact with container images used by kbadm');
  images.addCommand(imagesListCommand(ctx));
  images.addCommand(imagesPullCommand(ctx));
  cmd.addCommand(images);
  return cmd;
}
