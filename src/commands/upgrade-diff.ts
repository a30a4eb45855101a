// `kbadm upgrade diff [version]`: what an upgrade would change in this node's control-plane
// manifests, as unified diffs against the files on disk. Reads the cluster, writes nothing.
import { Command } from 'commander';
import { readConfigFile } from '../config/config-files.js';
import { loadUpgradeConfig } from '../config/load.js';
import { ValidationError } from '../errors.js';
import { userPath } from '../host/paths.js';
import { readClusterConfigDocuments } from '../phases/cluster-config-read.js';
import {
  checkTargetVersion,
  diffControlPlaneManifests,
  localEndpointFromManifest,
  readManifest,
  renderControlPlaneManifests,
  upgradeTargetConfig,
} from '../phases/upgrade/manifest-diff.js';
import { KUBE_APISERVER } from '../manifests/control-plane.js';
import { addFlags, readFlags, type FlagSpec } from '../workflow/index.js';
import type { CommandContext } from './context.js';

const ADMIN_CONF = '/etc/kubernetes/admin.conf';
export const DEFAULT_CONTEXT_LINES = 3;

export const UPGRADE_DIFF_FLAGS: FlagSpec[] = [
  {
    name: 'config',
    type: 'string',
    description:
      'An UpgradeConfiguration file (kubeadm.k8s.io/v1beta4); its diff section can give the target version and the number of context lines.',
  },
  {
    name: 'context-lines',
    short: 'c',
    type: 'int',
    default: DEFAULT_CONTEXT_LINES,
    description: 'Unchanged lines to show around each change.',
  },
  {
    name: 'kubeconfig',
    type: 'string',
    default: ADMIN_CONF,
    description: 'Credentials of the API server that holds the cluster configuration, read under --rootfs.',
  },
];

export function upgradeDiffCommand(ctx: CommandContext): Command {
  const cmd = new Command('diff')
    .summary('Show how an upgrade would change the control-plane manifests of this node')
    .description(
      'Renders the kube-apiserver, kube-controller-manager and kube-scheduler manifests for the target ' +
        "version from the cluster's stored configuration, and prints a unified diff against each file in " +
        "/etc/kubernetes/manifests. Without a version, the one in --config or else the cluster's own is " +
        'used, which shows any drift between the files and the configuration. Nothing is changed.',
    )
    .argument('[version]', 'Kubernetes version to compare with, e.g. v1.34.1');
  addFlags(cmd, UPGRADE_DIFF_FLAGS);
  cmd.action(async (versionArg: string | undefined) => {
    const flags = readFlags(cmd, UPGRADE_DIFF_FLAGS);
    const out = ctx.output();
    const host = await ctx.host({ out });

    const facts = await host.facts();
    let version = versionArg ?? '';
    let contextLines = flags.int('context-lines');
    const configPath = flags.string('config');
    if (configPath !== '') {
      const r = loadUpgradeConfig(await readConfigFile(host, configPath), {
        source: configPath,
        facts: { hostname: facts.hostname, criSocketsPresent: [] },
      });
      for (const w of r.warnings) out.warn(w);
      if (version === '') version = r.config.diff.kubernetesVersion;
      if (!flags.isSet('context-lines') && r.config.diff.contextLines > 0) {
        contextLines = r.config.diff.contextLines;
      }
    }
    if (!Number.isInteger(contextLines) || contextLines < 0) {
      throw new ValidationError([
        { field: '--context-lines', value: contextLines, detail: 'must be a whole number, 0 or more' },
      ]);
    }
    if (version !== '')
      checkTargetVersion(
        version,
        versionArg ? 'version argument' : 'UpgradeConfiguration.diff.kubernetesVersion',
      );

    // The node's own part of the configuration: its API endpoint as its manifest has it.
    const apiserver = await readManifest(host, KUBE_APISERVER);
    const endpoint = localEndpointFromManifest(apiserver.text, apiserver.shown);

    out.progress('upgrade/diff', 'Reading configuration from the cluster...');
    const cluster = await ctx.cluster(userPath(host.paths, flags.string('kubeconfig')), {
      dryRun: false,
      out,
    });
    let docs;
    try {
      // kubeadm prints one line of its own here instead of the ConfigMap lines.
      docs = await readClusterConfigDocuments(cluster, ctx.output({ quiet: true }), 'upgrade/diff');
    } finally {
      cluster.close();
    }
    const target = upgradeTargetConfig(docs, { name: facts.hostname.toLowerCase(), endpoint }, version);
    for (const w of target.warnings) out.warn(w);
    const rendered = await renderControlPlaneManifests(target.config, host, out, ctx.env);
    const text = await diffControlPlaneManifests(host, rendered, contextLines);
    if (text !== '') ctx.stdout.write(text);
  });
  return cmd;
}
