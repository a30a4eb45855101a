// A TestHost that looks like a node prepared for kubeadm: the sysctls and cgroup files preflight
// reads, the executables it looks for, a kubelet that reports its version, an enabled kubelet unit,
// and a container runtime on the default containerd socket. Tests then break one fact at a time.
import type { TestHost } from '../../src/host/test-host.js';
import { createTestRuntime, type TestRuntime } from '../../src/host/test-runtime.js';

export const CONTAINERD_SOCKET = '/var/run/containerd/containerd.sock';

export const NODE_EXECUTABLES = [
  'ip',
  'iptables',
  'mount',
  'nsenter',
  'ebtables',
  'ethtool',
  'socat',
  'tc',
  'touch',
];

export interface PreparedNode {
  host: TestHost;
  runtime: TestRuntime;
  /** Every endpoint the host was asked to connect to. */
  endpoints: string[];
}

/** The images the runtime was asked to pull, in order. */
export function pulls(runtime: TestRuntime): string[] {
  return runtime.calls.filter((c) => c.method === 'pullImage').map((c) => c.target!);
}

/**
 * Seeds `host` (rootfs `/`) as a healthy systemd node; the runtime starts with no images.
 * `socket: false` leaves out the runtime's socket, as on a node whose runtime is not installed.
 */
export function prepareNode(
  host: TestHost,
  runtime: TestRuntime = createTestRuntime(),
  options: { socket?: boolean } = {},
): PreparedNode {
  const endpoints: string[] = [];
  if (options.socket ?? true) host.seedSocket(CONTAINERD_SOCKET);
  host
    .seedFile('/proc/sys/net/ipv4/ip_forward', '1\n')
    .seedFile('/proc/sys/net/ipv6/conf/default/forwarding', '1\n')
    .seedFile('/proc/swaps', 'Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n')
    .seedFile('/sys/fs/cgroup/cgroup.controllers', 'cpuset cpu io memory hugetlb pids rdma misc\n')
    .onRun('kubelet', (args) => (args[0] === '--version' ? { stdout: 'Kubernetes v1.34.0\n' } : {}))
    .onRun('systemctl', (args) => {
      const unit = args[1] ?? '';
      if (args[0] === 'status')
        return unit === 'kubelet'
          ? { stdout: 'kubelet.service - kubelet\n   Loaded: loaded\n', exitCode: 3 }
          : { stdout: `Unit ${unit}.service could not be found.\n`, exitCode: 4 };
      if (args[0] === 'is-enabled') return unit === 'kubelet' ? { stdout: 'enabled\n' } : { exitCode: 1 };
      if (args[0] === 'is-active') return { stdout: 'inactive\n', exitCode: 3 };
      return {};
    })
    .setRuntime((endpoint) => {
      endpoints.push(endpoint);
      return runtime;
    });
  for (const exe of NODE_EXECUTABLES) host.onRun(exe, {});
  return { host, runtime, endpoints };
}
