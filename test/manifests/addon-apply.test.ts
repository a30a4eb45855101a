// Applying the addons against the in-memory client: kubeadm's request order (spec §11 steps 7-8),
// a second apply that converges, the replica count and Corefile read from the cluster, and the
// errors kubeadm gives.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ClusterApiError, type KubeObject } from '../../src/cluster/types.js';
import type { InitConfig } from '../../src/config/model.js';
import { KbadmError } from '../../src/errors.js';
import {
  applyCoreDNS,
  applyKubeProxy,
  coreDNSReplicas,
  coreDNSState,
} from '../../src/manifests/addon-apply.js';
import { coreDNSCorefile, renderCoreDNS } from '../../src/manifests/coredns.js';
import { renderKubeProxy } from '../../src/manifests/kube-proxy.js';
import { loadConfigText } from '../support/manifests.js';
import { TestCluster } from '../support/memory-cluster.js';

type Any = KubeObject & Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const OPTS = { timeoutMs: 1000, intervalMs: 1 };
const CONFIG: InitConfig = loadConfigText(
  'apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\nnetworking:\n  podSubnet: 10.244.0.0/16\n',
);
const CM_REF = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'kube-system', name: 'coredns' };
const DEPLOY_REF = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'kube-system', name: 'coredns' };

/** The CoreDNS phase's three steps: read the cluster, render, apply. */
async function coreDNS(client: TestCluster) {
  const state = await coreDNSState(client);
  const addon = renderCoreDNS({ cluster: CONFIG.cluster, replicas: coreDNSReplicas(state) });
  return { state, addon, result: await applyCoreDNS(client, addon, state, OPTS) };
}

function kubeProxy(client: TestCluster) {
  const addon = renderKubeProxy({
    cluster: CONFIG.cluster,
    localEndpoint: CONFIG.init.localAPIEndpoint,
    ...(CONFIG.componentConfigs.kubeProxy ? { componentConfig: CONFIG.componentConfigs.kubeProxy } : {}),
    env: {},
  });
  return applyKubeProxy(client, addon, OPTS);
}

function dnsDeployment(
  name: string,
  replicas: number,
  image = 'registry.k8s.io/coredns/coredns:v1.11.3',
): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } },
    spec: { replicas, template: { spec: { containers: [{ name: 'coredns', image }] } } },
  };
}

function corefileMap(data: Record<string, string>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'coredns', namespace: 'kube-system' },
    data,
  };
}

const COREDNS_FIRST = [
  'LIST Deployment kube-system k8s-app=kube-dns',
  'GET ConfigMap kube-system/coredns',
  'CREATE ConfigMap kube-system/coredns',
  'CREATE ClusterRole system:coredns',
  'CREATE ClusterRoleBinding system:coredns',
  'CREATE ServiceAccount kube-system/coredns',
  'CREATE Deployment kube-system/coredns',
  'CREATE Service kube-system/kube-dns',
];

describe('CoreDNS apply', () => {
  test('on a new cluster: the requests of spec §11 step 7, in order', async () => {
    const c = new TestCluster();
    const { state, result } = await coreDNS(c);
    assert.deepEqual(state, {});
    assert.deepEqual(c.lines(), COREDNS_FIRST);
    assert.equal(result.corefile, 'written');
    assert.equal(c.all().length, 6);
    assert.equal(c.storedObject<Any>(DEPLOY_REF)!.spec.replicas, 2);
  });

  test('a second apply: every POST meets 409 and is followed by a PUT; nothing is duplicated', async () => {
    const c = new TestCluster();
    await coreDNS(c);
    const before = c.all().map((o) => `${o.kind}/${o.metadata.name}`);
    c.requests.length = 0;
    const { state, result } = await coreDNS(c);
    assert.deepEqual(state, {
      replicas: 2,
      corefile: coreDNSCorefile('cluster.local'),
      installedVersion: 'v1.12.1',
    });
    assert.deepEqual(c.lines(), [
      'LIST Deployment kube-system k8s-app=kube-dns',
      'GET ConfigMap kube-system/coredns',
      'LIST Deployment kube-system k8s-app=kube-dns',
      'CREATE ConfigMap kube-system/coredns',
      'UPDATE ConfigMap kube-system/coredns',
      'CREATE ClusterRole system:coredns',
      'UPDATE ClusterRole system:coredns',
      'CREATE ClusterRoleBinding system:coredns',
      'UPDATE ClusterRoleBinding system:coredns',
      'CREATE ServiceAccount kube-system/coredns',
      'UPDATE ServiceAccount kube-system/coredns',
      'CREATE Deployment kube-system/coredns',
      'UPDATE Deployment kube-system/coredns',
      'CREATE Service kube-system/kube-dns',
      'UPDATE Service kube-system/kube-dns',
    ]);
    assert.equal(result.corefile, 'written');
    assert.deepEqual(
      c.all().map((o) => `${o.kind}/${o.metadata.name}`),
      before,
    );
  });

  test("an existing Deployment's replica count is kept", async () => {
    const c = new TestCluster();
    c.seed(dnsDeployment('coredns', 5));
    const { state, addon } = await coreDNS(c);
    assert.equal(state.replicas, 5);
    assert.equal((addon.objects.find((o) => o.kind === 'Deployment') as Any).spec.replicas, 5);
    assert.equal(c.storedObject<Any>(DEPLOY_REF)!.spec.replicas, 5);
  });

  test("more than one kube-dns Deployment is kubeadm's error, before anything is written", async () => {
    const c = new TestCluster();
    c.seed(dnsDeployment('coredns', 2));
    c.seed(dnsDeployment('kube-dns', 1));
    await assert.rejects(coreDNSState(c), (e: unknown) => {
      assert.ok(e instanceof KbadmError);
      assert.equal(
        e.message,
        'multiple DNS addon deployments found: [kube-system/coredns kube-system/kube-dns]',
      );
      return true;
    });
    assert.deepEqual(c.lines(), ['LIST Deployment kube-system k8s-app=kube-dns']);
  });

  test('a Corefile the user changed is kept (create-or-retain), the rest is updated', async () => {
    const c = new TestCluster();
    const mine = coreDNSCorefile('cluster.local').replace(
      '    ready\n',
      '    ready\n    hosts {\n       10.0.0.1 db\n    }\n',
    );
    c.seed(corefileMap({ Corefile: mine }));
    c.seed(dnsDeployment('coredns', 3));
    const { result, state } = await coreDNS(c);
    assert.equal(result.corefile, 'kept');
    assert.equal(state.installedVersion, 'v1.11.3');
    assert.deepEqual(c.lines().slice(0, 5), [
      'LIST Deployment kube-system k8s-app=kube-dns',
      'GET ConfigMap kube-system/coredns',
      'LIST Deployment kube-system k8s-app=kube-dns',
      'GET ConfigMap kube-system/coredns',
      'CREATE ClusterRole system:coredns',
    ]);
    assert.deepEqual(c.storedObject<Any>(CM_REF)!.data, { Corefile: mine });
    const image = c.storedObject<Any>(DEPLOY_REF)!.spec.template.spec.containers[0].image;
    assert.equal(image, 'registry.k8s.io/coredns/coredns:v1.12.1', 'the Deployment is still updated');
  });

  test('a kubeadm default Corefile from before 1.32 is replaced by the new default', async () => {
    const c = new TestCluster();
    c.seed(corefileMap({ Corefile: coreDNSCorefile('cluster.local', { legacyCache: true }) }));
    const { result } = await coreDNS(c);
    assert.equal(result.corefile, 'written');
    assert.deepEqual(c.storedObject<Any>(CM_REF)!.data, { Corefile: coreDNSCorefile('cluster.local') });
  });

  test('a coredns ConfigMap without a Corefile is an error', async () => {
    const c = new TestCluster();
    c.seed(corefileMap({ other: 'x' }));
    await assert.rejects(coreDNSState(c), {
      message:
        'unable to fetch CoreDNS current installed version and ConfigMap.: unable to find the CoreDNS Corefile data',
    });
  });

  test('a Service refused as Invalid (cluster IP taken) is PUT instead', async () => {
    const c = new TestCluster();
    c.intercept = (request) =>
      request.verb === 'CREATE' && request.kind === 'Service'
        ? new ClusterApiError('provided IP is already allocated', 422, 'Invalid', 'x')
        : undefined;
    c.seed({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'kube-dns', namespace: 'kube-system' } });
    await coreDNS(c);
    assert.deepEqual(c.lines().slice(-2), [
      'CREATE Service kube-system/kube-dns',
      'UPDATE Service kube-system/kube-dns',
    ]);
    const svc = c.storedObject<Any>({
      apiVersion: 'v1',
      kind: 'Service',
      namespace: 'kube-system',
      name: 'kube-dns',
    })!;
    assert.equal(svc.spec.clusterIP, '10.96.0.10');
  });

  test("other Service errors are kubeadm's, without retries", async () => {
    const c = new TestCluster();
    c.intercept = (request) =>
      request.kind === 'Service' ? new ClusterApiError('etcd is down', 500, 'InternalError', 'x') : undefined;
    await assert.rejects(coreDNS(c), { message: 'unable to create a new DNS service: etcd is down' });
    assert.equal(c.requests.filter((x) => x.kind === 'Service').length, 1);

    const d = new TestCluster();
    d.intercept = (request) =>
      request.kind === 'Service'
        ? request.verb === 'CREATE'
          ? new ClusterApiError('exists', 409, 'AlreadyExists', 'x')
          : new ClusterApiError('forbidden', 403, 'Forbidden', 'x')
        : undefined;
    await assert.rejects(coreDNS(d), { message: 'unable to create/update the DNS service: forbidden' });
  });

  test('transient failures of the other writes are retried', async () => {
    const c = new TestCluster();
    const state = await coreDNSState(c);
    const addon = renderCoreDNS({ cluster: CONFIG.cluster, replicas: coreDNSReplicas(state) });
    c.requests.length = 0;
    c.failNext(2);
    await applyCoreDNS(c, addon, state, OPTS);
    assert.deepEqual(c.lines().slice(0, 3), [
      'CREATE ConfigMap kube-system/coredns',
      'CREATE ConfigMap kube-system/coredns',
      'CREATE ConfigMap kube-system/coredns',
    ]);
    assert.equal(c.all().length, 6);
  });
});

describe('kube-proxy apply', () => {
  const FIRST = [
    'CREATE ConfigMap kube-system/kube-proxy',
    'CREATE DaemonSet kube-system/kube-proxy',
    'CREATE ServiceAccount kube-system/kube-proxy',
    'CREATE ClusterRoleBinding kubeadm:node-proxier',
    'CREATE Role kube-system/kube-proxy',
    'CREATE RoleBinding kube-system/kube-proxy',
  ];

  test('create-or-update of each object in the order of spec §11 step 8', async () => {
    const c = new TestCluster();
    await kubeProxy(c);
    assert.deepEqual(c.lines(), FIRST);
    assert.equal(c.all().length, 6);
  });

  test('a second apply PUTs each object after its 409 and converges', async () => {
    const c = new TestCluster();
    await kubeProxy(c);
    const first = c
      .all()
      .map((o) => [
        o.kind,
        o.metadata.name,
        JSON.stringify({ ...o, metadata: { ...o.metadata, resourceVersion: '', uid: '' } }),
      ]);
    c.requests.length = 0;
    await kubeProxy(c);
    assert.deepEqual(
      c.lines(),
      FIRST.flatMap((l) => [l, l.replace('CREATE', 'UPDATE')]),
    );
    const second = c
      .all()
      .map((o) => [
        o.kind,
        o.metadata.name,
        JSON.stringify({ ...o, metadata: { ...o.metadata, resourceVersion: '', uid: '' } }),
      ]);
    assert.deepEqual(second, first);
  });
});
