// reset's phase tree, in kubeadm's order.
import type { Phase } from '../../workflow/index.js';
import { cleanupNodePhase } from './cleanup-node.js';
import type { ResetData } from './data.js';
import { preflightPhase } from './preflight.js';
import { removeEtcdMemberPhase } from './remove-etcd-member.js';

export const resetPhases: Phase<ResetData>[] = [preflightPhase, removeEtcdMemberPhase, cleanupNodePhase];
