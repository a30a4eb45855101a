// The controller-manager stand-in against the API server stand-in and a real etcd: kubelet
// client CSRs are approved only when RBAC grants the requester the nodeclient permission, signed
// certificates verify against kbadm's CA with openssl, cluster-info is signed per token with the
// JWS the spec's vectors define, expired tokens go, Jobs complete.
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
import { runScheduler } from './scheduler.js';

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

  before(async () => {
    f = await startControlPlaneFixture('controllers');
    const manifest = parseYaml(
      await fs.readFile(path.join(f.kube, 'manifests/kube-controller-manager.yaml'), 'utf8'),
    );
    const flags = parseControllerManagerFlags(manifest.spec.containers[0].command.slice(1));
    const inRoot = (p: string) => path.join(f.root, p);
    client = clientFromKubeconfig(inRoot(flags.get('kubeconfig')!), inRoot, f.url());
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

  test('Jobs complete', async () => {
    await f.create({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'upgrade-health-check', namespace: 'kube-system' },
      spec: {
        template: {
          spec: {
            restartPolicy: 'Never',
            containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10.1' }],
          },
        },
      },
    });
    await cm.reconcile();
    const job = await client.request(
      'GET',
      '/apis/batch/v1/namespaces/kube-system/jobs/upgrade-health-check',
    );
    assert.equal(job.status.succeeded, 1);
    assert.equal(job.status.conditions[0].type, 'Complete');
  });

  test('the scheduler stand-in refuses an unknown flag and a missing kubeconfig', async () => {
    await assert.rejects(runScheduler(['--no-such-flag=1']), /unknown flag: --no-such-flag/);
    await assert.rejects(runScheduler(['--kubeconfig=/nonexistent/scheduler.conf']), /ENOENT/);
  });
});
