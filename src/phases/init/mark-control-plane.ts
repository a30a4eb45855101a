// `kbadm init phase mark-control-plane`: the node gets the control-plane role labels and, unless the
// configuration says otherwise, the taint that keeps ordinary workloads off it.
import type { Phase } from '../../workflow/index.js';
import type { InitData } from './data.js';
import { apiCall } from './api-call.js';

async function runMarkControlPlane(d: InitData): Promise<void> {
  const { patchNode } = await import('../../cluster/patch-node.js');
  const { markControlPlane, nodePatch } = await import('../../manifests/mark-control-plane.js');
  const client = await d.cluster();
  const { name, taints } = d.config.init.nodeRegistration;
  const lines = markControlPlane({ apiVersion: 'v1', kind: 'Node', metadata: { name } }, taints).lines;
  for (const line of lines) d.out.progressLine(line);
  await patchNode(
    client,
    name,
    (live) => nodePatch(live, markControlPlane(live, taints).node) as Record<string, unknown>,
    apiCall(d),
  );
}

export const markControlPlanePhase: Phase<InitData> = {
  name: 'mark-control-plane',
  short: 'Label and taint this node as a control-plane node',
  long:
    'Adds the node-role.kubernetes.io/control-plane and node.kubernetes.io/exclude-from-external-load-balancers labels to this node and its taints ' +
    '(nodeRegistration.taints; node-role.kubernetes.io/control-plane:NoSchedule when unset), keeping taints it already has.',
  example:
    '  # Mark the node named in a configuration file.\n  kbadm init phase mark-control-plane --config config.yaml',
  inheritFlags: ['node-name', 'config', 'dry-run'],
  run: runMarkControlPlane,
};
