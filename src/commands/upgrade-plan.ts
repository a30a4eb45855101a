// `kbadm upgrade plan [version]`: checks the cluster's health, reads its versions and prints the
// upgrades kbadm can carry out, as kubeadm's plan does; only the health-check Job is created. The
// `upgrade` command that holds this subcommand is assembled elsewhere.
import { Command } from 'commander';
import { readConfigFile } from '../config/config-files.js';
import { validateMixedArguments } from '../config/flags.js';
import { COREDNS_VERSION, pauseImage } from '../config/images.js';
import {
  formatVersion,
  parseKubernetesVersion,
  parseKubernetesVersionOrError,
  type KubeVersion,
} from '../config/k8s-version.js';
import { loadUpgradeConfig } from '../config/load.js';
import type { ClusterConfiguration } from '../config/model.js';
import { KbadmError, ValidationError } from '../errors.js';
import type { Host } from '../host/host.js';
import type { Output } from '../output/output.js';
import { parseOutputFormat } from '../output/printer.js';
import type { ClusterClient } from '../cluster/types.js';
import { readUpgradeClusterState } from '../phases/upgrade/cluster-state.js';
import { upgradeHealthChecks } from '../phases/upgrade/health-checks.js';
import { printUsedConfiguration } from '../phases/upgrade/print-config.js';
import { createNodeProbe } from '../preflight/preflight-files.js';
import { ignoreSet, runPreflight } from '../preflight/run.js';
import { buildUpgradePlan, renderUpgradePlan, renderUpgradePlanText } from '../upgrade/plan.js';
import {
  availableUpgrades,
  checkVersionSkew,
  isSupportedControlPlane,
  knownReleases,
  latestInSeries,
  seriesOf,
  supportedRange,
} from '../upgrade/versions.js';
import { KBADM_VERSION } from '../version.js';
import { addFlags, readFlags, type FlagSpec, type FlagValues } from '../workflow/index.js';
import type { CommandContext } from './context.js';
import { ADMIN_CONF, searchKubeconfig } from './kubeconfig-search.js';
import { PRINT_COMPAT_FLAGS } from './print-compat-flags.js';

export const UPGRADE_PLAN_FLAGS: FlagSpec[] = [
  {
    name: 'allow-experimental-upgrades',
    type: 'boolean',
    description:
      'Also offer alpha, beta and release-candidate versions as targets (kbadm lists only the pre-releases it knows of, or the one given as [version]).',
  },
  {
    name: 'allow-release-candidate-upgrades',
    type: 'boolean',
    description: 'Also offer release candidates (v1.X.Y-rc.N) as targets.',
  },
  {
    name: 'config',
    type: 'string',
    description:
      'A kubeadm configuration file whose UpgradeConfiguration.plan section supplies the target version and the allow-* and etcdUpgrade settings instead of flags.',
  },
  {
    name: 'etcd-upgrade',
    type: 'boolean',
    default: true,
    description:
      'Plan etcd along with the control plane; with --etcd-upgrade=false the etcd rows keep their current version.',
  },
  {
    name: 'ignore-preflight-errors',
    type: 'strings',
    description:
      "Checks whose failures only warn, by name (e.g. CreateJob, ControlPlaneNodesReady), comma-separated, or 'all'.",
  },
  {
    name: 'kubeconfig',
    type: 'string',
    default: ADMIN_CONF,
    description:
      'Credentials and address of the API server to read from, under --rootfs. An empty value looks at $KUBECONFIG, then ~/.kube/config, then admin.conf.',
  },
  {
    name: 'output',
    short: 'o',
    type: 'string',
    default: 'text',
    choices: ['text', 'json', 'yaml'],
    description:
      'text: the tables and commands; json or yaml: an UpgradePlan object (output.kubeadm.k8s.io/v1alpha3), without progress lines.',
  },
  {
    name: 'print-config',
    type: 'boolean',
    description:
      'Also show the ClusterConfiguration read from the kubeadm-config ConfigMap (with the version given, if any).',
  },
  ...PRINT_COMPAT_FLAGS,
];

/** Flags that may go with --config (they are not part of UpgradeConfiguration). */
const ALLOWED_WITH_CONFIG = ['kubeconfig', 'output', 'allow-missing-template-keys', 'show-managed-fields'];

const LONG_HELP = [
  "Reads the cluster's versions through the API server (the ClusterConfiguration in the kubeadm-config " +
    "ConfigMap, the control-plane mirror Pods, every Node's kubelet, etcd, kube-proxy and CoreDNS) and prints " +
    'the upgrades kbadm can perform, one table per target, with the command that performs it. First it runs the ' +
    'cluster health checks apply runs; the only object they leave is a short-lived Job in kube-system (the Kubernetes ' +
    'TTL removes it). Nothing else is changed.',
  `Targets come from kbadm's own list of Kubernetes releases, which ends with kbadm's own version (${KBADM_VERSION}); ` +
    'kbadm never looks up releases on the internet. Name any other version as [version] to plan for it. Offered ' +
    "are the newest patch of the cluster's minor and the newest release of the next minor.",
  "With -o json or -o yaml the result is kubeadm's UpgradePlan object: availableUpgrades (description and " +
    'components: name, currentVersion, newVersion, nodeName) and configVersions. Its "kubeadm" entry carries ' +
    "kbadm's own version. Every node's kubelet has an entry (a row of text) of its own, however large the " +
    'cluster; the Nodes are read from the API server in pages of 500. When nothing newer is known, text output ' +
    'says so in one line and json/yaml hold an empty availableUpgrades.',
].join('\n\n');

interface PlanSettings {
  versionText?: string;
  allowExperimental: boolean;
  allowReleaseCandidate: boolean;
  etcdUpgrade: boolean;
  printConfig: boolean;
  ignorePreflightErrors: string[];
}

async function settings(
  host: Host,
  flags: FlagValues,
  versionArg: string | undefined,
): Promise<PlanSettings> {
  const configPath = flags.string('config');
  if (configPath === '') {
    return {
      ...(versionArg !== undefined ? { versionText: versionArg } : {}),
      allowExperimental: flags.boolean('allow-experimental-upgrades'),
      allowReleaseCandidate: flags.boolean('allow-release-candidate-upgrades'),
      etcdUpgrade: flags.boolean('etcd-upgrade'),
      printConfig: flags.boolean('print-config'),
      ignorePreflightErrors: flags.strings('ignore-preflight-errors'),
    };
  }
  validateMixedArguments(['config', ...flags.setNames()], ALLOWED_WITH_CONFIG);
  const loaded = loadUpgradeConfig(await readConfigFile(host, configPath), {
    source: configPath,
    facts: { hostname: '', criSocketsPresent: [] },
    defaulting: { skipCRIDetect: true },
  });
  const plan = loaded.config.plan;
  const versionText = versionArg ?? (plan.kubernetesVersion || undefined);
  return {
    ...(versionText !== undefined ? { versionText } : {}),
    allowExperimental: plan.allowExperimentalUpgrades ?? false,
    allowReleaseCandidate: plan.allowRCUpgrades ?? false,
    etcdUpgrade: plan.etcdUpgrade,
    printConfig: plan.printConfig ?? false,
    ignorePreflightErrors: plan.ignorePreflightErrors,
  };
}

/**
 * kubeadm's cluster health checks, which plan runs as apply does: the health-check Job, the
 * control-plane Nodes, this node's manifests. A failure stops plan with the preflight error block.
 */
async function runHealthChecks(
  ctx: CommandContext,
  host: Host,
  out: Output,
  client: ClusterClient,
  cluster: ClusterConfiguration,
  ignore: readonly string[],
): Promise<void> {
  out.progress('upgrade', 'Running cluster health checks');
  const probe = createNodeProbe(host, { env: ctx.env, criSocket: '', out });
  try {
    const checks = upgradeHealthChecks({
      client,
      host,
      paths: host.paths,
      localEtcd: cluster.etcd.local !== undefined,
      job: {
        pauseImage: async () => pauseImage(cluster.imageRepository),
        warn: (m) => out.warn(m),
        log: out.log,
        ...(ctx.clock ? { timing: ctx.clock } : {}),
      },
    });
    await runPreflight([checks], probe, ignoreSet(ignore), out);
  } finally {
    probe.close();
  }
}

function parseTarget(text: string): KubeVersion {
  const r = parseKubernetesVersionOrError(text);
  if (!('error' in r)) return r;
  const detail = r.shape
    ? 'not a Kubernetes version such as v1.34.0 (labels like "stable" need an internet lookup, which kbadm does not make)'
    : r.error;
  throw new ValidationError([{ field: '[version]', value: text, detail }]);
}

/** The tags of images the ClusterConfiguration pins, which take the place of kbadm's defaults. */
function pinnedTags(cluster: ClusterConfiguration): { coreDNS: string; etcd?: string } {
  const etcd = cluster.etcd.local?.imageTag;
  return { coreDNS: cluster.dns.imageTag || COREDNS_VERSION, ...(etcd ? { etcd } : {}) };
}

function printVersions(out: Output, s: PlanSettings, clusterText: string, cluster: KubeVersion): void {
  if (s.versionText === undefined) {
    out.progress(
      'upgrade',
      `Looking up versions to upgrade to in kbadm's built-in release list (up to ${KBADM_VERSION}; no internet lookup)`,
    );
  } else {
    out.progress('upgrade', 'Planning for the version given on the command line');
  }
  out.progress('upgrade/versions', `Cluster version: ${clusterText}`);
  out.progress('upgrade/versions', `kbadm version: ${KBADM_VERSION}`);
  const newestKnown = knownReleases().at(-1)!;
  out.progress('upgrade/versions', `Target version: ${s.versionText ?? formatVersion(newestKnown)}`);
  if (s.versionText === undefined) {
    const latest = latestInSeries(cluster);
    if (latest)
      out.progress(
        'upgrade/versions',
        `Latest version in the ${seriesOf(cluster)} series: ${formatVersion(latest)}`,
      );
  }
  out.progressLine('');
}

export function upgradePlanCommand(ctx: CommandContext): Command {
  const cmd = new Command('plan')
    .summary('Show which versions the cluster can be upgraded to, and how')
    .description(LONG_HELP)
    .argument(
      '[version]',
      'Plan for this Kubernetes version (e.g. v1.34.0) instead of the ones kbadm knows of.',
    )
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  # What can this cluster be upgraded to?\n' +
        '  kbadm upgrade plan\n\n' +
        '  # The table for one particular version, as JSON\n' +
        '  kbadm upgrade plan v1.34.0 -o json\n',
    );
  addFlags(cmd, UPGRADE_PLAN_FLAGS);
  cmd.action(async (versionArg: string | undefined) => {
    const flags = readFlags(cmd, UPGRADE_PLAN_FLAGS);
    const format = parseOutputFormat(flags.string('output'));
    const out = ctx.output({ quiet: format !== 'text' });
    const host = await ctx.host({ out });
    const s = await settings(host, flags, versionArg);
    const target = s.versionText === undefined ? undefined : parseTarget(s.versionText);
    const client = await ctx.cluster(await searchKubeconfig(ctx.env, host, flags.string('kubeconfig')), {
      dryRun: false,
      out,
    });
    let state;
    try {
      state = await readUpgradeClusterState(client, out);
      await runHealthChecks(ctx, host, out, client, state.cluster, s.ignorePreflightErrors);
    } finally {
      client.close();
    }
    const { cluster, versions } = state;
    if (s.printConfig)
      printUsedConfiguration(out, target ? { ...cluster, kubernetesVersion: s.versionText! } : cluster);
    const clusterVersion = parseKubernetesVersion(versions.kubernetesVersion);
    if (!clusterVersion) {
      throw new KbadmError(
        `the kubeadm-config ConfigMap holds kubernetesVersion ${JSON.stringify(versions.kubernetesVersion)}, which is not a version`,
      );
    }
    printVersions(out, s, versions.kubernetesVersion, clusterVersion);
    if (!isSupportedControlPlane(clusterVersion)) {
      const range = supportedRange();
      out.warn(
        `the cluster runs ${versions.kubernetesVersion}, outside the control-plane versions this kbadm manages (${formatVersion(range.minimum)} to ${range.newestSeries}.x)`,
      );
    }
    for (const [component, list] of [
      ['kube-apiserver', versions.apiServer],
      ['kube-controller-manager', versions.controllerManager],
      ['kube-scheduler', versions.scheduler],
    ] as const) {
      if (list.length === 0)
        out.warn(`no mirror Pod of ${component} was found in kube-system; its rows are left out`);
    }
    const upgrades = availableUpgrades({
      cluster: clusterVersion,
      ...(target ? { target } : {}),
      allowExperimentalUpgrades: s.allowExperimental,
      allowReleaseCandidateUpgrades: s.allowReleaseCandidate,
    });
    // kubeadm's plan enforces nothing; kbadm says up front what apply would refuse.
    for (const up of upgrades) {
      const problems = checkVersionSkew({
        target: up.target,
        targetText: formatVersion(up.target),
        cluster: clusterVersion,
        kubeletVersions: versions.kubelets.map((g) => g.version),
        allowExperimentalUpgrades: s.allowExperimental,
        allowReleaseCandidateUpgrades: s.allowReleaseCandidate,
      });
      for (const p of problems.mandatory)
        out.warn(`'kbadm upgrade apply ${formatVersion(up.target)}' would refuse: ${p}`);
      for (const p of problems.skippable)
        out.warn(`'kbadm upgrade apply ${formatVersion(up.target)}' would need --force: ${p}`);
    }
    const pinned = pinnedTags(cluster);
    const plan = buildUpgradePlan(versions, upgrades, {
      kbadmVersion: KBADM_VERSION,
      coreDNSTarget: pinned.coreDNS,
      etcdUpgrade: s.etcdUpgrade,
      ...(pinned.etcd ? { etcdImageTag: pinned.etcd } : {}),
    });
    if (format !== 'text') {
      ctx.stdout.write(renderUpgradePlan(plan, format as 'json' | 'yaml'));
      return;
    }
    if (upgrades.length === 0) {
      out.print(
        target
          ? `The cluster is already at ${versions.kubernetesVersion}, not below ${formatVersion(target)}: there is nothing to upgrade to.`
          : `The cluster is at or above every version kbadm knows of (newest: ${formatVersion(knownReleases().at(-1)!)}): there is nothing to upgrade to.`,
      );
      return;
    }
    ctx.stdout.write(renderUpgradePlanText(plan));
  });
  return cmd;
}
