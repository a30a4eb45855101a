// A full offline `kbadm init` under a temporary root, then `kbadm reset`: every path init wrote is
// gone (kubeadm keeps its emptied directories), every file that was there before is byte-for-byte
// the same, and a tmpfs the "kubelet" mounted below /var/lib/kubelet is unmounted first.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { readMountPoints } from '../../src/host/mounts.js';
import { runCli } from '../support/cli.js';
import { API_SERVER_PHASES } from '../support/temp-root-preflight.js';

const CONFIG = `apiVersion: kubeadm.k8s.io/v1beta4
kind: InitConfiguration
localAPIEndpoint:
  advertiseAddress: 10.0.0.5
nodeRegistration:
  name: cp-1
  criSocket: unix:///var/run/containerd/containerd.sock
---
apiVersion: kubeadm.k8s.io/v1beta4
kind: ClusterConfiguration
kubernetesVersion: v1.34.0
encryptionAlgorithm: ECDSA-P256
`;

/** The machine before kbadm: system files, other software's state, and a file in /etc/kubernetes that is not kubeadm's. */
const MACHINE: Record<string, string> = {
  'cfg.yaml': CONFIG,
  // No etcd runs here: a short etcd budget keeps the member removal from waiting two minutes.
  'reset.yaml': [
    'apiVersion: kubeadm.k8s.io/v1beta4',
    'kind: ResetConfiguration',
    'force: true',
    'ignorePreflightErrors: [IsPrivilegedUser]',
    'timeouts:',
    '  etcdAPICall: 2s',
    '',
  ].join('\n'),
  'etc/hostname': 'cp-1\n',
  'etc/passwd': 'root:x:0:0:root:/root:/bin/sh\n',
  'etc/kubernetes/audit-policy.yaml': 'apiVersion: audit.k8s.io/v1\nkind: Policy\n',
  'etc/cni/net.d/10-bridge.conflist': '{"cniVersion":"1.0.0"}\n',
  'var/lib/containerd/io.containerd.metadata.v1.bolt/meta.db': 'bolt',
  'var/lib/other/keep.txt': 'not kubeadm state\n',
  'root/.kube/config': 'apiVersion: v1\nkind: Config\n',
  'usr/bin/kubelet': '#!/bin/sh\n',
};

/** The directories kubeadm's reset empties but keeps (those init created). */
const KEPT_EMPTY = ['etc/kubernetes/manifests', 'etc/kubernetes/pki', 'var/lib/etcd', 'var/lib/kubelet'];
/** The node lock every changing command takes (src/host/node-lock.ts), with its directories. */
const NODE_LOCK_PATHS = ['run', 'run/lock', 'run/lock/kbadm.lock'];

type Entry = string; // "file 0644 <sha256>", "dir 0755", "link <target>"

/** Every path under `root` with its type, mode and content hash; symbolic links are not followed. */
async function tree(root: string): Promise<Map<string, Entry>> {
  const out = new Map<string, Entry>();
  const walk = async (dir: string): Promise<void> => {
    for (const name of (await fs.readdir(dir)).sort()) {
      const p = path.join(dir, name);
      const rel = path.relative(root, p);
      const st = await fs.lstat(p);
      const mode = (st.mode & 0o7777).toString(8).padStart(4, '0');
      if (st.isSymbolicLink()) out.set(rel, `link ${await fs.readlink(p)}`);
      else if (st.isDirectory()) {
        out.set(rel, `dir ${mode}`);
        await walk(p);
      } else {
        const sha = createHash('sha256')
          .update(await fs.readFile(p))
          .digest('hex');
        out.set(rel, `file ${mode} ${sha}`);
      }
    }
  };
  await walk(root);
  return out;
}

/** A link the kubelet left, leading to var/lib/other (not kubeadm's): reset deletes the link only. */
const KUBELET_LINK = 'var/lib/kubelet/plugins-link';

async function seedMachine(root: string): Promise<void> {
  for (const [rel, content] of Object.entries(MACHINE)) {
    await fs.mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await fs.writeFile(path.join(root, rel), content, { mode: rel.startsWith('usr/bin') ? 0o755 : 0o644 });
  }
  // A link the kubelet left in its directory, pointing at something that is not kubeadm's.
  await fs.mkdir(path.join(root, 'var/lib/kubelet'), { recursive: true });
  await fs.symlink('../other', path.join(root, KUBELET_LINK));
}

const isRoot = os.userInfo().uid === 0;

async function initThenReset(withMount: boolean): Promise<void> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'kbadm-reset-e2e-'));
  const mountPoint = path.join(root, 'var/lib/kubelet/pods/0d7c/volumes/kubernetes.io~empty-dir/cache');
  try {
    await seedMachine(root);
    const before = await tree(root);

    const init = await runCli([
      '--rootfs',
      root,
      'init',
      '--config',
      '/cfg.yaml',
      '--skip-phases',
      ['preflight', ...API_SERVER_PHASES].join(','),
    ]);
    assert.equal(init.code, 0, init.stderr);
    const written = [...(await tree(root)).keys()].filter((p) => !before.has(p));
    for (const must of [
      'etc/kubernetes/admin.conf',
      'etc/kubernetes/super-admin.conf',
      'etc/kubernetes/pki/etcd/ca.key',
      'etc/kubernetes/manifests/etcd.yaml',
      'var/lib/kubelet/config.yaml',
      'var/lib/etcd',
    ]) {
      assert.ok(written.includes(must), `init wrote ${must}`);
    }

    if (withMount) {
      await fs.mkdir(mountPoint, { recursive: true });
      const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'kbadm-e2e', mountPoint], {
        encoding: 'utf8',
      });
      assert.equal(r.status, 0, r.stderr);
      await fs.writeFile(path.join(mountPoint, 'scratch'), 'pod data');
    }

    const reset = await runCli(['--rootfs', root, 'reset', '--config', '/reset.yaml']);
    assert.equal(reset.code, 0, reset.stderr);
    assert.match(reset.stdout, /\[reset\] Unmounting mounted directories in "\/var\/lib\/kubelet"/);
    assert.match(reset.stdout, /The reset process does not perform cleanup of CNI plugin configuration,/);
    // No etcd runs here: the member cannot be removed, and reset says so and carries on.
    assert.match(
      reset.stderr,
      /\[reset\] Failed to remove etcd member: .*please manually remove this etcd member/,
    );
    // A link in /var/lib/kubelet is deleted like any entry, as kubeadm does; what it leads to is not.
    assert.doesNotMatch(reset.stderr, /Failed to delete contents/);
    if (withMount) assert.ok(!(await readMountPoints()).includes(mountPoint), 'the tmpfs is unmounted');

    const afterReset = await tree(root);
    // Everything that was there before is untouched, byte for byte (the kubelet's link is reset's).
    assert.equal(afterReset.has(KUBELET_LINK), false, 'the link in /var/lib/kubelet is deleted');
    for (const [p, entry] of before) {
      if (p === KUBELET_LINK) continue;
      assert.ok(afterReset.has(p), `${p} is still there`);
      if (!entry.startsWith('dir')) assert.equal(afterReset.get(p), entry, p);
    }
    // Of what init wrote, only kubeadm's emptied directories remain, and the node lock: kbadm's own
    // file in /run/lock (emptied at boot), released empty, never deleted while anything may wait on it.
    const left = [...afterReset.keys()].filter((p) => !before.has(p)).sort();
    assert.deepEqual(left, [...KEPT_EMPTY.filter((d) => !before.has(d)), ...NODE_LOCK_PATHS].sort());
    assert.equal(
      await fs.readFile(path.join(root, 'run/lock/kbadm.lock'), 'utf8'),
      '',
      'the lock is released',
    );
    for (const d of KEPT_EMPTY) {
      assert.deepEqual(await fs.readdir(path.join(root, d)), [], `${d} is empty`);
    }
  } finally {
    if ((await readMountPoints()).includes(mountPoint)) spawnSync('umount', ['--lazy', mountPoint]);
    await fs.rm(root, { recursive: true, force: true });
  }
}

describe('kbadm reset after a full kbadm init', () => {
  test('removes every path init wrote and leaves every other file byte-identical', { timeout: 300_000 }, () =>
    initThenReset(false),
  );

  test(
    'unmounts what is mounted below /var/lib/kubelet before deleting it',
    { timeout: 300_000, skip: isRoot ? false : 'mounting a tmpfs needs root' },
    () => initThenReset(true),
  );
});
