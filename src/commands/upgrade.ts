// `kbadm upgrade`: the day-two upgrade commands. `plan` proposes versions, `apply` upgrades a
// control-plane node and the cluster's configuration, `diff` shows what apply would change in this
// node's manifests, `node` brings every other node (its static Pods, if any, and its kubelet
// configuration) to the upgraded cluster's version.
import { Command } from 'commander';
import { newUpgradeNodeData, type UpgradeNodeData } from '../phases/upgrade/node-data.js';
import { upgradeNodePhases } from '../phases/upgrade/node-phases.js';
import { bindRunner, Runner, SKIP_PHASES_FLAG, type FlagSpec } from '../workflow/index.js';
import type { CommandContext } from './context.js';
import { upgradeDiffCommand } from './upgrade-diff.js';
import { upgradePlanCommand } from './upgrade-plan.js';
import { newUpgradeApplyData, type UpgradeApplyData } from '../phases/upgrade/apply-data.js';
import { upgradeApplyPhases } from '../phases/upgrade/apply-phases.js';
import { rollback } from '../phases/upgrade/rollback.js';
import { ValidationError } from '../errors.js';

export const upgradeNodeFlags: FlagSpec[] = [
  {
    name: 'certificate-renewal',
    type: 'boolean',
    default: true,
    description:
      "On a control-plane node: renew each component's certificates (and the controller manager's and scheduler's kubeconfig client certificates) just before its static Pod is replaced, keeping their subjects and SANs.",
  },
  {
    name: 'config',
    type: 'string',
    description:
      'An UpgradeConfiguration (kubeadm.k8s.io/v1beta4) whose node section and timeouts take the place of the other flags; only --kubeconfig, --dry-run and --ignore-preflight-errors may be given beside it.',
  },
  {
    name: 'dry-run',
    type: 'boolean',
    description:
      'Change nothing on this node: read the cluster, print each step, and write the files into a dry-run directory under /etc/kubernetes/tmp (or $KBADM_UPGRADE_DRYRUN_DIR).',
  },
  {
    name: 'etcd-upgrade',
    type: 'boolean',
    default: true,
    description:
      'On a control-plane node: also upgrade its stacked etcd member (first, with its data copied and a snapshot saved beforehand).',
  },
  {
    name: 'ignore-preflight-errors',
    type: 'strings',
    description: "Checks whose failure only warns, by name, or 'all' for every check.",
  },
  {
    name: 'kubeconfig',
    type: 'string',
    default: '/etc/kubernetes/admin.conf',
    description:
      "Credentials for reading the cluster's configuration. When the default admin.conf is absent, as on a worker, the kubelet's kubelet.conf is used.",
  },
  {
    name: 'patches',
    type: 'string',
    description:
      'Directory of patches applied to what kbadm writes (the new static Pod manifests, the kubelet configuration), named as for "kbadm init --patches".',
  },
];

/** Printed after `upgrade node` finished on a worker: the kubelet itself is the administrator's to upgrade. */
export const NODE_UPGRADED =
  '[upgrade] The configuration for this node was successfully upgraded!\n' +
  '[upgrade] Now you should go ahead and upgrade the kubelet package using your package manager.\n';

/** Printed after `upgrade node` brought a control-plane node's static Pods to `version`. */
export const controlPlaneNodeUpgraded = (version: string, kubeletConfig: boolean): string =>
  `\n[upgrade] SUCCESS! The control plane instance on this node now runs "${version}".\n` +
  (kubeletConfig
    ? "[upgrade] Next: upgrade this node's kubelet package, restart the kubelet, then go on with the next node.\n"
    : '');

function upgradeNodeCommand(ctx: CommandContext): Command {
  const cmd = new Command('node').description(
    'Upgrade this node to the version the cluster was upgraded to\n\n' +
      'Run after "kbadm upgrade apply", on every other node. On a control-plane node it first replaces etcd and the control-plane ' +
      'static Pods one at a time, as apply did on the first one, and once no control-plane node is left behind it upgrades CoreDNS ' +
      "and kube-proxy. On every node it rewrites the kubelet's configuration from the cluster's kubelet-config ConfigMap and cleans " +
      'up what older releases left in its flags. Then upgrade and restart the kubelet with your package manager.',
  );
  const all = [...upgradeNodeFlags, SKIP_PHASES_FLAG];
  const runner = new Runner<UpgradeNodeData>(upgradeNodePhases, {
    init: (c) => newUpgradeNodeData(ctx, c, all),
    skipPhasesFromData: (d) => d.skipPhases,
    log: () => ctx.output().log,
  });
  bindRunner(cmd, runner, {
    flags: upgradeNodeFlags,
    use: 'upgrade node',
    afterRun: async () => {
      const d = await runner.data();
      if (d.dryRun)
        d.out.progress(
          'dryrun',
          'Finished dry-running successfully. Above are the changes that would be made.',
        );
      else if (d.outcome.controlPlaneUpgraded)
        ctx.stdout.write(
          controlPlaneNodeUpgraded(
            (await d.config()).cluster.kubernetesVersion,
            d.outcome.kubeletConfigUpgraded,
          ),
        );
      else if (d.outcome.kubeletConfigUpgraded) ctx.stdout.write(NODE_UPGRADED);
    },
  });
  return cmd;
}

export const upgradeApplyFlags: FlagSpec[] = [
  {
    name: 'allow-experimental-upgrades',
    type: 'boolean',
    description: 'Accept an alpha, beta or release-candidate version as the target.',
  },
  {
    name: 'allow-release-candidate-upgrades',
    type: 'boolean',
    description: 'Accept a release-candidate version as the target.',
  },
  {
    name: 'certificate-renewal',
    type: 'boolean',
    default: true,
    description:
      "Renew each component's certificates (and the controller manager's and scheduler's kubeconfig client certificates) just before its static Pod is replaced, keeping their subjects and SANs.",
  },
  {
    name: 'config',
    type: 'string',
    description:
      'An UpgradeConfiguration (kubeadm.k8s.io/v1beta4) whose apply section and timeouts take the place of the other flags; only --kubeconfig and --yes may be given beside it.',
  },
  {
    name: 'dry-run',
    type: 'boolean',
    description:
      'Change nothing: read the cluster, check the version policy, write the new manifests into a dry-run directory under /etc/kubernetes/tmp and print the cluster writes it would make.',
  },
  {
    name: 'etcd-upgrade',
    type: 'boolean',
    default: true,
    description:
      "Also upgrade this node's stacked etcd (first, with its data copied and a snapshot saved beforehand).",
  },
  {
    name: 'force',
    short: 'f',
    type: 'boolean',
    description:
      'Go on despite version-policy problems that can be overridden, and without the [y/N] question.',
  },
  {
    name: 'ignore-preflight-errors',
    type: 'strings',
    description: "Checks whose failure only warns, by name (e.g. ControlPlaneNodesReady), or 'all'.",
  },
  {
    name: 'kubeconfig',
    type: 'string',
    default: '/etc/kubernetes/admin.conf',
    description: 'Administrator credentials for the cluster being upgraded.',
  },
  {
    name: 'patches',
    type: 'string',
    description:
      'Directory of patches applied to the new manifests and kubelet configuration, named as for "kbadm init --patches".',
  },
  {
    name: 'print-config',
    type: 'boolean',
    description: 'Also show the ClusterConfiguration the upgrade works with, at the target version.',
  },
  {
    name: 'yes',
    short: 'y',
    type: 'boolean',
    description: 'Upgrade without the [y/N] question; needed when standard input is not a terminal.',
  },
];

/** After a control plane was upgraded: kubeadm's closing lines. */
export const controlPlaneUpgraded = (version: string): string =>
  `\n[upgrade] SUCCESS! A control plane node of your cluster was upgraded to "${version}".\n\n` +
  '[upgrade] Now please proceed with upgrading the rest of the nodes by following the right order.\n';

function upgradeApplyCommand(ctx: CommandContext): Command {
  const cmd = new Command('apply')
    .description(
      "Upgrade this control-plane node, and the cluster's configuration and addons, to a newer version\n\n" +
        "Checks the version policy and the control plane's health, then replaces etcd and the control-plane static Pods one " +
        'at a time, keeping each old manifest so that a component that does not come back is put back as it was. Then stores ' +
        "the new configuration, rewrites this node's kubelet configuration and upgrades CoreDNS and kube-proxy.",
    )
    .argument('[version]', 'the Kubernetes version to upgrade to, e.g. v1.34.0');
  const all = [...upgradeApplyFlags, SKIP_PHASES_FLAG];
  const runner = new Runner<UpgradeApplyData>(upgradeApplyPhases, {
    init: (c) => newUpgradeApplyData(ctx, c, all),
    skipPhasesFromData: (d) => d.skipPhases,
    log: () => ctx.output().log,
  });
  bindRunner(cmd, runner, {
    flags: upgradeApplyFlags,
    use: 'upgrade apply [version]',
    afterRun: async () => {
      const d = await runner.data();
      if (d.dryRun)
        d.out.progress(
          'dryrun',
          'Finished dry-running successfully. Above are the changes that would be made.',
        );
      else if (d.outcome.controlPlaneUpgraded) ctx.stdout.write(controlPlaneUpgraded(d.target));
    },
  });
  return cmd;
}

function upgradeRollbackCommand(ctx: CommandContext): Command {
  const cmd = new Command('rollback')
    .description(
      'Go back to the static Pod manifests (and, if asked, the etcd data) from before the last upgrade\n\n' +
        'Picks the newest /etc/kubernetes/tmp/kubeadm-backup-manifests-<date> directory whose upgrade went through, ' +
        'according to the kbadm-upgrade.json "kbadm upgrade apply" keeps in it (backups of a failed apply that put ' +
        "everything back are passed over; backups without that file, such as kubeadm's, are taken as they are), and " +
        'copies its manifests back into /etc/kubernetes/manifests, so the kubelet runs the earlier versions again.\n\n' +
        "etcd's data is left alone unless --etcd-snapshot or --etcd-data is given. Then, on a node whose etcd is the " +
        "only member, the control plane's static Pods are stopped, the saved data becomes etcd's data directory (the " +
        'replaced one is kept under /etc/kubernetes/tmp/kbadm-rollback-etcd-<date>), and the Pods start again from the ' +
        'backed-up manifests. A run that is interrupted is finished by running the same command again.',
    )
    .option('--dry-run', 'Print what would be put back and every step of an etcd restore; change nothing.')
    .option(
      '--etcd-snapshot',
      'Also restore etcd from the snapshot apply saved, with etcdutl (or an etcdctl older than 3.6).',
    )
    .option(
      '--etcd-data',
      "Also restore etcd from apply's copy of its data directory, instead of the snapshot.",
    );
  cmd.action(async (opts: { dryRun?: boolean; etcdSnapshot?: boolean; etcdData?: boolean }) => {
    if (opts.etcdSnapshot && opts.etcdData)
      throw new ValidationError([
        {
          field: '--etcd-data',
          detail: 'cannot be combined with --etcd-snapshot: choose one source for etcd',
        },
      ]);
    const out = ctx.output();
    const dryRun = opts.dryRun === true;
    const host = dryRun ? await ctx.host({ dryRun: true, out }) : await ctx.host({ out, writes: true });
    const r = await rollback({
      host,
      paths: host.paths,
      out,
      dryRun,
      ...(opts.etcdSnapshot ? { etcd: 'snapshot' as const } : opts.etcdData ? { etcd: 'data' as const } : {}),
    });
    if (!dryRun && r.restored.length > 0)
      out.progress(
        'upgrade/rollback',
        `Restored ${r.restored.length} manifest(s); the kubelet restarts those components`,
      );
  });
  return cmd;
}

export function upgradeCommand(ctx: CommandContext): Command {
  const cmd = new Command('upgrade').description(
    'Upgrade the cluster, or this node, to a newer Kubernetes release\n\n' +
      'kbadm never looks up releases online: targets come from the command line or from the list of releases kbadm knows.',
  );
  cmd.addCommand(upgradeApplyCommand(ctx));
  cmd.addCommand(upgradeDiffCommand(ctx));
  cmd.addCommand(upgradeNodeCommand(ctx));
  cmd.addCommand(upgradePlanCommand(ctx));
  cmd.addCommand(upgradeRollbackCommand(ctx));
  return cmd;
}
