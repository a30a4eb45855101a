// `kbadm init phase etcd local`: the static Pod manifest for a local, single-member etcd. The
// renderer is imported when the phase runs.
import type { Phase } from '../../workflow/index.js';
import type { InitData, ManifestData } from './data.js';

const ETCD_DATA_DIR_MODE = 0o700;

export async function runEtcdLocal(d: ManifestData): Promise<void> {
  const local = d.config.cluster.etcd.local;
  // External etcd has nothing to render here.
  if (!local) return;
  const { etcdPod } = await import('../../manifests/etcd.js');
  const { etcdInputs, warnIfRootless, writePatchedStaticPod } = await import('./static-pods.js');
  if (d.dryRun) d.out.progress('etcd', `Would ensure that "${local.dataDir}" directory is present`);
  else await d.host.mkdir(d.paths.under(local.dataDir), ETCD_DATA_DIR_MODE);
  d.out.progress(
    'etcd',
    `Creating static Pod manifest for local etcd in "${d.paths.onHost(d.paths.manifestsDir)}"`,
  );
  warnIfRootless(d, 'etcd', 'etcd');
  const pod = etcdPod(etcdInputs(d));
  for (const w of pod.warnings) d.out.warn(w);
  await writePatchedStaticPod(d, 'etcd', pod.value);
}

export const etcdLocalPhase: Phase<InitData> = {
  name: 'local',
  short: "Write etcd.yaml, running this node's etcd member as a static Pod",
  long:
    'Creates the etcd data directory (etcd.local.dataDir, /var/lib/etcd unless configured; mode 0700) and writes etcd.yaml into /etc/kubernetes/manifests, ' +
    'where the kubelet starts it as a one-member cluster on the advertise address (clients on port 2379, peers on 2380). With an external etcd there is nothing to write.',
  example:
    '  # Write the etcd manifest exactly as a full "kbadm init" would.\n' +
    '  kbadm init phase etcd local\n\n' +
    '  # Take the etcd settings (data directory, image, extra arguments) from a file.\n' +
    '  kbadm init phase etcd local --config config.yaml',
  inheritFlags: ['cert-dir', 'config', 'image-repository', 'patches', 'dry-run'],
  run: (d) => runEtcdLocal(d),
};

export const etcdPhase: Phase<InitData> = {
  name: 'etcd',
  short: 'Set up etcd on this node as a static Pod',
  long: 'Writes the manifest that makes the kubelet run etcd on this node; only a local (stacked) etcd needs one. Its single sub-phase, "local", does the work.',
  phases: [etcdLocalPhase],
  // kubeadm gives etcd no `all` child: `local` is its only sub-phase.
  all: false,
};
