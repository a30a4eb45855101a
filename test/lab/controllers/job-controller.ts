// The Job, TTL-after-finished and garbage-collector controllers of the kube-controller-manager
// stand-in, for non-indexed Jobs: a Job gets Pods from its template (job-name and controller-uid
// labels, owned by the Job) until as many succeeded as it needs; its status counts its Pods as the
// kubelets report them; it completes, or fails past its backoffLimit or its activeDeadlineSeconds
// (its running Pods deleted then). A finished Job with ttlSecondsAfterFinished is deleted once that
// has passed, and Pods whose Job is gone are deleted. Test support only.
import { KubeError, type KubeClient } from '../kube-client.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const JOB_UID_LABEL = 'batch.kubernetes.io/controller-uid';
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';

const stamp = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const TERMINAL = new Set(['Succeeded', 'Failed']);

export interface JobControllers {
  job: boolean;
  ttlAfterFinished: boolean;
  garbageCollector: boolean;
}

function finishedAt(job: Obj): number | undefined {
  const done = (job.status?.conditions ?? []).find(
    (c: Obj) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
  );
  if (!done) return undefined;
  return Date.parse(job.status?.completionTime ?? done.lastTransitionTime ?? stamp(Date.now()));
}

/** The Pod the Job controller makes from the Job's template. */
export function podForJob(job: Obj): Obj {
  const template = job.spec?.template ?? {};
  const { name, uid, namespace } = job.metadata;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${name}-`,
      namespace,
      labels: {
        ...(template.metadata?.labels ?? {}),
        [JOB_UID_LABEL]: uid,
        [JOB_NAME_LABEL]: name,
        'controller-uid': uid,
        'job-name': name,
      },
      annotations: { ...(template.metadata?.annotations ?? {}) },
      ownerReferences: [
        { apiVersion: 'batch/v1', kind: 'Job', name, uid, controller: true, blockOwnerDeletion: true },
      ],
    },
    spec: structuredClone(template.spec ?? {}),
  };
}

export class JobController {
  constructor(
    private readonly client: KubeClient,
    private readonly enabled: JobControllers,
    private readonly now: () => number = () => Date.now(),
  ) {}

  async reconcile(): Promise<void> {
    const jobs: Obj[] = (await this.client.request('GET', '/apis/batch/v1/jobs')).items ?? [];
    const pods: Obj[] =
      (await this.client.request('GET', `/api/v1/pods?labelSelector=${encodeURIComponent(JOB_UID_LABEL)}`))
        .items ?? [];
    for (const job of jobs) {
      const owned = pods.filter((p) => p.metadata.labels?.[JOB_UID_LABEL] === job.metadata.uid);
      const done = finishedAt(job);
      if (done !== undefined) {
        if (this.enabled.ttlAfterFinished) await this.expire(job, done);
      } else if (this.enabled.job) await this.sync(job, owned);
    }
    if (this.enabled.garbageCollector) {
      const uids = new Set(jobs.map((j) => j.metadata.uid));
      for (const p of pods)
        if ((p.metadata.ownerReferences ?? []).some((o: Obj) => o.kind === 'Job' && !uids.has(o.uid)))
          await this.deletePod(p);
    }
  }

  private async expire(job: Obj, finished: number): Promise<void> {
    const ttl = job.spec?.ttlSecondsAfterFinished;
    if (typeof ttl !== 'number' || this.now() < finished + ttl * 1000) return;
    await this.client
      .request('DELETE', `/apis/batch/v1/namespaces/${job.metadata.namespace}/jobs/${job.metadata.name}`)
      .catch(ignore404);
  }

  private async deletePod(p: Obj): Promise<void> {
    await this.client
      .request('DELETE', `/api/v1/namespaces/${p.metadata.namespace}/pods/${p.metadata.name}`)
      .catch(ignore404);
  }

  private async sync(job: Obj, owned: Obj[]): Promise<void> {
    const now = this.now();
    const spec = job.spec ?? {};
    const start = job.status?.startTime ? Date.parse(job.status.startTime) : now;
    const active = owned.filter((p) => !TERMINAL.has(p.status?.phase));
    const succeeded = owned.filter((p) => p.status?.phase === 'Succeeded').length;
    const failed = owned.filter((p) => p.status?.phase === 'Failed').length;
    const completions: number = spec.completions ?? 1;
    const parallelism: number = spec.parallelism ?? 1;
    const backoffLimit: number = spec.backoffLimit ?? 6;
    let finish: { type: 'Complete' | 'Failed'; reason?: string; message?: string } | undefined;
    if (succeeded >= completions) finish = { type: 'Complete' };
    else if (failed > backoffLimit)
      finish = {
        type: 'Failed',
        reason: 'BackoffLimitExceeded',
        message: 'Job has reached the specified backoff limit',
      };
    else if (
      typeof spec.activeDeadlineSeconds === 'number' &&
      now - start >= spec.activeDeadlineSeconds * 1000
    )
      finish = {
        type: 'Failed',
        reason: 'DeadlineExceeded',
        message: 'Job was active longer than specified deadline',
      };
    let running = active.length;
    if (finish) {
      for (const p of active) await this.deletePod(p);
      running = 0;
    } else {
      const wanted = Math.min(parallelism, completions - succeeded);
      for (; running < wanted; running++)
        await this.client.request(
          'POST',
          `/api/v1/namespaces/${job.metadata.namespace}/pods`,
          podForJob(job),
        );
    }
    const status: Obj = {
      startTime: stamp(start),
      active: running,
      succeeded,
      failed,
      ready: finish ? 0 : active.filter(podReady).length,
      terminating: 0,
      uncountedTerminatedPods: {},
      ...(finish
        ? {
            ...(finish.type === 'Complete' ? { completionTime: stamp(now) } : {}),
            conditions: [
              {
                type: finish.type,
                status: 'True',
                ...(finish.reason ? { reason: finish.reason, message: finish.message } : {}),
                lastProbeTime: stamp(now),
                lastTransitionTime: stamp(now),
              },
            ],
          }
        : {}),
    };
    const counts = (s: Obj | undefined) =>
      JSON.stringify([
        s?.startTime,
        s?.active,
        s?.succeeded,
        s?.failed,
        s?.ready,
        s?.conditions?.length ?? 0,
      ]);
    if (counts(job.status) === counts(status)) return;
    await this.client
      .request(
        'PUT',
        `/apis/batch/v1/namespaces/${job.metadata.namespace}/jobs/${job.metadata.name}/status`,
        { ...job, status },
      )
      .catch((err: unknown) => {
        // Changed meanwhile (or deleted): the next pass reads it again.
        if (!(err instanceof KubeError && (err.code === 404 || err.code === 409))) throw err;
      });
  }
}

function podReady(p: Obj): boolean {
  return (p.status?.conditions ?? []).some((c: Obj) => c.type === 'Ready' && c.status === 'True');
}

function ignore404(err: unknown): void {
  if (!(err instanceof KubeError && err.code === 404)) throw err;
}
