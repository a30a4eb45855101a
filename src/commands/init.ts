// `kbadm init`: the init workflow and its `phase` subcommands. Flags and phases are declared here;
// the run data comes from src/phases/init/data.ts.
import { Command } from 'commander';
import { featureGatesHelp } from '../config/feature-gates.js';
import { EXTRA_ARGS_FLAGS } from '../config/flags.js';
import { DEFAULT_KUBERNETES_VERSION } from '../version.js';
import { initPhases } from '../phases/init/index.js';
import { newInitData, type InitData } from '../phases/init/data.js';
import { removeInitMarker } from '../phases/init-in-progress.js';
import { bindRunner, Runner, SKIP_PHASES_FLAG, type FlagSpec } from '../workflow/index.js';
import type { CommandContext } from './context.js';
import type { DryRunHost } from '../host/dry-run-host.js';
import { deferOutput } from '../output/output.js';

/** init's flags, as kubeadm declares them (kubernetes-version defaults to kbadm's own release). */
export const initFlags: FlagSpec[] = [
  {
    name: 'apiserver-advertise-address',
    type: 'string',
    description:
      'IP address the API server announces to the rest of the cluster; it also goes into the API server certificate and, without --control-plane-endpoint, into the kubeconfig files. Default: the first global address of the network interface that carries the default route (IPv4 routes are tried before IPv6).',
  },
  {
    name: 'apiserver-bind-port',
    type: 'int',
    default: 6443,
    description: 'TCP port the API server listens on and announces together with its address.',
  },
  {
    name: 'apiserver-cert-extra-sans',
    type: 'strings',
    description:
      "More IP addresses or DNS names for the API server's serving certificate, on top of the node name, the advertise address, the control-plane endpoint and the kubernetes Service names; comma-separated or repeated.",
  },
  {
    name: 'cert-dir',
    type: 'string',
    default: '/etc/kubernetes/pki',
    description:
      'Directory of the cluster PKI: existing certificates and keys are read from it, new ones are written to it.',
  },
  {
    name: 'certificate-key',
    type: 'string',
    description:
      'AES-256 key, as 64 hex digits, that encrypts the control-plane certificates shared through the kubeadm-certs Secret (see --upload-certs). "kbadm certs certificate-key" prints a fresh one.',
  },
  {
    name: 'config',
    type: 'string',
    description:
      'kubeadm configuration file to read (InitConfiguration, ClusterConfiguration and component configurations; v1beta3 or v1beta4). Most other configuration flags cannot be combined with it.',
  },
  {
    name: 'control-plane-endpoint',
    type: 'string',
    description:
      'Address every control-plane node can be reached at, such as a load balancer: a DNS name or IP with an optional port (lb.example.com:6443). Kubeconfig files point there and the API server certificate covers it; set it now if more control-plane nodes are to join.',
  },
  {
    name: 'cri-socket',
    type: 'string',
    description:
      "Container runtime's CRI endpoint, e.g. unix:///var/run/crio/crio.sock. Default: the one of containerd, CRI-O or cri-dockerd that answers on its usual socket under /var/run; containerd's when none does; an error when several do.",
  },
  {
    name: 'dry-run',
    type: 'boolean',
    description:
      'Change nothing on this machine: print each step, and write the files init would create into /etc/kubernetes/tmp/kubeadm-init-dryrun<random> (or $KBADM_INIT_DRYRUN_DIR) for review.',
  },
  {
    name: 'feature-gates',
    type: 'string',
    description: `kubeadm feature gates to switch, as Name=true|false pairs separated by commas. Known gates:\n${featureGatesHelp()}`,
  },
  {
    name: 'ignore-preflight-errors',
    type: 'strings',
    description:
      "Preflight checks, by name, whose failures should only warn instead of stopping init, comma-separated or repeated (e.g. NumCPU,Mem); 'all' applies this to every check.",
  },
  {
    name: 'image-repository',
    type: 'string',
    default: 'registry.k8s.io',
    description:
      'Registry, with an optional path, that the control-plane, etcd, CoreDNS and pause images come from; point it at a mirror for offline installs.',
  },
  {
    name: 'kubernetes-version',
    type: 'string',
    default: DEFAULT_KUBERNETES_VERSION,
    description:
      "Kubernetes release the control plane runs, e.g. v1.34.1. Labels such as stable-1 are not looked up online: they fall back to the default, kbadm's own release, with a warning.",
  },
  {
    name: 'node-name',
    type: 'string',
    description:
      'Name this node registers under, also written into its certificates. Default: the host name, lower-cased.',
  },
  {
    name: 'patches',
    type: 'string',
    description:
      'Directory of patches applied, in file-name order, to what kbadm generates. Each file is named <target>[suffix][+<type>].json or .yaml: <target> is etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubeletconfiguration or corednsdeployment; <type> is strategic (when left out), merge or json; the suffix only sets the order (kube-apiserver1+merge.yaml). Other files are skipped.',
  },
  {
    name: 'pod-network-cidr',
    type: 'string',
    description:
      "IP range Pod addresses come from, e.g. 10.244.0.0/16 (an IPv4 and an IPv6 range, comma-separated, for dual stack). When set, the controller manager hands each node a slice of it (--allocate-node-cidrs, --cluster-cidr) and kube-proxy treats it as the cluster's range; it must match your network plugin's setting.",
  },
  {
    name: 'service-cidr',
    type: 'string',
    default: '10.96.0.0/12',
    description:
      "IP range Service cluster IPs come from (the API server's --service-cluster-ip-range). Its first address is the kubernetes Service, covered by the API server certificate; its tenth is the cluster DNS address kubelets use.",
  },
  {
    name: 'service-dns-domain',
    type: 'string',
    default: 'cluster.local',
    description:
      'DNS suffix of Service names (the kubelet clusterDomain); the API server certificate covers kubernetes.default.svc.<domain>.',
  },
  {
    name: 'skip-certificate-key-print',
    type: 'boolean',
    description:
      'Leave the certificate key out of the printed control-plane join command (and out of the -o json|yaml result).',
  },
  {
    name: 'skip-token-print',
    type: 'boolean',
    description:
      'Leave the bootstrap token out of the printed join commands (and out of the -o json|yaml result).',
  },
  {
    name: 'token',
    type: 'string',
    description:
      'Bootstrap token that joining nodes authenticate with: 6 then 16 characters from a-z and 0-9, joined by a dot (token ID and secret), e.g. 3kf9xq.t0w1e2r3t4y5u6i7. A random one is made when unset.',
  },
  {
    name: 'token-ttl',
    type: 'duration',
    default: '24h0m0s',
    description:
      'How long the bootstrap token stays valid before the cluster deletes it, as a duration such as 30m, 2h or 24h0m0s; 0 keeps it forever.',
  },
  {
    name: 'upload-certs',
    type: 'boolean',
    description:
      'Share the control-plane certificates and keys with nodes that later join as control plane: they are encrypted with --certificate-key (one is made when unset) and stored for two hours in the kubeadm-certs Secret.',
  },
];

/** kbadm's addition: init's results (join commands, token, CA hashes) as one object. */
export const outputFlag: FlagSpec = {
  name: 'output',
  short: 'o',
  type: 'string',
  default: 'text',
  choices: ['text', 'json', 'yaml'],
  description:
    'How to report the result: text (the messages and join commands), or json or yaml for one InitResult object with the join commands, token, CA hashes and certificate key (progress lines are then left out).',
};

/**
 * The deprecated per-component extra-args flags, which only the phase subcommands have (kubeadm
 * registers them as the runner's additional flags). Their `k=v,k2=v2` values become the
 * component's extraArgs (config/flags.ts extraArgsFromFlags).
 */
export const extraArgsFlags: FlagSpec[] = [
  {
    name: EXTRA_ARGS_FLAGS.apiServer,
    type: 'string',
    description:
      "Extra kube-apiserver flags as name=value pairs, comma-separated; each replaces kbadm's value for that flag.",
    deprecated: 'set ClusterConfiguration.apiServer.extraArgs in a --config file instead',
  },
  {
    name: EXTRA_ARGS_FLAGS.controllerManager,
    type: 'string',
    description:
      "Extra kube-controller-manager flags as name=value pairs, comma-separated; each replaces kbadm's value for that flag.",
    deprecated: 'set ClusterConfiguration.controllerManager.extraArgs in a --config file instead',
  },
  {
    name: EXTRA_ARGS_FLAGS.scheduler,
    type: 'string',
    description:
      "Extra kube-scheduler flags as name=value pairs, comma-separated; each replaces kbadm's value for that flag.",
    deprecated: 'set ClusterConfiguration.scheduler.extraArgs in a --config file instead',
  },
];

/** Flags only phase subcommands have. */
export const initPhaseFlags: FlagSpec[] = [
  ...extraArgsFlags,
  {
    name: 'kubeconfig',
    type: 'string',
    default: '/etc/kubernetes/admin.conf',
    description:
      "Kubeconfig with administrator credentials, for phases that talk to the cluster's API server.",
  },
  {
    name: 'kubeconfig-dir',
    type: 'string',
    default: '/etc/kubernetes',
    description:
      'Directory the kubeconfig files (admin.conf, super-admin.conf, kubelet.conf, controller-manager.conf, scheduler.conf) are written to and read from.',
  },
];

const ALL_FLAGS = [...initFlags, outputFlag, SKIP_PHASES_FLAG, ...initPhaseFlags];

export function initCommand(ctx: CommandContext): Command {
  const cmd = new Command('init').description(
    'Make this machine the first control-plane node of a new cluster\n\n' +
      'init creates the cluster PKI and kubeconfig files, writes static Pod manifests for etcd and the\n' +
      'control plane, starts the kubelet and prints the command other machines join with. Every\n' +
      'phase can be run on its own ("kbadm init phase <name>") or left out with --skip-phases;\n' +
      'files a previous run left behind are reused when they are still valid, so a failed init can\n' +
      'simply be run again.',
  );
  const runner = new Runner<InitData>(initPhases, {
    init: (c) => newInitData(ctx, c, ALL_FLAGS),
    skipPhasesFromData: (d) => d.config.init.skipPhases,
    log: () => ctx.output().log,
    isolate: (d) => {
      if (d.dryRun) return undefined;
      const out = deferOutput(d.out);
      return { data: { ...d, out }, flush: () => out.flush() };
    },
  });
  bindRunner(cmd, runner, {
    flags: [...initFlags, outputFlag],
    phaseFlags: initPhaseFlags,
    use: 'init',
    afterRun: async () => {
      const d = await runner.data();
      reportDryRun(d);
      // The whole init succeeded: nothing is left to resume.
      if (!d.dryRun) await removeInitMarker(d.host, d.paths, { tidy: true });
    },
  });
  return cmd;
}

/** After a full dry run: say so, and where the files it would have written are. */
function reportDryRun(d: InitData): void {
  if (!d.dryRun) return;
  d.out.progress(
    'dryrun',
    'Finished dry-running successfully. Above are the resources that would be created.',
  );
  const dir = (d.host as Partial<DryRunHost>).writeDir;
  if (dir) d.out.progress('dryrun', `The files it would write are in the "${d.paths.onHost(dir)}" directory`);
}
