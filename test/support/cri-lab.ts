// Playing the kubelet against a real runtime, through kbadm's own CRI client: Pod sandboxes as the
// kubelet runs a static Pod (the node's network, no hostname) and containers in them.
import { randomUUID } from 'node:crypto';
import type { ContainerSpec, RuntimeForLab, SandboxSpec } from '../../src/host/runtime.js';

/** The sandbox of a control-plane static Pod `<component>-<node>` in kube-system. */
export function staticPodSandbox(component: string, node: string, logRoot?: string): SandboxSpec {
  const uid = randomUUID();
  const name = `${component}-${node}`;
  return {
    name,
    namespace: 'kube-system',
    uid,
    hostNetwork: true,
    ...(logRoot === undefined ? {} : { logDirectory: `${logRoot}/kube-system_${name}_${uid}` }),
    labels: {
      component,
      tier: 'control-plane',
      'io.kubernetes.pod.name': name,
      'io.kubernetes.pod.namespace': 'kube-system',
      'io.kubernetes.pod.uid': uid,
    },
    annotations: { 'kubernetes.io/config.source': 'file' },
  };
}

export interface RunningPod {
  sandboxId: string;
  containerId: string;
  sandbox: SandboxSpec;
}

/** Runs a sandbox and one started container in it, as the kubelet does for a one-container static Pod. */
export async function runPod(
  runtime: RuntimeForLab,
  sandbox: SandboxSpec,
  container: ContainerSpec,
): Promise<RunningPod> {
  const sandboxId = await runtime.runPodSandbox(sandbox);
  const containerId = await runtime.createContainer(
    sandboxId,
    { logPath: `${container.name}/${container.attempt ?? 0}.log`, ...container },
    sandbox,
  );
  await runtime.startContainer(containerId);
  return { sandboxId, containerId, sandbox };
}
