import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRealHost } from '../../src/host/real-host.js';
import { createPaths } from '../../src/host/paths.js';
import { recordOutput } from '../../src/output/output.js';
import { KbadmError } from '../../src/errors.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/temp.js';

function roots(t: TestContext) {
  const root = tempDir(t, 'kbadm-confine-root-');
  const outside = tempDir(t, 'kbadm-confine-out-');
  mkdirSync(join(root, 'etc'));
  return { root, outside, host: createRealHost(createPaths(root), recordOutput()) };
}

test('a write through a link that leaves --rootfs is refused and writes nothing', async (t) => {
  const { root, outside, host } = roots(t);
  symlinkSync(outside, join(root, 'etc/kubernetes'));
  await assert.rejects(
    host.writeFile(join(root, 'etc/kubernetes/pki/ca.key'), 'secret', 0o600),
    (e: unknown) =>
      e instanceof KbadmError &&
      e.message.startsWith('refusing to write to "/etc/kubernetes/pki": "/etc/kubernetes" leads to'),
  );
  await assert.rejects(host.mkdir(join(root, 'etc/kubernetes/manifests'), 0o700), KbadmError);
  assert.deepEqual(readdirSync(outside), []);
});

test('links that stay under --rootfs are followed as before', async (t) => {
  const { root, host } = roots(t);
  mkdirSync(join(root, 'data'));
  symlinkSync(join(root, 'data'), join(root, 'etc/kubernetes'));
  await host.writeFile(join(root, 'etc/kubernetes/admin.conf'), 'x', 0o600);
  assert.ok(existsSync(join(root, 'data/admin.conf')));
});

test('missing directories are created inside --rootfs', async (t) => {
  const { root, host } = roots(t);
  await host.writeFile(join(root, 'var/lib/kubelet/config.yaml'), 'x', 0o644);
  assert.ok(existsSync(join(root, 'var/lib/kubelet/config.yaml')));
});

test('a read through a link that leaves --rootfs is refused, for a file and a directory listing', async (t) => {
  const { root, outside, host } = roots(t);
  writeFileSync(join(outside, 'etcd.yaml'), 'spec: {}\n');
  symlinkSync(outside, join(root, 'etc/patches'));
  symlinkSync(join(outside, 'etcd.yaml'), join(root, 'etc/one.yaml'));
  for (const read of [
    () => host.readFile(join(root, 'etc/patches/etcd.yaml')),
    () => host.readFileIfExists(join(root, 'etc/patches/etcd.yaml')),
    () => host.readFile(join(root, 'etc/one.yaml')),
    () => host.listDir(join(root, 'etc/patches')),
  ]) {
    await assert.rejects(
      read(),
      (e: unknown) =>
        e instanceof KbadmError && /^refusing to read "\/etc\/(patches|one\.yaml)/.test(e.message),
    );
  }
});

test('reads through links that stay under --rootfs work as before', async (t) => {
  const { root, host } = roots(t);
  mkdirSync(join(root, 'data'));
  writeFileSync(join(root, 'data/etcd.yaml'), 'x');
  symlinkSync(join(root, 'data'), join(root, 'etc/patches'));
  assert.equal((await host.readFile(join(root, 'etc/patches/etcd.yaml'))).toString(), 'x');
  assert.deepEqual(await host.listDir(join(root, 'etc/patches')), ['etcd.yaml']);
});

test('an absolute link written on the node itself is followed inside --rootfs, as under a chroot', async (t) => {
  const { root, host } = roots(t);
  // What the kubelet writes after its TLS bootstrap: a link to an absolute path of the node.
  mkdirSync(join(root, 'var/lib/kubelet/pki'), { recursive: true });
  writeFileSync(join(root, 'var/lib/kubelet/pki/kubelet-client-2026.pem'), 'pair');
  symlinkSync('/var/lib/kubelet/pki/kubelet-client-2026.pem', join(root, 'var/lib/kubelet/pki/current.pem'));
  const link = join(root, 'var/lib/kubelet/pki/current.pem');
  assert.equal((await host.readFile(link)).toString(), 'pair');
  assert.equal(await host.exists(link), true);
  assert.equal((await host.stat(link))?.isFile, true);
  // `..` above the root stays at the root.
  symlinkSync('../../../../../../var/lib/kubelet/pki/kubelet-client-2026.pem', join(root, 'etc/up.pem'));
  assert.equal((await host.readFile(join(root, 'etc/up.pem'))).toString(), 'pair');
});

test('--patches through a link out of --rootfs is refused before any manifest is written', async (t) => {
  const { root, outside } = roots(t);
  writeFileSync(join(outside, 'etcd.yaml'), 'metadata:\n  labels:\n    a: "1"\n');
  symlinkSync(outside, join(root, 'etc/patches'));
  const r = await runCli(['--rootfs', root, 'init', 'phase', 'etcd', 'local', '--patches', '/etc/patches']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /refusing to read "\/etc\/patches": "\/etc\/patches" leads to /);
  assert.equal(existsSync(join(root, 'etc/kubernetes/manifests/etcd.yaml')), false);
});

test('a link whose target is missing outside --rootfs is refused before anything is made', async (t) => {
  const { root, outside, host } = roots(t);
  symlinkSync(join(outside, 'k8s'), join(root, 'etc/kubernetes'));
  await assert.rejects(
    host.writeFile(join(root, 'etc/kubernetes/pki/ca.key'), 'secret', 0o600),
    (e: unknown) =>
      e instanceof KbadmError &&
      e.message ===
        `refusing to write to "/etc/kubernetes/pki": "/etc/kubernetes" leads to "${outside}", outside --rootfs "${root}"`,
  );
  assert.deepEqual(readdirSync(outside), []);
});

test('a relative link that climbs out of --rootfs is refused, one that climbs and comes back is followed', async (t) => {
  const { root, outside, host } = roots(t);
  const up = join(root, 'etc').split('/').length - 1;
  symlinkSync(`${'../'.repeat(up)}${outside.slice(1)}`, join(root, 'etc/kubernetes'));
  await assert.rejects(host.mkdir(join(root, 'etc/kubernetes/manifests'), 0o700), KbadmError);
  assert.deepEqual(readdirSync(outside), []);
  mkdirSync(join(root, 'data'));
  symlinkSync(`../../${root.split('/').pop()}/data`, join(root, 'etc/data'));
  await host.writeFile(join(root, 'etc/data/admin.conf'), 'x', 0o600);
  assert.ok(existsSync(join(root, 'data/admin.conf')));
});

test('a read or write through a loop of links names the file and the loop', async (t) => {
  const { root, host } = roots(t);
  symlinkSync(join(root, 'etc/b'), join(root, 'etc/a'));
  symlinkSync(join(root, 'etc/a'), join(root, 'etc/b'));
  await assert.rejects(
    host.readFile(join(root, 'etc/a')),
    (e: unknown) =>
      e instanceof KbadmError &&
      (e as KbadmError & { code?: string }).code === 'ELOOP' &&
      e.message === 'open /etc/a: too many levels of symbolic links',
  );
  assert.equal(await host.readFileIfExists(join(root, 'etc/missing/file')), undefined);
  await assert.rejects(
    host.writeFile(join(root, 'etc/a/admin.conf'), 'x', 0o600),
    (e: unknown) =>
      e instanceof KbadmError && e.message === 'write /etc/a/admin.conf: too many levels of symbolic links',
  );
});
