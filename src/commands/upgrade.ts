// `kbadm upgrade`: the day-two upgrade commands. `diff` shows what an upgrade would change in this
// node's control-plane manifests; `node` rewrites a worker's kubelet configuration from the upgraded
// cluster. `plan` and `apply` are registered once apply can carry out what plan proposes.
import { Command } from 'commander';
import { newUpgradeNodeData, type UpgradeNodeData } from '../phases/upgrade/node-data.js';
import { upgradeNodePhases } from '../phases/upgrade/node-phases.js';
import { bindRunner, Runner, SKIP_PHASES_FLAG, type FlagSpec } from '../workflow/index.js';
import type { CommandContext } from './context.js';
import { upgradeDiffCommand } from './upgrade-diff.js';

export const upgradeNodeFlags: FlagSpec[] = [
  {
    name: 'dry-run',
    type: 'boolean',
    description:
      'Change nothing on this node: read the cluster, print each step, and write the files into a dry-run directory under /etc/kubernetes/tmp (or $KBADM_UPGRADE_DRYRUN_DIR).',
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
      'Directory of patches applied to what kbadm writes, named as for "kbadm init --patches" (kubeletconfiguration patches apply here).',
  },
];

/** Printed after `upgrade node` finished: the kubelet itself is the administrator's to upgrade. */
export const NODE_UPGRADED =
  '[upgrade] The configuration for this node was successfully upgraded!\n' +
  '[upgrade] Now you should go ahead and upgrade the kubelet package using your package manager.\n';

function upgradeNodeCommand(ctx: CommandContext): Command {
  const cmd = new Command('node').description(
    "Upgrade this node's kubeadm-managed configuration to the cluster's upgraded version\n\n" +
      "Run on every worker after the control plane was upgraded: rewrites the kubelet's configuration from the " +
      "cluster's kubelet-config ConfigMap and cleans up what older releases left in its flags. Then upgrade and " +
      'restart the kubelet with your package manager.',
  );
  const all = [...upgradeNodeFlags, SKIP_PHASES_FLAG];
  const runner = new Runner<UpgradeNodeData>(upgradeNodePhases, {
    init: (c) =>
      newUpgradeNodeData(
        {
          env: ctx.env,
          output: () => ctx.output(),
          host: (o) => ctx.host(o),
          cluster: (k, o) => ctx.cluster(k, o),
        },
        c,
        all,
      ),
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
      else ctx.stdout.write(NODE_UPGRADED);
    },
  });
  return cmd;
}

export function upgradeCommand(ctx: CommandContext): Command {
  const cmd = new Command('upgrade').description(
    'Upgrade the cluster, or this node, to a newer Kubernetes release\n\n' +
      'kbadm never looks up releases online: targets come from the command line or from the list of releases kbadm knows.',
  );
  cmd.addCommand(upgradeDiffCommand(ctx));
  cmd.addCommand(upgradeNodeCommand(ctx));
  return cmd;
}
