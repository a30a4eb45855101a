// The shipped MemoryCluster with what some tests need on top of an API server's answers: failures
// injected into the next requests (or into chosen ones), requests as short lines, stored objects
// read without a request, a ClusterFactory that counts how often the client is opened and closed,
// and Jobs that the controllers would complete: a Job read back has completed when some Node could
// run its Pod (Ready, not cordoned, taints tolerated, nodeSelector matched), and stays active when none can.
import { MemoryCluster, type RecordedRequest, type Verb } from '../../src/cluster/memory.js';
import { ClusterApiError, type KubeObject, type ObjectRef } from '../../src/cluster/types.js';
import type { ClusterFactory, ClusterOptions } from '../../src/commands/context.js';
import { unfitReason } from './scheduling.js';

/** Answers a request with this error instead of carrying it out (after it was recorded). */
export type Interceptor = (request: RecordedRequest) => ClusterApiError | undefined;

export class TestCluster extends MemoryCluster {
  /** Checked for each request once no `failNext` failure is pending. */
  intercept: Interceptor | undefined;
  /** How each client was asked for through `factory`. */
  readonly opened: { kubeconfigPath: string; options: ClusterOptions }[] = [];
  closed = 0;
  private failures = 0;
  private failure = { status: 500, reason: 'InternalError' };

  /** A ClusterFactory that hands out this cluster and records how it was asked for. */
  factory: ClusterFactory = async (source, options) => {
    this.opened.push({ kubeconfigPath: typeof source === 'string' ? source : source.source, options });
    return this;
  };

  /** The next `count` requests, of any verb, fail with this status. */
  failNext(count: number, status = 500, reason = 'InternalError'): void {
    this.failures = count;
    this.failure = { status, reason };
  }

  /** One stored object, without recording a request. */
  storedObject<T extends KubeObject = KubeObject>(ref: ObjectRef): T | undefined {
    return this.stored(ref.kind).find(
      (o) =>
        o.apiVersion === ref.apiVersion &&
        o.metadata.name === ref.name &&
        o.metadata.namespace === ref.namespace,
    ) as T | undefined;
  }

  /** Every stored object, in the order of the store's keys (apiVersion, kind, namespace, name). */
  all(): KubeObject[] {
    return [...this.objects.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([, o]) => structuredClone(o));
  }

  /** Requests as `CREATE ConfigMap kube-system/coredns` or `LIST Deployment kube-system k8s-app=kube-dns`. */
  lines(): string[] {
    return this.requests.map((r) => {
      const where =
        r.name === undefined ? (r.namespace ?? '') : r.namespace ? `${r.namespace}/${r.name}` : r.name;
      return [r.verb, r.kind, where, r.query?.labelSelector ?? ''].filter((s) => s !== '').join(' ');
    });
  }

  override close(): void {
    this.closed++;
  }

  override async get<T extends KubeObject = KubeObject>(ref: ObjectRef): Promise<T | undefined> {
    const found = await super.get<T>(ref);
    return found?.kind === 'Job' ? (this.runJob(found) as T) : found;
  }

  /** What the Job controller, scheduler and a kubelet would have made of a Job by the time it is read. */
  private runJob(job: KubeObject): KubeObject {
    const status = (job.status ?? {}) as { conditions?: { type: string }[]; startTime?: string };
    if ((status.conditions ?? []).some((c) => c.type === 'Complete' || c.type === 'Failed')) return job;
    const podSpec = ((job.spec as { template?: { spec?: object } } | undefined)?.template?.spec ??
      {}) as Record<string, unknown>;
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const fits = this.stored('Node').some((node) => unfitReason(podSpec, node) === undefined);
    const next: KubeObject = {
      ...job,
      status: fits
        ? {
            startTime: status.startTime ?? now,
            completionTime: now,
            succeeded: 1,
            conditions: [{ type: 'Complete', status: 'True', lastTransitionTime: now }],
          }
        : { startTime: status.startTime ?? now, active: 1 },
    };
    return this.seed(next);
  }

  protected override record(
    verb: Verb,
    ref: Omit<ObjectRef, 'name'> & { name?: string },
    extra: Partial<RecordedRequest> = {},
  ): void {
    super.record(verb, ref, extra);
    const request = this.requests[this.requests.length - 1]!;
    if (this.failures > 0) {
      this.failures--;
      const { status, reason } = this.failure;
      throw new ClusterApiError(`injected failure (${reason})`, status, reason, `${verb} ${request.path}`);
    }
    const err = this.intercept?.(request);
    if (err) throw err;
  }
}
