// `kbadm init phase wait-control-plane`: wait until the kubelet has the control plane running
// from the static Pods, with kubeadm's progress lines; when it does not come up in time, fail with
// a diagnosis of the node. A dry run only says what it would wait for. The waiting and diagnosis
// are imported when the phase runs.
import type { Phase } from '../../workflow/index.js';
import { kubeconfigStore, type InitData } from './data.js';

const ADMIN_CONF = 'admin.conf';

export async function runWaitControlPlane(d: InitData, options: { intervalMs?: number } = {}): Promise<void> {
  const { dryRunLines, waitForControlPlane } = await import('../control-plane-wait.js');
  const kubeletConfig = d.config.componentConfigs.kubelet?.config;
  const timeouts = d.config.init.timeouts;
  if (d.dryRun) {
    for (const line of dryRunLines({ ...(kubeletConfig ? { kubeletConfig } : {}), timeouts }))
      d.out.progressLine(line);
    return;
  }
  await waitForControlPlane({
    host: d.host,
    out: d.out,
    manifestsDir: d.paths.manifestsDir,
    criSocket: d.config.init.nodeRegistration.criSocket,
    ...(kubeletConfig ? { kubeletConfig } : {}),
    endpoint: d.config.init.localAPIEndpoint,
    timeouts,
    probes: async () => {
      const { readClientTLS } = await import('../../kubeconfig/kubeconfig-files.js');
      return d.healthProbes(await readClientTLS(await kubeconfigStore(d), ADMIN_CONF));
    },
    ...(options.intervalMs !== undefined ? { intervalMs: options.intervalMs } : {}),
  });
}

export const waitControlPlanePhase: Phase<InitData> = {
  name: 'wait-control-plane',
  short: 'Wait until the kubelet runs a healthy control plane',
  long:
    "First waits for the kubelet's healthz endpoint (timeouts.kubeletHealthCheck), then checks kube-apiserver, " +
    'kube-controller-manager and kube-scheduler in parallel at the addresses and ports their static Pod manifests name ' +
    '(timeouts.controlPlaneComponentHealthCheck); the API server is asked with the credentials of admin.conf. ' +
    "When something stays unhealthy, the error explains why as far as kbadm can tell: each failing component's " +
    "container state and last log lines, the kubelet's state, and the likely cause (a port already taken, swap, " +
    "a cgroup driver that differs from the runtime's, an image that cannot be pulled). kubeadm takes no flags here; " +
    'kbadm also reads --config, for the timeouts and the kubelet settings.',
  example:
    '  # Wait up to the configured timeouts for the control plane this node runs.\n' +
    '  kbadm init phase wait-control-plane --config config.yaml',
  inheritFlags: ['config'],
  run: (d) => runWaitControlPlane(d),
};
