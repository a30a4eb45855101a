// A cluster as `kbadm upgrade plan` reads it, on the lab's API server stand-in and a real etcd
// (no containers): the kubeadm-config, kubelet-config and kube-proxy ConfigMaps and the addons
// come from kbadm's own upload-config and addon phases; the control-plane mirror Pods and the
// Nodes (any number of them, with the kubelet versions asked for) are posted as the kubelets
// would post them. Plan's health-check Job runs through the lab's Job controller and scheduler,
// and its Pod is reported Succeeded as the kubelet of the node it was bound to would report it
// (health-job.test.ts runs it for real). Shared by the scale test and bench/upgrade-plan-scale.mjs.
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { runCli } from '../support/cli.js';
import { startControlPlaneFixture, type ControlPlaneFixture } from './apiserver/fixture.js';
import { JOB_NAME_LABEL, JobController } from './controllers/job-controller.js';
import { Scheduler } from './controllers/scheduler.js';
import { clientFromKubeconfig } from './kube-client.js';

const run = promisify(execFile);
/** The built CLI, wherever the caller runs from. */
export const BUILT_KBADM = fileURLToPath(new URL('../../dist/bundle/kbadm.js', import.meta.url));
/** Requests in flight while the objects are created. */
const PARALLEL = 32;

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface PlanClusterOptions {
  /** Names the fixture's temporary directory. */
  name: string;
  /** The cluster's version: kubeadm-config, the mirror Pods and the control planes' kubelets. */
  kubernetesVersion: string;
  /** The etcd image tag of the control planes' etcd mirror Pods. */
  etcdVersion: string;
  /** Nodes labelled as control planes, each with the four mirror Pods. */
  controlPlanes: string[];
  /** Worker Nodes: name and kubelet version. */
  workers: [string, string][];
}

export interface PlanCluster {
  fixture: ControlPlaneFixture;
  /** Node name -> kubelet version, control planes first, as created. */
  kubelets: Map<string, string>;
  /** The built kbadm's `upgrade plan` with admin.conf under the fixture's root. */
  plan(args: string[]): Promise<{ stdout: string; stderr: string }>;
  close(): Promise<void>;
}

const CONTROL_PLANE = 'node-role.kubernetes.io/control-plane';

function nodeObject(name: string, version: string, controlPlane: boolean): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: { 'kubernetes.io/hostname': name, ...(controlPlane ? { [CONTROL_PLANE]: '' } : {}) },
    },
    ...(controlPlane ? { spec: { taints: [{ key: CONTROL_PLANE, effect: 'NoSchedule' }] } } : {}),
    status: { nodeInfo: { kubeletVersion: version }, conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

/**
 * The controller-manager and scheduler stand-ins under their own identities, and the kubelets' part:
 * a health-check Pod bound to a node is reported Succeeded, its pause container ended with code 0.
 */
function runJobStandIns(fixture: ControlPlaneFixture): () => Promise<void> {
  const as = (conf: string) =>
    clientFromKubeconfig(path.join(fixture.kube, conf), (p) => path.join(fixture.root, p), fixture.url());
  const cm = as('controller-manager.conf');
  const sched = as('scheduler.conf');
  const kubelets = as('super-admin.conf');
  const jobs = new JobController(cm, { job: true, ttlAfterFinished: true, garbageCollector: true });
  const scheduler = new Scheduler(sched);
  let stopped = false;
  const pass = async () => {
    await jobs.reconcile();
    await scheduler.schedule();
    const pods = await kubelets.request(
      'GET',
      `/api/v1/namespaces/kube-system/pods?labelSelector=${encodeURIComponent(JOB_NAME_LABEL)}`,
    );
    for (const p of pods.items ?? []) {
      if (!p.spec.nodeName || p.status?.phase !== 'Pending') continue;
      await kubelets.request(
        'PATCH',
        `/api/v1/namespaces/kube-system/pods/${p.metadata.name}/status`,
        {
          status: {
            phase: 'Succeeded',
            containerStatuses: p.spec.containers.map((c: Obj) => ({
              name: c.name,
              image: c.image,
              ready: false,
              restartCount: 0,
              state: { terminated: { exitCode: 0, reason: 'Completed' } },
            })),
          },
        },
        'application/strategic-merge-patch+json',
      );
    }
  };
  const loop = (async () => {
    while (!stopped) {
      await pass().catch((err: unknown) => process.stderr.write(`stand-ins: ${(err as Error).message}\n`));
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  return async () => {
    stopped = true;
    await loop;
    for (const c of [cm, sched, kubelets]) c.close();
  };
}

function mirrorPod(component: string, nodeName: string, image: string): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${component}-${nodeName}`,
      namespace: 'kube-system',
      labels: { component, tier: 'control-plane' },
    },
    spec: { nodeName, containers: [{ name: component, image }] },
  };
}

/** Runs every job, at most `width` at a time. */
async function inParallel<T>(items: readonly T[], width: number, job: (item: T) => Promise<unknown>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await job(items[next++]!);
    }),
  );
}

export async function startPlanCluster(o: PlanClusterOptions): Promise<PlanCluster> {
  const fixture = await startControlPlaneFixture(o.name, { kubernetesVersion: o.kubernetesVersion });
  const kubelets = new Map<string, string>();
  try {
    // The cluster's objects, and this control-plane node's etcd manifest (plan's health checks look
    // for the four).
    for (const phase of [
      ['upload-config', 'all'],
      ['addon', 'all'],
      ['etcd', 'local'],
    ]) {
      const r = await runCli(['--rootfs', fixture.root, 'init', 'phase', ...phase, '--config', '/cfg.yaml']);
      if (r.code !== 0) throw new Error(`init phase ${phase.join(' ')} exited ${r.code}: ${r.stderr}`);
    }
    const objects: Obj[] = [];
    for (const cp of o.controlPlanes) {
      for (const c of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'])
        objects.push(mirrorPod(c, cp, `registry.k8s.io/${c}:${o.kubernetesVersion}`));
      objects.push(mirrorPod('etcd', cp, `registry.k8s.io/etcd:${o.etcdVersion}`));
      objects.push(nodeObject(cp, o.kubernetesVersion, true));
      kubelets.set(cp, o.kubernetesVersion);
    }
    for (const [name, version] of o.workers) {
      objects.push(nodeObject(name, version, false));
      kubelets.set(name, version);
    }
    const client = clientFromKubeconfig(path.join(fixture.kube, 'super-admin.conf'));
    try {
      await inParallel(objects, PARALLEL, (obj) =>
        client.request(
          'POST',
          obj.kind === 'Pod' ? '/api/v1/namespaces/kube-system/pods' : '/api/v1/nodes',
          obj,
        ),
      );
      // The first page of one says how many Nodes follow it.
      const first = await client.request('GET', '/api/v1/nodes?limit=1');
      const stored = first.items.length + (first.metadata.remainingItemCount ?? 0);
      if (stored !== kubelets.size) throw new Error(`${stored} Nodes stored, ${kubelets.size} created`);
    } finally {
      client.close();
    }
  } catch (err) {
    await fixture.close();
    throw err;
  }
  const stopStandIns = runJobStandIns(fixture);
  return {
    fixture,
    kubelets,
    async plan(args) {
      const env = { ...process.env };
      delete env['KUBECONFIG'];
      // Asynchronously: the stand-in answering kbadm runs in this process.
      const r = await run(
        process.execPath,
        [BUILT_KBADM, '--rootfs', fixture.root, 'upgrade', 'plan', ...args],
        {
          env,
          maxBuffer: 64 * 1024 * 1024,
        },
      );
      return { stdout: r.stdout, stderr: r.stderr };
    },
    close: async () => {
      await stopStandIns();
      await fixture.close();
    },
  };
}
