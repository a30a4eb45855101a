// The record apply keeps beside its backup, and which backup rollback goes back to.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  backupTimestampOf,
  chooseBackup,
  encodeUpgradeRecord,
  etcdBackupNameFor,
  parseUpgradeRecord,
  upgradedByPartialRun,
  type BackupCandidate,
  type UpgradeRecord,
} from '../../src/upgrade/backup-record.js';

const COMPLETED: UpgradeRecord = {
  fromVersion: 'v1.33.4',
  toVersion: 'v1.34.0',
  startedAt: '2026-01-02T03:04:05.000Z',
  completed: true,
  components: ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'],
  etcd: {
    dataCopy: '/etc/kubernetes/tmp/kubeadm-backup-etcd-2026-01-02-03-04-05/etcd',
    snapshot: '/etc/kubernetes/tmp/kubeadm-backup-etcd-2026-01-02-03-04-05/snapshot.db',
  },
};

const backup = (
  ts: string,
  record?: UpgradeRecord,
  extra: Partial<BackupCandidate> = {},
): BackupCandidate => ({
  name: `kubeadm-backup-manifests-${ts}`,
  manifests: ['kube-apiserver.yaml'],
  ...(record ? { record } : {}),
  ...extra,
});

describe('the upgrade record', () => {
  test('reads back what it wrote, and says what is wrong with a bad one', () => {
    const text = encodeUpgradeRecord(COMPLETED);
    assert.deepEqual(parseUpgradeRecord(text), COMPLETED);
    assert.match(text, /^\{\n {2}"kind": "UpgradeRecord",\n {2}"version": 1,/);
    const failed = { ...COMPLETED, completed: false, failedComponent: 'kube-scheduler' };
    delete failed.etcd;
    assert.deepEqual(parseUpgradeRecord(encodeUpgradeRecord(failed)), failed);
    const bad = (edit: Record<string, unknown>) => JSON.stringify({ ...JSON.parse(text), ...edit }) as string;
    assert.throws(() => parseUpgradeRecord('{'), /^Error: not JSON$/);
    assert.throws(() => parseUpgradeRecord(bad({ kind: 'Pod' })), /kind is not "UpgradeRecord"/);
    assert.throws(() => parseUpgradeRecord(bad({ version: 2 })), /unknown version 2/);
    assert.throws(() => parseUpgradeRecord(bad({ toVersion: 7 })), /toVersion is not a string/);
    assert.throws(() => parseUpgradeRecord(bad({ completed: 'yes' })), /completed is not true or false/);
    assert.throws(() => parseUpgradeRecord(bad({ components: [1] })), /components is not a list/);
    assert.throws(
      () => parseUpgradeRecord(bad({ etcd: { snapshot: 'snapshot.db' } })),
      /etcd\.snapshot is not an absolute path/,
    );
  });

  test("backup names: kubeadm's timestamp, and the etcd backup of the same run", () => {
    assert.equal(backupTimestampOf('kubeadm-backup-manifests-2026-01-02-03-04-05'), '2026-01-02-03-04-05');
    assert.equal(backupTimestampOf('kubeadm-backup-manifests-2026-01-02'), undefined);
    assert.equal(backupTimestampOf('kubeadm-upgraded-manifests123'), undefined);
    assert.equal(
      etcdBackupNameFor('kubeadm-backup-manifests-2026-01-02-03-04-05'),
      'kubeadm-backup-etcd-2026-01-02-03-04-05',
    );
  });
});

describe('chooseBackup', () => {
  test('the newest completed upgrade, whatever the listing order', () => {
    const older = backup('2026-01-01-00-00-00', {
      ...COMPLETED,
      fromVersion: 'v1.32.0',
      toVersion: 'v1.33.4',
    });
    const newer = backup('2026-02-01-00-00-00', COMPLETED);
    const c = chooseBackup([newer, older]);
    assert.equal(c.chosen?.backup, newer);
    assert.equal(c.chosen?.basis, 'record');
    assert.deepEqual(chooseBackup([older, newer]).chosen?.backup, newer);
  });

  test('a newer failed apply that put everything back is passed over, with the reason', () => {
    const done = backup('2026-01-01-00-00-00', COMPLETED);
    const failed = backup('2026-01-01-00-10-00', {
      ...COMPLETED,
      completed: false,
      components: ['kube-scheduler'],
      failedComponent: 'kube-scheduler',
    });
    const c = chooseBackup([done, failed]);
    assert.equal(c.chosen?.backup, done);
    assert.deepEqual(
      c.skipped.map((s) => [s.backup.name, s.reason]),
      [
        [
          failed.name,
          'its upgrade to v1.34.0 did not complete (kube-scheduler did not come back and was put back as it was)',
        ],
      ],
    );
  });

  test('a newer apply that stopped half way with components upgraded is the one to undo', () => {
    const done = backup('2026-01-01-00-00-00', COMPLETED);
    const partial = backup('2026-01-01-00-10-00', {
      ...COMPLETED,
      completed: false,
      components: ['etcd', 'kube-apiserver', 'kube-controller-manager'],
      failedComponent: 'kube-controller-manager',
    });
    const c = chooseBackup([done, partial]);
    assert.equal(c.chosen?.backup, partial);
    assert.equal(c.chosen?.basis, 'partial');
    assert.deepEqual(upgradedByPartialRun(partial.record!), ['etcd', 'kube-apiserver']);
    // A run that was killed names no failed component: all it started on may be new.
    assert.deepEqual(upgradedByPartialRun({ ...COMPLETED, completed: false, components: ['etcd'] }), [
      'etcd',
    ]);
    assert.deepEqual(upgradedByPartialRun(COMPLETED), []);
  });

  test('a newer run that only restarted components (same version, renewed certificates) is passed over', () => {
    const done = backup('2026-01-01-00-00-00', COMPLETED);
    const restarts = backup('2026-01-01-00-10-00', {
      ...COMPLETED,
      fromVersion: 'v1.34.0',
      components: [],
    });
    const c = chooseBackup([done, restarts]);
    assert.equal(c.chosen?.backup, done);
    assert.deepEqual(
      c.skipped.map((s) => [s.backup.name, s.reason]),
      [[restarts.name, 'its run changed no manifest (the components only restarted)']],
    );
    // Stopped half way through restarts: nothing to undo either.
    const failed = backup('2026-01-01-00-20-00', {
      ...COMPLETED,
      completed: false,
      components: [],
      failedComponent: 'kube-scheduler',
    });
    assert.equal(chooseBackup([done, restarts, failed]).chosen?.backup, done);
  });

  test("a backup without a record (kubeadm's) is taken as it is; unreadable or empty ones are passed over", () => {
    const kubeadms = backup('2026-03-01-00-00-00');
    const broken = backup('2026-03-02-00-00-00', undefined, { recordError: 'not JSON' });
    const empty = backup('2026-03-03-00-00-00', undefined, { manifests: [] });
    const c = chooseBackup([backup('2026-01-01-00-00-00', COMPLETED), kubeadms, broken, empty]);
    assert.equal(c.chosen?.backup, kubeadms);
    assert.equal(c.chosen?.basis, 'unrecorded');
    assert.deepEqual(
      c.skipped.map((s) => s.reason),
      ['it holds no manifests', 'its kbadm-upgrade.json is unreadable (not JSON)'],
    );
  });

  test('nothing to choose: no directories, or only failed ones; other names are not backups', () => {
    assert.deepEqual(chooseBackup([]), { skipped: [] });
    const failed = backup('2026-01-01-00-00-00', { ...COMPLETED, completed: false, components: [] });
    const c = chooseBackup([failed, { name: 'kubeadm-backup-manifests-latest', manifests: ['a.yaml'] }]);
    assert.equal(c.chosen, undefined);
    assert.deepEqual(
      c.skipped.map((s) => s.backup.name),
      [failed.name],
    );
  });
});
