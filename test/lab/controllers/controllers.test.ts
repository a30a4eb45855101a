// The controller-manager stand-in against the API server stand-in and a real etcd: kubelet
// client CSRs are approved only when RBAC grants the requester the nodeclient permission, signed
// certificates verify against kbadm's CA with openssl, cluster-info is signed per token with the
// JWS the spec's vectors define, expired tokens go; Jobs run through Pods the scheduler stand-in
// binds, finish as their Pods do, fail at their deadline or backoff limit, and go after their TTL.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as https from 'node:https';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { startControlPlaneFixture, type ControlPlaneFixture } from '../apiserver/fixture.js';
import { clientFor, clientFromKubeconfig, type KubeClient } from '../kube-client.js';
import { ControllerManager, detachedJWS, parseControllerManagerFlags } from './controller-manager.js';
import { runScheduler, Scheduler } from './scheduler.js';
import { JobController } from './job-controller.js';
import { healthCheckJob } from '../../../src/upgrade/health-job.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('JWS of the bootstrap signer', () => {
  test('matches the published vectors', () => {
    const content = 'Hello from the other side. I must have called a thousand times.';
    assert.equal(
      detachedJWS(content, 'joshua', 'my voice is my passcode'),
      'eyJhbGciOiJIUzI1NiIsImtpZCI6Impvc2h1YSJ9..VShe2taLd-YTrmWuRkcL_8QTNDHYxQIEBsAYYiIj1_8',
    );
    assert.equal(
      detachedJWS('', 'joshua', 'my voice is my passcode'),
      'eyJhbGciOiJIUzI1NiIsImtpZCI6Impvc2h1YSJ9..7Ui1ALizW4jXphVUB7xUqC9vLYLL9RZeOFfVLoB7Tgk',
    );
    assert.equal(
      detachedJWS(content, 'joshua', ''),
      'eyJhbGciOiJIUzI1NiIsImtpZCI6Impvc2h1YSJ9..UfkqvDGiIFxrMnFseDj9LYJOLNrvjW8aHhF71mvvAs8',
    );
  });
});

describe('the controller stand-ins', () => {
  let f: ControlPlaneFixture;
  let cm: ControllerManager;
  let client: KubeClient;
  const rbac = 'rbac.authorization.k8s.io';
  const token = { id: 'abcdef', secret: '0123456789abcdef' };

  const tokenSecret = (id: string, extra: Record<string, string> = {}) => ({
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'bootstrap.kubernetes.io/token',
    metadata: { name: `bootstrap-token-${id}`, namespace: 'kube-system' },
    stringData: {
      'token-id': id,
      'token-secret': token.secret,
      'usage-bootstrap-authentication': 'true',
      'usage-bootstrap-signing': 'true',
      'auth-extra-groups': 'system:bootstrappers:kubeadm:default-node-token',
      ...extra,
    },
  });

  let asScheduler: KubeClient;
  const getJob = (name: string) =>
    client.request('GET', `/apis/batch/v1/namespaces/kube-system/jobs/${name}`);
  const getPod = (name: string) => client.request('GET', `/api/v1/namespaces/kube-system/pods/${name}`);
  const jobPods = async (job: string): Promise<Obj[]> =>
    (await client.request('GET', `/api/v1/namespaces/kube-system/pods?labelSelector=job-name%3D${job}`))
      .items;
  const complete = (job: Obj) => (job.status?.conditions ?? []).some((c: Obj) => c.type === 'Complete');
  const readyNode = (name: string, taints: object[]) => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name } },
    spec: { taints },
    status: { conditions: [{ type: 'Ready', status: 'True' }] },
  });
  /** What the kubelet reports of a Pod whose one container ended with `exitCode`. */
  const reportPhase = (pod: Obj, phase: string, exitCode: number) =>
    client.request(
      'PATCH',
      `/api/v1/namespaces/kube-system/pods/${pod.metadata.name}/status`,
      {
        status: {
          phase,
          containerStatuses: [
            {
              name: 'upgrade-health-check',
              state: { terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error' } },
            },
          ],
        },
      },
      'application/strategic-merge-patch+json',
    );

  before(async () => {
    f = await startControlPlaneFixture('controllers');
    const manifest = parseYaml(
      await fs.readFile(path.join(f.kube, 'manifests/kube-controller-manager.yaml'), 'utf8'),
    );
    const flags = parseControllerManagerFlags(manifest.spec.containers[0].command.slice(1));
    const inRoot = (p: string) => path.join(f.root, p);
    client = clientFromKubeconfig(inRoot(flags.get('kubeconfig')!), inRoot, f.url());
    // The scheduler's own identity: kbadm's scheduler.conf, under the default RBAC of the scheduler.
    asScheduler = clientFromKubeconfig(path.join(f.kube, 'scheduler.conf'), inRoot, f.url());
    cm = new ControllerManager(
      client,
      await fs.readFile(inRoot(flags.get('cluster-signing-cert-file')!)),
      await fs.readFile(inRoot(flags.get('cluster-signing-key-file')!)),
      flags.get('controllers')!.split(','),
    );
    await f.create({
      apiVersion: 'v1',
      kind: 'List',
      items: [tokenSecret(token.id), tokenSecret('old000', { expiration: '2001-01-01T00:00:00Z' })],
    });
  });
  after(async () => {
    client?.close();
    asScheduler?.close();
    await f?.close();
  });

  test('the controller-manager identity kbadm wrote may do its work', async () => {
    await cm.reconcile();
    assert.equal(cm.isHealthy(), true);
  });

  test("a kubelet client CSR from the bootstrap token is approved only with kbadm's auto-approve binding, then signed by the CA", async () => {
    const dir = await fs.mkdtemp(path.join(f.root, 'csr-'));
    execFileSync('openssl', [
      'ecparam',
      '-name',
      'prime256v1',
      '-genkey',
      '-noout',
      '-out',
      `${dir}/key.pem`,
    ]);
    execFileSync('openssl', [
      'req',
      '-new',
      '-key',
      `${dir}/key.pem`,
      '-subj',
      '/O=system:nodes/CN=system:node:lab-2',
      '-out',
      `${dir}/csr.pem`,
    ]);
    const agent = new https.Agent({ ca: await fs.readFile(path.join(f.kube, 'pki/ca.crt')) });
    const asToken = clientFor(f.url(), agent, `${token.id}.${token.secret}`);
    const csr = (name: string) => ({
      apiVersion: 'certificates.k8s.io/v1',
      kind: 'CertificateSigningRequest',
      metadata: { name },
      spec: {
        request: Buffer.from(execFileSync('cat', [`${dir}/csr.pem`])).toString('base64'),
        signerName: 'kubernetes.io/kube-apiserver-client-kubelet',
        usages: ['digital signature', 'client auth'],
      },
    });
    // Without kubeadm:kubelet-bootstrap the token user may not even create a CSR.
    await assert.rejects(
      asToken.request('POST', '/apis/certificates.k8s.io/v1/certificatesigningrequests', csr('early')),
      /forbidden/,
    );
    await f.create({
      apiVersion: `${rbac}/v1`,
      kind: 'ClusterRoleBinding',
      metadata: { name: 'kubeadm:kubelet-bootstrap' },
      roleRef: { apiGroup: rbac, kind: 'ClusterRole', name: 'system:node-bootstrapper' },
      subjects: [{ apiGroup: rbac, kind: 'Group', name: 'system:bootstrappers:kubeadm:default-node-token' }],
    });
    const created = await asToken.request(
      'POST',
      '/apis/certificates.k8s.io/v1/certificatesigningrequests',
      csr('node-csr-1'),
    );
    assert.equal(created.spec.username, 'system:bootstrap:abcdef');
    await cm.reconcile();
    let got = await client.request(
      'GET',
      '/apis/certificates.k8s.io/v1/certificatesigningrequests/node-csr-1',
    );
    assert.equal(got.status?.conditions, undefined, 'not approved without the nodeclient permission');
    await f.create({
      apiVersion: `${rbac}/v1`,
      kind: 'ClusterRoleBinding',
      metadata: { name: 'kubeadm:node-autoapprove-bootstrap' },
      roleRef: {
        apiGroup: rbac,
        kind: 'ClusterRole',
        name: 'system:certificates.k8s.io:certificatesigningrequests:nodeclient',
      },
      subjects: [{ apiGroup: rbac, kind: 'Group', name: 'system:bootstrappers:kubeadm:default-node-token' }],
    });
    await cm.reconcile();
    await cm.reconcile();
    got = await asToken.request('GET', '/apis/certificates.k8s.io/v1/certificatesigningrequests/node-csr-1');
    assert.equal(got.status.conditions[0].type, 'Approved');
    const certFile = path.join(dir, 'cert.pem');
    await fs.writeFile(certFile, Buffer.from(got.status.certificate, 'base64'));
    const verify = execFileSync('openssl', ['verify', '-CAfile', path.join(f.kube, 'pki/ca.crt'), certFile], {
      encoding: 'utf8',
    });
    assert.match(verify, /OK/);
    const text = execFileSync(
      'openssl',
      ['x509', '-in', certFile, '-noout', '-subject', '-ext', 'extendedKeyUsage'],
      { encoding: 'utf8' },
    );
    assert.match(text, /CN ?= ?system:node:lab-2/);
    assert.match(text, /TLS Web Client Authentication/);
    asToken.close();
  });

  test('cluster-info is signed for every signing token; expired tokens are deleted', async () => {
    const kubeconfig =
      'apiVersion: v1\nclusters:\n- cluster:\n    server: https://127.0.0.1:6443\n  name: ""\n';
    await f.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cluster-info', namespace: 'kube-public' },
      data: { kubeconfig },
    });
    await cm.reconcile();
    const info = await client.request('GET', '/api/v1/namespaces/kube-public/configmaps/cluster-info');
    assert.equal(info.data['jws-kubeconfig-abcdef'], detachedJWS(kubeconfig, token.id, token.secret));
    assert.equal(info.data['jws-kubeconfig-old000'], undefined);
    await assert.rejects(
      client.request('GET', '/api/v1/namespaces/kube-system/secrets/bootstrap-token-old000'),
      /not found/,
    );
  });

  test("kubeadm's health-check Job runs through the chain: a Pod from the template, bound by the scheduler, completed from the kubelet's report", async () => {
    const scheduler = new Scheduler(asScheduler);
    await f.create(
      readyNode('lab-1', [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }]),
    );
    const job = healthCheckJob({
      name: 'upgrade-health-check-1',
      pauseImage: 'registry.k8s.io/pause:3.10.1',
    });
    await f.create(job);
    await cm.reconcile();
    const pods = await jobPods('upgrade-health-check-1');
    assert.equal(pods.length, 1, 'one Pod');
    const pod = pods[0]!;
    const uid = (await getJob('upgrade-health-check-1')).metadata.uid;
    assert.match(pod.metadata.name, /^upgrade-health-check-1-[a-z0-9]{5}$/);
    assert.deepEqual(pod.metadata.ownerReferences, [
      {
        apiVersion: 'batch/v1',
        kind: 'Job',
        name: 'upgrade-health-check-1',
        uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    assert.equal(pod.metadata.labels['job-name'], 'upgrade-health-check-1');
    assert.equal(pod.metadata.labels['controller-uid'], uid);
    assert.deepEqual(pod.spec, (job.spec as Obj).template.spec);
    assert.equal(pod.status.phase, 'Pending');
    assert.equal((await getJob('upgrade-health-check-1')).status.active, 1);
    // The scheduler puts it on the control plane, whose taint it tolerates.
    await scheduler.schedule();
    const bound = await getPod(pod.metadata.name);
    assert.equal(bound.spec.nodeName, 'lab-1');
    assert.equal(bound.status.conditions.find((c: Obj) => c.type === 'PodScheduled').status, 'True');
    // Not complete until the kubelet says the Pod succeeded.
    await cm.reconcile();
    assert.equal(complete(await getJob('upgrade-health-check-1')), false);
    await reportPhase(bound, 'Succeeded', 0);
    await cm.reconcile();
    const done = await getJob('upgrade-health-check-1');
    assert.equal(done.status.succeeded, 1);
    assert.equal(done.status.active, 0);
    assert.deepEqual(
      done.status.conditions.map((c: Obj) => [c.type, c.status]),
      [['Complete', 'True']],
    );
    assert.ok(done.status.completionTime);
  });

  test("a Pod no Node takes stays unbound with the scheduler's reason, and its Job fails at its deadline, then goes with its Pods after its TTL", async () => {
    const scheduler = new Scheduler(asScheduler);
    // lab-1 (from the test before) tolerated; lab-2 NotReady; lab-3 tainted.
    await f.create({
      ...readyNode('lab-2', []),
      status: { conditions: [{ type: 'Ready', status: 'False' }] },
    });
    await f.create(readyNode('lab-3', [{ key: 'example.com/maintenance', effect: 'NoSchedule' }]));
    const job = healthCheckJob({
      name: 'upgrade-health-check-2',
      pauseImage: 'registry.k8s.io/pause:3.10.1',
    });
    (job.spec as Obj).template.spec.nodeSelector = { 'kubernetes.io/hostname': 'lab-3' };
    await f.create(job);
    let now = Date.now();
    const jobs = new JobController(
      client,
      { job: true, ttlAfterFinished: true, garbageCollector: true },
      () => now,
    );
    await jobs.reconcile();
    await scheduler.schedule();
    const pod = (await jobPods('upgrade-health-check-2'))[0]!;
    assert.equal(pod.spec.nodeName, undefined);
    const scheduled = pod.status.conditions.find((c: Obj) => c.type === 'PodScheduled');
    assert.equal(scheduled.reason, 'Unschedulable');
    assert.match(scheduled.message, /^0\/3 nodes are available: /);
    assert.match(scheduled.message, /1 node\(s\) had untolerated taint \{example\.com\/maintenance: \}/);
    assert.match(scheduled.message, /1 node\(s\) were not ready/);
    assert.match(scheduled.message, /1 node\(s\) didn't match Pod's node affinity\/selector/);
    now += 14_000;
    await jobs.reconcile();
    assert.equal(complete(await getJob('upgrade-health-check-2')), false);
    now += 1_000;
    await jobs.reconcile();
    const failed = await getJob('upgrade-health-check-2');
    assert.deepEqual(
      failed.status.conditions.map((c: Obj) => [c.type, c.reason]),
      [['Failed', 'DeadlineExceeded']],
    );
    assert.deepEqual(await jobPods('upgrade-health-check-2'), [], 'its running Pod deleted');
    now += 19_000;
    await jobs.reconcile();
    assert.ok(await getJob('upgrade-health-check-2'), 'kept until the TTL (20 s) has passed');
    now += 1_000;
    await jobs.reconcile();
    await assert.rejects(getJob('upgrade-health-check-2'), /not found/);
  });

  test('a Pod that fails fails a Job of backoffLimit 0; Pods of a deleted Job are collected', async () => {
    const scheduler = new Scheduler(asScheduler);
    await f.create(
      healthCheckJob({ name: 'upgrade-health-check-3', pauseImage: 'registry.k8s.io/pause:3.10.1' }),
    );
    await cm.reconcile();
    await scheduler.schedule();
    const pod = (await jobPods('upgrade-health-check-3'))[0]!;
    assert.equal(pod.spec.nodeName, 'lab-1');
    await reportPhase(pod, 'Failed', 1);
    await cm.reconcile();
    const job = await getJob('upgrade-health-check-3');
    assert.deepEqual(
      job.status.conditions.map((c: Obj) => [c.type, c.reason]),
      [['Failed', 'BackoffLimitExceeded']],
    );
    assert.equal(job.status.failed, 1);
    assert.equal((await jobPods('upgrade-health-check-3')).length, 1, 'no second try');
    await client.request('DELETE', '/apis/batch/v1/namespaces/kube-system/jobs/upgrade-health-check-3');
    await cm.reconcile();
    assert.deepEqual(await jobPods('upgrade-health-check-3'), []);
  });

  test('a bound Pod cannot be bound again', async () => {
    await f.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'bound-once', namespace: 'kube-system' },
      spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10.1' }] },
    });
    const bind = (node: string) =>
      asScheduler.request('POST', '/api/v1/namespaces/kube-system/pods/bound-once/binding', {
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: { name: 'bound-once' },
        target: { kind: 'Node', name: node },
      });
    const answer = await bind('lab-1');
    assert.equal(answer.status, 'Success');
    assert.equal((await getPod('bound-once')).spec.nodeName, 'lab-1');
    await assert.rejects(bind('lab-3'), /pod bound-once is already assigned to node "lab-1"/);
  });

  test('the scheduler stand-in refuses an unknown flag and a missing kubeconfig', async () => {
    await assert.rejects(runScheduler(['--no-such-flag=1']), /unknown flag: --no-such-flag/);
    await assert.rejects(runScheduler(['--kubeconfig=/nonexistent/scheduler.conf']), /ENOENT/);
  });
});
