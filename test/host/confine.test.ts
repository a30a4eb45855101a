import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRealHost } from '../../src/host/real-host.js';
import { createPaths } from '../../src/host/paths.js';
import { recordOutput } from '../../src/output/output.js';
import { KbadmError } from '../../src/errors.js';

function roots() {
  const root = mkdtempSync(join(tmpdir(), 'kbadm-confine-root-'));
  const outside = mkdtempSync(join(tmpdir(), 'kbadm-confine-out-'));
  mkdirSync(join(root, 'etc'));
  return { root, outside, host: createRealHost(createPaths(root), recordOutput()) };
}

test('a write through a link that leaves --rootfs is refused and writes nothing', async () => {
  const { root, outside, host } = roots();
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

test('links that stay under --rootfs are followed as before', async () => {
  const { root, host } = roots();
  mkdirSync(join(root, 'data'));
  symlinkSync(join(root, 'data'), join(root, 'etc/kubernetes'));
  await host.writeFile(join(root, 'etc/kubernetes/admin.conf'), 'x', 0o600);
  assert.ok(existsSync(join(root, 'data/admin.conf')));
});

test('missing directories are created inside --rootfs', async () => {
  const { root, host } = roots();
  await host.writeFile(join(root, 'var/lib/kubelet/config.yaml'), 'x', 0o644);
  assert.ok(existsSync(join(root, 'var/lib/kubelet/config.yaml')));
});
