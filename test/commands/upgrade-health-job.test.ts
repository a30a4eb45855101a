// The health-check Job in `kbadm upgrade plan` and `kbadm upgrade apply`, in-process against the
// in-memory API server (its Jobs complete when a Node could run their Pod), on a virtual clock.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Command } from 'commander';
import { parse } from 'yaml';
import type { KubeObject } from '../../src/cluster/types.js';
import { upgradePlanCommand } from '../../src/commands/upgrade-plan.js';
import { entry, runCli, virtualClock } from '../support/cli.js';
import { TestCluster } from '../support/memory-cluster.js';
import { initCluster } from '../support/memory-control-plane.js';
import { tempDir } from '../support/temp.js';
import { seedUpgradeCluster } from '../support/upgrade-cluster.js';

const UPGRADE = entry('upgrade', (ctx) => new Command('upgrade').addCommand(upgradePlanCommand(ctx)));
const BLOCKED = { key: 'example.com/maintenance', effect: 'NoSchedule' };

function planEnv(t: { after(fn: () => void): void }) {
  const root = tempDir(t, 'kbadm-upgrade-health-');
  const manifests = join(root, 'etc/kubernetes/manifests');
  mkdirSync(manifests, { recursive: true });
  for (const c of ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'])
    writeFileSync(join(manifests, `${c}.yaml`), 'apiVersion: v1\nkind: Pod\n');
  const cluster = new TestCluster();
  seedUpgradeCluster(cluster, { workers: [['w-1', 'v1.33.1']] });
  const kbadm = (...args: string[]) =>
    runCli(['--rootfs', root, 'upgrade', 'plan', ...args], {
      cluster: cluster.factory,
      commands: [UPGRADE],
      clock: virtualClock(),
    });
  return { root, cluster, kbadm };
}

/** Every Node gets a taint the health check's Pod does not tolerate. */
function blockEveryNode(cluster: TestCluster): void {
  for (const node of cluster.stored('Node')) {
    const taints = (node.spec as { taints?: object[] } | undefined)?.taints ?? [];
    cluster.seed({ ...node, spec: { ...(node.spec as object), taints: [...taints, BLOCKED] } });
  }
}

describe('the health-check Job of kbadm upgrade', () => {
  test('plan: when no Node takes the Pod, plan stops with the CreateJob error (exit 2) and prints no plan', async (t) => {
    const e = planEnv(t);
    blockEveryNode(e.cluster);
    const r = await e.kbadm();
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stdout, /\[upgrade\] Running cluster health checks\n$/);
    assert.match(
      r.stderr,
      /^\[preflight\] Some fatal errors occurred:\n\t\[ERROR CreateJob\]: Job "upgrade-health-check-\d+" in the namespace "kube-system" did not complete in 15s: no condition of type Complete\n\[preflight\] If you know what you are doing/m,
    );
    // Ignored, the failure is a warning and the plan follows.
    const ignored = await e.kbadm('--ignore-preflight-errors', 'CreateJob');
    assert.equal(ignored.code, 0, ignored.stderr);
    assert.match(
      ignored.stderr,
      /\t\[WARNING CreateJob\]: Job "upgrade-health-check-\d+" .* did not complete in 15s/,
    );
    assert.match(ignored.stdout, /kbadm upgrade apply v1\.34\.0/);
  });

  test('plan: the Job takes the cluster pause image, and the worker runs it when the control plane is cordoned', async (t) => {
    const e = planEnv(t);
    const cp = e.cluster.stored('Node').find((n) => n.metadata.name === 'cp-1')!;
    e.cluster.seed({ ...cp, spec: { ...(cp.spec as object), unschedulable: true } } as KubeObject);
    const r = await e.kbadm('-o', 'json');
    assert.equal(r.code, 0, r.stderr);
    const created = e.cluster.requests.find((q) => q.verb === 'CREATE')!;
    const job = created.body as { spec: { template: { spec: { containers: { image: string }[] } } } };
    assert.equal(job.spec.template.spec.containers[0]!.image, 'registry.k8s.io/pause:3.10.1');
  });

  test('plan: off a control-plane node the manifests are missing (StaticPodManifest)', async (t) => {
    const root = tempDir(t, 'kbadm-upgrade-health-worker-');
    const cluster = new TestCluster();
    seedUpgradeCluster(cluster);
    const r = await runCli(['--rootfs', root, 'upgrade', 'plan'], {
      cluster: cluster.factory,
      commands: [UPGRADE],
    });
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      /\t\[ERROR StaticPodManifest\]: \/etc\/kubernetes\/manifests\/etcd\.yaml: no such file or directory\n/,
    );
  });

  test('apply --dry-run: the Job is printed as a request and not created', async (t) => {
    const c = await initCluster(t, { kubernetesVersion: 'v1.33.4' });
    // What the kubelet would have done: the Node Ready, the mirror Pods of the manifests running.
    const node = c.api.storedObject({ apiVersion: 'v1', kind: 'Node', name: 'cp-1' })!;
    c.api.seed({ ...node, status: { conditions: [{ type: 'Ready', status: 'True' }] } });
    for (const component of ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler']) {
      const pod = parse(readFileSync(join(c.cpRoot, `etc/kubernetes/manifests/${component}.yaml`), 'utf8'));
      c.api.seed({
        ...pod,
        metadata: { ...pod.metadata, name: `${component}-cp-1` },
        spec: { ...pod.spec, nodeName: 'cp-1' },
        status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
      });
    }
    const manifest = join(c.cpRoot, 'etc/kubernetes/manifests/kube-apiserver.yaml');
    const before = readFileSync(manifest);
    const r = await runCli(
      [
        '--rootfs',
        c.cpRoot,
        'upgrade',
        'apply',
        'v1.34.0',
        '--dry-run',
        '--yes',
        '--etcd-upgrade=false',
        '--ignore-preflight-errors',
        'ImagePull',
      ],
      { cluster: c.api.factory },
    );
    assert.equal(r.code, 0, `${r.stderr}\n${r.stdout}`);
    assert.match(
      r.stdout,
      /\n\[dryrun\] Would perform action CREATE on resource "jobs" in API group "batch\/v1"\n\[dryrun\] Resource name "upgrade-health-check-\d+", namespace "kube-system"\n\[dryrun\] Attached object:\n\tapiVersion: batch\/v1\n\tkind: Job\n/,
    );
    assert.deepEqual(c.api.stored('Job'), []);
    assert.deepEqual(readFileSync(manifest), before);
  });
});
