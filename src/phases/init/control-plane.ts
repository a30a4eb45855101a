// `kbadm init phase control-plane [all|apiserver|controller-manager|scheduler]`: the static Pod
// manifests of the control-plane components. The renderer is imported when a sub-phase runs.
import type { ControlPlaneComponentName } from '../../manifests/control-plane.js';
import type { Phase } from '../../workflow/index.js';
import type { InitData, ManifestData } from './data.js';

// The components' names (as manifests/control-plane.ts spells them), for the phase tree alone.
const KUBE_APISERVER = 'kube-apiserver' satisfies ControlPlaneComponentName;
const KUBE_CONTROLLER_MANAGER = 'kube-controller-manager' satisfies ControlPlaneComponentName;
const KUBE_SCHEDULER = 'kube-scheduler' satisfies ControlPlaneComponentName;

const BASE_FLAGS = ['cert-dir', 'config', 'kubernetes-version', 'image-repository', 'patches', 'dry-run'];

/** kubeadm's getControlPlanePhaseFlags. */
export function controlPlanePhaseFlags(name: 'all' | ControlPlaneComponentName): string[] {
  const flags = [...BASE_FLAGS];
  if (name === 'all' || name === KUBE_APISERVER) {
    flags.push(
      'apiserver-advertise-address',
      'control-plane-endpoint',
      'apiserver-bind-port',
      'apiserver-extra-args',
      'feature-gates',
      'service-cidr',
    );
  }
  if (name === 'all' || name === KUBE_CONTROLLER_MANAGER)
    flags.push('controller-manager-extra-args', 'pod-network-cidr');
  if (name === 'all' || name === KUBE_SCHEDULER) flags.push('scheduler-extra-args');
  return flags;
}

export async function runControlPlaneComponent(
  d: ManifestData,
  component: ControlPlaneComponentName,
): Promise<void> {
  const { controlPlanePod } = await import('../../manifests/control-plane.js');
  const { controlPlaneInputs, warnIfRootless, writePatchedStaticPod } = await import('./static-pods.js');
  d.out.progress('control-plane', `Creating static Pod manifest for "${component}"`);
  warnIfRootless(d, 'control-plane', component);
  const pod = controlPlanePod(await controlPlaneInputs(d), component);
  for (const w of pod.warnings) d.out.warn(w);
  await writePatchedStaticPod(d, component, pod.value);
}

function componentPhase(name: string, component: ControlPlaneComponentName, short: string): Phase<InitData> {
  return {
    name,
    short,
    inheritFlags: controlPlanePhaseFlags(component),
    run: (d) => runControlPlaneComponent(d, component),
  };
}

export const controlPlanePhase: Phase<InitData> = {
  name: 'control-plane',
  short: 'Write the static Pod manifests of the API server, controller manager and scheduler',
  long:
    'Writes one manifest per control-plane component into /etc/kubernetes/manifests, where the kubelet starts them. ' +
    'Name one of the sub-phases below to write just that manifest, or "all" for the three.',
  example:
    '  # Write the three manifests exactly as a full "kbadm init" would.\n' +
    '  kbadm init phase control-plane all\n\n' +
    '  # The same, with the settings taken from a configuration file.\n' +
    '  kbadm init phase control-plane all --config config.yaml',
  phases: [
    componentPhase('apiserver', KUBE_APISERVER, 'Write kube-apiserver.yaml, the API server manifest'),
    componentPhase(
      'controller-manager',
      KUBE_CONTROLLER_MANAGER,
      'Write kube-controller-manager.yaml, the controller manager manifest',
    ),
    componentPhase('scheduler', KUBE_SCHEDULER, 'Write kube-scheduler.yaml, the scheduler manifest'),
  ],
  all: { short: 'Write all three control-plane manifests', inheritFlags: controlPlanePhaseFlags('all') },
  run: async (d) => {
    d.out.progress('control-plane', `Using manifest folder "${d.paths.onHost(d.paths.manifestsDir)}"`);
  },
};
