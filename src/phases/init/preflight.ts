// `kbadm init phase preflight`: kubeadm's checks of the node before anything is written, then the
// control-plane images pulled through the container runtime. The checks are imported when the
// phase runs, not with the phase tree.
import type { NodeProbe } from '../../preflight/check.js';
import type { Phase } from '../../workflow/index.js';
import { readInitMarker, writeInitMarker, type InitInProgress } from '../init-in-progress.js';
import type { InitData } from './data.js';

const TAG = 'preflight';

export async function runInitPreflight(
  d: Pick<InitData, 'config' | 'host' | 'paths' | 'out' | 'dryRun' | 'env' | 'wholeRun' | 'now'>,
): Promise<void> {
  const { initPreflight, initResumeChecks } = await import('../../preflight/lists.js');
  const { createNodeProbe } = await import('../../preflight/preflight-files.js');
  const { ignoreSet, runPreflight } = await import('../../preflight/run.js');
  const { init, cluster } = d.config;
  const nodeRegistration = init.nodeRegistration;
  const interrupted = await readInitMarker(d.host, d.paths);
  // Resuming, the manifests, etcd data and busy ports are the interrupted init's own work.
  const ignored = ignoreSet([
    ...nodeRegistration.ignorePreflightErrors,
    ...(interrupted ? initResumeChecks(init, cluster) : []),
  ]);
  const probe = createNodeProbe(d.host, { env: d.env, criSocket: nodeRegistration.criSocket, out: d.out });
  try {
    d.out.progress(TAG, 'Running pre-flight checks');
    if (interrupted) d.out.progress(TAG, resumeLine(interrupted));
    await runPreflight(initPreflight(init, cluster), probe, ignored, d.out);
    await pullControlPlaneImages(d, probe, ignored);
  } finally {
    probe.close();
  }
  // From here on init writes: an interruption leaves the mark the next init resumes from.
  if (d.wholeRun && !d.dryRun) await writeInitMarker(d.host, d.paths, d.now);
}

function resumeLine(m: InitInProgress): string {
  const who = [
    ...(m.pid !== undefined ? [`pid ${m.pid}`] : []),
    ...(m.started !== undefined ? [`started ${m.started}`] : []),
  ];
  return (
    `Resuming an interrupted init${who.length > 0 ? ` (${who.join(', ')})` : ''}: ` +
    'its manifests, etcd data and component ports are warnings, not errors'
  );
}

/**
 * Pulls the control-plane images (and the pause image) through the runtime, as the policy says;
 * `tag` is the progress tag of the command (`upgrade/preflight` for the upgrades).
 */
export async function pullControlPlaneImages(
  d: Pick<InitData, 'config' | 'out' | 'dryRun'>,
  probe: NodeProbe,
  ignored: ReadonlySet<string>,
  tag = TAG,
): Promise<void> {
  const { cluster } = d.config;
  const nodeRegistration = d.config.init.nodeRegistration;
  if (d.dryRun) {
    d.out.progress(tag, "Would pull the required images (like 'kbadm config images pull')");
    return;
  }
  const { clusterImages, pauseImage } = await import('../../config/images.js');
  const { imagePullStage } = await import('../../preflight/lists.js');
  const { runPreflight } = await import('../../preflight/run.js');
  // kubeadm prints these lines whatever the policy; with Never the ImagePull check then skips quietly.
  d.out.progress(tag, 'Pulling images required for setting up a Kubernetes cluster');
  d.out.progress(tag, 'This might take a minute or two, depending on the speed of your internet connection');
  d.out.progress(tag, "You can also perform this action beforehand using 'kbadm config images pull'");
  const pause = pauseImage(cluster.imageRepository, cluster.kubernetesVersion);
  await runPreflight(
    [imagePullStage(clusterImages(cluster), pause, nodeRegistration)],
    probe,
    ignored,
    d.out,
  );
}

export const preflightPhase: Phase<InitData> = {
  name: 'preflight',
  short: 'Check that this machine can become a control-plane node',
  long:
    'Check the machine before anything is written: root, CPUs and memory, free ports, no control-plane\n' +
    'manifests or etcd data from an earlier run, the container runtime, required executables, kernel\n' +
    'and cgroups, IP forwarding, the kubelet. Then pull the control-plane images through the container\n' +
    'runtime, as the image pull policy says. Errors stop init with exit code 2 unless\n' +
    '--ignore-preflight-errors lists the check (or "all"); warnings never stop it. When a kbadm init\n' +
    'was interrupted (its mark, /etc/kubernetes/tmp/kbadm-init.in-progress, is still there), the\n' +
    'manifests, etcd data and busy component ports it left are warnings, so that init can resume.',
  example:
    '  # Check this machine with the settings of a configuration file\n' +
    '  kbadm init phase preflight --config kubeadm-config.yaml',
  inheritFlags: ['config', 'image-repository', 'cri-socket', 'ignore-preflight-errors', 'dry-run'],
  run: (d) => runInitPreflight(d),
};
