import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { KbadmError } from '../../src/errors.js';
import { CommandFailedError, CommandNotFoundError } from '../../src/host/exec.js';
import { createTestHost } from '../../src/host/test-host.js';

describe('createTestHost files', () => {
  test('writeFile creates parents 0700, keeps the mode, and records the changes', async () => {
    const host = createTestHost();
    await host.writeFile('/etc/kubernetes/pki/ca.key', 'KEY', 0o600);
    assert.equal(host.text('/etc/kubernetes/pki/ca.key'), 'KEY');
    assert.equal(host.modeOf('/etc/kubernetes/pki/ca.key'), 0o600);
    assert.equal(host.modeOf('/etc/kubernetes/pki'), 0o700);
    assert.deepEqual(host.changes, [
      { kind: 'mkdir', path: '/etc', mode: 0o700 },
      { kind: 'mkdir', path: '/etc/kubernetes', mode: 0o700 },
      { kind: 'mkdir', path: '/etc/kubernetes/pki', mode: 0o700 },
      { kind: 'write', path: '/etc/kubernetes/pki/ca.key', mode: 0o600, bytes: 3 },
    ]);
  });

  test('seeded files are there from the start and are not changes', async () => {
    const host = createTestHost({ files: { '/etc/kubernetes/admin.conf': 'ADMIN' } }).seedDir(
      '/var/lib/kubelet',
      0o700,
    );
    assert.equal((await host.readFile('/etc/kubernetes/admin.conf')).toString(), 'ADMIN');
    assert.equal(host.modeOf('/etc/kubernetes/admin.conf'), 0o644);
    assert.equal(host.modeOf('/var/lib/kubelet'), 0o700);
    assert.deepEqual(host.changes, []);
    assert.deepEqual(host.listFiles(), ['/etc/kubernetes/admin.conf']);
  });

  test('reads, stat and listDir behave as on a disk', async () => {
    const host = createTestHost()
      .seedFile('/etc/kubernetes/pki/ca.crt', 'CRT')
      .seedFile('/etc/kubernetes/pki/ca.key', 'KEY', 0o600)
      .seedFile('/etc/kubernetes/admin.conf', 'A')
      .seedSocket('/var/run/containerd/containerd.sock');
    assert.deepEqual(await host.listDir('/etc/kubernetes'), ['admin.conf', 'pki']);
    assert.deepEqual(await host.listDir('/etc/kubernetes/pki/'), ['ca.crt', 'ca.key']);
    assert.deepEqual(await host.listDir('/nope'), []);
    await assert.rejects(host.listDir('/etc/kubernetes/admin.conf'), { code: 'ENOTDIR' });
    assert.deepEqual(await host.stat('/etc/kubernetes/pki/ca.key'), {
      isFile: true,
      isDirectory: false,
      isSocket: false,
      mode: 0o600,
      size: 3,
    });
    assert.equal((await host.stat('/var/run/containerd/containerd.sock'))?.isSocket, true);
    assert.equal((await host.stat('/etc/kubernetes'))?.isDirectory, true);
    assert.equal(await host.stat('/etc/kubernetes/admin.conf/below'), undefined);
    assert.equal(await host.exists('/etc/kubernetes/pki/../admin.conf'), true);
    assert.equal(await host.readFileIfExists('/etc/kubernetes/none'), undefined);
    await assert.rejects(host.readFile('/etc/kubernetes/none'), { code: 'ENOENT' });
    await assert.rejects(host.readFile('/etc/kubernetes'), { code: 'EISDIR' });
    assert.deepEqual(host.listFiles('/etc/kubernetes/pki'), [
      '/etc/kubernetes/pki/ca.crt',
      '/etc/kubernetes/pki/ca.key',
    ]);
  });

  test('mkdir applies the mode to what it creates; writing over a directory or below a file fails', async () => {
    const host = createTestHost().seedDir('/etc', 0o755);
    await host.mkdir('/etc/kubernetes/manifests', 0o750);
    await host.mkdir('/etc/kubernetes/manifests', 0o700);
    assert.equal(host.modeOf('/etc'), 0o755);
    assert.equal(host.modeOf('/etc/kubernetes'), 0o750);
    assert.equal(host.modeOf('/etc/kubernetes/manifests'), 0o750);
    assert.equal(host.changes.length, 2);
    await assert.rejects(host.writeFile('/etc/kubernetes/manifests', 'x', 0o600), { code: 'EISDIR' });
    await host.writeFile('/etc/kubernetes/admin.conf', 'x', 0o600);
    // The same KbadmError as the real host's.
    await assert.rejects(
      host.writeFile('/etc/kubernetes/admin.conf/x', 'x', 0o600),
      (e: unknown) =>
        e instanceof KbadmError && /"\/etc\/kubernetes\/admin.conf" is not a directory/.test(e.message),
    );
    await assert.rejects(host.mkdir('/etc/kubernetes/admin.conf', 0o700), /is not a directory/);
  });

  test('relative paths are a bug in the caller', async () => {
    await assert.rejects(createTestHost().writeFile('etc/x', 'x', 0o600), /not an absolute path/);
  });

  test('rootfs: paths live under it and the guard knows it', async () => {
    const host = createTestHost({ rootfs: '/r' });
    assert.equal(host.paths.kubernetesDir, '/r/etc/kubernetes');
    await host.writeFile(host.paths.under('/etc/kubernetes/admin.conf'), 'x', 0o600);
    await host.remove('/r/etc/kubernetes/admin.conf');
    await assert.rejects(host.remove('/r'), /--rootfs directory/);
    await assert.rejects(host.remove('/etc/kubernetes/admin.conf'), /not inside/);
  });
});

describe('createTestHost remove', () => {
  test('removes trees inside the managed directories only', async () => {
    const host = createTestHost()
      .seedFile('/etc/kubernetes/pki/ca.key', 'k')
      .seedFile('/etc/kubernetes/pki/etcd/ca.key', 'k')
      .seedFile('/etc/kubernetes/pki-other/x', 'k')
      .seedFile('/etc/passwd', 'root');
    await host.remove('/etc/kubernetes/pki');
    assert.deepEqual(host.listFiles(), ['/etc/kubernetes/pki-other/x', '/etc/passwd']);
    assert.deepEqual(host.changes, [{ kind: 'remove', path: '/etc/kubernetes/pki' }]);
    await host.remove('/etc/kubernetes/pki');
    assert.equal(host.changes.length, 1);
    await assert.rejects(
      host.remove('/etc/passwd'),
      (e: unknown) => e instanceof KbadmError && /not inside/.test(e.message),
    );
    await assert.rejects(host.remove('/etc'), /protected/);
    await assert.rejects(host.remove('/etc/kubernetes/../passwd'), /"\.\." leads outside/);
    assert.equal(host.text('/etc/passwd'), 'root');
  });

  test('addManagedDir', async () => {
    const host = createTestHost().seedFile('/mnt/disk/etcd/member/wal', 'w');
    await assert.rejects(host.remove('/mnt/disk/etcd/member'), /not inside/);
    host.addManagedDir('/mnt/disk/etcd');
    await host.remove('/mnt/disk/etcd/member');
    assert.deepEqual(host.listFiles(), []);
    assert.throws(() => host.addManagedDir('/mnt'), /protected/);
  });
});

describe('createTestHost rename', () => {
  test('moves a tree, records it, and refuses an existing target or an unmanaged source', async () => {
    const host = createTestHost()
      .seedFile('/var/lib/etcd/member/snap/db', 'DB', 0o600)
      .seedFile('/etc/kubernetes/tmp/taken', 'x')
      .seedFile('/etc/passwd', 'root');
    await host.rename('/var/lib/etcd', '/var/lib/etcd.old');
    assert.deepEqual(host.listFiles('/var/lib'), ['/var/lib/etcd.old/member/snap/db']);
    assert.equal(host.modeOf('/var/lib/etcd.old/member/snap/db'), 0o600);
    assert.deepEqual(host.changes, [{ kind: 'rename', from: '/var/lib/etcd', to: '/var/lib/etcd.old' }]);
    // The source disappears, so it must be removable: /var/lib/etcd.old is not managed.
    await assert.rejects(host.rename('/var/lib/etcd.old', '/var/lib/etcd'), /not inside/);
    host.addManagedDir('/var/lib/etcd.old');
    await assert.rejects(host.rename('/var/lib/etcd.old', '/etc/kubernetes/tmp/taken'), /already exists/);
    await assert.rejects(host.rename('/etc/passwd', '/etc/kubernetes/tmp/p'), /not inside/);
    await assert.rejects(host.rename('/var/lib/etcd', '/var/lib/etcd.x'), { code: 'ENOENT' });
  });
});

describe('createTestHost commands and facts', () => {
  test('scripted commands: results, failures, which, and the record', async () => {
    const host = createTestHost()
      .onRun('systemctl', (args) => (args[0] === 'is-active' ? { stdout: 'active' } : undefined))
      .onRun('crictl', { exitCode: 1, stderr: 'connection refused\n' });
    assert.equal(
      (await host.run('systemctl', ['is-active', 'kubelet'], { readOnly: true })).stdout,
      'active',
    );
    assert.deepEqual(await host.run('/usr/bin/systemctl', ['restart', 'kubelet']), {
      exitCode: 0,
      stdout: '',
      stderr: '',
    });
    await assert.rejects(
      host.run('crictl', ['ps']),
      (e: unknown) =>
        e instanceof CommandFailedError &&
        e.message === 'command "crictl ps" failed with exit code 1: connection refused',
    );
    assert.equal((await host.run('crictl', ['ps'], { allowFailure: true })).exitCode, 1);
    await assert.rejects(
      host.run('kubelet', ['--version']),
      (e: unknown) => e instanceof CommandNotFoundError,
    );
    assert.equal(await host.which('crictl'), '/usr/bin/crictl');
    assert.equal(await host.which('kubelet'), undefined);
    assert.deepEqual(
      host.changes.filter((c) => c.kind === 'run'),
      [
        { kind: 'run', command: '/usr/bin/systemctl', args: ['restart', 'kubelet'] },
        { kind: 'run', command: 'crictl', args: ['ps'] },
        { kind: 'run', command: 'crictl', args: ['ps'] },
      ],
    );
    assert.equal(host.runs.length, 5);
    host.clearChanges();
    assert.deepEqual([host.changes.length, host.runs.length], [0, 0]);
  });

  test('a handler sees the options (input included) and can throw', async () => {
    let seen = '';
    const host = createTestHost()
      .onRun('kubectl', (_args, options) => {
        seen = options.input ?? '';
        return { stdout: 'applied' };
      })
      .onRun('mount', () => {
        throw new Error('mount: permission denied');
      });
    assert.equal((await host.run('kubectl', ['apply', '-f', '-'], { input: 'kind: Pod' })).stdout, 'applied');
    assert.equal(seen, 'kind: Pod');
    assert.equal(host.runs[0]?.options.input, 'kind: Pod');
    await assert.rejects(host.run('mount', []), /permission denied/);
  });

  test('facts: defaults, overrides, no default route', async () => {
    const host = createTestHost({ dryRun: true });
    assert.equal(host.dryRun, true);
    assert.deepEqual(await host.facts(), {
      hostname: 'cp-1',
      defaultRouteAddress: '192.168.0.10',
    });
    host.setFacts({ hostname: 'worker-2' });
    assert.deepEqual(await host.facts(), { hostname: 'worker-2', defaultRouteAddress: '192.168.0.10' });
    host.setFacts({ defaultRouteAddress: undefined });
    assert.deepEqual(await host.facts(), { hostname: 'worker-2' });
    const v6 = createTestHost({ facts: { defaultRouteAddress: 'fd00::10' } });
    assert.equal((await v6.facts()).defaultRouteAddress, 'fd00::10');
  });
});

describe('createTestHost machine facts', () => {
  test('defaults meet kubeadm’s minimums; ports, names and facts can be scripted', async () => {
    const host = createTestHost({ portsInUse: [2379] });
    assert.deepEqual(await host.machine(), {
      euid: 0,
      cpus: 2,
      memoryBytes: 4 * 1024 ** 3,
      os: 'Linux',
      kernelRelease: '6.1.0',
      pid: 4242,
    });
    assert.equal(await host.bindError(2379), 'EADDRINUSE');
    assert.equal(await host.bindError(6443), undefined);
    host.setPortsInUse(6443).setMachine({ euid: 1000 });
    assert.equal(await host.bindError(6443), 'EADDRINUSE');
    assert.equal((await host.machine()).euid, 1000);
    assert.deepEqual(await host.lookupHost('cp-1'), ['192.168.0.10']);
    await assert.rejects(host.lookupHost('elsewhere'), {
      code: 'ENOTFOUND',
      message: 'getaddrinfo ENOTFOUND elsewhere',
    });
    host.setHost('elsewhere', ['10.0.0.9']);
    assert.deepEqual(await host.lookupHost('elsewhere'), ['10.0.0.9']);
  });
});
