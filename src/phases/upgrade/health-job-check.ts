// kubeadm's `CreateJob` upgrade health check as a preflight check: when some Node is schedulable,
// create the health-check Job (see upgrade/health-job.ts) and wait for it to complete. Each step is
// tried every second for 15 seconds, as kubeadm does; the times are injectable for tests.
import { formatDuration } from '../../config/duration.js';
import type { ClusterClient, KubeObject } from '../../cluster/types.js';
import { isAlreadyExists } from '../../cluster/types.js';
import type { Logger } from '../../output/logger.js';
import { errorMessage, type Check, type Findings } from '../../preflight/check.js';
import {
  HEALTH_CHECK_INTERVAL_MS,
  HEALTH_CHECK_NAMESPACE,
  HEALTH_CHECK_TIMEOUT_MS,
  SCHEDULABLE_NODES,
  healthCheckJob,
  healthCheckJobName,
  jobComplete,
  jobFailure,
} from '../../upgrade/health-job.js';
import { pollUntil, REAL_CLOCK, type Clock } from '../clock.js';

export const CREATE_JOB_CHECK = 'CreateJob';

/**
 * How long each step may take, how often it is tried, and the clock both are measured on (its now()
 * also names the Job).
 */
export interface HealthJobTiming extends Clock {
  intervalMs: number;
  timeoutMs: number;
}

export const KUBEADM_HEALTH_JOB_TIMING: Readonly<HealthJobTiming> = {
  intervalMs: HEALTH_CHECK_INTERVAL_MS,
  timeoutMs: HEALTH_CHECK_TIMEOUT_MS,
  ...REAL_CLOCK,
};

export interface HealthJobCheckOptions {
  /** The cluster: Nodes and the Job are read here, and the Job is created here unless `dryRun`. */
  client: ClusterClient;
  /** The pause image of the cluster's configuration (read only when the check runs). */
  pauseImage(): Promise<string>;
  /**
   * A dry run's client, which prints the requests it is given: the Job goes there instead, and is
   * taken as complete, as kubeadm's dry-run client answers the Job's GET with a completed Job.
   */
  dryRun?: ClusterClient;
  /** Where the warning of a skipped check goes (kubeadm logs it as a warning). */
  warn(message: string): void;
  log?: Pick<Logger, 'debug' | 'info'>;
  timing?: Partial<HealthJobTiming>;
}

const poll = async (t: HealthJobTiming, attempt: () => Promise<boolean>): Promise<boolean> =>
  (await pollUntil(t, t.timeoutMs, t.intervalMs, attempt)).ok;

async function anySchedulableNode(client: ClusterClient): Promise<boolean> {
  for await (const _node of client.list('v1', 'Node', { fieldSelector: SCHEDULABLE_NODES, limit: 1 }))
    return true;
  return false;
}

export function healthJobCheck(o: HealthJobCheckOptions): Check {
  const t: HealthJobTiming = { ...KUBEADM_HEALTH_JOB_TIMING, ...o.timing };
  const ns = HEALTH_CHECK_NAMESPACE;
  const fail = (message: string): Findings => ({ warnings: [], errors: [message] });
  return {
    name: CREATE_JOB_CHECK,
    async run() {
      let lastError = '';
      // A cluster whose every Node is cordoned (a single node being drained) cannot run the Job: kubeadm
      // skips the check then rather than fail it.
      let schedulable = false;
      const listed = await poll(t, async () => {
        try {
          schedulable = await anySchedulableNode(o.client);
          return true;
        } catch (err) {
          lastError = errorMessage(err);
          o.log?.debug('could not list Nodes', { fieldSelector: SCHEDULABLE_NODES, error: lastError });
          return false;
        }
      });
      if (!listed)
        return fail(
          `could not check if there is at least one Node that can schedule a test Pod: ${lastError}`,
        );
      if (!schedulable) {
        const reason = 'there are no schedulable Nodes in the cluster';
        o.warn(`The preflight check "${CREATE_JOB_CHECK}" was skipped because ${reason}.`);
        return { warnings: [], errors: [], skipped: reason };
      }

      const name = healthCheckJobName(t.now());
      const job = healthCheckJob({ name, pauseImage: await o.pauseImage(), timeoutMs: t.timeoutMs });
      if (o.dryRun) {
        await o.dryRun.create(job);
        return { warnings: [], errors: [] };
      }
      o.log?.debug('creating the health check Job', { name, namespace: ns });
      const created = await poll(t, async () => {
        try {
          await o.client.create(job);
          return true;
        } catch (err) {
          // The name is this run's own: a Job already there is one an earlier try created (its answer
          // was lost), so it is the one to wait for.
          if (isAlreadyExists(err)) return true;
          lastError = errorMessage(err);
          o.log?.debug('could not create the health check Job, retrying', { name, error: lastError });
          return false;
        }
      });
      if (!created) return fail(`could not create Job "${name}" in the namespace "${ns}": ${lastError}`);

      let failureLogged = false;
      const completed = await poll(t, async () => {
        let current: KubeObject | undefined;
        try {
          current = await o.client.get({ apiVersion: 'batch/v1', kind: 'Job', namespace: ns, name });
        } catch (err) {
          lastError = errorMessage(err);
          return false;
        }
        if (current === undefined) {
          lastError = `jobs.batch "${name}" not found`;
          return false;
        }
        if (jobComplete(current)) return true;
        const failure = jobFailure(current);
        if (failure !== undefined && !failureLogged) {
          failureLogged = true;
          o.log?.info('the health check Job failed', { name, failure });
        }
        lastError = 'no condition of type Complete';
        return false;
      });
      if (!completed)
        return fail(
          `Job "${name}" in the namespace "${ns}" did not complete in ${formatDuration(t.timeoutMs)}: ${lastError}`,
        );
      o.log?.debug('the health check Job completed', { name, namespace: ns });
      return { warnings: [], errors: [] };
    },
  };
}
