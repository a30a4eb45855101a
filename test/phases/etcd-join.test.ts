// check-etcd and etcd-join against the in-memory API server (the etcd Pods) and an in-memory etcd
// behind EtcdClient's transport, on a fake clock. The real etcd is in etcd-join.real.test.ts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KubeObject } from '../../src/cluster/types.js';
import { EtcdClient } from '../../src/etcd/client.js';
import type { EtcdClientTLS, EtcdHealth } from '../../src/etcd/health.js';
import { createDryRunHost } from '../../src/host/dry-run-host.js';
import {
  etcdEndpointsFromPods,
  initialClusterOf,
  JOIN_HEALTH_CHECKS,
  JOIN_HEALTH_INTERVAL_MS,
  runCheckEtcd,
  runEtcdJoin,
  type EtcdJoinData,
} from '../../src/phases/etcd-join.js';
import { FakeEtcd } from '../support/fake-etcd.js';
import { testInitData, type TestInitData } from '../support/init-data.js';
import { lines, loadConfigText } from '../support/manifests.js';
import { TestCluster } from '../support/memory-cluster.js';

const MANIFEST = '/etc/kubernetes/manifests/etcd.yaml';
const CP1_CLIENT = 'https://10.0.0.1:2379';
const CP2_PEER = 'https://10.0.0.2:2380';
const CP2_CLIENT = 'https://10.0.0.2:2379';

function config(etcd = 'local: {}') {
  return loadConfigText(
    [
      'apiVersion: kubeadm.k8s.io/v1beta4',
      'kind: InitConfiguration',
      'localAPIEndpoint:',
      '  advertiseAddress: 10.0.0.2',
      'nodeRegistration:',
      '  name: cp-2',
      '---',
      'apiVersion: kubeadm.k8s.io/v1beta4',
      'kind: ClusterConfiguration',
      'kubernetesVersion: v1.34.0',
      'controlPlaneEndpoint: cp.example:6443',
      'etcd:',
      `  ${etcd}`,
      '',
    ].join('\n'),
  );
}

const EXTERNAL =
  'external: {endpoints: ["https://10.9.9.9:2379"], caFile: /ca.crt, certFile: /c.crt, keyFile: /c.key}';

const PKI = {
  '/etc/kubernetes/pki/etcd/ca.crt': 'CA',
  '/etc/kubernetes/pki/etcd/healthcheck-client.crt': 'CERT',
  '/etc/kubernetes/pki/etcd/healthcheck-client.key': 'KEY',
};

function etcdPodObject(
  name: string,
  annotation?: string,
  labels = { component: 'etcd', tier: 'control-plane' },
) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'kube-system',
      labels,
      ...(annotation
        ? { annotations: { 'kubeadm.kubernetes.io/etcd.advertise-client-urls': annotation } }
        : {}),
    },
  } as KubeObject;
}

interface Harness {
  d: EtcdJoinData & TestInitData;
  api: TestCluster;
  etcd: FakeEtcd;
  /** Endpoints and TLS each etcd client was opened with. */
  opened: { endpoints: string[]; tls: EtcdClientTLS }[];
  /** Every health check, by URL, in order. */
  checks: string[];
  sleeps: number[];
  /** The host, as the test sees it (the dry-run host's base in a dry run). */
  host: TestInitData['host'];
}

function harness(
  options: {
    etcd?: string;
    dryRun?: boolean;
    pods?: KubeObject[];
    health?: (url: string, attempt: number) => EtcdHealth;
  } = {},
): Harness {
  const base = testInitData(config(options.etcd), { files: PKI });
  const api = new TestCluster();
  for (const p of options.pods ?? [etcdPodObject('etcd-cp-1', CP1_CLIENT)]) api.seed(p);
  const etcd = new FakeEtcd();
  const opened: Harness['opened'] = [];
  const checks: string[] = [];
  const sleeps: number[] = [];
  let now = 0;
  const clock = {
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
  };
  const health = options.health ?? (() => ({ healthy: true, status: 200 }));
  const d: EtcdJoinData & TestInitData = {
    ...base,
    cluster: async () => api,
    clock,
    etcdClient: (endpoints, tls) => {
      opened.push({ endpoints, tls });
      return new EtcdClient({ endpoints, transport: etcd.transport, now: clock.now, sleep: clock.sleep });
    },
    etcdHealth: async (url) => {
      checks.push(url);
      return health(url, checks.filter((c) => c === url).length);
    },
  };
  if (options.dryRun) {
    const host = createDryRunHost(base.host.paths, base.out, { base: base.host });
    Object.assign(d, { host, dryRun: true });
  }
  return { d, api, etcd, opened, checks, sleeps, host: base.host };
}

const paths = (etcd: FakeEtcd) => etcd.calls.map((c) => c.path.replace('/v3/cluster/member/', ''));

describe('etcd endpoints from the etcd Pods', () => {
  test('every annotated etcd Pod in kube-system counts; other Pods do not', async () => {
    const api = new TestCluster();
    api.seed(etcdPodObject('etcd-cp-1', CP1_CLIENT));
    api.seed(etcdPodObject('etcd-cp-3', 'https://10.0.0.3:2379'));
    api.seed(
      etcdPodObject('kube-apiserver-cp-1', 'https://10.0.0.7:2379', {
        component: 'kube-apiserver',
        tier: 'control-plane',
      }),
    );
    const elsewhere = etcdPodObject('etcd-elsewhere', 'https://10.0.0.8:2379');
    api.seed({ ...elsewhere, metadata: { ...elsewhere.metadata, namespace: 'default' } });
    assert.deepEqual(await etcdEndpointsFromPods(api, 60_000), [CP1_CLIENT, 'https://10.0.0.3:2379']);
    assert.deepEqual(api.lines(), ['LIST Pod kube-system component=etcd,tier=control-plane']);
  });

  test('waits for a Pod without the annotation, then names it when the time is up', async () => {
    const api = new TestCluster();
    api.seed(etcdPodObject('etcd-cp-1', CP1_CLIENT));
    api.seed(etcdPodObject('etcd-cp-3'));
    let now = 0;
    const clock = { now: () => now, sleep: async (ms: number) => void (now += ms) };
    await assert.rejects(
      etcdEndpointsFromPods(api, 2000, clock),
      /^KbadmError: could not retrieve the list of etcd endpoints: the etcd Pods "etcd-cp-3" have no "kubeadm\.kubernetes\.io\/etcd\.advertise-client-urls" annotation$/,
    );
    assert.equal(api.requests.length, 5, 'at once, then every 500 ms for 2 s');
  });

  test('no etcd Pods at all, and API errors, are retried; the last problem is reported', async () => {
    const api = new TestCluster();
    let now = 0;
    const clock = { now: () => now, sleep: async (ms: number) => void (now += ms) };
    await assert.rejects(
      etcdEndpointsFromPods(api, 1000, clock),
      /could not retrieve the list of etcd endpoints: no Pods with labels component=etcd,tier=control-plane in the "kube-system" Namespace/,
    );
    api.seed(etcdPodObject('etcd-cp-1', CP1_CLIENT));
    api.failNext(2, 503, 'ServiceUnavailable');
    assert.deepEqual(await etcdEndpointsFromPods(api, 60_000, clock), [CP1_CLIENT]);
  });
});

describe('check-etcd', () => {
  test('external etcd: one line, no API or etcd calls', async () => {
    const h = harness({ etcd: EXTERNAL });
    await runCheckEtcd(h.d);
    assert.deepEqual(lines(h.d.out), ['[check-etcd] Skipping etcd check in external mode']);
    assert.deepEqual(h.api.requests, []);
    assert.deepEqual(h.opened, []);
  });

  test("connects to the Pods' endpoints with the healthcheck-client pair and checks every synced member", async () => {
    const h = harness();
    h.etcd.members.push({
      ID: '200',
      name: 'cp-3',
      peerURLs: ['https://10.0.0.3:2380'],
      clientURLs: ['https://10.0.0.3:2379'],
      isLearner: false,
    });
    await runCheckEtcd(h.d);
    assert.deepEqual(lines(h.d.out), ['[check-etcd] Checking that the etcd cluster is healthy']);
    assert.deepEqual(
      h.opened.map((o) => o.endpoints),
      [[CP1_CLIENT]],
    );
    const tls = h.opened[0]!.tls;
    assert.deepEqual([String(tls.ca), String(tls.cert), String(tls.key)], ['CA', 'CERT', 'KEY']);
    assert.deepEqual(h.checks.sort(), [CP1_CLIENT, 'https://10.0.0.3:2379']);
  });

  test('a member that stays unhealthy fails the check, naming its endpoint and reason', async () => {
    const h = harness({
      health: (url) =>
        url === CP1_CLIENT
          ? { healthy: true, status: 200 }
          : { healthy: false, reason: 'connect ECONNREFUSED' },
    });
    h.etcd.members.push({
      ID: '200',
      name: 'cp-3',
      peerURLs: ['https://10.0.0.3:2380'],
      clientURLs: ['https://10.0.0.3:2379'],
      isLearner: false,
    });
    await assert.rejects(
      runCheckEtcd(h.d),
      /^KbadmError: the etcd cluster is not healthy: https:\/\/10\.0\.0\.3:2379 is unhealthy: connect ECONNREFUSED$/,
    );
    // The healthy one is checked once; the other for the whole etcdAPICall budget (2 minutes).
    assert.equal(h.checks.filter((u) => u === CP1_CLIENT).length, 1);
    assert.equal(
      h.sleeps.reduce((a, b) => a + b, 0),
      120_000,
    );
  });

  test('a member that recovers within the budget passes', async () => {
    const h = harness({
      health: (_url, n) => (n < 3 ? { healthy: false, reason: 'no leader' } : { healthy: true }),
    });
    await runCheckEtcd(h.d);
    assert.equal(h.checks.length, 3);
  });

  test('a missing healthcheck-client key is an error naming the file', async () => {
    const h = harness();
    await h.host.remove('/etc/kubernetes/pki/etcd/healthcheck-client.key');
    await assert.rejects(runCheckEtcd(h.d), /etc\/kubernetes\/pki\/etcd\/healthcheck-client\.key/);
  });

  test('dry run: the line, and no API or etcd calls', async () => {
    const h = harness({ dryRun: true });
    await runCheckEtcd(h.d);
    assert.deepEqual(lines(h.d.out), ['[check-etcd] Checking that the etcd cluster is healthy']);
    assert.deepEqual(h.api.requests, []);
    assert.deepEqual(h.opened, []);
  });
});

describe('etcd-join', () => {
  test('adds this node as a learner, writes etcd.yaml, then promotes it and waits for it', async () => {
    const h = harness();
    let manifestAtPromote: boolean | undefined;
    h.etcd.onCall = (c) => {
      if (c.path.endsWith('/promote')) manifestAtPromote = h.host.modeOf(MANIFEST) !== undefined;
    };
    h.etcd.promoteRefusals = 2;
    await runEtcdJoin(h.d);

    assert.deepEqual(lines(h.d.out), [
      '[etcd] Announced new etcd member joining to the existing etcd cluster',
      '[etcd] Creating static Pod manifest for "etcd"',
      '[etcd] Waiting for the new etcd member to join the cluster. This can take up to 40s',
    ]);
    assert.equal(h.host.modeOf('/var/lib/etcd'), 0o700);
    assert.equal(h.host.modeOf(MANIFEST), 0o600);
    assert.deepEqual(h.api.lines(), ['LIST Pod kube-system component=etcd,tier=control-plane']);
    assert.deepEqual(
      h.opened.map((o) => o.endpoints),
      [[CP1_CLIENT]],
    );
    // sync, add (list + add), promote (list + promote, refused twice while the learner catches up).
    assert.deepEqual(paths(h.etcd), [
      'list',
      'list',
      'add',
      'list',
      'promote',
      'list',
      'promote',
      'list',
      'promote',
    ]);
    assert.deepEqual(h.etcd.calls[2]!.body, { peerURLs: [CP2_PEER], isLearner: true });
    assert.equal(manifestAtPromote, true, 'etcd.yaml is written before the promotion');
    const added = h.etcd.members.find((m) => m.peerURLs[0] === CP2_PEER)!;
    assert.equal(added.isLearner, false, 'a voting member now');
    assert.deepEqual(h.checks, [CP2_CLIENT], "this node's member is checked");

    const manifest = h.host.text(MANIFEST);
    assert.match(manifest, /- --name=cp-2\n/);
    assert.match(
      manifest,
      /- --initial-cluster=cp-1=https:\/\/10\.0\.0\.1:2380,cp-2=https:\/\/10\.0\.0\.2:2380\n/,
    );
    assert.match(manifest, /- --initial-cluster-state=existing\n/);
    assert.match(manifest, /- --advertise-client-urls=https:\/\/10\.0\.0\.2:2379\n/);
  });

  test('run again after an interruption: a member already added is promoted, not added twice', async () => {
    const h = harness();
    h.etcd.members.push({ ID: '300', name: '', peerURLs: [CP2_PEER], clientURLs: [], isLearner: true });
    await runEtcdJoin(h.d);
    assert.ok(!paths(h.etcd).includes('add'));
    assert.ok(paths(h.etcd).includes('promote'));
    assert.equal(h.etcd.members.length, 2);
    assert.equal(h.etcd.members[1]!.isLearner, false);
    assert.match(
      h.host.text(MANIFEST),
      /--initial-cluster=cp-1=https:\/\/10\.0\.0\.1:2380,cp-2=https:\/\/10\.0\.0\.2:2380\n/,
    );
  });

  test('run again once it already votes: neither added nor promoted, the manifest rewritten the same', async () => {
    const first = harness();
    await runEtcdJoin(first.d);
    const h = harness();
    h.etcd.members = structuredClone(first.etcd.members);
    h.etcd.members[1]!.name = 'cp-2';
    h.etcd.members[1]!.clientURLs = [CP2_CLIENT];
    await runEtcdJoin(h.d);
    assert.deepEqual(paths(h.etcd), ['list', 'list', 'list']);
    assert.equal(h.host.text(MANIFEST), first.host.text(MANIFEST));
    assert.deepEqual(lines(h.d.out), lines(first.d.out));
  });

  test('the member does not become healthy: after 8 checks 5 s apart, an error naming its URL', async () => {
    const h = harness({ health: () => ({ healthy: false, reason: 'no answer within 2000 ms' }) });
    await assert.rejects(
      runEtcdJoin(h.d),
      /^KbadmError: timeout waiting for etcd cluster to be available: https:\/\/10\.0\.0\.2:2379 is unhealthy: no answer within 2000 ms$/,
    );
    assert.equal(h.checks.length, JOIN_HEALTH_CHECKS);
    assert.deepEqual(h.sleeps, Array(JOIN_HEALTH_CHECKS - 1).fill(JOIN_HEALTH_INTERVAL_MS));
  });

  test('external etcd: one line, nothing written, no API or etcd calls', async () => {
    const h = harness({ etcd: EXTERNAL });
    await runEtcdJoin(h.d);
    assert.deepEqual(lines(h.d.out), [
      '[control-plane-join] Using external etcd - no local stacked instance added',
    ]);
    assert.deepEqual(h.host.changes, []);
    assert.deepEqual(h.api.requests, []);
    assert.deepEqual(h.opened, []);
  });

  test('dry run: says what it would do; nothing written, no API or etcd calls', async () => {
    const h = harness({ dryRun: true });
    await runEtcdJoin(h.d);
    const out = lines(h.d.out);
    assert.deepEqual(
      out.filter((l) => l.startsWith('[etcd]')),
      [
        '[etcd] Would ensure that "/var/lib/etcd" directory is present',
        `[etcd] Would add etcd member: ${CP2_PEER}`,
        '[etcd] Creating static Pod manifest for "etcd"',
        '[etcd] Would wait for the new etcd member to join the cluster',
      ],
    );
    assert.ok(
      out.some((l) => l.includes('--initial-cluster-state=existing')),
      out.join('\n'),
    );
    assert.deepEqual(h.host.changes, []);
    assert.equal(h.host.modeOf(MANIFEST), undefined);
    assert.deepEqual(h.api.requests, []);
    assert.deepEqual(h.opened, []);
    assert.deepEqual(h.etcd.calls, []);
  });

  test('etcd not answering while the member is added fails the join before any manifest', async () => {
    const h = harness();
    h.etcd.onCall = (c) => {
      if (c.path.endsWith('/add')) throw new Error('no answer within 2000 ms');
    };
    // A transport error is retried until the budget is spent: here 2 minutes on the fake clock.
    await assert.rejects(
      runEtcdJoin(h.d),
      /no etcd endpoint answered: \[https:\/\/10\.0\.0\.1:2379: no answer within 2000 ms\]/,
    );
    assert.equal(h.host.modeOf(MANIFEST), undefined);
    assert.deepEqual(lines(h.d.out), []);
  });
});

describe('initial cluster of a joining member', () => {
  test('the new member gets this node name; another unnamed member its hex ID; no peer URL, no entry', () => {
    const members = [
      {
        id: '10501334649042878790',
        name: 'cp-1',
        peerURLs: ['https://10.0.0.1:2380'],
        clientURLs: [],
        isLearner: false,
      },
      { id: '255', name: '', peerURLs: ['https://10.0.0.3:2380'], clientURLs: [], isLearner: true },
      { id: '256', name: '', peerURLs: [CP2_PEER], clientURLs: [], isLearner: true },
      { id: '257', name: 'odd', peerURLs: [], clientURLs: [], isLearner: false },
    ];
    assert.deepEqual(initialClusterOf(members, 'cp-2', CP2_PEER), [
      { name: 'cp-1', peerURL: 'https://10.0.0.1:2380' },
      { name: 'ff', peerURL: 'https://10.0.0.3:2380' },
      { name: 'cp-2', peerURL: CP2_PEER },
    ]);
  });
});
