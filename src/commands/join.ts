// `kbadm join [api-server-endpoint]`: add this machine to an existing cluster, as a worker or (with
// --control-plane) as another control-plane node, and its `phase` subcommands. Flags and phases
// are declared here; the run data comes from src/phases/join/data.ts.
import { Command } from 'commander';
import { joinPhases } from '../phases/join/index.js';
import { newJoinData, type JoinData, type JoinMilestone } from '../phases/join/data.js';
import { bindRunner, Runner, SKIP_PHASES_FLAG, type FlagSpec } from '../workflow/index.js';
import type { CommandContext } from './context.js';
import type { DryRunHost } from '../host/dry-run-host.js';

const DISCOVERY_HINT = 'The API server endpoint is the positional argument, host:port.';

/** join's flags: kubeadm's names, types and defaults, described in kbadm's words. */
export const joinFlags: FlagSpec[] = [
  {
    name: 'apiserver-advertise-address',
    type: 'string',
    description:
      "Control-plane join only: the IP address this node's API server announces. Default: the first global address of the interface that carries the default route.",
  },
  {
    name: 'apiserver-bind-port',
    type: 'int',
    default: 6443,
    description: "Control-plane join only: the TCP port this node's API server listens on.",
  },
  {
    name: 'certificate-key',
    type: 'string',
    description:
      'Control-plane join only: the key (64 hex digits) "kbadm init --upload-certs" printed; it decrypts the shared certificates downloaded from the kubeadm-certs Secret.',
  },
  {
    name: 'config',
    type: 'string',
    description:
      'kubeadm configuration file with a JoinConfiguration (v1beta3 or v1beta4). Most other configuration flags cannot be combined with it.',
  },
  {
    name: 'control-plane',
    type: 'boolean',
    description:
      'Join as another control-plane node (API server, controller manager, scheduler and a stacked etcd member), not as a worker.',
  },
  {
    name: 'control-plane-endpoint',
    type: 'string',
    description:
      "kbadm only: the address this node's kubeconfig files point at, host or host:port (the port defaults to the discovered server's), such as a virtual IP in front of several API servers. Default: the server cluster-info names. Preflight warns when it differs from that server or its certificate does not cover it.",
  },
  {
    name: 'cri-socket',
    type: 'string',
    description:
      "Container runtime's CRI endpoint, e.g. unix:///var/run/containerd/containerd.sock. Default: the one known runtime socket found on this machine.",
  },
  {
    name: 'discovery-file',
    type: 'string',
    description:
      'Find the cluster through a kubeconfig file instead of a token: a local path or an https URL. Its cluster entry gives the API server and the CA to trust.',
  },
  {
    name: 'discovery-token',
    type: 'string',
    description: `Bootstrap token used to check the cluster-info the API server hands out. ${DISCOVERY_HINT}`,
  },
  {
    name: 'discovery-token-ca-cert-hash',
    type: 'strings',
    description:
      'Pin for the cluster CA, as sha256:<hex of the CA public key>, checked during token discovery; comma-separated or repeated when the CA is being rotated.',
  },
  {
    name: 'discovery-token-unsafe-skip-ca-verification',
    type: 'boolean',
    description:
      'Accept whatever CA the API server presents during token discovery, without a --discovery-token-ca-cert-hash pin. Anyone who can answer in place of the API server can then take over this node.',
  },
  {
    name: 'dry-run',
    type: 'boolean',
    description:
      'Change nothing on this machine: discover the cluster and read its configuration, print each step, and write the files join would create into /etc/kubernetes/tmp/kubeadm-join-dryrun<random> (or $KBADM_JOIN_DRYRUN_DIR).',
  },
  {
    name: 'ignore-preflight-errors',
    type: 'strings',
    description:
      "Preflight checks, by name, whose failures should only warn instead of stopping join, comma-separated or repeated; 'all' applies this to every check.",
  },
  {
    name: 'node-name',
    type: 'string',
    description: 'Name this node registers under. Default: the host name, lower-cased.',
  },
  {
    name: 'patches',
    type: 'string',
    description:
      'Directory of patches applied, in file-name order, to what kbadm generates (static Pod manifests and kubeletconfiguration), named as for "kbadm init --patches".',
  },
  {
    name: 'tls-bootstrap-token',
    type: 'string',
    description:
      'Bootstrap token the kubelet authenticates with while it asks the cluster for its own client certificate.',
  },
  {
    name: 'token',
    type: 'string',
    description:
      'Bootstrap token for both discovery and the TLS bootstrap, where --discovery-token and --tls-bootstrap-token are not given.',
  },
];

const ALL_FLAGS = [...joinFlags, SKIP_PHASES_FLAG];

/** Printed after a worker joined. */
export const WORKER_JOINED = `
This node has joined the cluster:
* Certificate signing request was sent to apiserver and a response was received.
* The Kubelet was informed of the new secure connection details.

Run 'kubectl get nodes' on the control-plane to see this node join the cluster.

`;

/** Printed after a control-plane node joined; the etcd line only with a stacked etcd. */
export function controlPlaneJoined(stackedEtcd: boolean): string {
  return `
This node has joined the cluster and a new control plane instance was created:

* Certificate signing request was sent to apiserver and approval was received.
* The Kubelet was informed of the new secure connection details.
* Control plane label and taint were applied to the new node.
* The Kubernetes control plane instances scaled up.
${stackedEtcd ? '* A new etcd member was added to the local/stacked etcd cluster.' : ''}

To start administering your cluster from this node, you need to run the following as a regular user:

\tmkdir -p $HOME/.kube
\tsudo cp -i /etc/kubernetes/admin.conf $HOME/.kube/config
\tsudo chown $(id -u):$(id -g) $HOME/.kube/config

Run 'kubectl get nodes' to see this node join the cluster.

`;
}

const MILESTONE_PHASES: Record<JoinMilestone, string> = {
  'tls-bootstrap': 'kubelet-wait-bootstrap (the kubelet has not been seen to obtain its credentials)',
  'etcd-member': 'etcd-join (no etcd member was added for this node)',
  'control-plane-marked': 'control-plane-join/mark-control-plane (the node is not labelled and tainted)',
  'control-plane-healthy': "wait-control-plane (this node's control plane was not seen healthy)",
};

/** The outcomes the closing message would claim that this run did not reach (skipped phases). */
export function missingMilestones(
  controlPlane: boolean,
  stackedEtcd: boolean,
  achieved: ReadonlySet<JoinMilestone>,
): JoinMilestone[] {
  const wanted: JoinMilestone[] = ['tls-bootstrap'];
  if (controlPlane) {
    if (stackedEtcd) wanted.push('etcd-member');
    wanted.push('control-plane-marked', 'control-plane-healthy');
  }
  return wanted.filter((m) => !achieved.has(m));
}

/** Instead of the success message when phases were skipped: what is still to be done. */
export function notFinished(controlPlane: boolean, missing: readonly JoinMilestone[]): string {
  return (
    `\nThe join steps that ran have finished, but this node is not a complete ${controlPlane ? 'control-plane node' : 'worker'} yet; these did not run:\n` +
    missing.map((m) => `* ${MILESTONE_PHASES[m]}\n`).join('') +
    "\nRun them with 'kbadm join phase <name>' when the node is ready for them.\n\n"
  );
}

export function joinCommand(ctx: CommandContext): Command {
  const cmd = new Command('join')
    .description(
      'Add this machine to an existing cluster\n\n' +
        'join finds the cluster and checks that it is the one meant (a bootstrap token whose signature\n' +
        'cluster-info must carry, and a pin of the cluster CA; or a discovery file), reads its\n' +
        'configuration, and lets the kubelet obtain its own credentials through the TLS bootstrap.\n' +
        'With --control-plane the machine also gets the shared certificates, its own control plane\n' +
        'and an etcd member. Every phase can be run on its own ("kbadm join phase <name>").',
    )
    .argument('[api-server-endpoint]', 'host:port of an API server of the cluster, for token discovery');
  const runner = new Runner<JoinData>(joinPhases, {
    init: (c) => newJoinData(ctx, c, ALL_FLAGS),
    skipPhasesFromData: (d) => d.config.skipPhases,
    log: () => ctx.output().log,
  });
  bindRunner(cmd, runner, {
    flags: joinFlags,
    use: 'join [api-server-endpoint]',
    afterRun: async () => {
      const d = await runner.data();
      if (d.dryRun) {
        d.out.progress(
          'dryrun',
          'Finished dry-running successfully. Above are the resources that would be created.',
        );
        const dir = (d.host as Partial<DryRunHost>).writeDir;
        if (dir)
          d.out.progress('dryrun', `The files it would write are in the "${d.paths.onHost(dir)}" directory`);
        return;
      }
      const stacked = d.controlPlane && (await d.initConfig()).cluster.etcd.local !== undefined;
      const missing = missingMilestones(d.controlPlane, stacked, d.achieved);
      if (missing.length > 0) ctx.stdout.write(notFinished(d.controlPlane, missing));
      else ctx.stdout.write(d.controlPlane ? controlPlaneJoined(stacked) : WORKER_JOINED);
    },
  });
  return cmd;
}
