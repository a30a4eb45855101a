// `kbadm upgrade plan` (the built CLI) against the lab's API server stand-in on a real etcd that
// holds 5,000 Nodes. The cluster's objects come from kbadm's own upload-config and addon phases at
// v1.33.4, the mirror Pods of three control-plane nodes from the test (as their kubelets would
// post them). Plan must read the Nodes in limit/continue pages, name every kubelet with its
// version, as kubeadm 1.34 does (one row per node), and finish.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { requireBuild } from './lab-cli.js';
import { startPlanCluster, type PlanCluster } from './plan-cluster.js';

requireBuild();

const FROM = 'v1.33.4';
const TO = 'v1.34.0';
const ETCD_FROM = '3.5.21-0';
const CONTROL_PLANES = ['cp-1', 'cp-2', 'cp-3'];
const WORKERS = 4997;
/** kbadm reads lists in pages of this many objects. */
const PAGE = 500;

/**
 * 4,000 kubelets at v1.33.4 (the control planes among them), 999 at v1.33.1 and one at v1.32.0:
 * the last Node by name, so that it comes in the last page.
 */
function workerVersion(i: number): string {
  if (i === WORKERS - 1) return 'v1.32.0';
  return i % 5 === 1 ? 'v1.33.1' : FROM;
}
const workerName = (i: number) => `worker-${String(i).padStart(4, '0')}`;

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe(`upgrade plan against ${CONTROL_PLANES.length + WORKERS} Nodes on the lab API server`, () => {
  let cluster: PlanCluster;
  /** node name -> kubelet version, in the order the API server lists them (by name). */
  let expected: Map<string, string>;
  const f = () => cluster.fixture;
  const plan = (...args: string[]) => cluster.plan([TO, ...args]);

  /** kbadm's requests (admin.conf's user) since the last clearRequests(). */
  const kbadmRequests = () =>
    f()
      .requests()
      .filter((r) => r.user === 'kubernetes-admin');
  /** The kubelet table's Node lists (the health checks list Nodes with selectors of their own). */
  const nodeLists = () =>
    kbadmRequests().filter((r) => {
      const u = new URL(r.url, 'https://x');
      return (
        r.method === 'GET' &&
        u.pathname === '/api/v1/nodes' &&
        !u.searchParams.has('labelSelector') &&
        !u.searchParams.has('fieldSelector')
      );
    });

  before(async () => {
    cluster = await startPlanCluster({
      name: 'planscale',
      kubernetesVersion: FROM,
      etcdVersion: ETCD_FROM,
      controlPlanes: CONTROL_PLANES,
      workers: Array.from({ length: WORKERS }, (_, i) => [workerName(i), workerVersion(i)]),
    });
    expected = cluster.kubelets;
  });
  after(() => cluster?.close());

  test('-o json: one kubelet entry per Node with its version, read in pages of 500', async () => {
    f().clearRequests();
    const r = await plan('-o', 'json');
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.kind, 'UpgradePlan');
    assert.equal(doc.availableUpgrades.length, 1);
    const components: Obj[] = doc.availableUpgrades[0].components;
    const kubelets = components.filter((c) => c.name === 'kubelet');
    assert.equal(kubelets.length, expected.size);
    const counts: Record<string, number> = {};
    for (const k of kubelets) counts[k.currentVersion] = (counts[k.currentVersion] ?? 0) + 1;
    assert.deepEqual(counts, { 'v1.32.0': 1, 'v1.33.1': 999, 'v1.33.4': 4000 });
    // Every node once, at the version it reports, aimed at the target.
    const reported = new Map(kubelets.map((k) => [k.nodeName as string, k.currentVersion as string]));
    assert.equal(reported.size, expected.size);
    assert.deepEqual(reported, expected);
    assert.ok(kubelets.every((k) => k.newVersion === TO && k.nodeCount === undefined));
    // kubeadm's order: by version text, then as listed.
    const order = [...expected].map(([n, v], i) => ({ n, v, i }));
    order.sort((a, b) => (a.v < b.v ? -1 : a.v > b.v ? 1 : a.i - b.i));
    assert.deepEqual(
      kubelets.map((k) => k.nodeName),
      order.map((o) => o.n),
    );
    for (const c of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'])
      assert.deepEqual(
        components.filter((x) => x.name === c),
        CONTROL_PLANES.map((nodeName) => ({ name: c, currentVersion: FROM, newVersion: TO, nodeName })),
      );
    assert.deepEqual(
      components.filter((x) => x.name === 'etcd').map((x) => [x.nodeName, x.currentVersion]),
      CONTROL_PLANES.map((n) => [n, ETCD_FROM]),
    );

    const lists = nodeLists();
    assert.equal(lists.length, Math.ceil(expected.size / PAGE), 'one request per page of 500');
    lists.forEach((l, i) => {
      const q = new URL(l.url, 'https://x').searchParams;
      assert.equal(l.status, 200);
      assert.equal(q.get('limit'), String(PAGE), l.url);
      // Each page continues where the page before it ended.
      assert.equal(q.get('continue'), i === 0 ? null : lists[i - 1]!.list?.continue, l.url);
      assert.equal(l.user, 'kubernetes-admin');
    });
    assert.equal(
      lists.reduce((n, l) => n + (l.list?.items ?? 0), 0),
      expected.size,
    );
    assert.equal(lists.at(-1)!.list?.continue, undefined);
    // Plan only reads, but for the health check's Job.
    const writes = kbadmRequests().filter((q) => q.method !== 'GET');
    assert.deepEqual(
      writes.map((q) => [q.method, new URL(q.url, 'https://x').pathname]),
      [['POST', '/apis/batch/v1/namespaces/kube-system/jobs']],
    );
  });

  test('text: the kubelet table has a row for every Node, then the control plane and the apply command', async () => {
    const r = await plan();
    const lines = r.stdout.split('\n');
    const header = lines.indexOf(
      "Components that must be upgraded manually after you have upgraded the control plane with 'kbadm upgrade apply':",
    );
    assert.ok(header >= 0, r.stdout.slice(0, 2000));
    assert.match(lines[header + 1]!, /^COMPONENT {3}NODE {10}CURRENT {3}TARGET$/);
    const rows = lines.slice(header + 2, lines.indexOf('', header));
    assert.equal(rows.length, expected.size);
    const parsed = rows.map((row) => row.split(/ +/));
    assert.ok(parsed.every((p) => p.length === 4 && p[0] === 'kubelet' && p[3] === TO));
    assert.deepEqual(new Map(parsed.map((p) => [p[1]!, p[2]!])), expected);
    assert.match(r.stdout, /\nUpgrade to the latest stable version:\n/);
    for (const cp of CONTROL_PLANES)
      assert.match(r.stdout, new RegExp(`\\nkube-apiserver +${cp} +${FROM} +${TO}\\n`));
    assert.match(r.stdout, /\n\tkbadm upgrade apply v1\.34\.0\n/);
    assert.match(r.stdout, /\nkubelet\.config\.k8s\.io +v1beta1 +v1beta1 +no\n_{69}\n\n$/);
  });
});
