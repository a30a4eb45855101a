// Writes that can be repeated: every phase that puts objects into the cluster goes through these,
// so that re-running a phase (or a whole init) converges instead of failing on what is there.
// Like kubeadm, a failed attempt is retried every 500 ms until the API-call timeout
// (timeouts.kubernetesAPICall), and then the last error is reported.
import { isAlreadyExists, type ClusterClient, type KubeObject, type ObjectRef } from './types.js';

/** kubeadm's retry interval for API writes. */
export const API_CALL_RETRY_INTERVAL_MS = 500;

export interface RetryOptions {
  /** How long to keep trying; 0 makes a single attempt. */
  timeoutMs: number;
  /** Pause between attempts (default 500 ms). */
  intervalMs?: number;
}

/** An error of one attempt, worded as kubeadm words it (`unable to create *v1.ConfigMap: ...`). */
export class IdempotentWriteError extends Error {
  constructor(
    readonly action: 'create' | 'update' | 'get',
    readonly object: KubeObject,
    cause: unknown,
  ) {
    super(
      `unable to ${action} ${goTypeName(object)}: ${cause instanceof Error ? cause.message : String(cause)}`,
      {
        cause,
      },
    );
    this.name = 'IdempotentWriteError';
  }
}

/** The Go type kubeadm names in its messages: `*v1.ConfigMap`, `*v1.Deployment` (apps/v1), ... */
export function goTypeName(obj: Pick<KubeObject, 'apiVersion' | 'kind'>): string {
  const version = obj.apiVersion.slice(obj.apiVersion.lastIndexOf('/') + 1);
  return `*${version}.${obj.kind}`;
}

export function refOf(obj: KubeObject): ObjectRef {
  const ref: ObjectRef = { apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name };
  if (obj.metadata.namespace !== undefined) ref.namespace = obj.metadata.namespace;
  return ref;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `attempt` until it succeeds, at most until the timeout. The first attempt is immediate;
 * no attempt starts after the deadline.
 */
export async function retryUntilTimeout(opts: RetryOptions, attempt: () => Promise<void>): Promise<void> {
  const interval = opts.intervalMs ?? API_CALL_RETRY_INTERVAL_MS;
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    let failure: unknown;
    try {
      await attempt();
      return;
    } catch (err) {
      failure = err;
    }
    if (Date.now() + interval > deadline) throw failure;
    await sleep(interval);
  }
}

/** The object as sent by an update that must not be refused for a stale resourceVersion. */
function withoutResourceVersion(obj: KubeObject): KubeObject {
  if (obj.metadata.resourceVersion === undefined) return obj;
  const { resourceVersion: _dropped, ...metadata } = obj.metadata;
  return { ...obj, metadata: metadata as KubeObject['metadata'] };
}

/**
 * POST the object; when it already exists, PUT it as given (no resourceVersion, so the write is
 * unconditional). Any other failure, of either call, is retried.
 */
export async function createOrUpdate(
  client: ClusterClient,
  obj: KubeObject,
  opts: RetryOptions,
): Promise<void> {
  await retryUntilTimeout(opts, async () => {
    try {
      await client.create(obj);
      return;
    } catch (err) {
      if (!isAlreadyExists(err)) throw new IdempotentWriteError('create', obj, err);
    }
    try {
      await client.update(withoutResourceVersion(obj));
    } catch (err) {
      throw new IdempotentWriteError('update', obj, err);
    }
  });
}

/** GET the object; POST it only when it does not exist. An existing object is left as it is. */
export async function createOrRetain(
  client: ClusterClient,
  obj: KubeObject,
  opts: RetryOptions,
): Promise<void> {
  await retryUntilTimeout(opts, async () => {
    let live: KubeObject | undefined;
    try {
      live = await client.get(refOf(obj));
    } catch (err) {
      throw new IdempotentWriteError('get', obj, err);
    }
    if (live !== undefined) return;
    try {
      await client.create(obj);
    } catch (err) {
      throw new IdempotentWriteError('create', obj, err);
    }
  });
}

/**
 * POST the object; when it already exists, GET the live one, let `mutate` change it, and PUT the
 * result (which keeps the live resourceVersion, so a concurrent change makes the PUT fail and the
 * whole step is retried).
 */
export async function createOrMutate(
  client: ClusterClient,
  obj: KubeObject,
  mutate: (live: KubeObject) => KubeObject,
  opts: RetryOptions,
): Promise<void> {
  await retryUntilTimeout(opts, async () => {
    try {
      await client.create(obj);
      return;
    } catch (err) {
      if (!isAlreadyExists(err)) throw new IdempotentWriteError('create', obj, err);
    }
    let live: KubeObject | undefined;
    try {
      live = await client.get(refOf(obj));
    } catch (err) {
      throw new IdempotentWriteError('get', obj, err);
    }
    // Deleted between the POST and the GET: the next attempt creates it.
    if (live === undefined)
      throw new IdempotentWriteError('get', obj, new Error(`"${obj.metadata.name}" not found`));
    try {
      await client.update(mutate(structuredClone(live)));
    } catch (err) {
      throw new IdempotentWriteError('update', obj, err);
    }
  });
}
