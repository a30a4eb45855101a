// `kbadm reset`: undo what init and join did to this node, and its `phase` subcommands. Flags and
// phases are declared here; the run data comes from src/phases/reset/data.ts.
import { Command } from 'commander';
import { resetPhases } from '../phases/reset/index.js';
import { newResetData, type ResetData } from '../phases/reset/data.js';
import { bindRunner, Runner, SKIP_PHASES_FLAG, type FlagSpec } from '../workflow/index.js';
import type { CommandContext } from './context.js';

/** reset's flags: kubeadm's names and defaults, described in kbadm's words. */
export const resetFlags: FlagSpec[] = [
  {
    name: 'cert-dir',
    type: 'string',
    default: '/etc/kubernetes/pki',
    description: 'Directory holding the cluster certificates; its contents are deleted.',
  },
  {
    name: 'cleanup-tmp-dir',
    type: 'boolean',
    description: "Also empty kbadm's scratch directory, /etc/kubernetes/tmp (dry-run output, backups).",
  },
  { name: 'config', type: 'string', description: 'A kubeadm configuration file with a ResetConfiguration.' },
  {
    name: 'cri-socket',
    type: 'string',
    description:
      'Endpoint of the container runtime whose Pod sandboxes are removed. Found automatically when only one known runtime socket exists.',
  },
  {
    name: 'dry-run',
    type: 'boolean',
    description: 'Print every step reset would take, and change nothing.',
  },
  {
    name: 'force',
    short: 'f',
    type: 'boolean',
    description: 'Reset without the [y/N] question; required when standard input is not a terminal.',
  },
  {
    name: 'ignore-preflight-errors',
    type: 'strings',
    description:
      "Checks whose failure only warns, by name (e.g. 'IsPrivilegedUser'), or 'all' for every check.",
  },
  {
    name: 'kubeconfig',
    type: 'string',
    default: '/etc/kubernetes/admin.conf',
    description:
      'Kubeconfig for reaching the cluster. Accepted for compatibility: kbadm reset does not read the cluster yet and finds the etcd member in the local etcd manifest.',
  },
];

const ALL_FLAGS = [...resetFlags, SKIP_PHASES_FLAG];

/** Printed after a full reset: what reset leaves to the administrator (kubeadm 1.33+ text). */
export const CLEANUP_NOTES = `
The reset process does not perform cleanup of CNI plugin configuration,
network filtering rules and kubeconfig files.

For information on how to perform this cleanup manually, please see:
    https://k8s.io/docs/reference/setup-tools/kubeadm/kubeadm-reset/

`;

export function resetCommand(ctx: CommandContext): Command {
  const cmd = new Command('reset').description(
    'Undo what kbadm init or kbadm join did to this node\n\n' +
      'Takes the stacked etcd member of a control-plane node out of the etcd cluster, stops the ' +
      'kubelet, removes the Pod sandboxes, and deletes the certificates, kubeconfig files, static ' +
      "Pod manifests and kubelet files kbadm wrote. Only kubeadm's directories are ever touched.",
  );
  const runner = new Runner<ResetData>(resetPhases, {
    init: (c) => newResetData(ctx, c, ALL_FLAGS),
    skipPhasesFromData: (d) => d.config.skipPhases,
    log: () => ctx.output().log,
  });
  bindRunner(cmd, runner, {
    flags: resetFlags,
    use: 'reset',
    afterRun: async () => {
      ctx.stdout.write(CLEANUP_NOTES);
    },
  });
  return cmd;
}
