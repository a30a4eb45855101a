// join's phase tree, in kubeadm 1.34's order.
import type { Phase } from '../../workflow/index.js';
import {
  checkEtcdPhase,
  controlPlaneJoinPhase,
  etcdJoinPhase,
  joinWaitControlPlanePhase,
} from './control-plane-join.js';
import { controlPlanePreparePhase } from './control-plane-prepare.js';
import type { JoinData } from './data.js';
import { joinKubeletStartPhase, kubeletWaitBootstrapPhase } from './kubelet.js';
import { joinPreflightPhase } from './preflight.js';

export const joinPhases: Phase<JoinData>[] = [
  joinPreflightPhase,
  controlPlanePreparePhase,
  checkEtcdPhase,
  joinKubeletStartPhase,
  etcdJoinPhase,
  kubeletWaitBootstrapPhase,
  controlPlaneJoinPhase,
  joinWaitControlPlanePhase,
];
