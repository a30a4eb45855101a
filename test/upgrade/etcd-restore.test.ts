// The etcd restore as data: its journal, its directories, the member an etcd manifest describes.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LocalEtcdMember } from '../../src/manifests/etcd-member.js';
import {
  apiServerSecurePort,
  encodeRestoreJournal,
  parseRestoreJournal,
  restoreLayout,
  restoreMember,
  urlPorts,
  type EtcdRestoreJournal,
} from '../../src/upgrade/etcd-restore.js';

const MEMBER: LocalEtcdMember = {
  name: 'cp-1',
  clientURLs: ['https://10.0.0.5:2379', 'https://127.0.0.1:2379'],
  peerURLs: ['https://10.0.0.5:2380'],
  dataDir: '/var/lib/etcd',
  caFile: '/etc/kubernetes/pki/etcd/ca.crt',
  initialCluster: 'cp-1=https://10.0.0.5:2380',
};

describe('the restore journal', () => {
  test('reads back what it wrote; a damaged one names its problem', () => {
    const j: EtcdRestoreJournal = {
      source: { kind: 'snapshot', path: '/etc/kubernetes/tmp/kubeadm-backup-etcd-x/snapshot.db' },
      step: 'swapped',
      stopped: ['etcd.yaml', 'kube-apiserver.yaml'],
      startedAt: '2026-01-02T03:04:05.000Z',
    };
    const text = encodeRestoreJournal(j);
    assert.deepEqual(parseRestoreJournal(text), j);
    const bad = (edit: object) => JSON.stringify({ ...JSON.parse(text), ...edit });
    assert.throws(() => parseRestoreJournal('x'), /not JSON/);
    assert.throws(() => parseRestoreJournal(bad({ kind: 'Other' })), /kind is not "EtcdRestoreJournal"/);
    assert.throws(
      () => parseRestoreJournal(bad({ step: 'halfway' })),
      /step is not stopping, swapped or done/,
    );
    assert.throws(() => parseRestoreJournal(bad({ source: { kind: 'tape' } })), /source is not/);
    assert.throws(() => parseRestoreJournal(bad({ stopped: ['../etc/passwd'] })), /stopped is not a list/);
  });
});

describe('restoreLayout', () => {
  test('one work directory per backup; the fresh and the replaced data beside the data directory', () => {
    assert.deepEqual(
      restoreLayout('/etc/kubernetes/tmp', 'kubeadm-backup-manifests-2026-01-02-03-04-05', '/var/lib/etcd/'),
      {
        workDir: '/etc/kubernetes/tmp/kbadm-rollback-etcd-2026-01-02-03-04-05',
        dataDir: '/var/lib/etcd',
        restoreDir: '/var/lib/etcd.kbadm-restore',
        replacedDir: '/var/lib/etcd.kbadm-replaced',
        keptDir: '/etc/kubernetes/tmp/kbadm-rollback-etcd-2026-01-02-03-04-05/etcd',
        keptPartialDir: '/etc/kubernetes/tmp/kbadm-rollback-etcd-2026-01-02-03-04-05/etcd.partial',
      },
    );
  });
});

describe('restoreMember', () => {
  test("the manifest's name, peer URLs and initial cluster; one is made up when the flag is missing", () => {
    assert.deepEqual(restoreMember(MEMBER), {
      name: 'cp-1',
      initialCluster: 'cp-1=https://10.0.0.5:2380',
      peerURLs: ['https://10.0.0.5:2380'],
      dataDir: '/var/lib/etcd',
      clientURLs: ['https://10.0.0.5:2379', 'https://127.0.0.1:2379'],
      caFile: '/etc/kubernetes/pki/etcd/ca.crt',
    });
    const { initialCluster: _, ...noFlag } = MEMBER;
    assert.equal(
      (restoreMember(noFlag) as { initialCluster: string }).initialCluster,
      'cp-1=https://10.0.0.5:2380',
    );
    assert.equal(
      (restoreMember({ ...MEMBER, initialClusterToken: 'tok' }) as { initialClusterToken: string })
        .initialClusterToken,
      'tok',
    );
  });

  test('a member that joined others, or a manifest missing what a restore needs, is refused', () => {
    assert.deepEqual(
      restoreMember({ ...MEMBER, initialCluster: 'cp-0=https://10.0.0.4:2380,cp-1=https://10.0.0.5:2380' }),
      {
        problem:
          'its --initial-cluster "cp-0=https://10.0.0.4:2380,cp-1=https://10.0.0.5:2380" is not this member alone; kbadm restores a single-member etcd only',
      },
    );
    assert.deepEqual(restoreMember({ ...MEMBER, name: '' }), { problem: 'it has no --name' });
    assert.deepEqual(restoreMember({ ...MEMBER, peerURLs: [] }), {
      problem: 'it has no --initial-advertise-peer-urls',
    });
    assert.deepEqual(restoreMember({ ...MEMBER, clientURLs: [] }), {
      problem: 'it names no https client URL',
    });
  });
});

describe('ports', () => {
  test("client URL ports without repeats; the API server's --secure-port or 6443", () => {
    assert.deepEqual(
      urlPorts(['https://10.0.0.5:2379', 'https://127.0.0.1:2379', 'https://a', 'bad']),
      [2379, 443],
    );
    const pod = (args: string[]) =>
      `apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - command:\n    - kube-apiserver\n${args.map((a) => `    - ${a}\n`).join('')}`;
    assert.equal(apiServerSecurePort(pod(['--secure-port=7443', '--v=2'])), 7443);
    assert.equal(apiServerSecurePort(pod(['--v=2'])), 6443);
    assert.equal(apiServerSecurePort(pod(['--secure-port=0'])), 6443);
    assert.equal(apiServerSecurePort('not: [yaml'), 6443);
  });
});
