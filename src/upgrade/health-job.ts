// The Job behind kubeadm's `CreateJob` upgrade health check (kubeadm 1.34): one Pod running the pause
// image with `-v`, which prints a version and exits 0, so the Job completes only when the cluster can
// schedule, pull and run a workload. Values in, values out; the check that runs it is in
// phases/upgrade/health-job-check.ts.
import type { KubeObject } from '../cluster/types.js';

export const HEALTH_CHECK_JOB_PREFIX = 'upgrade-health-check';
export const HEALTH_CHECK_NAMESPACE = 'kube-system';
/** kubeadm gives each step (finding a node, creating the Job, waiting for it) this long. */
export const HEALTH_CHECK_TIMEOUT_MS = 15_000;
/** And tries each step again this often. */
export const HEALTH_CHECK_INTERVAL_MS = 1_000;
/** Nodes a Pod may be scheduled to; kubeadm skips the check when there is none. */
export const SCHEDULABLE_NODES = 'spec.unschedulable=false';
/** The user and group the Pod runs as: anything but root. */
export const HEALTH_CHECK_USER = 999;

const CONTROL_PLANE_TAINT = 'node-role.kubernetes.io/control-plane';

/**
 * The Job's name: the prefix and the time in milliseconds. A name of its own per run means a Job left
 * by an earlier run (not yet removed by its TTL) never stands in the way.
 */
export function healthCheckJobName(nowMs: number): string {
  return `${HEALTH_CHECK_JOB_PREFIX}-${Math.trunc(nowMs)}`;
}

export interface HealthCheckJobInput {
  name: string;
  /** `<imageRepository>/pause:<version>`, as the cluster's configuration names it. */
  pauseImage: string;
  /** How long kubeadm waits for it (15 s): the Job's deadline, and the base of its TTL. */
  timeoutMs?: number;
}

export function healthCheckJob(input: HealthCheckJobInput): KubeObject {
  const seconds = Math.ceil((input.timeoutMs ?? HEALTH_CHECK_TIMEOUT_MS) / 1000);
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: input.name, namespace: HEALTH_CHECK_NAMESPACE },
    spec: {
      backoffLimit: 0,
      // A Pod that can never finish (its image cannot be pulled) fails the Job at the deadline, so the
      // TTL removes it too; the TTL outlasts kubeadm's wait so the check never loses the Job it reads.
      activeDeadlineSeconds: seconds,
      ttlSecondsAfterFinished: seconds + 5,
      template: {
        spec: {
          restartPolicy: 'Never',
          securityContext: {
            runAsUser: HEALTH_CHECK_USER,
            runAsGroup: HEALTH_CHECK_USER,
            runAsNonRoot: true,
          },
          // Control-plane nodes may run it: a cluster of control planes alone can pass the check.
          tolerations: [{ key: CONTROL_PLANE_TAINT, effect: 'NoSchedule' }],
          containers: [{ name: HEALTH_CHECK_JOB_PREFIX, image: input.pauseImage, args: ['-v'] }],
        },
      },
    },
  };
}

interface JobCondition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
}

function conditions(job: KubeObject): JobCondition[] {
  return ((job.status as { conditions?: JobCondition[] } | undefined)?.conditions ?? []).filter(
    (c) => typeof c === 'object' && c !== null,
  );
}

/** kubeadm's test: the Job carries a condition of type Complete. */
export function jobComplete(job: KubeObject): boolean {
  return conditions(job).some((c) => c.type === 'Complete');
}

/** Why the Job failed (its Failed condition's reason and message), or undefined while it has not. */
export function jobFailure(job: KubeObject): string | undefined {
  const failed = conditions(job).find((c) => c.type === 'Failed' && c.status === 'True');
  if (!failed) return undefined;
  return [failed.reason, failed.message].filter((s) => s).join(': ') || 'Failed';
}
