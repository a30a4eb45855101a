// The command line of an etcd snapshot restore, and which etcdctl can still run one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { etcdctlRestores, etcdctlVersion, snapshotRestoreArgs } from '../../src/etcd/snapshot-restore.js';

test('snapshot restore arguments: the member, its cluster and the new data directory', () => {
  assert.deepEqual(
    snapshotRestoreArgs({
      snapshot: '/root/etc/kubernetes/tmp/kubeadm-backup-etcd-x/snapshot.db',
      dataDir: '/root/var/lib/etcd.kbadm-restore',
      name: 'cp-1',
      initialCluster: 'cp-1=https://10.0.0.5:2380',
      peerURLs: ['https://10.0.0.5:2380'],
    }),
    [
      'snapshot',
      'restore',
      '/root/etc/kubernetes/tmp/kubeadm-backup-etcd-x/snapshot.db',
      '--name=cp-1',
      '--initial-cluster=cp-1=https://10.0.0.5:2380',
      '--initial-advertise-peer-urls=https://10.0.0.5:2380',
      '--data-dir=/root/var/lib/etcd.kbadm-restore',
    ],
  );
  assert.ok(
    snapshotRestoreArgs({
      snapshot: 's',
      dataDir: 'd',
      name: 'n',
      initialCluster: 'n=u',
      peerURLs: ['u'],
      initialClusterToken: 'tok',
    }).includes('--initial-cluster-token=tok'),
  );
});

test("etcdctl's version, and whether it still restores snapshots (not from 3.6 on)", () => {
  assert.deepEqual(etcdctlVersion('etcdctl version: 3.4.23\nAPI version: 3.4\n'), [3, 4]);
  assert.deepEqual(etcdctlVersion('etcdctl version: 3.6.4\nAPI version: 3.6\n'), [3, 6]);
  assert.equal(etcdctlVersion('something else'), undefined);
  assert.equal(etcdctlRestores([3, 4]), true);
  assert.equal(etcdctlRestores([3, 5]), true);
  assert.equal(etcdctlRestores([3, 6]), false);
  assert.equal(etcdctlRestores([4, 0]), false);
});
