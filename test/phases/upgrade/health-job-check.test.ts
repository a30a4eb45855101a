// The CreateJob health check against the in-memory API server, whose Jobs complete only when a Node
// could run their Pod, on a virtual clock: every wait of kubeadm's 1 s / 15 s polling passes at once.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DryRunCluster } from '../../../src/cluster/dry-run.js';
import { ClusterApiError, type KubeObject } from '../../../src/cluster/types.js';
import { recordOutput } from '../../../src/output/output.js';
import {
  healthJobCheck,
  type HealthJobCheckOptions,
  type HealthJobTiming,
} from '../../../src/phases/upgrade/health-job-check.js';
import type { NodeProbe } from '../../../src/preflight/check.js';
import { ignoreSet, runChecks } from '../../../src/preflight/run.js';
import { virtualClock } from '../../support/cli.js';
import { TestCluster } from '../../support/memory-cluster.js';
import { nodeObject } from '../../support/upgrade-cluster.js';

const START = 1_700_000_000_000;
const JOB = `upgrade-health-check-${START}`;
const PAUSE = 'registry.k8s.io/pause:3.10.1';
const NO_PROBE = {} as NodeProbe;

function setup(options: { nodes?: KubeObject[]; timing?: Partial<HealthJobTiming> } = {}) {
  const api = new TestCluster();
  for (const n of options.nodes ?? [nodeObject('cp-1', 'v1.33.4', true)]) api.seed(n);
  const clock = virtualClock(START);
  const warnings: string[] = [];
  const run = (extra: Partial<HealthJobCheckOptions> = {}) =>
    healthJobCheck({
      client: api,
      pauseImage: async () => PAUSE,
      warn: (m) => warnings.push(m),
      timing: { now: clock.now, sleep: clock.sleep, ...options.timing },
      ...extra,
    }).run(NO_PROBE);
  return { api, clock, warnings, run };
}

const tainted = (node: KubeObject, key: string): KubeObject => ({
  ...node,
  spec: { taints: [...((node.spec as { taints?: unknown[] })?.taints ?? []), { key, effect: 'NoSchedule' }] },
});

describe('the CreateJob health check', () => {
  test('a control plane that can run the Pod: the Job is created, read back complete, and left to its TTL', async () => {
    const e = setup();
    assert.deepEqual(await e.run(), { warnings: [], errors: [] });
    assert.deepEqual(e.api.lines(), [
      'LIST Node',
      `CREATE Job kube-system/${JOB}`,
      `GET Job kube-system/${JOB}`,
    ]);
    assert.equal(e.api.requests[0]!.query?.fieldSelector, 'spec.unschedulable=false');
    assert.equal(e.api.requests[0]!.query?.limit, 1);
    const job = e.api.storedObject({
      apiVersion: 'batch/v1',
      kind: 'Job',
      namespace: 'kube-system',
      name: JOB,
    })!;
    const spec = job.spec as {
      ttlSecondsAfterFinished: number;
      template: { spec: { containers: object[] } };
    };
    assert.equal(spec.ttlSecondsAfterFinished, 20);
    assert.deepEqual(spec.template.spec.containers, [
      { name: 'upgrade-health-check', image: PAUSE, args: ['-v'] },
    ]);
    assert.deepEqual(e.clock.slept, []);
  });

  test("a Pod no Node takes: kubeadm's error after 15 s of reading the Job every second", async () => {
    const e = setup({ nodes: [tainted(nodeObject('cp-1', 'v1.33.4', true), 'example.com/maintenance')] });
    const r = await e.run();
    assert.deepEqual(r.errors, [
      `Job "${JOB}" in the namespace "kube-system" did not complete in 15s: no condition of type Complete`,
    ]);
    assert.equal(e.api.lines().filter((l) => l.startsWith('GET Job')).length, 16);
    assert.equal(
      e.clock.slept.reduce((a, b) => a + b, 0),
      15_000,
    );
    assert.ok(e.clock.slept.every((ms) => ms === 1000));
  });

  test('the intervals are injectable: a short wait is named in the error as it was', async () => {
    const e = setup({
      nodes: [
        {
          ...nodeObject('cp-1', 'v1.33.4', true),
          status: { conditions: [{ type: 'Ready', status: 'False' }] },
        },
      ],
      timing: { intervalMs: 100, timeoutMs: 250 },
    });
    const r = await e.run();
    assert.deepEqual(r.errors, [
      `Job "${JOB}" in the namespace "kube-system" did not complete in 250ms: no condition of type Complete`,
    ]);
    assert.deepEqual(e.clock.slept, [100, 100, 50]);
  });

  test('a worker without taints runs it when the control plane is cordoned; a Job of an earlier run is no obstacle', async () => {
    const e = setup({
      nodes: [
        { ...nodeObject('cp-1', 'v1.33.4', true), spec: { unschedulable: true } },
        nodeObject('w-1', 'v1.33.4'),
      ],
    });
    // Left by an earlier run that failed, before its TTL ran out.
    e.api.seed({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: `upgrade-health-check-${START - 60_000}`, namespace: 'kube-system' },
      status: { conditions: [{ type: 'Failed', status: 'True', reason: 'DeadlineExceeded' }] },
    });
    assert.deepEqual(await e.run(), { warnings: [], errors: [] });
  });

  test('no schedulable Node at all (a single node drained): skipped with a warning, no Job', async () => {
    const e = setup({ nodes: [{ ...nodeObject('cp-1', 'v1.33.4', true), spec: { unschedulable: true } }] });
    const r = await e.run();
    assert.deepEqual(r.errors, []);
    assert.equal(r.skipped, 'there are no schedulable Nodes in the cluster');
    assert.deepEqual(e.warnings, [
      'The preflight check "CreateJob" was skipped because there are no schedulable Nodes in the cluster.',
    ]);
    assert.deepEqual(e.api.lines(), ['LIST Node']);
  });

  test('Nodes that cannot be listed for 15 s fail the check; a passing failure is retried', async () => {
    let e = setup();
    e.api.failNext(100, 503, 'ServiceUnavailable');
    let r = await e.run();
    assert.deepEqual(r.errors, [
      'could not check if there is at least one Node that can schedule a test Pod: injected failure (ServiceUnavailable)',
    ]);
    e = setup();
    e.api.failNext(2, 503, 'ServiceUnavailable');
    r = await e.run();
    assert.deepEqual(r.errors, []);
    assert.deepEqual(e.clock.slept, [1000, 1000]);
  });

  test('a Job that cannot be created for 15 s fails the check with the last error', async () => {
    const e = setup();
    e.api.intercept = (q) =>
      q.verb === 'CREATE'
        ? new ClusterApiError('jobs.batch is forbidden: quota exceeded', 403, 'Forbidden', 'POST')
        : undefined;
    const r = await e.run();
    assert.deepEqual(r.errors, [
      `could not create Job "${JOB}" in the namespace "kube-system": jobs.batch is forbidden: quota exceeded`,
    ]);
    assert.equal(e.api.lines().filter((l) => l.startsWith('CREATE')).length, 16);
  });

  test('a create whose answer was lost is not repeated into a failure: the Job there is waited for', async () => {
    const e = setup();
    let lost = false;
    e.api.intercept = (q) => {
      if (q.verb !== 'CREATE' || lost) return undefined;
      lost = true;
      e.api.seed(q.body as KubeObject); // the server stored it...
      return new ClusterApiError(
        'the server was unable to return a response in the time allotted',
        504,
        'Timeout',
        'POST',
      );
    };
    assert.deepEqual(await e.run(), { warnings: [], errors: [] });
    assert.deepEqual(e.api.lines(), [
      'LIST Node',
      `CREATE Job kube-system/${JOB}`,
      `CREATE Job kube-system/${JOB}`,
      `GET Job kube-system/${JOB}`,
    ]);
  });

  test('a Job deleted under it: the last error says so', async () => {
    const e = setup({ timing: { intervalMs: 100, timeoutMs: 100 } });
    e.api.intercept = (q) => {
      if (q.verb === 'GET')
        void e.api.delete({ apiVersion: 'batch/v1', kind: 'Job', namespace: 'kube-system', name: JOB });
      return undefined;
    };
    const r = await e.run();
    assert.deepEqual(r.errors, [
      `Job "${JOB}" in the namespace "kube-system" did not complete in 100ms: jobs.batch "${JOB}" not found`,
    ]);
  });

  test('dry run: the Job is printed as the dry-run client prints a request, and not created', async () => {
    const e = setup();
    const out = recordOutput();
    const r = await e.run({ dryRun: new DryRunCluster(out) });
    assert.deepEqual(r, { warnings: [], errors: [] });
    assert.deepEqual(e.api.lines(), ['LIST Node']);
    const text = out.text();
    assert.match(
      text,
      /^\[dryrun\] Would perform action CREATE on resource "jobs" in API group "batch\/v1"\n/,
    );
    assert.match(text, new RegExp(`\\[dryrun\\] Resource name "${JOB}", namespace "kube-system"\\n`));
    assert.match(text, /\n\[dryrun\] Attached object:\n\tapiVersion: batch\/v1\n\tkind: Job\n/);
    assert.match(text, /\n\t      - args:\n\t        - -v\n/);
  });

  test('its failure is a preflight error named CreateJob, a warning when ignored', async () => {
    const e = setup({ nodes: [] });
    e.api.seed(tainted(nodeObject('w-1', 'v1.33.4'), 'example.com/maintenance'));
    const check = healthJobCheck({
      client: e.api,
      pauseImage: async () => PAUSE,
      warn: () => undefined,
      timing: { now: e.clock.now, sleep: e.clock.sleep, timeoutMs: 0 },
    });
    const out = recordOutput();
    let report = await runChecks([check], NO_PROBE, ignoreSet([]), out);
    assert.deepEqual(
      report.errors.map((f) => f.check),
      ['CreateJob'],
    );
    report = await runChecks([check], NO_PROBE, ignoreSet(['createjob']), out);
    assert.deepEqual(report.errors, []);
    assert.match(
      out.stderr.join(''),
      /\t\[WARNING CreateJob\]: Job "upgrade-health-check-\d+" in the namespace "kube-system" did not complete in 0s/,
    );
  });
});
