// The real API client against the lab's kube-apiserver stand-in (HTTPS with kbadm's serving
// certificate, client-certificate authentication, RBAC, storage in a real etcd): status codes and
// Status messages, patches of every type, paging, credentials read through the Host, and failures
// that name the server.
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { openCluster } from '../../src/cluster/connect.js';
import { createKubeClient, type ClusterRequest } from '../../src/cluster/kube-client.js';
import {
  ClusterApiError,
  ClusterConnectionError,
  isAlreadyExists,
  isConflict,
  isForbidden,
  type ClusterClient,
  type KubeObject,
} from '../../src/cluster/types.js';
import { KbadmError } from '../../src/errors.js';
import { createPaths } from '../../src/host/paths.js';
import { createRealHost } from '../../src/host/real-host.js';
import { createTestHost } from '../../src/host/test-host.js';
import { recordOutput } from '../../src/output/output.js';
import { runCli } from '../support/cli.js';
import { freePort, startControlPlaneFixture, type ControlPlaneFixture } from '../lab/apiserver/fixture.js';

const cm = (name: string, namespace: string, data: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace },
  data,
});
const cmRef = (name: string, namespace = 'default') => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  namespace,
  name,
});

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof Error);
    return err;
  }
  assert.fail('the call succeeded');
}

describe('the API client against the kube-apiserver stand-in', () => {
  let f: ControlPlaneFixture;
  let superAdmin: string;
  let client: ClusterClient;
  const requests: ClusterRequest[] = [];

  before(async () => {
    f = await startControlPlaneFixture('kclient');
    superAdmin = await fs.readFile(path.join(f.kube, 'super-admin.conf'), 'utf8');
    client = await createKubeClient(superAdmin, {
      source: '/etc/kubernetes/super-admin.conf',
      onRequest: (r) => requests.push(r),
    });
  });
  after(async () => {
    client?.close();
    await f?.close();
  });

  test('names the kubeconfig server, and a missing object is undefined (404)', async () => {
    assert.equal(client.server, f.url());
    assert.equal(await client.get(cmRef('nope')), undefined);
    const ns = await client.get({ apiVersion: 'v1', kind: 'Namespace', name: 'kube-system' });
    assert.equal(ns?.metadata.name, 'kube-system');
    assert.equal(ns?.kind, 'Namespace');
  });

  test('create answers the stored object; a second create is 409 AlreadyExists with the server message', async () => {
    const created = await client.create(cm('one', 'default', { a: '1' }));
    assert.match(String(created.metadata.uid), /^[0-9a-f-]{36}$/);
    assert.ok(created.metadata.resourceVersion);
    // Timestamps stay strings: objects are plain JSON, not the library's typed models.
    assert.equal(typeof created.metadata['creationTimestamp'], 'string');
    const err = await rejection(client.create(cm('one', 'default')));
    assert.ok(err instanceof ClusterApiError);
    assert.ok(isAlreadyExists(err));
    assert.equal(err.status, 409);
    assert.equal(err.reason, 'AlreadyExists');
    assert.equal(err.message, 'configmaps "one" already exists');
    assert.equal(err.request, 'POST /api/v1/namespaces/default/configmaps');
  });

  test('update replaces the object; a stale resourceVersion is a 409 Conflict', async () => {
    const live = (await client.get(cmRef('one')))!;
    const updated = await client.update({ ...live, data: { a: '2' } });
    assert.deepEqual(updated.data, { a: '2' });
    assert.equal(updated.metadata.uid, live.metadata.uid);
    assert.deepEqual((await client.get(cmRef('one')))?.data, { a: '2' });
    const err = await rejection(client.update({ ...live, data: { a: '3' } }));
    assert.ok(isConflict(err), String(err));
    assert.match(err.message, /the object has been modified/);
    assert.equal((err as ClusterApiError).request, 'PUT /api/v1/namespaces/default/configmaps/one');
  });

  test('resourceVersion "0" is no version: the update is unconditional, as kube-apiserver treats it', async () => {
    const live = await client.create(cm('zero', 'default', { a: '1' }));
    const r = await client.update({
      ...live,
      metadata: { ...live.metadata, resourceVersion: '0' },
      data: { a: '2' },
    });
    assert.deepEqual(r.data, { a: '2' });
    assert.equal(await client.delete(cmRef('zero')), true);
  });

  test('objects named with a colon, as kubeadm names its RBAC objects, are read, replaced and deleted by name', async () => {
    const role = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'kubeadm:colon-test', namespace: 'default' },
      rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }],
    };
    await client.create(role);
    const ref = {
      apiVersion: role.apiVersion,
      kind: 'Role',
      namespace: 'default',
      name: 'kubeadm:colon-test',
    };
    assert.equal((await client.get(ref))?.metadata.name, 'kubeadm:colon-test');
    await client.update({ ...role, rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }] });
    assert.deepEqual(
      (await client.get<typeof role & { metadata: { name: string } }>(ref))?.rules[0]?.resources,
      ['secrets'],
    );
    assert.equal(await client.delete(ref), true);
  });

  test("a strategic merge patch of a Node's labels merges them, null removing one", async () => {
    await client.create({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'node-a', labels: { keep: 'yes', drop: 'yes' } },
    });
    const patched = await client.patch(
      { apiVersion: 'v1', kind: 'Node', name: 'node-a' },
      { metadata: { labels: { 'node-role.kubernetes.io/control-plane': '', drop: null } } },
      'strategic',
    );
    assert.deepEqual(patched.metadata.labels, { keep: 'yes', 'node-role.kubernetes.io/control-plane': '' });
    const got = await client.get({ apiVersion: 'v1', kind: 'Node', name: 'node-a' });
    assert.deepEqual(got?.metadata.labels, patched.metadata.labels);
  });

  test('each patch type is sent with its own content type: strategic merges keyed lists, merge replaces them', async () => {
    const owner = (uid: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', name: `o-${uid}`, uid });
    await client.create({
      ...cm('patched', 'default', { a: '1' }),
      metadata: { name: 'patched', namespace: 'default', ownerReferences: [owner('u1')] },
    });
    const ref = cmRef('patched');
    // ownerReferences merge by uid under a strategic merge patch...
    let got = await client.patch(
      ref,
      { metadata: { ownerReferences: [owner('u2')] }, data: { b: '2' } },
      'strategic',
    );
    // (an item the original lacks goes first, as apimachinery orders a merged list)
    assert.deepEqual(
      got.metadata.ownerReferences?.map((o) => o.uid),
      ['u2', 'u1'],
    );
    assert.deepEqual(got.data, { a: '1', b: '2' });
    // ...and a directive reaches the server intact.
    got = await client.patch(
      ref,
      { metadata: { ownerReferences: [{ uid: 'u1', $patch: 'delete' }] } },
      'strategic',
    );
    assert.deepEqual(
      got.metadata.ownerReferences?.map((o) => o.uid),
      ['u2'],
    );
    // A JSON merge patch replaces the list.
    got = await client.patch(
      ref,
      { metadata: { ownerReferences: [owner('u3')] }, data: { a: null } },
      'merge',
    );
    assert.deepEqual(
      got.metadata.ownerReferences?.map((o) => o.uid),
      ['u3'],
    );
    assert.deepEqual(got.data, { b: '2' });
    got = await client.patch(ref, [{ op: 'add', path: '/data/c', value: '3' }], 'json');
    assert.deepEqual(got.data, { b: '2', c: '3' });
    const err = await rejection(client.patch(ref, [{ op: 'remove', path: '/data/missing' }], 'json'));
    assert.ok(err instanceof ClusterApiError);
    assert.equal(err.status, 422);
  });

  test('delete is true for an object that was there and false for one that was not', async () => {
    await client.create(cm('gone', 'default'));
    assert.equal(await client.delete(cmRef('gone')), true);
    assert.equal(await client.get(cmRef('gone')), undefined);
    assert.equal(await client.delete(cmRef('gone')), false);
  });

  test('a kind outside kbadm’s table is found through discovery', async () => {
    const lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'lab', namespace: 'kube-system' },
      spec: { holderIdentity: 'me' },
    };
    const before = requests.length;
    await client.create(lease);
    const got = await client.get({ ...lease, ...lease.metadata });
    assert.equal(got?.['spec'] && (got['spec'] as { holderIdentity: string }).holderIdentity, 'me');
    const paths = requests.slice(before).map((r) => `${r.method} ${r.path}`);
    assert.deepEqual(paths, [
      'GET /apis/coordination.k8s.io/v1',
      'POST /apis/coordination.k8s.io/v1/namespaces/kube-system/leases',
      'GET /apis/coordination.k8s.io/v1/namespaces/kube-system/leases/lab',
    ]);
  });

  test('lists 1,200 objects in pages of 500 with continue tokens, every object once', async () => {
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'paging' } });
    const names = Array.from({ length: 1200 }, (_, i) => `cm-${String(i).padStart(4, '0')}`);
    for (let i = 0; i < names.length; i += 50) {
      await Promise.all(
        names.slice(i, i + 50).map((n) =>
          client.create({
            ...cm(n, 'paging'),
            metadata: {
              name: n,
              namespace: 'paging',
              labels: { even: String(Number(n.slice(3)) % 2 === 0) },
            },
          }),
        ),
      );
    }
    const before = requests.length;
    const seen: string[] = [];
    for await (const o of client.list('v1', 'ConfigMap', { namespace: 'paging', limit: 500 })) {
      assert.equal(o.apiVersion, 'v1');
      assert.equal(o.kind, 'ConfigMap');
      seen.push(o.metadata.name);
    }
    // The namespace holds only these (the stand-in creates no kube-root-ca.crt).
    assert.deepEqual(seen.sort(), names);
    const pages = requests.slice(before);
    assert.equal(pages.length, 3, pages.map((p) => p.path).join('\n'));
    assert.ok(
      pages.every((p) => p.method === 'GET' && p.status === 200 && /[?&]limit=500(&|$)/.test(p.path)),
    );
    assert.ok(!pages[0]!.path.includes('continue='));
    assert.ok(pages.slice(1).every((p) => p.path.includes('continue=')));

    // The default page size is 500 too; a label selector filters on the server.
    const evens: string[] = [];
    for await (const o of client.list('v1', 'ConfigMap', { namespace: 'paging', labelSelector: 'even=true' }))
      evens.push(o.metadata.name);
    assert.equal(evens.length, 600);
    assert.ok(requests.slice(before + 3).every((p) => p.path.includes('limit=500')));
  });

  test('a list whose revision etcd compacted between pages goes on with the token of the 410, nothing twice', async () => {
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'expiring' } });
    for (const n of ['a', 'b', 'c', 'd', 'e']) await client.create(cm(n, 'expiring'));
    const before = requests.length;
    const seen: string[] = [];
    for await (const o of client.list('v1', 'ConfigMap', { namespace: 'expiring', limit: 2 })) {
      seen.push(o.metadata.name);
      if (seen.length === 2) {
        // Between the first page and the second: a new object, then the old revisions are gone.
        await client.create(cm('z', 'expiring'));
        await client.delete(cmRef('a', 'expiring'));
        await f.compactEtcd();
      }
    }
    assert.deepEqual(seen, ['a', 'b', 'c', 'd', 'e', 'z']);
    assert.deepEqual(
      requests
        .slice(before)
        .filter((r) => r.method === 'GET')
        .map((r) => r.status),
      [200, 410, 200, 200],
    );
  });

  test('without a namespace a namespaced kind is listed across namespaces', async () => {
    const names = [];
    for await (const o of client.list('v1', 'ConfigMap', { fieldSelector: 'metadata.name=one' }))
      names.push(`${o.metadata.namespace}/${o.metadata.name}`);
    assert.deepEqual(names, ['default/one']);
    assert.match(requests.at(-1)!.path, /^\/api\/v1\/configmaps\?/);
  });

  test('a user without rights gets 403 Forbidden with the server message and the request', async () => {
    const r = await runCli([
      '--rootfs',
      f.root,
      'kubeconfig',
      'user',
      '--client-name',
      'bob',
      '--config',
      '/cfg.yaml',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const bob = await createKubeClient(r.stdout, { source: 'bob.conf' });
    try {
      const err = await rejection(bob.get(cmRef('one')));
      assert.ok(err instanceof ClusterApiError);
      assert.ok(isForbidden(err));
      assert.equal(err.reason, 'Forbidden');
      assert.match(
        err.message,
        /^configmaps "one" is forbidden: User "bob" cannot get resource "configmaps" in API group "" in the namespace "default"/,
      );
      assert.equal(err.request, 'GET /api/v1/namespaces/default/configmaps/one');
      const listed = await rejection(
        (async () => {
          for await (const _ of bob.list('v1', 'Secret', { namespace: 'kube-system' })) void _;
        })(),
      );
      assert.ok(isForbidden(listed));
      // /livez is open to every authenticated user.
      assert.deepEqual(await bob.getRaw('/livez'), { status: 200, body: 'ok' });
    } finally {
      bob.close();
    }
  });

  test('getRaw answers any status without throwing', async () => {
    assert.deepEqual(await client.getRaw('/livez'), { status: 200, body: 'ok' });
    const missing = await client.getRaw('/no-such-path');
    assert.equal(missing.status, 404);
    assert.equal(JSON.parse(missing.body).kind, 'Status');
  });

  test('a refused connection is one error naming the URL; so is a server with an unknown certificate', async () => {
    const port = await freePort();
    const down = await createKubeClient(superAdmin, { source: 'x', server: `https://127.0.0.1:${port}` });
    const err = await rejection(down.get(cmRef('one')));
    assert.ok(err instanceof ClusterConnectionError);
    assert.equal(
      err.message,
      `Get "https://127.0.0.1:${port}/api/v1/namespaces/default/configmaps/one": dial tcp 127.0.0.1:${port}: connect: connection refused`,
    );
    assert.equal(err.server, `https://127.0.0.1:${port}`);

    // The cluster CA of another kubeconfig does not match the stand-in's serving certificate.
    const cfg = parseYaml(superAdmin);
    cfg.clusters[0].cluster['certificate-authority-data'] = Buffer.from(
      await fs.readFile(path.join(f.kube, 'pki/front-proxy-ca.crt')),
    ).toString('base64');
    const untrusted = await createKubeClient(JSON.stringify(cfg), { source: 'x' });
    const tlsErr = await rejection(untrusted.getRaw('/livez'));
    assert.ok(tlsErr instanceof ClusterConnectionError);
    assert.equal(
      tlsErr.message,
      `Get "${f.url()}/livez": tls: failed to verify certificate: x509: certificate signed by unknown authority`,
    );
  });

  test('a server that accepts but never answers is a deadline error naming the URL', async (t) => {
    const silent = net.createServer(() => {
      // Holds the connection and never speaks TLS.
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const sockets = new Set<net.Socket>();
    silent.on('connection', (s) => sockets.add(s));
    t.after(() => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((r) => silent.close(() => r()));
    });
    const port = (silent.address() as AddressInfo).port;
    const c = await createKubeClient(superAdmin, {
      source: 'x',
      server: `https://127.0.0.1:${port}`,
      timeoutMs: 300,
    });
    const err = await rejection(c.getRaw('/livez'));
    assert.ok(err instanceof ClusterConnectionError);
    assert.equal(
      err.message,
      `Get "https://127.0.0.1:${port}/livez": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
    );
  });

  test('a kubeconfig without a current context is refused, naming the file', async () => {
    const cfg = parseYaml(superAdmin);
    cfg['current-context'] = 'elsewhere';
    const err = await rejection(createKubeClient(JSON.stringify(cfg), { source: '/etc/kubernetes/x.conf' }));
    assert.ok(err instanceof KbadmError);
    assert.equal(
      err.message,
      'failed to load kubeconfig file /etc/kubernetes/x.conf: context "elsewhere" not found',
    );
  });

  describe('openCluster', () => {
    test('reads the kubeconfig through the Host under --rootfs', async () => {
      const host = createRealHost(createPaths(f.root), recordOutput());
      const c = await openCluster(host, host.paths.under('/etc/kubernetes/super-admin.conf'), {
        out: recordOutput(),
      });
      assert.deepEqual((await c.get(cmRef('one')))?.data, { a: '2' });
      c.close();
    });

    test('inlines the certificate files a kubeconfig references, relative to its directory or under --rootfs', async () => {
      const cfg = parseYaml(superAdmin);
      const user = cfg.users[0].user;
      await fs.writeFile(path.join(f.kube, 'sa.crt'), Buffer.from(user['client-certificate-data'], 'base64'));
      await fs.writeFile(path.join(f.kube, 'sa.key'), Buffer.from(user['client-key-data'], 'base64'), {
        mode: 0o600,
      });
      cfg.users[0].user = { 'client-certificate': 'sa.crt', 'client-key': '/etc/kubernetes/sa.key' };
      delete cfg.clusters[0].cluster['certificate-authority-data'];
      cfg.clusters[0].cluster['certificate-authority'] = '/etc/kubernetes/pki/ca.crt';
      await fs.writeFile(path.join(f.kube, 'files.conf'), JSON.stringify(cfg));
      const host = createRealHost(createPaths(f.root), recordOutput());
      const c = await openCluster(host, host.paths.under('/etc/kubernetes/files.conf'), {
        out: recordOutput(),
      });
      assert.deepEqual((await c.get(cmRef('one')))?.data, { a: '2' });
      c.close();

      await fs.rm(path.join(f.kube, 'sa.key'));
      const err = await rejection(
        openCluster(host, host.paths.under('/etc/kubernetes/files.conf'), { out: recordOutput() }),
      );
      assert.ok(err instanceof KbadmError);
      const user0 = cfg.users[0].name;
      assert.equal(
        err.message,
        `failed to load admin kubeconfig: unable to read client-key /etc/kubernetes/sa.key for ${user0} due to open /etc/kubernetes/sa.key: no such file or directory`,
      );
    });

    test('a missing file is one line with the path the user knows', async () => {
      const host = createTestHost({ rootfs: '/tmp/rootfs-x' });
      const err = await rejection(
        openCluster(host, host.paths.under('/etc/kubernetes/admin.conf'), { out: recordOutput() }),
      );
      assert.ok(err instanceof KbadmError);
      assert.equal(
        err.message,
        'failed to load admin kubeconfig: open /etc/kubernetes/admin.conf: no such file or directory',
      );
    });

    test('a dry run gets the recording client and reads no file', async () => {
      const host = createTestHost();
      const out = recordOutput();
      const c = await openCluster(host, '/etc/kubernetes/admin.conf', { dryRun: true, out });
      await c.create(cm('x', 'kube-system'));
      assert.match(out.text(), /\[dryrun\] Would perform action CREATE on resource "configmaps"/);
    });
  });
});
