import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import {
  createDryRunDir,
  createDryRunHost,
  describeChange,
  renderDryRunContent,
  sensitiveContent,
  type DryRunHost,
} from '../../src/host/dry-run-host.js';
import { createPaths } from '../../src/host/paths.js';
import { createRealHost } from '../../src/host/real-host.js';
import { ValidationError } from '../../src/errors.js';
import { createTestHost } from '../../src/host/test-host.js';
import { recordOutput, type RecordedOutput } from '../../src/output/output.js';
import { tempDir } from '../support/temp.js';

const KEY = '-----BEGIN RSA PRIVATE KEY-----\nMIIEsecretsecret\n-----END RSA PRIVATE KEY-----\n';

describe('dry-run rendering', () => {
  test('content is indented with a tab per line', () => {
    assert.equal(
      renderDryRunContent(Buffer.from('apiVersion: v1\nkind: Pod\n')),
      '\tapiVersion: v1\n\tkind: Pod',
    );
  });
  test('secrets and binary content are replaced by a placeholder', () => {
    assert.equal(renderDryRunContent(Buffer.from(KEY)), `\t[private key not shown, ${KEY.length} bytes]`);
    assert.equal(renderDryRunContent(Buffer.from([0xff, 0xfe, 0x00])), '\t[binary content, 3 bytes]');
    assert.equal(renderDryRunContent(Buffer.from('a\0b')), '\t[binary content, 3 bytes]');
  });
  const cases: Array<[string, string | undefined]> = [
    [KEY, 'private key'],
    ['-----BEGIN PRIVATE KEY-----\nx\n', 'private key'],
    ['-----BEGIN EC PRIVATE KEY-----\nx\n', 'private key'],
    ['-----BEGIN ENCRYPTED PRIVATE KEY-----\nx\n', 'private key'],
    [
      'users:\n- name: admin\n  user:\n    client-certificate-data: QQ==\n    client-key-data: QQ==\n',
      'kubeconfig with a private key',
    ],
    ['users:\n- name: tls-bootstrap\n  user:\n    token: abcdef.0123456789abcdef\n', 'token'],
    ['apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\n', 'encryption keys'],
    ['-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n', undefined],
    ['-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n', undefined],
    [
      'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - command:\n    - --service-account-key-file=/etc/kubernetes/pki/sa.pub\n',
      undefined,
    ],
    [
      'KUBELET_KUBEADM_ARGS="--container-runtime-endpoint=unix:///run/containerd/containerd.sock"\n',
      undefined,
    ],
  ];
  for (const [text, expected] of cases) {
    test(`sensitiveContent(${JSON.stringify(text.slice(0, 40))}) -> ${expected}`, () => {
      assert.equal(sensitiveContent(text), expected);
    });
  }
  test('describeChange', () => {
    assert.equal(
      describeChange({ kind: 'mkdir', path: '/etc/kubernetes', mode: 0o700 }),
      'Would create directory "/etc/kubernetes"',
    );
    assert.equal(describeChange({ kind: 'remove', path: '/var/lib/etcd' }), 'Would remove "/var/lib/etcd"');
    assert.equal(
      describeChange({ kind: 'run', command: 'systemctl', args: ['restart', 'kubelet'] }),
      'Would run "systemctl restart kubelet"',
    );
  });
});

describe('createDryRunHost on a real rootfs', () => {
  let tmp: string;
  let out: RecordedOutput;
  let host: DryRunHost;
  const at = (p: string): string => path.join(tmp, p);
  const onDisk = (p: string): Promise<boolean> =>
    fs.lstat(at(p)).then(
      () => true,
      () => false,
    );

  beforeEach(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'kbadm-dryrun-'));
    await fs.mkdir(at('etc/kubernetes/pki'), { recursive: true });
    await fs.writeFile(at('etc/kubernetes/pki/ca.crt'), 'CA');
    await fs.writeFile(at('etc/kubernetes/admin.conf'), 'ADMIN');
    out = recordOutput();
    host = createDryRunHost(createPaths(tmp), out);
  });
  afterEach(() => fs.rm(tmp, { recursive: true, force: true }));

  test('writes are printed as kubeadm does, recorded, and not made', async () => {
    await host.writeFile(at('etc/kubernetes/manifests/etcd.yaml'), 'apiVersion: v1\nkind: Pod\n', 0o600);
    assert.equal(await onDisk('etc/kubernetes/manifests'), false);
    assert.equal(
      out.text(),
      // Paths are shown as on the host, without the --rootfs prefix.
      `[dryrun] Would create directory "/etc/kubernetes/manifests"\n` +
        `[dryrun] Would write file "/etc/kubernetes/manifests/etcd.yaml" with content:\n` +
        '\tapiVersion: v1\n\tkind: Pod\n',
    );
    assert.deepEqual(host.changes, [
      { kind: 'mkdir', path: at('etc/kubernetes/manifests'), mode: 0o700 },
      { kind: 'write', path: at('etc/kubernetes/manifests/etcd.yaml'), mode: 0o600, bytes: 25 },
    ]);
    assert.equal(host.dryRun, true);
  });

  test('a private key is never printed', async () => {
    await host.writeFile(at('etc/kubernetes/pki/ca.key'), KEY, 0o600);
    assert.doesNotMatch(out.text(), /MIIEsecret/);
    assert.match(out.text(), /Would write file ".*ca.key" with content:\n\t\[private key not shown/);
    assert.equal(await onDisk('etc/kubernetes/pki/ca.key'), false);
  });

  test('later reads see earlier writes; other reads come from disk', async () => {
    assert.equal((await host.readFile(at('etc/kubernetes/pki/ca.crt'))).toString(), 'CA');
    await host.writeFile(at('etc/kubernetes/pki/ca.crt'), 'NEW CA', 0o644);
    assert.equal((await host.readFile(at('etc/kubernetes/pki/ca.crt'))).toString(), 'NEW CA');
    assert.equal(await fs.readFile(at('etc/kubernetes/pki/ca.crt'), 'utf8'), 'CA');
    assert.equal((await host.stat(at('etc/kubernetes/pki/ca.crt')))?.mode, 0o644);
    await host.writeFile(at('etc/kubernetes/pki/sa.pub'), 'PUB', 0o600);
    assert.deepEqual(await host.listDir(at('etc/kubernetes/pki')), ['ca.crt', 'sa.pub']);
    assert.equal((await host.stat(at('etc/kubernetes/pki')))?.isDirectory, true);
    await assert.rejects(host.readFile(at('etc/kubernetes/missing')), { code: 'ENOENT' });
  });

  test('removals are printed, guarded, and hide the files from later reads', async () => {
    await host.remove(at('etc/kubernetes/pki'));
    assert.equal(await onDisk('etc/kubernetes/pki/ca.crt'), true);
    assert.equal(await host.exists(at('etc/kubernetes/pki/ca.crt')), false);
    assert.equal(await host.readFileIfExists(at('etc/kubernetes/pki/ca.crt')), undefined);
    assert.deepEqual(await host.listDir(at('etc/kubernetes')), ['admin.conf']);
    assert.deepEqual(await host.listDir(at('etc/kubernetes/pki')), []);
    await host.remove(at('etc/kubernetes/never-existed'));
    assert.deepEqual(host.changes, [{ kind: 'remove', path: at('etc/kubernetes/pki') }]);
    assert.equal(out.text(), `[dryrun] Would remove "/etc/kubernetes/pki"\n`);
    await assert.rejects(host.remove(at('etc')), /protected system directory/);

    // Writing again after the removal makes the file visible again.
    await host.writeFile(at('etc/kubernetes/pki/ca.crt'), 'AGAIN', 0o644);
    assert.deepEqual(await host.listDir(at('etc/kubernetes/pki')), ['ca.crt']);
    assert.equal((await host.readFile(at('etc/kubernetes/pki/ca.crt'))).toString(), 'AGAIN');
  });

  test('a move is printed, not made, and later reads find the tree at its new name', async () => {
    await host.writeFile(at('etc/kubernetes/pki/new.crt'), 'NEW', 0o644);
    await host.rename(at('etc/kubernetes/pki'), at('etc/kubernetes/tmp/pki'));
    assert.match(
      out.text(),
      /\[dryrun\] Would move "\/etc\/kubernetes\/pki" to "\/etc\/kubernetes\/tmp\/pki"\n$/,
    );
    assert.equal(await onDisk('etc/kubernetes/pki/ca.crt'), true);
    assert.equal(await onDisk('etc/kubernetes/tmp'), false);
    assert.equal(await host.exists(at('etc/kubernetes/pki')), false);
    assert.equal((await host.readFile(at('etc/kubernetes/tmp/pki/ca.crt'))).toString(), 'CA');
    assert.equal((await host.readFile(at('etc/kubernetes/tmp/pki/new.crt'))).toString(), 'NEW');
    assert.deepEqual(await host.listDir(at('etc/kubernetes/tmp/pki')), ['ca.crt', 'new.crt']);
    assert.deepEqual(await host.listDir(at('etc/kubernetes')), ['admin.conf', 'tmp']);
    assert.deepEqual(host.changes.at(-1), {
      kind: 'rename',
      from: at('etc/kubernetes/pki'),
      to: at('etc/kubernetes/tmp/pki'),
    });
    await assert.rejects(
      host.rename(at('etc/kubernetes/admin.conf'), at('etc/kubernetes/tmp/pki')),
      /already exists/,
    );
  });

  test('mkdir prints only directories it would create', async () => {
    await host.mkdir(at('etc/kubernetes'), 0o755);
    await host.mkdir(at('var/lib/kubelet'), 0o700);
    assert.deepEqual(
      host.changes.map((c) => c.kind === 'mkdir' && c.path),
      [at('var'), at('var/lib'), at('var/lib/kubelet')],
    );
    assert.equal(await onDisk('var'), false);
    assert.equal((await host.stat(at('var/lib/kubelet')))?.isDirectory, true);
  });

  test('commands are printed and not run, unless read-only', async () => {
    const marker = at('ran');
    const r = await host.run('touch', [marker]);
    assert.deepEqual(r, { exitCode: 0, stdout: '', stderr: '' });
    assert.equal(await onDisk('ran'), false);
    assert.equal(out.text(), `[dryrun] Would run "touch ${marker}"\n`);
    assert.equal((await host.run('sh', ['-c', 'printf active'], { readOnly: true })).stdout, 'active');
    assert.equal(host.changes.length, 1);
  });

  test('quiet output (-o json) keeps the dry-run lines off stdout', async () => {
    const { createOutput } = await import('../../src/output/output.js');
    const lines: string[] = [];
    const quiet = createOutput({ quiet: true, stdout: { write: (s: string) => lines.push(s) } });
    const h = createDryRunHost(createPaths(tmp), quiet);
    await h.writeFile(at('etc/kubernetes/x.yaml'), 'a: 1\n', 0o600);
    assert.deepEqual(lines, []);
    assert.equal(h.changes.length, 1);
  });
});

describe('createDryRunHost over another host', () => {
  test('reads, which and facts go to the base host', async () => {
    const base = createTestHost()
      .seedFile('/etc/kubernetes/admin.conf', 'ADMIN')
      .onRun('crictl', () => ({ stdout: 'ok' }))
      .setFacts({ hostname: 'node-7' });
    const host = createDryRunHost(base.paths, recordOutput(), { base });
    assert.equal((await host.readFile('/etc/kubernetes/admin.conf')).toString(), 'ADMIN');
    assert.equal(await host.which('crictl'), '/usr/bin/crictl');
    assert.equal((await host.facts()).hostname, 'node-7');
    await host.remove('/etc/kubernetes/admin.conf');
    assert.equal(base.text('/etc/kubernetes/admin.conf'), 'ADMIN');
    assert.deepEqual(base.changes, []);
    host.addManagedDir('/srv/etcd/data');
    await host.remove('/srv/etcd/data');
  });
});

test("a dry-run directory above kubeadm's directories is refused: its files would be real ones", async (t) => {
  const root = tempDir(t, 'kbadm-dryrun-dir-');
  await fs.mkdir(path.join(root, 'etc'));
  const host = createRealHost(createPaths(root), recordOutput());
  for (const given of ['/', '/etc', '/var/lib']) {
    await assert.rejects(
      createDryRunDir(host, 'init', { env: { KBADM_INIT_DRYRUN_DIR: given } }),
      (e: unknown) =>
        e instanceof ValidationError &&
        e.message.startsWith(`KBADM_INIT_DRYRUN_DIR: "${given}": a dry run would write`),
      given,
    );
  }
  assert.deepEqual(await fs.readdir(root), ['etc']);
  assert.equal(
    await createDryRunDir(host, 'init', { env: { KBADM_INIT_DRYRUN_DIR: '/review' } }),
    path.join(root, 'review'),
  );
});
