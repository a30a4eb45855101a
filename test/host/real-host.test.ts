import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { KbadmError } from '../../src/errors.js';
import type { Host } from '../../src/host/host.js';
import { createPaths } from '../../src/host/paths.js';
import { createRealHost } from '../../src/host/real-host.js';
import { recordOutput } from '../../src/output/output.js';

let tmp: string;
let host: Host;
let savedUmask: number;
const at = (p: string): string => path.join(tmp, p);
const modeOf = async (p: string): Promise<number> => (await fs.stat(at(p))).mode & 0o7777;

beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'kbadm-host-'));
  host = createRealHost(createPaths(tmp), recordOutput());
  savedUmask = process.umask();
});
afterEach(async () => {
  process.umask(savedUmask);
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('writeFile', () => {
  test('creates missing parents 0700 and the file with exactly the mode asked, whatever the umask', async () => {
    process.umask(0o277); // would strip the owner's write bit and all group/other bits
    await host.writeFile(at('etc/kubernetes/pki/etcd/ca.key'), 'KEY', 0o600);
    await host.writeFile(at('var/lib/kubelet/kubeadm-flags.env'), 'FLAGS', 0o644);
    process.umask(0o000); // would let group/other write
    await host.writeFile(at('etc/kubernetes/pki/etcd/ca.crt'), 'CRT', 0o640);
    assert.equal(await modeOf('etc/kubernetes/pki/etcd/ca.key'), 0o600);
    assert.equal(await modeOf('var/lib/kubelet/kubeadm-flags.env'), 0o644);
    assert.equal(await modeOf('etc/kubernetes/pki/etcd/ca.crt'), 0o640);
    for (const d of [
      'etc',
      'etc/kubernetes',
      'etc/kubernetes/pki',
      'etc/kubernetes/pki/etcd',
      'var/lib/kubelet',
    ]) {
      assert.equal(await modeOf(d), 0o700, d);
    }
    assert.equal(await fs.readFile(at('etc/kubernetes/pki/etcd/ca.key'), 'utf8'), 'KEY');
  });

  test('replaces a file, sets the new mode, and leaves no temp file behind', async () => {
    await host.writeFile(at('etc/kubernetes/admin.conf'), 'old', 0o644);
    await host.writeFile(at('etc/kubernetes/admin.conf'), new Uint8Array([110, 101, 119]), 0o600);
    assert.equal(await fs.readFile(at('etc/kubernetes/admin.conf'), 'utf8'), 'new');
    assert.equal(await modeOf('etc/kubernetes/admin.conf'), 0o600);
    assert.deepEqual(await fs.readdir(at('etc/kubernetes')), ['admin.conf']);
  });

  test('an existing parent keeps its mode', async () => {
    await fs.mkdir(at('etc'), { mode: 0o755 });
    await fs.chmod(at('etc'), 0o755);
    await host.writeFile(at('etc/kubernetes/kubelet.conf'), 'x', 0o600);
    assert.equal(await modeOf('etc'), 0o755);
  });

  test('a failed write removes its temp file and keeps the target', async () => {
    await fs.mkdir(at('etc/kubernetes/manifests'), { recursive: true });
    await assert.rejects(host.writeFile(at('etc/kubernetes/manifests'), 'x', 0o600));
    assert.deepEqual(await fs.readdir(at('etc/kubernetes')), ['manifests']);
    assert.ok((await fs.stat(at('etc/kubernetes/manifests'))).isDirectory());
  });

  test('a parent that is a file is an error', async () => {
    await fs.writeFile(at('etc'), 'not a dir');
    await assert.rejects(
      host.writeFile(at('etc/kubernetes/admin.conf'), 'x', 0o600),
      /"[^"]*\/etc" is not a directory/,
    );
  });

  test('concurrent writes of one file leave one whole version', async () => {
    const versions = Array.from({ length: 20 }, (_, i) => `version-${i}-`.repeat(1000));
    await Promise.all(versions.map((v) => host.writeFile(at('etc/kubernetes/admin.conf'), v, 0o600)));
    assert.ok(versions.includes(await fs.readFile(at('etc/kubernetes/admin.conf'), 'utf8')));
    assert.deepEqual(await fs.readdir(at('etc/kubernetes')), ['admin.conf']);
  });
});

describe('mkdir', () => {
  test('applies the mode to every directory it creates, whatever the umask', async () => {
    process.umask(0o077);
    await fs.mkdir(at('etc'), { mode: 0o755 });
    await fs.chmod(at('etc'), 0o755);
    await host.mkdir(at('etc/kubernetes/manifests'), 0o750);
    assert.equal(await modeOf('etc'), 0o755);
    assert.equal(await modeOf('etc/kubernetes'), 0o750);
    assert.equal(await modeOf('etc/kubernetes/manifests'), 0o750);
  });

  test('an existing directory is left alone', async () => {
    await fs.mkdir(at('d'), { mode: 0o755 });
    await fs.chmod(at('d'), 0o755);
    await host.mkdir(at('d'), 0o700);
    assert.equal(await modeOf('d'), 0o755);
  });

  test('a file in the way is an error', async () => {
    await fs.writeFile(at('f'), '');
    await assert.rejects(
      host.mkdir(at('f'), 0o700),
      (e: unknown) => e instanceof KbadmError && /is not a directory/.test(e.message),
    );
    await assert.rejects(host.mkdir(at('f/sub'), 0o700), /is not a directory/);
  });
});

describe('reads', () => {
  test('readFile, readFileIfExists', async () => {
    await fs.writeFile(at('a'), 'bytes');
    assert.equal((await host.readFile(at('a'))).toString(), 'bytes');
    assert.equal((await host.readFileIfExists(at('a')))?.toString(), 'bytes');
    assert.equal(await host.readFileIfExists(at('missing')), undefined);
    assert.equal(await host.readFileIfExists(at('a/below-a-file')), undefined);
    await assert.rejects(host.readFile(at('missing')), { code: 'ENOENT' });
    await assert.rejects(host.readFileIfExists(tmp), { code: 'EISDIR' });
  });

  test('stat and exists: files, directories, sockets, missing paths', async () => {
    await fs.writeFile(at('f'), '12345', { mode: 0o640 });
    await fs.chmod(at('f'), 0o640);
    assert.deepEqual(await host.stat(at('f')), {
      isFile: true,
      isDirectory: false,
      isSocket: false,
      mode: 0o640,
      size: 5,
    });
    const dir = await host.stat(tmp);
    assert.equal(dir?.isDirectory, true);
    assert.equal(dir?.isFile, false);
    assert.equal(await host.stat(at('missing')), undefined);
    assert.equal(await host.stat(at('f/below-a-file')), undefined);
    assert.equal(await host.exists(at('f')), true);
    assert.equal(await host.exists(at('missing')), false);

    const server = net.createServer();
    const sock = at('containerd.sock');
    await new Promise<void>((resolve) => server.listen(sock, resolve));
    try {
      const info = await host.stat(sock);
      assert.equal(info?.isSocket, true);
      assert.equal(info?.isFile, false);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test('listDir is sorted, and [] for a missing directory', async () => {
    for (const name of ['b', 'a', 'C', '10']) await fs.writeFile(at(name), '');
    assert.deepEqual(await host.listDir(tmp), ['10', 'C', 'a', 'b']);
    assert.deepEqual(await host.listDir(at('missing')), []);
    await assert.rejects(host.listDir(at('a')), { code: 'ENOTDIR' });
  });
});

describe('remove', () => {
  test('removes a managed file or tree, and nothing when it is missing', async () => {
    await host.writeFile(at('etc/kubernetes/pki/ca.key'), 'k', 0o600);
    await host.writeFile(at('etc/kubernetes/pki/etcd/ca.key'), 'k', 0o600);
    await host.remove(at('etc/kubernetes/pki/ca.key'));
    assert.deepEqual(await fs.readdir(at('etc/kubernetes/pki')), ['etcd']);
    await host.remove(at('etc/kubernetes/pki'));
    assert.deepEqual(await fs.readdir(at('etc/kubernetes')), []);
    await host.remove(at('var/lib/etcd/member'));
  });

  test('refuses paths outside the managed directories and leaves them', async () => {
    await fs.mkdir(at('etc'), { recursive: true });
    await fs.writeFile(at('etc/passwd'), 'root:x:0:0');
    await assert.rejects(
      host.remove(at('etc/passwd')),
      (e: unknown) => e instanceof KbadmError && /not inside/.test(e.message),
    );
    await assert.rejects(host.remove(at('etc')), /protected system directory/);
    await assert.rejects(host.remove(tmp), /--rootfs directory/);
    assert.equal(await fs.readFile(at('etc/passwd'), 'utf8'), 'root:x:0:0');
  });

  test('a symlink leading out of the managed directories: the link goes, its target survives', async () => {
    await fs.mkdir(at('home/user'), { recursive: true });
    await fs.writeFile(at('home/user/notes'), 'keep');
    await fs.mkdir(at('var/lib/kubelet'), { recursive: true });
    await fs.symlink(at('home/user'), at('var/lib/kubelet/escape'));
    // Through the link: refused.
    await assert.rejects(host.remove(at('var/lib/kubelet/escape/notes')), /symbolic link/);
    // The link itself: deleted, never followed.
    await host.remove(at('var/lib/kubelet/escape'));
    assert.equal(await fs.lstat(at('var/lib/kubelet/escape')).catch(() => undefined), undefined);
    assert.equal(await fs.readFile(at('home/user/notes'), 'utf8'), 'keep');
  });

  test('a symlink inside the managed directories is removed as a link', async () => {
    await host.writeFile(at('var/lib/kubelet/pki/kubelet-client-1.pem'), 'pem', 0o600);
    await fs.symlink('kubelet-client-1.pem', at('var/lib/kubelet/pki/kubelet-client-current.pem'));
    await host.remove(at('var/lib/kubelet/pki/kubelet-client-current.pem'));
    assert.deepEqual(await fs.readdir(at('var/lib/kubelet/pki')), ['kubelet-client-1.pem']);
  });

  test('addManagedDir extends what may be removed', async () => {
    await host.writeFile(at('data/etcd/member/wal'), 'w', 0o600);
    await assert.rejects(host.remove(at('data/etcd/member')), /not inside/);
    host.addManagedDir(at('data/etcd'));
    await host.remove(at('data/etcd/member'));
    assert.deepEqual(await fs.readdir(at('data/etcd')), []);
    assert.throws(() => host.addManagedDir(at('var')), /protected/);
  });
});

describe('rename', () => {
  test('moves a tree in one step, keeping its content and modes', async () => {
    await host.writeFile(at('var/lib/etcd/member/snap/db'), 'DB', 0o600);
    await host.rename(at('var/lib/etcd'), at('etc/kubernetes/tmp/kept/etcd'));
    assert.equal(await fs.readFile(at('etc/kubernetes/tmp/kept/etcd/member/snap/db'), 'utf8'), 'DB');
    assert.equal(await modeOf('etc/kubernetes/tmp/kept/etcd/member/snap/db'), 0o600);
    assert.equal(await modeOf('etc/kubernetes/tmp/kept'), 0o700, 'a missing parent is created 0700');
    assert.equal(await host.exists(at('var/lib/etcd')), false);
  });

  test('refuses a target that exists, and a source remove would refuse; nothing moves', async () => {
    await host.writeFile(at('etc/kubernetes/manifests/etcd.yaml'), 'A', 0o600);
    await host.writeFile(at('etc/kubernetes/tmp/etcd.yaml'), 'B', 0o600);
    await assert.rejects(
      host.rename(at('etc/kubernetes/manifests/etcd.yaml'), at('etc/kubernetes/tmp/etcd.yaml')),
      /cannot move "\/etc\/kubernetes\/manifests\/etcd\.yaml" to "\/etc\/kubernetes\/tmp\/etcd\.yaml": the target already exists/,
    );
    await fs.mkdir(at('etc'), { recursive: true });
    await fs.writeFile(at('etc/passwd'), 'root');
    await assert.rejects(host.rename(at('etc/passwd'), at('etc/kubernetes/tmp/passwd')), /not inside/);
    assert.equal(await fs.readFile(at('etc/kubernetes/manifests/etcd.yaml'), 'utf8'), 'A');
    assert.equal(await fs.readFile(at('etc/passwd'), 'utf8'), 'root');
    await assert.rejects(host.rename(at('var/lib/etcd'), at('var/lib/etcd.x')), {
      code: 'ENOENT',
      message: /^rename \/var\/lib\/etcd: no such file or directory$/,
    });
  });
});

describe('commands and facts', () => {
  let bin: string;
  before(async () => {
    bin = await fs.mkdtemp(path.join(os.tmpdir(), 'kbadm-bin-'));
    await fs.writeFile(path.join(bin, 'crictl'), '#!/bin/sh\necho "crictl $*"\n', { mode: 0o755 });
  });
  after(() => fs.rm(bin, { recursive: true, force: true }));

  test('which searches the configured path without running anything', async () => {
    const h = createRealHost(createPaths(tmp), recordOutput(), { searchPath: bin });
    assert.equal(await h.which('crictl'), path.join(bin, 'crictl'));
    assert.equal(await h.which('sh'), undefined);
  });

  test('run finds a bare command on the same path as which', async () => {
    const h = createRealHost(createPaths(tmp), recordOutput(), { searchPath: bin });
    assert.equal((await h.run('crictl', ['info'])).stdout, 'crictl info');
  });

  test('run executes the command', async () => {
    const r = await host.run(path.join(bin, 'crictl'), ['ps', '-a']);
    assert.equal(r.stdout, 'crictl ps -a');
    assert.equal(host.dryRun, false);
  });

  test('facts: the hostname, and a default-route address only as a global address', async () => {
    const facts = await host.facts();
    assert.equal(facts.hostname, os.hostname());
    if (facts.defaultRouteAddress !== undefined) {
      const all = Object.values(os.networkInterfaces()).flatMap((list) => list ?? []);
      assert.ok(all.some((a) => a.address === facts.defaultRouteAddress && !a.internal));
    }
  });
});

describe('machine facts, ports and names', () => {
  const listen = (server: net.Server, options: net.ListenOptions) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options, () => resolve((server.address() as net.AddressInfo).port));
    });
  const close = (server: net.Server) => new Promise((r) => server.close(r));

  test('bindError: a port something listens on (even on loopback only) is in use; a free one binds', async () => {
    const everywhere = net.createServer();
    const port = await listen(everywhere, { port: 0 });
    try {
      assert.equal(await host.bindError(port), 'EADDRINUSE');
    } finally {
      await close(everywhere);
    }
    assert.equal(await host.bindError(port), undefined, 'free again once closed');

    const loopback = net.createServer();
    const port2 = await listen(loopback, { port: 0, host: '127.0.0.1' });
    try {
      assert.equal(await host.bindError(port2), 'EADDRINUSE');
    } finally {
      await close(loopback);
    }
  });

  test('machine facts are this process’s and this kernel’s, whatever --rootfs is', async () => {
    const m = await host.machine();
    assert.equal(m.euid, process.geteuid!());
    assert.equal(m.cpus, os.availableParallelism());
    assert.equal(m.memoryBytes, os.totalmem());
    assert.equal(m.os, 'Linux');
    assert.equal(m.kernelRelease, os.release());
  });

  test('lookupHost resolves through the system resolver, or asks only the nameservers given', async () => {
    assert.ok((await host.lookupHost('localhost')).length > 0);
    // A nameserver on a loopback port nobody listens on: the lookup fails without leaving the machine.
    const probe = net.createServer();
    const port = await listen(probe, { port: 0, host: '127.0.0.1' });
    await close(probe);
    await assert.rejects(host.lookupHost('localhost', { servers: [`127.0.0.1:${port}`] }));
  });
});
