import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { healthCheckJob, healthCheckJobName, jobComplete, jobFailure } from '../../src/upgrade/health-job.js';

describe("the health check's Job", () => {
  test("kubeadm 1.34's Job: one run, as user 999, on control planes too, the pause image with -v", () => {
    const job = healthCheckJob({
      name: 'upgrade-health-check-1700000000000',
      pauseImage: 'registry.k8s.io/pause:3.10.1',
    });
    assert.deepEqual(job, {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'upgrade-health-check-1700000000000', namespace: 'kube-system' },
      spec: {
        backoffLimit: 0,
        activeDeadlineSeconds: 15,
        ttlSecondsAfterFinished: 20,
        template: {
          spec: {
            restartPolicy: 'Never',
            securityContext: { runAsUser: 999, runAsGroup: 999, runAsNonRoot: true },
            tolerations: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }],
            containers: [
              { name: 'upgrade-health-check', image: 'registry.k8s.io/pause:3.10.1', args: ['-v'] },
            ],
          },
        },
      },
    });
  });

  test('its deadline and TTL follow the wait; its name the clock', () => {
    const spec = healthCheckJob({ name: 'x', pauseImage: 'p', timeoutMs: 2500 }).spec as Record<
      string,
      unknown
    >;
    assert.equal(spec.activeDeadlineSeconds, 3);
    assert.equal(spec.ttlSecondsAfterFinished, 8);
    assert.equal(healthCheckJobName(1768464778717.9), 'upgrade-health-check-1768464778717');
  });

  test('complete only with a Complete condition; a failure gives its reason', () => {
    const job = (conditions: unknown[]) => ({
      ...healthCheckJob({ name: 'x', pauseImage: 'p' }),
      status: { conditions },
    });
    assert.equal(jobComplete(job([])), false);
    assert.equal(jobComplete(job([{ type: 'SuccessCriteriaMet', status: 'True' }])), false);
    assert.equal(jobComplete(job([{ type: 'Complete', status: 'True' }])), true);
    assert.equal(jobFailure(job([{ type: 'Complete', status: 'True' }])), undefined);
    assert.equal(
      jobFailure(
        job([
          {
            type: 'Failed',
            status: 'True',
            reason: 'DeadlineExceeded',
            message: 'Job was active longer than specified deadline',
          },
        ]),
      ),
      'DeadlineExceeded: Job was active longer than specified deadline',
    );
  });
});
