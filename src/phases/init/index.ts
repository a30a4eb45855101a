// init's phase tree, in kubeadm's order, as far as kbadm implements it.
import type { Phase } from '../../workflow/index.js';
import { certsPhase } from './certs.js';
import type { InitData } from './data.js';
import { kubeconfigPhase } from './kubeconfig.js';

export const initPhases: Phase<InitData>[] = [certsPhase, kubeconfigPhase];
