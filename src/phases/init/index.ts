// init's phase tree, in kubeadm's order, as far as kbadm implements it.
import type { Phase } from '../../workflow/index.js';
import { certsPhase } from './certs.js';
import { controlPlanePhase } from './control-plane.js';
import type { InitData } from './data.js';
import { etcdPhase } from './etcd.js';
import { kubeconfigPhase } from './kubeconfig.js';
import { kubeletStartPhase } from './kubelet-start.js';
import { preflightPhase } from './preflight.js';
import { showJoinCommandPhase } from './show-join-command.js';
import { waitControlPlanePhase } from './wait-control-plane.js';

export const initPhases: Phase<InitData>[] = [
  preflightPhase,
  certsPhase,
  kubeconfigPhase,
  etcdPhase,
  controlPlanePhase,
  kubeletStartPhase,
  waitControlPlanePhase,
  showJoinCommandPhase,
];
