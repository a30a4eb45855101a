// Changing a Node the way kubeadm does: wait until the kubelet has registered it (it carries the
// kubernetes.io/hostname label then), compute a patch from the live object, send it as a
// strategic-merge patch, and retry on answers that mean "try again" (conflicts, timeouts, 503s).
import { KbadmError, errorMessage } from '../errors.js';
import { ClusterApiError, type ClusterClient, type KubeObject } from './types.js';

export const HOSTNAME_LABEL = 'kubernetes.io/hostname';

export interface PatchNodeOptions {
  timeoutMs: number;
  intervalMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const retriable = (e: unknown): boolean =>
  !(e instanceof ClusterApiError) ||
  e.status === 409 ||
  e.status === 429 ||
  e.status === 503 ||
  e.status === 504 ||
  e.status === 500;

/**
 * Patches node `name` with what `change` returns for the live Node (nothing to send when it
 * returns an empty patch). Fails after `timeoutMs` with the last reason.
 */
export async function patchNode(
  client: ClusterClient,
  name: string,
  change: (live: KubeObject) => Record<string, unknown>,
  o: PatchNodeOptions,
): Promise<void> {
  const deadline = Date.now() + o.timeoutMs;
  const interval = o.intervalMs ?? 500;
  let last = `node "${name}" not found`;
  for (;;) {
    try {
      const live = await client.get({ apiVersion: 'v1', kind: 'Node', name });
      if (!live) last = `node "${name}" not found`;
      else if (live.metadata.labels?.[HOSTNAME_LABEL] === undefined)
        last = `node "${name}" does not have the ${HOSTNAME_LABEL} label yet`;
      else {
        const patch = change(live);
        if (Object.keys(patch).length > 0)
          await client.patch({ apiVersion: 'v1', kind: 'Node', name }, patch, 'strategic');
        return;
      }
    } catch (err) {
      if (!retriable(err))
        throw new KbadmError(`error patching node "${name}": ${errorMessage(err)}`, { cause: err });
      last = errorMessage(err);
    }
    if (Date.now() + interval > deadline)
      throw new KbadmError(`error patching node "${name}" through the API server: ${last}`);
    await sleep(interval);
  }
}
