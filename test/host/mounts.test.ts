// Mount points: mountinfo parsing, which mounts lie below a directory and in which order they
// come off, umount(8) arguments, and real unmounts of a tmpfs under a temporary --rootfs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { createDryRunHost } from '../../src/host/dry-run-host.js';
import { mountsBelow, parseMountInfo, readMountPoints, umountArgs } from '../../src/host/mounts.js';
import { createPaths } from '../../src/host/paths.js';
import { createRealHost } from '../../src/host/real-host.js';
import { createTestHost } from '../../src/host/test-host.js';
import { recordOutput } from '../../src/output/output.js';

const MOUNTINFO = [
  '22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw',
  '40 22 0:35 / /var/lib/kubelet rw shared:20 - tmpfs tmpfs rw',
  '41 40 0:36 / /var/lib/kubelet/pods/a/volumes/kubernetes.io~projected/kube-api-access rw - tmpfs tmpfs rw',
  '42 22 0:37 / /var/lib/kubelet2/x rw - tmpfs tmpfs rw',
  '43 40 0:38 / /var/lib/kubelet/pods/b/volumes/kubernetes.io~empty-dir/my\\040vol rw - tmpfs tmpfs rw',
  '44 40 0:39 / /var/lib/kubelet/pods/a rw - tmpfs tmpfs rw',
  '45 44 0:40 / /var/lib/kubelet/pods/a rw - tmpfs tmpfs rw',
  '',
].join('\n');

describe('mount points', () => {
  test('mountinfo: the fifth field, with octal escapes undone', () => {
    const points = parseMountInfo(MOUNTINFO);
    assert.equal(points.length, 7);
    assert.equal(points[4], '/var/lib/kubelet/pods/b/volumes/kubernetes.io~empty-dir/my vol');
  });

  test('below a directory: not the directory itself, not a sibling with the same prefix, deepest first', () => {
    assert.deepEqual(mountsBelow(parseMountInfo(MOUNTINFO), '/var/lib/kubelet'), [
      '/var/lib/kubelet/pods/b/volumes/kubernetes.io~empty-dir/my vol',
      '/var/lib/kubelet/pods/a/volumes/kubernetes.io~projected/kube-api-access',
      // Mounted twice: the later mount comes off first, then the one below it.
      '/var/lib/kubelet/pods/a',
      '/var/lib/kubelet/pods/a',
    ]);
  });

  test('umount(8) arguments: force and lazy map to options; expire and nofollow have none', () => {
    assert.deepEqual(umountArgs('/r/var/lib/kubelet/x', ['MNT_FORCE', 'MNT_DETACH', 'MNT_FORCE']), {
      args: ['--force', '--lazy', '--no-canonicalize', '/r/var/lib/kubelet/x'],
      unsupported: [],
    });
    assert.deepEqual(umountArgs('/m', ['MNT_EXPIRE', 'UMOUNT_NOFOLLOW']), {
      args: ['--no-canonicalize', '/m'],
      unsupported: ['MNT_EXPIRE', 'UMOUNT_NOFOLLOW'],
    });
  });

  test('the test host: the latest mount comes off first, a busy one refuses, and a tree holding a mount cannot be removed', async () => {
    const host = createTestHost()
      .seedMount('/var/lib/kubelet/pods/a')
      .seedMount('/var/lib/kubelet/pods/b', { busy: true });
    await assert.rejects(host.remove('/var/lib/kubelet/pods'), /EBUSY/);
    await host.unmount('/var/lib/kubelet/pods/a', []);
    await assert.rejects(host.unmount('/var/lib/kubelet/pods/b', []), /target is busy/);
    await assert.rejects(host.unmount('/var/lib/kubelet/pods/a', []), /not mounted/);
    assert.deepEqual(await host.mountPoints(), ['/var/lib/kubelet/pods/b']);
    assert.deepEqual(host.changes, [{ kind: 'unmount', path: '/var/lib/kubelet/pods/a' }]);
  });

  test('the dry-run host records and prints an unmount and leaves the mount alone', async () => {
    const base = createTestHost().seedMount('/var/lib/kubelet/pods/a');
    const out = recordOutput();
    const host = createDryRunHost(base.paths, out, { base });
    await host.unmount('/var/lib/kubelet/pods/a', ['MNT_DETACH']);
    assert.deepEqual(await host.mountPoints(), ['/var/lib/kubelet/pods/a']);
    assert.deepEqual(host.changes, [{ kind: 'unmount', path: '/var/lib/kubelet/pods/a' }]);
    assert.equal(out.text(), '[dryrun] Would unmount "/var/lib/kubelet/pods/a"\n');
  });
});

const canMount = os.userInfo().uid === 0 ? false : 'mounting a tmpfs needs root';

describe('the real host', () => {
  test('lists this process mounts (the root is always one of them)', async () => {
    assert.ok((await readMountPoints()).includes('/'));
  });

  test('refuses to unmount anything outside --rootfs', async () => {
    const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'kbadm-mnt-'));
    try {
      const host = createRealHost(createPaths(tmp), recordOutput());
      await assert.rejects(host.unmount('/proc', []), /refusing to unmount "\/proc": it is outside --rootfs/);
    } finally {
      await fs.rm(tmp, { recursive: true, force: true });
    }
  });

  test('unmounts a tmpfs under the kubelet directory of a temporary root', { skip: canMount }, async () => {
    const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'kbadm-mnt-'));
    const target = path.join(tmp, 'var/lib/kubelet/pods/p1/volumes/kubernetes.io~empty-dir/cache');
    try {
      await fs.mkdir(target, { recursive: true });
      const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'kbadm-test', target], {
        encoding: 'utf8',
      });
      assert.equal(r.status, 0, r.stderr);
      await fs.writeFile(path.join(target, 'data'), 'x');
      const host = createRealHost(createPaths(tmp), recordOutput());
      const below = mountsBelow(await host.mountPoints(), path.join(tmp, 'var/lib/kubelet'));
      assert.deepEqual(below, [target]);
      await host.unmount(target, ['MNT_DETACH']);
      assert.ok(!(await host.mountPoints()).includes(target));
      // What was on the tmpfs went with it; the directory underneath is empty.
      assert.deepEqual(await fs.readdir(target), []);
    } finally {
      if ((await readMountPoints()).includes(target)) spawnSync('umount', ['--lazy', target]);
      await fs.rm(tmp, { recursive: true, force: true });
    }
  });
});
