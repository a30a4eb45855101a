import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { KbadmError } from '../../src/errors.js';
import { createPaths } from '../../src/host/paths.js';
import {
  KUBEADM_MANAGED_DIRS,
  managedDirRefusal,
  RemovalGuard,
  removalRefusal,
  resolveLinksOnDisk,
  type RemovalPolicy,
  type RemovalTarget,
} from '../../src/host/removal-guard.js';

const hostPolicy: RemovalPolicy = { roots: ['/'], managedDirs: KUBEADM_MANAGED_DIRS };
const rootedPolicy: RemovalPolicy = {
  roots: ['/tmp/r'],
  managedDirs: KUBEADM_MANAGED_DIRS.map((d) => path.join('/tmp/r', d)),
};

// [target, expected refusal pattern, or null when removal is allowed]
const hostCases: Array<[RemovalTarget | string, RegExp | null]> = [
  ['', /empty path/],
  ['etc/kubernetes', /"etc\/kubernetes": it is not an absolute path/],
  ['./pki', /not an absolute path/],
  ['/', /"\/": it is a protected system directory/],
  ['//', /protected system directory/],
  ['/etc', /protected system directory/],
  ['/etc/', /protected system directory/],
  ['/var', /protected/],
  ['/var/lib', /protected/],
  ['/var/lib/', /protected/],
  ['/usr', /protected/],
  ['/home', /protected/],
  ['/root', /protected/],
  ['/etc/cni', /protected/],
  ['/etc/kubernetes', null],
  ['/etc/kubernetes/', null],
  ['/etc/kubernetes/admin.conf', null],
  ['/etc/kubernetes/pki/ca.key', null],
  ['/etc/kubernetes/manifests', null],
  ['/etc/kubernetes/tmp/kubeadm-backup-etcd-2024-01-01-00-00-00', null],
  ['/var/lib/kubelet', null],
  ['/var/lib/kubelet/pods/1234/volumes', null],
  ['/var/lib/etcd/member', null],
  ['/etc/cni/net.d/10-flannel.conflist', null],
  ['/var/lib/kube-proxy/config.conf', null],
  ['/etc/kubernetes/pki/../manifests/etcd.yaml', null],
  ['/etc/kubernetes-old', /not inside a kubeadm-managed directory \(\/etc\/kubernetes, /],
  ['/var/lib/kubelet2/x', /not inside a kubeadm-managed directory/],
  ['/var/lib/etcd-backup', /not inside/],
  ['/etc/passwd', /"\/etc\/passwd": it is not inside/],
  ['/home/user/.kube/config', /not inside/],
  ['/etc/kubernetes/../passwd', /"\/etc\/kubernetes\/..\/passwd" \(\/etc\/passwd\): ".." leads outside/],
  ['/var/lib/kubelet/../../lib', /\(\/var\/lib\): it is a protected system directory/],
  ['/etc/kubernetes/pki/../../..', /\(\/\): it is a protected/],
  [
    { path: '/etc/kubernetes/pki/ca.key', real: '/etc/ssl/ca.key' },
    /symbolic link leads to "\/etc\/ssl\/ca.key"/,
  ],
  [{ path: '/var/lib/kubelet/x', real: '/' }, /resolves to "\/" and it is a protected/],
  [{ path: '/etc/kubernetes/pki/ca.crt', real: '/etc/kubernetes/pki/ca.crt' }, null],
];

const rootedCases: Array<[RemovalTarget | string, RegExp | null]> = [
  ['/tmp/r', /"\/tmp\/r": it is the --rootfs directory/],
  ['/tmp/r/', /--rootfs directory/],
  ['/tmp/r/etc', /protected system directory/],
  ['/tmp/r/var/lib', /protected/],
  ['/tmp/r/usr', /protected/],
  ['/tmp', /protected/],
  ['/etc', /protected/],
  ['/etc/kubernetes/admin.conf', /not inside a kubeadm-managed directory \(\/tmp\/r\/etc\/kubernetes/],
  ['/tmp/r/etc/kubernetes/admin.conf', null],
  ['/tmp/r/var/lib/etcd', null],
  ['/tmp/r/etc/kubernetes/../..', /\(\/tmp\/r\): it is the --rootfs directory/],
  ['/tmp/r/etc/kubernetes/../../..', /\(\/tmp\): it is a protected/],
  [{ path: '/tmp/r/etc/kubernetes/x', real: '/tmp/r/x' }, /symbolic link leads to "\/tmp\/r\/x"/],
];

describe('removalRefusal', () => {
  for (const [policyName, policy, cases] of [
    ['rootfs /', hostPolicy, hostCases],
    ['rootfs /tmp/r', rootedPolicy, rootedCases],
  ] as const) {
    for (const [target, expected] of cases) {
      const t = typeof target === 'string' ? { path: target } : target;
      test(`${policyName}: ${JSON.stringify(t)} -> ${expected ?? 'allowed'}`, () => {
        const refusal = removalRefusal(policy, t);
        if (expected === null) assert.equal(refusal, undefined);
        else assert.match(refusal ?? '(allowed)', expected);
      });
    }
  }

  test('a resolved managed dir (a data disk behind a symlink) allows its contents', () => {
    const policy = { roots: ['/'], managedDirs: [...KUBEADM_MANAGED_DIRS, '/mnt/disk/etcd'] };
    assert.equal(
      removalRefusal(policy, { path: '/var/lib/etcd/member', real: '/mnt/disk/etcd/member' }),
      undefined,
    );
    assert.match(
      removalRefusal(hostPolicy, { path: '/var/lib/etcd/member', real: '/mnt/disk/etcd/member' })!,
      /leads to/,
    );
  });
});

describe('managedDirRefusal', () => {
  const cases: Array<[readonly string[], string, RegExp | null]> = [
    [['/'], '/var/lib/etcd-data', null],
    [['/'], '/mnt/disk/etcd', null],
    [['/'], '/etc/kubernetes/pki-custom', null],
    [['/'], '', /not an absolute path/],
    [['/'], 'var/lib/etcd', /not an absolute path/],
    [['/'], '/', /protected system directory/],
    [['/'], '/etc', /protected/],
    [['/'], '/var/lib', /protected/],
    [['/'], '/var/lib/', /protected/],
    [['/'], '/usr/local', /protected/],
    [['/'], '/etc/../var', /protected/],
    [['/'], '/data', /a top-level directory cannot be/],
    [['/'], '/etcd', /top-level/],
    [['/tmp/r'], '/tmp/r/data/etcd', null],
    [['/tmp/r'], '/tmp/r', /--rootfs directory/],
    [['/tmp/r'], '/tmp/r/data', /top-level/],
    [['/tmp/r'], '/tmp/r/var/lib', /protected/],
    [['/tmp/r'], '/var/lib/etcd', /outside --rootfs "\/tmp\/r"/],
    [['/tmp/r'], '/tmp/rx/var/lib/etcd', /outside --rootfs/],
  ];
  for (const [roots, dir, expected] of cases) {
    test(`${roots.join(',')}: ${JSON.stringify(dir)} -> ${expected ?? 'accepted'}`, () => {
      const refusal = managedDirRefusal(roots, dir);
      if (expected === null) assert.equal(refusal, undefined);
      else assert.match(refusal ?? '(accepted)', expected);
    });
  }
});

describe('RemovalGuard on disk', () => {
  let tmp: string;
  let root: string;
  const at = (p: string): string => path.join(root, p);
  const write = async (p: string, text = 'x'): Promise<void> => {
    await fs.mkdir(path.dirname(at(p)), { recursive: true });
    await fs.writeFile(at(p), text);
  };
  const exists = (p: string): Promise<boolean> =>
    fs.lstat(at(p)).then(
      () => true,
      () => false,
    );

  before(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'kbadm-guard-'));
    root = path.join(tmp, 'root');
    await fs.mkdir(root);
  });
  after(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
  });

  const guard = (): RemovalGuard => new RemovalGuard(createPaths(root), resolveLinksOnDisk);

  test('allows managed paths, also when they do not exist', async () => {
    await write('etc/kubernetes/pki/ca.key');
    assert.equal(await guard().check(at('etc/kubernetes/pki/ca.key')), at('etc/kubernetes/pki/ca.key'));
    assert.equal(await guard().check(at('var/lib/etcd/member')), at('var/lib/etcd/member'));
  });

  test('refuses paths outside the managed dirs with a KbadmError', async () => {
    await assert.rejects(
      guard().check(at('etc/passwd')),
      (e: unknown) => e instanceof KbadmError && /not inside/.test(e.message),
    );
    await assert.rejects(guard().check(root), /--rootfs directory/);
  });

  test('refuses a path whose parent is a symlink leading out of the managed dirs', async () => {
    await write('outside/secret');
    await fs.mkdir(at('etc/kubernetes'), { recursive: true });
    await fs.symlink(at('outside'), at('etc/kubernetes/linked'));
    await assert.rejects(
      guard().check(at('etc/kubernetes/linked/secret')),
      /symbolic link leads to ".*\/outside\/secret"/,
    );
    // The link itself lies inside: removing it deletes the link alone.
    assert.equal(await guard().check(at('etc/kubernetes/linked')), at('etc/kubernetes/linked'));
    // The kernel would resolve ".." after following the link (to <root>/pki); the guard returns
    // the lexically normalized path it checked, and that is the one remove() deletes.
    assert.equal(await guard().check(at('etc/kubernetes/linked/../pki')), at('etc/kubernetes/pki'));
  });

  test('a link to a protected directory may go: the link is deleted, not what it leads to', async () => {
    await write('etc/hostname');
    await fs.symlink(at('etc'), at('etc/kubernetes/etc-link'));
    const target = await guard().check(at('etc/kubernetes/etc-link'));
    assert.equal(target, at('etc/kubernetes/etc-link'));
    await fs.rm(target, { recursive: true, force: true }); // as RealHost.remove deletes it
    assert.equal(await exists('etc/kubernetes/etc-link'), false);
    assert.equal(await exists('etc/hostname'), true);
    // What lies below the link is reached through it, and stays refused.
    await fs.symlink(at('etc'), at('etc/kubernetes/etc-link'));
    await assert.rejects(
      guard().check(at('etc/kubernetes/etc-link/hostname')),
      /symbolic link leads to ".*\/etc\/hostname"/,
    );
  });

  test('a link the kubelet left in its directory, leading outside, is removed alone', async () => {
    await write('var/lib/other/keep.txt');
    await fs.mkdir(at('var/lib/kubelet'), { recursive: true });
    await fs.symlink('../other', at('var/lib/kubelet/plugins-link'));
    const target = await guard().check(at('var/lib/kubelet/plugins-link'));
    assert.equal(target, at('var/lib/kubelet/plugins-link'));
    await fs.rm(target, { recursive: true, force: true });
    assert.equal(await exists('var/lib/kubelet/plugins-link'), false);
    assert.equal(await exists('var/lib/other/keep.txt'), true);
  });

  test('a link inside the managed dirs resolves to itself, so the link (not its target) is deleted', async () => {
    await write('var/lib/kubelet/pki/kubelet-client-1.pem');
    await fs.symlink('kubelet-client-1.pem', at('var/lib/kubelet/pki/kubelet-client-current.pem'));
    const target = await guard().check(at('var/lib/kubelet/pki/kubelet-client-current.pem'));
    assert.equal(target, at('var/lib/kubelet/pki/kubelet-client-current.pem'));
  });

  test('a managed dir that is a symlink to a data disk keeps its contents removable', async () => {
    await write('disk/etcd/member/snap');
    await fs.mkdir(at('var/lib'), { recursive: true });
    await fs.symlink(at('disk/etcd'), at('var/lib/etcd'));
    assert.equal(await guard().check(at('var/lib/etcd/member')), at('disk/etcd/member'));
  });

  test('a managed dir that is a symlink to the rootfs does not make the rootfs removable', async () => {
    const r2 = path.join(tmp, 'root2');
    await fs.mkdir(path.join(r2, 'etc'), { recursive: true });
    await fs.writeFile(path.join(r2, 'important'), 'x');
    await fs.symlink(r2, path.join(r2, 'etc/kubernetes'));
    const g = new RemovalGuard(createPaths(r2), resolveLinksOnDisk);
    await assert.rejects(g.check(path.join(r2, 'etc/kubernetes/important')), /leads to ".*root2\/important"/);
    await assert.rejects(g.check(path.join(r2, 'etc/kubernetes/etc')), /protected/);
  });

  test('a rootfs reached through a symlink still works', async () => {
    const link = path.join(tmp, 'root-link');
    await fs.symlink(root, link);
    const g = new RemovalGuard(createPaths(link), resolveLinksOnDisk);
    assert.equal(
      await g.check(path.join(link, 'etc/kubernetes/pki/ca.key')),
      at('etc/kubernetes/pki/ca.key'),
    );
    await assert.rejects(g.check(path.join(link, 'etc')), /protected/);
  });

  test('addManagedDir admits a configured dir and refuses dangerous ones', async () => {
    const g = guard();
    await assert.rejects(g.check(at('data/etcd/member')), /not inside/);
    g.addManagedDir(at('data/etcd'));
    assert.ok(g.managedDirs.includes(at('data/etcd')));
    assert.equal(await g.check(at('data/etcd/member')), at('data/etcd/member'));
    assert.throws(
      () => g.addManagedDir(at('var/lib')),
      (e: unknown) => e instanceof KbadmError && /protected/.test(e.message),
    );
    assert.throws(() => g.addManagedDir(at('data')), /top-level/);
    assert.throws(() => g.addManagedDir('/var/lib/etcd'), /outside --rootfs/);
    assert.equal(await exists('data'), false);
  });
});
