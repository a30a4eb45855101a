// The kube-apiserver stand-in, started from the kube-apiserver.yaml kbadm writes, on a real etcd
// with kbadm's etcd certificates, checked with the real kubectl: authentication by certificate,
// bootstrap token and anonymously; RBAC from stored objects; paging (continue tokens in the real
// format, remainingItemCount, 400 for a bad token, 410 once etcd compacted), watch, patches, conflicts;
// objects surviving a restart; and start-up refused for a broken manifest.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as https from 'node:https';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { runCli } from '../../support/cli.js';
import { clientFromKubeconfig, KubeError, type KubeClient } from '../kube-client.js';
import { KUBECTL, startControlPlaneFixture, type ControlPlaneFixture } from './fixture.js';
import { loadConfig, StartupError } from './flags.js';

const run = promisify(execFile);
type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('the kube-apiserver stand-in', () => {
  let f: ControlPlaneFixture;
  let root: string;
  const kube = () => f.kube;
  const kubectl = (kubeconfig: string, args: string[]) => f.kubectl(kubeconfig, args);
  const kubectlFails = (kubeconfig: string, args: string[]) => f.kubectlFails(kubeconfig, args);
  const server = {
    get url() {
      return f.url();
    },
  } as { url: string };

  before(async () => {
    f = await startControlPlaneFixture('apiserver');
    root = f.root;
  });
  after(() => f?.close());

  test('answers /livez to anyone and /version, /api discovery to kubectl', async () => {
    const { stdout } = await kubectl('super-admin.conf', ['get', '--raw', '/livez']);
    assert.equal(stdout, 'ok');
    const version = await kubectl('super-admin.conf', ['version', '-o', 'json']);
    assert.equal(JSON.parse(version.stdout).serverVersion.gitVersion, 'v1.34.0');
    const ns = await kubectl('super-admin.conf', ['get', 'namespaces', '-o', 'name']);
    assert.deepEqual(ns.stdout.trim().split('\n').sort(), [
      'namespace/default',
      'namespace/kube-node-lease',
      'namespace/kube-public',
      'namespace/kube-system',
    ]);
  });

  test('admin.conf (group kubeadm:cluster-admins) is refused until a ClusterRoleBinding grants it', async () => {
    const refused = await kubectlFails('admin.conf', ['get', 'configmaps', '-n', 'kube-system']);
    assert.match(
      refused,
      /configmaps is forbidden: User "kubernetes-admin" cannot list resource "configmaps" in API group "" in the namespace "kube-system"/,
    );
    const binding = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'kubeadm:cluster-admins' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'kubeadm:cluster-admins' }],
    };
    const file = path.join(root, 'binding.json');
    await fs.writeFile(file, JSON.stringify(binding));
    await kubectl('super-admin.conf', ['create', '--validate=false', '-f', file]);
    await kubectl('admin.conf', ['get', 'configmaps', '-n', 'kube-system']);
  });

  test('creates, reads, conflicts, patches and deletes with the real status codes', async () => {
    const file = path.join(root, 'cm.json');
    await fs.writeFile(
      file,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'one', namespace: 'default' },
        data: { a: '1' },
      }),
    );
    await kubectl('super-admin.conf', ['create', '--validate=false', '-f', file]);
    assert.match(
      await kubectlFails('super-admin.conf', ['create', '--validate=false', '-f', file]),
      /configmaps "one" already exists/,
    );
    await kubectl('super-admin.conf', ['patch', 'configmap', 'one', '-p', '{"data":{"b":"2"}}']);
    await kubectl('super-admin.conf', [
      'patch',
      'configmap',
      'one',
      '--type=json',
      '-p',
      '[{"op":"remove","path":"/data/a"}]',
    ]);
    // A merge patch (RFC 7386): null deletes a key, objects merge, other values replace.
    const merged = JSON.parse(
      (
        await kubectl('super-admin.conf', [
          'patch',
          'configmap',
          'one',
          '--type=merge',
          '-p',
          '{"data":{"b":null,"c":"3","d":"4"},"metadata":{"labels":{"m":"1"}}}',
          '-o',
          'json',
        ])
      ).stdout,
    );
    assert.deepEqual(merged.data, { c: '3', d: '4' });
    assert.deepEqual(merged.metadata.labels, { m: '1' });
    await kubectl('super-admin.conf', [
      'patch',
      'configmap',
      'one',
      '--type=merge',
      '-p',
      '{"data":{"c":null,"d":null,"b":"2"},"metadata":{"labels":null}}',
    ]);
    const got = JSON.parse(
      (await kubectl('super-admin.conf', ['get', 'configmap', 'one', '-o', 'json'])).stdout,
    );
    assert.deepEqual(got.data, { b: '2' });
    assert.equal(got.metadata.labels, undefined);
    assert.match(got.metadata.uid, /^[0-9a-f-]{36}$/);
    const stale = { ...got, metadata: { ...got.metadata, resourceVersion: '1' } };
    await fs.writeFile(file, JSON.stringify(stale));
    assert.match(
      await kubectlFails('super-admin.conf', ['replace', '--validate=false', '-f', file]),
      /the object has been modified/,
    );
    assert.match(
      await kubectlFails('super-admin.conf', ['get', 'configmap', 'nope']),
      /configmaps "nope" not found/,
    );
    await fs.writeFile(
      file,
      JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'missing' } }),
    );
    assert.match(
      await kubectlFails('super-admin.conf', ['create', '--validate=false', '-f', file]),
      /namespaces "missing" not found/,
    );
    await fs.writeFile(
      file,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'Bad_Name', namespace: 'default' },
      }),
    );
    assert.match(
      await kubectlFails('super-admin.conf', ['create', '--validate=false', '-f', file]),
      /is invalid: metadata.name/,
    );
    await kubectl('super-admin.conf', ['delete', 'configmap', 'one']);
    assert.match(await kubectlFails('super-admin.conf', ['get', 'configmap', 'one']), /not found/);
  });

  test('lists in pages with limit and continue, filtered by label selectors', async () => {
    const items = Array.from({ length: 25 }, (_, i) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: `page-${String(i).padStart(2, '0')}`,
        namespace: 'default',
        labels: { parity: i % 2 ? 'odd' : 'even' },
      },
    }));
    const file = path.join(root, 'many.json');
    await fs.writeFile(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
    await kubectl('super-admin.conf', ['create', '--validate=false', '-f', file]);
    const names: string[] = [];
    let cont = '';
    let pages = 0;
    do {
      const q = `limit=10&labelSelector=parity%3Deven${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`;
      const list = JSON.parse(
        (await kubectl('super-admin.conf', ['get', '--raw', `/api/v1/namespaces/default/configmaps?${q}`]))
          .stdout,
      );
      names.push(...list.items.map((i: { metadata: { name: string } }) => i.metadata.name));
      cont = list.metadata.continue ?? '';
      pages++;
    } while (cont !== '');
    assert.equal(names.length, 13);
    assert.equal(new Set(names).size, 13);
    assert.ok(pages >= 2, `paged (${pages} pages)`);
    const chunked = await kubectl('super-admin.conf', [
      'get',
      'configmaps',
      '-l',
      'parity=odd',
      '--chunk-size=5',
      '-o',
      'name',
    ]);
    assert.equal(chunked.stdout.trim().split('\n').length, 12);
  });

  test('Nodes are selected on spec.unschedulable, which an uncordoned Node reads as false', async () => {
    const node = (name: string, unschedulable?: boolean) => ({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name },
      ...(unschedulable !== undefined ? { spec: { unschedulable } } : {}),
    });
    await f.create({ apiVersion: 'v1', kind: 'List', items: [node('sel-1'), node('sel-2', true)] });
    const names = async (selector: string) =>
      (await kubectl('super-admin.conf', ['get', 'nodes', '--field-selector', selector, '-o', 'name'])).stdout
        .split('\n')
        .filter((l) => l.startsWith('node/sel-'));
    assert.deepEqual(await names('spec.unschedulable=false'), ['node/sel-1']);
    assert.deepEqual(await names('spec.unschedulable=true'), ['node/sel-2']);
    await kubectl('super-admin.conf', ['delete', 'node', 'sel-1', 'sel-2']);
  });

  test('a user certificate from kbadm kubeconfig user is refused until a RoleBinding allows it', async () => {
    const r = await runCli([
      '--rootfs',
      root,
      'kubeconfig',
      'user',
      '--client-name',
      'bob',
      '--config',
      '/cfg.yaml',
    ]);
    assert.equal(r.code, 0, r.stderr);
    await fs.writeFile(path.join(kube(), 'bob.conf'), r.stdout);
    assert.match(
      await kubectlFails('bob.conf', ['get', 'configmaps', '-n', 'default']),
      /User "bob" cannot list resource "configmaps"/,
    );
    const file = path.join(root, 'rb.json');
    await fs.writeFile(
      file,
      JSON.stringify({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'bob-view', namespace: 'default' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'bob' }],
      }),
    );
    await kubectl('super-admin.conf', ['create', '--validate=false', '-f', file]);
    await kubectl('bob.conf', ['get', 'configmaps', '-n', 'default']);
    assert.match(await kubectlFails('bob.conf', ['get', 'configmaps', '-n', 'kube-system']), /forbidden/);
    assert.match(await kubectlFails('bob.conf', ['get', 'secrets', '-n', 'default']), /forbidden/);
  });

  test('a bootstrap token Secret authenticates while valid; a wrong or expired token gets 401', async () => {
    const secret = (id: string, expiration?: string) => ({
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'bootstrap.kubernetes.io/token',
      metadata: { name: `bootstrap-token-${id}`, namespace: 'kube-system' },
      stringData: {
        'token-id': id,
        'token-secret': '0123456789abcdef',
        'usage-bootstrap-authentication': 'true',
        'auth-extra-groups': 'system:bootstrappers:kubeadm:default-node-token',
        ...(expiration ? { expiration } : {}),
      },
    });
    const file = path.join(root, 'tokens.json');
    await fs.writeFile(
      file,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [
          secret('abcdef'),
          secret('zzzzzz', '2000-01-01T00:00:00Z'),
          // A token Secret that is not for authentication (signing only, say).
          (({ stringData: { 'usage-bootstrap-authentication': _u, ...rest }, ...s }) => ({
            ...s,
            stringData: rest,
          }))(secret('nouse0')),
        ],
      }),
    );
    await kubectl('super-admin.conf', ['create', '--validate=false', '-f', file]);
    const asToken = (token: string) => [
      '--server',
      server.url,
      '--insecure-skip-tls-verify',
      '--token',
      token,
    ];
    const review = JSON.parse(
      (
        await run(KUBECTL, [
          '--kubeconfig=/dev/null',
          ...asToken('abcdef.0123456789abcdef'),
          'auth',
          'whoami',
          '-o',
          'json',
        ])
      ).stdout,
    );
    assert.equal(review.status.userInfo.username, 'system:bootstrap:abcdef');
    assert.ok(review.status.userInfo.groups.includes('system:bootstrappers:kubeadm:default-node-token'));
    for (const bad of ['abcdef.0123456789abcdee', 'zzzzzz.0123456789abcdef', 'nouse0.0123456789abcdef']) {
      await assert.rejects(
        run(KUBECTL, ['--kubeconfig=/dev/null', ...asToken(bad), 'get', '--raw', '/livez']),
        /Unauthorized/,
        bad,
      );
    }
    // Without --enable-bootstrap-token-auth no token authenticates, not even a valid one.
    await f.restartApiServer(f.apiserverArgs.filter((a) => !a.startsWith('--enable-bootstrap-token-auth')));
    try {
      await assert.rejects(
        run(KUBECTL, [
          '--kubeconfig=/dev/null',
          ...asToken('abcdef.0123456789abcdef'),
          'get',
          '--raw',
          '/livez',
        ]),
        /Unauthorized/,
      );
    } finally {
      await f.restartApiServer();
    }
    await run(KUBECTL, [
      '--kubeconfig=/dev/null',
      ...asToken('abcdef.0123456789abcdef'),
      'get',
      '--raw',
      '/livez',
    ]);
  });

  test('anonymous requests reach only what RBAC grants system:unauthenticated', async () => {
    const get = (p: string) =>
      new Promise<number>((resolve, reject) => {
        https
          .get(`${server.url}${p}`, { rejectUnauthorized: false }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          })
          .on('error', reject);
      });
    assert.equal(await get('/livez'), 200);
    assert.equal(await get('/version'), 200);
    assert.equal(await get('/api/v1/namespaces/kube-public/configmaps/cluster-info'), 403);
    assert.equal(await get('/api/v1/secrets'), 403);
  });

  test('watch streams the changes after a resourceVersion', async () => {
    const list = JSON.parse(
      (await kubectl('super-admin.conf', ['get', '--raw', '/api/v1/namespaces/default/configmaps?limit=1']))
        .stdout,
    );
    const events: string[] = [];
    const ca = await fs.readFile(path.join(kube(), 'pki/ca.crt'));
    const sa = parseYaml(await fs.readFile(path.join(kube(), 'super-admin.conf'), 'utf8'));
    const user = sa.users[0].user;
    const req = https.get(
      `${server.url}/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${list.metadata.resourceVersion}&fieldSelector=metadata.name%3Dwatched`,
      {
        ca,
        cert: Buffer.from(user['client-certificate-data'], 'base64'),
        key: Buffer.from(user['client-key-data'], 'base64'),
      },
    );
    const done = new Promise<void>((resolve) => {
      req.on('response', (res) => {
        let buf = '';
        res.on('data', (c: Buffer) => {
          buf += c.toString();
          for (const line of buf.split('\n').slice(0, -1)) events.push(JSON.parse(line).type);
          buf = buf.slice(buf.lastIndexOf('\n') + 1);
          if (events.length >= 3) resolve();
        });
      });
    });
    await sleep(200);
    const file = path.join(root, 'w.json');
    await fs.writeFile(
      file,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'watched', namespace: 'default' },
      }),
    );
    await kubectl('super-admin.conf', ['create', '--validate=false', '-f', file]);
    await kubectl('super-admin.conf', ['patch', 'configmap', 'watched', '-p', '{"data":{"x":"y"}}']);
    await kubectl('super-admin.conf', ['delete', 'configmap', 'watched']);
    await Promise.race([done, sleep(10_000)]);
    req.destroy();
    assert.deepEqual(events, ['ADDED', 'MODIFIED', 'DELETED']);
  });

  test('objects live in etcd: they are still there after the API server restarts', async () => {
    const file = path.join(root, 'keep.json');
    await fs.writeFile(
      file,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'keep', namespace: 'kube-system' },
        data: { k: 'v' },
      }),
    );
    await kubectl('super-admin.conf', ['create', '--validate=false', '-f', file]);
    await f.restartApiServer();
    const got = JSON.parse(
      (await kubectl('super-admin.conf', ['get', 'configmap', 'keep', '-n', 'kube-system', '-o', 'json']))
        .stdout,
    );
    assert.deepEqual(got.data, { k: 'v' });
  });

  test('refuses to start with a --client-ca-file that does not exist or an unknown flag', () => {
    const broken = f.apiserverArgs.map((a) =>
      a.startsWith('--client-ca-file=') ? '--client-ca-file=/etc/kubernetes/pki/nope.crt' : a,
    );
    assert.throws(
      () => loadConfig(broken, (p) => path.join(root, p)),
      (err: unknown) => {
        assert.ok(err instanceof StartupError);
        assert.match(
          err.message,
          /--client-ca-file: open \/etc\/kubernetes\/pki\/nope.crt: no such file or directory/,
        );
        return true;
      },
    );
    const swapped = f.apiserverArgs.map((a) =>
      a.startsWith('--tls-private-key-file=')
        ? '--tls-private-key-file=/etc/kubernetes/pki/front-proxy-client.key'
        : a,
    );
    assert.throws(
      () => loadConfig(swapped, (p) => path.join(root, p)),
      /private key does not match public key/,
    );
    assert.throws(
      () => loadConfig([...f.apiserverArgs, '--no-such-flag=1'], (p) => path.join(root, p)),
      /unknown flag: --no-such-flag/,
    );
  });

  test('refuses to start with swapped etcd client files, an unknown authorization mode or a non-IP address', () => {
    const load = (change: (a: string) => string) =>
      loadConfig(f.apiserverArgs.map(change), (p) => path.join(root, p));
    const flag = (a: string) => a.slice(2, a.indexOf('='));
    const value = (name: string) => f.apiserverArgs.find((a) => flag(a) === name)!.split('=')[1]!;
    const [certFile, keyFile] = [value('etcd-certfile'), value('etcd-keyfile')];
    assert.throws(
      () =>
        load((a) =>
          flag(a) === 'etcd-certfile'
            ? `--etcd-certfile=${keyFile}`
            : flag(a) === 'etcd-keyfile'
              ? `--etcd-keyfile=${certFile}`
              : a,
        ),
      (err: unknown) => {
        assert.ok(err instanceof StartupError);
        assert.match(err.message, /^--etcd-certfile: no certificate found in the file$/);
        return true;
      },
    );
    assert.throws(
      () => load((a) => (flag(a) === 'authorization-mode' ? '--authorization-mode=Node,RBAC,Sometimes' : a)),
      /--authorization-mode: authorization mode "Sometimes" is not supported/,
    );
    for (const bad of ['node-1.example', '169.254.10', '']) {
      const start = () => load((a) => (flag(a) === 'advertise-address' ? `--advertise-address=${bad}` : a));
      if (bad === '') assert.equal(start().advertiseAddress, '127.0.0.1');
      else
        assert.throws(start, (err: unknown) => {
          assert.ok(err instanceof StartupError);
          assert.equal(
            err.message,
            `invalid argument "${bad}" for "--advertise-address" flag: failed to parse IP: "${bad}"`,
          );
          return true;
        });
    }
    assert.throws(
      () => loadConfig([...f.apiserverArgs, '--bind-address=localhost'], (p) => path.join(root, p)),
      /invalid argument "localhost" for "--bind-address" flag/,
    );
    assert.equal(load((a) => a).bootstrapTokenAuth, true);
    assert.equal(
      loadConfig(
        f.apiserverArgs.filter((a) => flag(a) !== 'enable-bootstrap-token-auth'),
        (p) => path.join(root, p),
      ).bootstrapTokenAuth,
      false,
    );
  });

  describe('paged lists as kube-apiserver pages them', () => {
    let client: KubeClient;
    const configMaps = (ns: string) => `/api/v1/namespaces/${ns}/configmaps`;
    const names = (list: Obj) => list.items.map((i: Obj) => i.metadata.name as string);
    const decodeToken = (token: string) => JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    const makeNamespace = async (ns: string, count: number) => {
      await client.request('POST', '/api/v1/namespaces', { metadata: { name: ns } });
      for (let i = 0; i < count; i++)
        await client.request('POST', configMaps(ns), {
          metadata: { name: `cm-${String(i).padStart(2, '0')}`, labels: { n: String(i % 2) } },
        });
    };
    /** The status, reason and message of a list the server must refuse. */
    const refused = async (query: string, ns = 'paging') => {
      const err = await client.request('GET', `${configMaps(ns)}?${query}`).then(
        () => assert.fail(`the list with ${query} succeeded`),
        (e: unknown) => e,
      );
      assert.ok(err instanceof KubeError, String(err));
      return err;
    };

    before(async () => {
      client = clientFromKubeconfig(path.join(kube(), 'super-admin.conf'));
      await makeNamespace('paging', 10);
    });
    after(() => client?.close());

    test('a continue token in the real format, remainingItemCount, later pages read at the revision of the first', async () => {
      const first = await client.request('GET', `${configMaps('paging')}?limit=4`);
      assert.deepEqual(names(first), ['cm-00', 'cm-01', 'cm-02', 'cm-03']);
      const token: string = first.metadata.continue;
      assert.match(token, /^[A-Za-z0-9_-]+$/, 'unpadded base64url');
      assert.deepEqual(decodeToken(token), {
        v: 'meta.k8s.io/v1',
        rv: Number(first.metadata.resourceVersion),
        start: 'cm-03\u0000',
      });
      assert.equal(first.metadata.remainingItemCount, 6);
      // Changes after the first page do not show in the pages that continue it.
      await client.request('POST', configMaps('paging'), { metadata: { name: 'cm-99' } });
      await client.request('DELETE', `${configMaps('paging')}/cm-05`);
      const second = await client.request('GET', `${configMaps('paging')}?limit=4&continue=${token}`);
      assert.deepEqual(names(second), ['cm-04', 'cm-05', 'cm-06', 'cm-07']);
      assert.equal(second.metadata.resourceVersion, first.metadata.resourceVersion);
      assert.equal(second.metadata.remainingItemCount, 2);
      const last = await client.request(
        'GET',
        `${configMaps('paging')}?limit=4&continue=${second.metadata.continue}`,
      );
      assert.deepEqual(names(last), ['cm-08', 'cm-09']);
      assert.equal(last.metadata.continue, undefined);
      assert.equal(last.metadata.remainingItemCount, undefined);
      // A selector filters after counting, so the server does not say how many remain.
      const even = await client.request('GET', `${configMaps('paging')}?limit=2&labelSelector=n%3D0`);
      assert.deepEqual(names(even), ['cm-00', 'cm-02']);
      assert.ok(even.metadata.continue);
      assert.equal(even.metadata.remainingItemCount, undefined);
      // client-go's pager (kubectl --chunk-size) follows the tokens to the current content.
      const chunked = await kubectl('super-admin.conf', [
        'get',
        'configmaps',
        '-n',
        'paging',
        '--chunk-size=3',
        '-o',
        'name',
      ]);
      assert.equal(chunked.stdout.trim().split('\n').length, 10);
      assert.match(chunked.stdout, /configmap\/cm-99/);
      assert.doesNotMatch(chunked.stdout, /configmap\/cm-05/);
    });

    test('a bad continue token is a 400 with the messages of the real server', async () => {
      const token = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const prefix = 'invalid continue token: continue key is not valid';
      const cases: [string, string][] = [
        ['not-a*token', `${prefix}: illegal base64 data at input byte 5`],
        // Standard, padded base64 is not what the server hands out.
        [Buffer.from('{"v":1}').toString('base64'), `${prefix}: illegal base64 data at input byte 10`],
        [
          Buffer.from('hello').toString('base64url'),
          `${prefix}: invalid character 'h' looking for beginning of value`,
        ],
        [
          token({ v: 'meta.k8s.io/v2', rv: 5, start: 'paging/cm-01' }),
          `${prefix}: server does not recognize this encoded version meta.k8s.io/v2`,
        ],
        [
          token({ v: 'meta.k8s.io/v1', rv: 0, start: 'paging/cm-01' }),
          `${prefix}: incorrect encoded start resourceVersion (version meta.k8s.io/v1)`,
        ],
        [
          token({ v: 'meta.k8s.io/v1', rv: 5, start: '' }),
          `${prefix}: encoded start key empty (version meta.k8s.io/v1)`,
        ],
        // A start key may not climb out of the listed collection.
        [
          token({ v: 'meta.k8s.io/v1', rv: 5, start: '../secrets/kube-system/x' }),
          `${prefix}: ../secrets/kube-system/x`,
        ],
      ];
      for (const [bad, message] of cases) {
        const err = await refused(`limit=2&continue=${encodeURIComponent(bad)}`);
        assert.deepEqual([err.code, err.reason, err.message], [400, 'BadRequest', message], bad);
      }
      const good = (await client.request('GET', `${configMaps('paging')}?limit=2`)).metadata.continue;
      const withVersion = await refused(`limit=2&continue=${good}&resourceVersion=5`);
      assert.deepEqual(
        [withVersion.code, withVersion.message],
        [400, 'specifying resource version is not allowed when using continue'],
      );
      assert.match(
        await kubectlFails('super-admin.conf', [
          'get',
          '--raw',
          `${configMaps('paging')}?limit=2&continue=bad!`,
        ]),
        /invalid continue token: continue key is not valid: illegal base64 data at input byte 3/,
      );
    });

    // Last in the file: the compaction discards every older revision.
    test('a token whose revision etcd compacted is 410 Expired, with a token to go on at the latest one', async () => {
      await makeNamespace('paging-expired', 6);
      const first = await client.request('GET', `${configMaps('paging-expired')}?limit=2`);
      await client.request('POST', configMaps('paging-expired'), { metadata: { name: 'cm-50' } });
      await f.compactEtcd();
      const err = await refused(`limit=2&continue=${first.metadata.continue}`, 'paging-expired');
      assert.deepEqual([err.code, err.reason], [410, 'Expired']);
      assert.match(
        err.message,
        /^The provided continue parameter is too old to display a consistent list result\./,
      );
      const status = err.body as Obj;
      assert.equal(status.kind, 'Status');
      const fresh: string = status.metadata.continue;
      assert.deepEqual(decodeToken(fresh), {
        v: 'meta.k8s.io/v1',
        rv: -1,
        start: 'cm-01\u0000',
      });
      const rest: string[] = [];
      let next = fresh;
      while (next) {
        const page = await client.request('GET', `${configMaps('paging-expired')}?limit=2&continue=${next}`);
        rest.push(...names(page));
        next = page.metadata.continue ?? '';
      }
      // Read at the latest revision: the ConfigMap created after the first page is there.
      assert.deepEqual(rest, ['cm-02', 'cm-03', 'cm-04', 'cm-05', 'cm-50']);
    });
  });
});
