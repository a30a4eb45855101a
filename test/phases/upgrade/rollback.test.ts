// `kbadm upgrade rollback` on an in-memory host: which backup it goes back to, when it refuses to
// touch etcd (before changing anything), and the etcd restore with its journal, including runs
// that stop half way and are finished by the next one. A stand-in "kubelet" runs a Pod exactly
// while its manifest is in the manifests directory; etcd's answers come from fake probes.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import type { EtcdMember } from '../../../src/etcd/members.js';
import { createDryRunHost } from '../../../src/host/dry-run-host.js';
import type { Host } from '../../../src/host/host.js';
import { createTestHost, type TestHost } from '../../../src/host/test-host.js';
import { etcdPod } from '../../../src/manifests/etcd.js';
import { toYaml } from '../../../src/manifests/serialize.js';
import { recordOutput, type RecordedOutput } from '../../../src/output/output.js';
import { etcdInputs } from '../../../src/phases/init/static-pods.js';
import type { EtcdRestoreProbes } from '../../../src/phases/upgrade/etcd-restore.js';
import { rollback, type RollbackData } from '../../../src/phases/upgrade/rollback.js';
import { encodeUpgradeRecord, type UpgradeRecord } from '../../../src/upgrade/backup-record.js';
import { CONFIGS_DIR, lines, loadConfigFile } from '../../support/manifests.js';

const MANIFESTS = '/etc/kubernetes/manifests';
const TMP = '/etc/kubernetes/tmp';
const TS = '2026-01-02-03-04-05';
const BACKUP = `${TMP}/kubeadm-backup-manifests-${TS}`;
const ETCD_BACKUP = `${TMP}/kubeadm-backup-etcd-${TS}`;
const FAILED = `${TMP}/kubeadm-backup-manifests-2026-01-02-03-10-00`;
const WORK = `${TMP}/kbadm-rollback-etcd-${TS}`;
const DATA = '/var/lib/etcd';
const CONTROL_PLANE = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'];

function etcdManifest(version: string): string {
  const spec = loadConfigFile(`${CONFIGS_DIR}01-single-node-minimal.yaml`);
  spec.init.localAPIEndpoint.advertiseAddress = '10.0.0.5';
  spec.cluster.kubernetesVersion = version;
  return toYaml(etcdPod(etcdInputs({ config: spec })).value);
}

const podManifest = (c: string, version: string) =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${c}\nspec:\n  containers:\n  - name: ${c}\n    image: registry.k8s.io/${c}:${version}\n    command:\n    - ${c}\n${c === 'kube-apiserver' ? '    - --secure-port=6443\n' : ''}`;

const manifestsAt = (version: string) =>
  new Map<string, string>([
    ['etcd', etcdManifest(version)],
    ...CONTROL_PLANE.map((c): [string, string] => [c, podManifest(c, version)]),
  ]);
const OLD = manifestsAt('v1.33.4');
const NEW = manifestsAt('v1.34.0');

const RECORD: UpgradeRecord = {
  fromVersion: 'v1.33.4',
  toVersion: 'v1.34.0',
  startedAt: '2026-01-02T03:04:05.000Z',
  completed: true,
  components: ['etcd', ...CONTROL_PLANE],
  etcd: { dataCopy: `${ETCD_BACKUP}/etcd`, snapshot: `${ETCD_BACKUP}/snapshot.db` },
};

const ONE_MEMBER: EtcdMember[] = [
  { id: '1', name: 'cp-1', peerURLs: ['https://10.0.0.5:2380'], clientURLs: [], isLearner: false },
];

interface Fixture {
  host: TestHost;
  /** The probes' answers; `members` may throw. */
  etcd: { members: () => EtcdMember[]; healthyCalls: number };
  run(o?: Partial<RollbackData> & { on?: Host }): Promise<RecordedOutput>;
}

/** A node after `upgrade apply` v1.33.4 → v1.34.0, then a failed apply that put the scheduler back. */
function fixture(
  o: { record?: UpgradeRecord | false; failedBackup?: boolean; tools?: boolean } = {},
): Fixture {
  const host = createTestHost()
    .seedFile('/etc/kubernetes/pki/etcd/ca.crt', 'CA')
    .seedFile('/etc/kubernetes/pki/etcd/healthcheck-client.crt', 'CRT')
    .seedFile('/etc/kubernetes/pki/etcd/healthcheck-client.key', 'KEY', 0o600)
    .seedFile(`${DATA}/member/snap/db`, 'CURRENT', 0o600)
    .seedFile(`${ETCD_BACKUP}/snapshot.db`, 'SNAPSHOT', 0o600)
    .seedFile(`${ETCD_BACKUP}/etcd/member/snap/db`, 'DATA COPY', 0o600);
  for (const [c, text] of NEW) host.seedFile(`${MANIFESTS}/${c}.yaml`, text, 0o600);
  for (const [c, text] of OLD) host.seedFile(`${BACKUP}/${c}.yaml`, text, 0o600);
  if (o.record !== false)
    host.seedFile(`${BACKUP}/kbadm-upgrade.json`, encodeUpgradeRecord(o.record ?? RECORD));
  if (o.failedBackup !== false) {
    host.seedFile(`${FAILED}/kube-scheduler.yaml`, NEW.get('kube-scheduler')!, 0o600);
    host.seedFile(
      `${FAILED}/kbadm-upgrade.json`,
      encodeUpgradeRecord({
        ...RECORD,
        fromVersion: 'v1.34.0',
        completed: false,
        components: ['kube-scheduler'],
        failedComponent: 'kube-scheduler',
      }),
    );
  }
  if (o.tools !== false)
    host.onRun('etcdutl', (args) => {
      const dataDir = args.find((a) => a.startsWith('--data-dir='))!.slice('--data-dir='.length);
      // The tool creates the data directory; what it holds says where it came from.
      host.seedFile(`${dataDir}/member/snap/db`, `RESTORED ${host.text(args[2]!)}`, 0o600);
    });
  // The kubelet: a Pod runs, and holds its ports, exactly while its manifest is in place.
  host.bindError = async (port) => {
    const running = async (c: string) => host.exists(`${MANIFESTS}/${c}.yaml`);
    if (port === 2379 && (await running('etcd'))) return 'EADDRINUSE';
    if (port === 6443 && (await running('kube-apiserver'))) return 'EADDRINUSE';
    return undefined;
  };
  const etcd = { members: () => ONE_MEMBER, healthyCalls: 0 };
  const probes: EtcdRestoreProbes = {
    members: async () => etcd.members(),
    healthy: async () => {
      etcd.healthyCalls++;
      return host.exists(`${MANIFESTS}/etcd.yaml`);
    },
  };
  let ms = 0;
  return {
    host,
    etcd,
    async run(opts = {}) {
      const out = recordOutput();
      const on = opts.on ?? host;
      await rollback({
        host: on,
        paths: on.paths,
        out,
        dryRun: on.dryRun,
        ...opts,
        etcdRestore: {
          probes,
          timeoutMs: 5000,
          pollIntervalMs: 100,
          sleep: async (n) => void (ms += n),
          clock: () => ms,
        },
      });
      return out;
    },
  };
}

const manifestText = (host: TestHost, c: string) => host.text(`${MANIFESTS}/${c}.yaml`);

describe('upgrade rollback: the backup', () => {
  test("the last completed upgrade's manifests come back byte for byte; a newer failed apply is passed over", async () => {
    const f = fixture();
    const out = await f.run();
    for (const [c, text] of OLD) assert.equal(manifestText(f.host, c), text, c);
    assert.deepEqual(lines(out).slice(0, 2), [
      `[upgrade/rollback] Passing over "${FAILED}": its upgrade to v1.34.0 did not complete (kube-scheduler did not come back and was put back as it was)`,
      `[upgrade/rollback] Using the manifests backed up in "${BACKUP}": the upgrade from v1.33.4 to v1.34.0`,
    ]);
    // etcd's data is not touched, and the output says what that means.
    assert.equal(f.host.text(`${DATA}/member/snap/db`), 'CURRENT');
    assert.match(out.stderr.join(''), /etcd\.yaml is back at the backed-up version, but etcd's data stays/);
    assert.equal(f.host.runs.length, 0);
  });

  test('a backup without a record is used as it is, and the output says so', async () => {
    const f = fixture({ record: false, failedBackup: false });
    const out = await f.run();
    assert.match(
      out.text(),
      /an upgrade kbadm has no record of \(made by kubeadm or an older kbadm\), assumed complete/,
    );
    assert.equal(manifestText(f.host, 'kube-apiserver'), OLD.get('kube-apiserver'));
  });

  test('only failed backups: nothing to roll back, nothing changed', async () => {
    const f = fixture({
      record: { ...RECORD, completed: false, components: ['etcd'], failedComponent: 'etcd' },
    });
    await assert.rejects(
      f.run(),
      /no backup under \/etc\/kubernetes\/tmp is of an upgrade that changed this node's manifests/,
    );
    assert.deepEqual(f.host.changes, []);
  });
});

describe('upgrade rollback --etcd-snapshot: refusals, before anything changes', () => {
  const refused = async (f: Fixture, opts: Partial<RollbackData>, message: RegExp) => {
    await assert.rejects(f.run(opts), (err: Error) => {
      assert.match(err.message, message);
      assert.doesNotMatch(err.message, /\n/, 'one line');
      return true;
    });
    assert.deepEqual(f.host.changes, [], 'nothing changed');
    for (const [c, text] of NEW) assert.equal(manifestText(f.host, c), text, c);
  };

  test('etcd has more than one member: all are named, by name whatever order etcd lists them in', async () => {
    const f = fixture();
    f.etcd.members = () => [
      { id: '2', name: 'cp-2', peerURLs: ['https://10.0.0.6:2380'], clientURLs: [], isLearner: false },
      ...ONE_MEMBER,
    ];
    await refused(
      f,
      { etcd: 'snapshot' },
      /^cannot restore etcd: etcd has 2 members \(cp-1 \(1, https:\/\/10\.0\.0\.5:2380\); cp-2 \(2, https:\/\/10\.0\.0\.6:2380\)\); .*single-member etcd only$/,
    );
  });

  test('etcd does not answer, so it cannot be seen to be alone', async () => {
    const f = fixture();
    f.etcd.members = () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:2379');
    };
    await refused(f, { etcd: 'data' }, /did not list its members \(connect ECONNREFUSED 127\.0\.0\.1:2379\)/);
  });

  test('no restore tool: neither etcdutl nor etcdctl, or an etcdctl from 3.6 on', async () => {
    await refused(fixture({ tools: false }), { etcd: 'snapshot' }, /neither etcdutl nor etcdctl is on PATH/);
    const f = fixture({ tools: false });
    f.host.onRun('etcdctl', (args) => (args[0] === 'version' ? { stdout: 'etcdctl version: 3.6.4\n' } : {}));
    await refused(
      f,
      { etcd: 'snapshot' },
      /\/usr\/bin\/etcdctl \(version 3\.6\) cannot restore snapshots; install etcdutl/,
    );
  });

  test('the upgrade saved no snapshot', async () => {
    const { etcd: _, ...noEtcd } = RECORD;
    await refused(
      fixture({ record: noEtcd }),
      { etcd: 'snapshot' },
      /saved no etcd snapshot \(etcd was not upgraded then\)/,
    );
  });

  test('the etcd manifest to restore names other members', async () => {
    const f = fixture();
    const joined = OLD.get('etcd')!.replace(
      '--initial-cluster=cp-1=https://10.0.0.5:2380',
      '--initial-cluster=cp-0=https://10.0.0.4:2380,cp-1=https://10.0.0.5:2380',
    );
    f.host.seedFile(`${BACKUP}/etcd.yaml`, joined, 0o600);
    await refused(
      f,
      { etcd: 'snapshot' },
      /"\/etc\/kubernetes\/tmp\/kubeadm-backup-manifests-[\d-]+\/etcd\.yaml": its --initial-cluster .* is not this member alone/,
    );
  });
});

describe('upgrade rollback --etcd-snapshot: the restore', () => {
  test('stops the control plane, swaps in the restored data, keeps the old, starts the backed-up manifests', async () => {
    const f = fixture();
    const out = await f.run({ etcd: 'snapshot' });
    assert.equal(f.host.text(`${DATA}/member/snap/db`), 'RESTORED SNAPSHOT');
    assert.equal(f.host.text(`${WORK}/etcd/member/snap/db`), 'CURRENT', 'the replaced data is kept');
    for (const [c, text] of OLD) assert.equal(manifestText(f.host, c), text, c);
    // The Pods stopped before the tool ran; the tool got the member from the backed-up etcd.yaml.
    const run = f.host.changes.findIndex((c) => c.kind === 'run');
    const stopped = f.host.changes.filter((c, i) => c.kind === 'rename' && c.to.startsWith(WORK) && i < run);
    assert.equal(stopped.length, 4);
    assert.deepEqual(
      f.host.runs.map((r) => [r.command, ...r.args]),
      [
        [
          '/usr/bin/etcdutl',
          'snapshot',
          'restore',
          `${ETCD_BACKUP}/snapshot.db`,
          '--name=cp-1',
          '--initial-cluster=cp-1=https://10.0.0.5:2380',
          '--initial-advertise-peer-urls=https://10.0.0.5:2380',
          '--data-dir=/var/lib/etcd.kbadm-restore',
        ],
      ],
    );
    assert.equal(await f.host.exists('/var/lib/etcd.kbadm-restore'), false);
    assert.equal(await f.host.exists('/var/lib/etcd.kbadm-replaced'), false);
    assert.match(f.host.text(`${WORK}/kbadm-restore.json`), /"step": "done"/);
    const text = out.text();
    for (const line of [
      `[upgrade/rollback] Moved "${MANIFESTS}/etcd.yaml" to "${WORK}/etcd.yaml" to stop its Pod`,
      '[upgrade/rollback] Waiting for ports 2379, 6443 to be free (etcd and the API server stopped)',
      `[upgrade/rollback] Restoring the etcd snapshot "${ETCD_BACKUP}/snapshot.db" into "/var/lib/etcd.kbadm-restore"`,
      `[upgrade/rollback] Kept the replaced etcd data as "${WORK}/etcd"`,
      `[upgrade/rollback] Wrote "${MANIFESTS}/etcd.yaml" from "${BACKUP}/etcd.yaml"`,
      `[upgrade/rollback] etcd is healthy on the data restored from "${ETCD_BACKUP}/snapshot.db"; the replaced data is kept in "${WORK}/etcd"`,
    ])
      assert.ok(text.includes(`${line}\n`), `${line}\n---\n${text}`);
    assert.doesNotMatch(
      text,
      /already the backed-up version/,
      'manifests the restore wrote are not listed twice',
    );
    assert.equal(out.stderr.join(''), '');

    // Once done, a second run leaves etcd alone.
    f.host.clearChanges();
    const again = await f.run({ etcd: 'snapshot' });
    assert.match(again.text(), /etcd was already restored from ".*snapshot\.db" by an earlier rollback/);
    assert.deepEqual(
      f.host.changes.filter((c) => c.kind !== 'write' || !c.path.startsWith(MANIFESTS)),
      [],
    );
  });

  test('--etcd-data copies the data apply saved instead, without a tool', async () => {
    const f = fixture({ tools: false });
    await f.run({ etcd: 'data' });
    assert.equal(f.host.text(`${DATA}/member/snap/db`), 'DATA COPY');
    assert.equal(f.host.modeOf(`${DATA}/member/snap/db`), 0o600);
    assert.equal(f.host.text(`${WORK}/etcd/member/snap/db`), 'CURRENT');
  });

  test('--dry-run says every step and changes nothing', async () => {
    const f = fixture();
    const dry = createDryRunHost(f.host.paths, recordOutput(), { base: f.host });
    const out = await f.run({ etcd: 'snapshot', on: dry });
    assert.deepEqual(f.host.changes, []);
    assert.deepEqual(dry.changes, []);
    const text = out.text();
    assert.match(
      text,
      /\[dryrun\] Would move "\/etc\/kubernetes\/manifests\/kube-apiserver\.yaml" to ".*\/kube-apiserver\.yaml" to stop its Pod/,
    );
    assert.match(
      text,
      /\[dryrun\] Would restore the snapshot ".*snapshot\.db" into "\/var\/lib\/etcd\.kbadm-restore": \/usr\/bin\/etcdutl snapshot restore /,
    );
    assert.match(
      text,
      /\[dryrun\] Would put "\/var\/lib\/etcd\.kbadm-restore" in place of "\/var\/lib\/etcd", keeping the replaced data as ".*\/etcd"/,
    );
    assert.match(
      text,
      /\[dryrun\] Would write "\/etc\/kubernetes\/manifests\/etcd\.yaml" from ".*kubeadm-backup-manifests-[\d-]+\/etcd\.yaml"/,
    );
    assert.doesNotMatch(
      text,
      /^\[upgrade\/rollback\] (Moved|Wrote|Kept|etcd is healthy)/m,
      'nothing claimed as done',
    );
  });

  test('a run stopped after the Pods went down is finished by the next, with etcd no longer answering', async () => {
    const f = fixture();
    let crash = true;
    f.host.onRun('etcdutl', (args) => {
      if (crash) throw new Error('killed');
      const dataDir = args.find((a) => a.startsWith('--data-dir='))!.slice('--data-dir='.length);
      f.host.seedFile(`${dataDir}/member/snap/db`, 'RESTORED', 0o600);
    });
    await assert.rejects(f.run({ etcd: 'snapshot' }), /killed/);
    assert.equal(await f.host.exists(`${MANIFESTS}/etcd.yaml`), false, 'etcd is stopped');
    assert.match(f.host.text(`${WORK}/kbadm-restore.json`), /"step": "stopping"/);
    // A half-written restore directory from the run that died.
    f.host.seedFile('/var/lib/etcd.kbadm-restore/member/junk', 'x');
    crash = false;
    f.etcd.members = () => {
      throw new Error('connect ECONNREFUSED');
    };
    // Without the flag, the unfinished restore is named, and nothing happens.
    await assert.rejects(
      f.run(),
      /an etcd restore from ".*snapshot\.db" did not finish; run "kbadm upgrade rollback --etcd-snapshot" to finish it/,
    );
    // With the other source, too.
    await assert.rejects(
      f.run({ etcd: 'data' }),
      /was started by an earlier run .*; run again with --etcd-snapshot to finish it/,
    );
    const out = await f.run({ etcd: 'snapshot' });
    assert.match(out.text(), /Continuing the etcd restore an earlier run left at "stopping"/);
    assert.equal(f.host.text(`${DATA}/member/snap/db`), 'RESTORED');
    assert.deepEqual(f.host.listFiles(DATA), [`${DATA}/member/snap/db`]);
    assert.equal(f.host.text(`${WORK}/etcd/member/snap/db`), 'CURRENT');
    for (const [c, text] of OLD) assert.equal(manifestText(f.host, c), text, c);
  });

  test('a run stopped between the two renames of the swap is finished by the next', async () => {
    const f = fixture();
    const rename = f.host.rename.bind(f.host);
    let failOnce = true;
    f.host.rename = async (from, to) => {
      if (failOnce && from === '/var/lib/etcd.kbadm-restore') {
        failOnce = false;
        throw new Error('power cut');
      }
      return rename(from, to);
    };
    await assert.rejects(f.run({ etcd: 'snapshot' }), /power cut/);
    assert.equal(await f.host.exists(DATA), false);
    assert.equal(f.host.text('/var/lib/etcd.kbadm-replaced/member/snap/db'), 'CURRENT');
    await f.run({ etcd: 'snapshot' });
    assert.equal(f.host.text(`${DATA}/member/snap/db`), 'RESTORED SNAPSHOT');
    assert.equal(
      f.host.text(`${WORK}/etcd/member/snap/db`),
      'CURRENT',
      'the original data, not the restored one',
    );
  });

  test('a run stopped after the swap, before the old data was put aside, is finished without restoring again', async () => {
    const f = fixture();
    const rename = f.host.rename.bind(f.host);
    let failOnce = true;
    f.host.rename = async (from, to) => {
      if (failOnce && from === '/var/lib/etcd.kbadm-replaced') {
        failOnce = false;
        throw new Error('power cut');
      }
      return rename(from, to);
    };
    await assert.rejects(f.run({ etcd: 'snapshot' }), /power cut/);
    assert.equal(f.host.text(`${DATA}/member/snap/db`), 'RESTORED SNAPSHOT');
    await f.run({ etcd: 'snapshot' });
    assert.equal(f.host.runs.filter((r) => r.command.endsWith('etcdutl')).length, 1, 'restored once');
    assert.equal(f.host.text(`${DATA}/member/snap/db`), 'RESTORED SNAPSHOT');
    assert.equal(f.host.text(`${WORK}/etcd/member/snap/db`), 'CURRENT');
    assert.equal(await f.host.exists('/var/lib/etcd.kbadm-replaced'), false);
  });

  test('a data directory on another file system is kept by a copy', async () => {
    const f = fixture();
    const rename = f.host.rename.bind(f.host);
    f.host.rename = async (from, to) => {
      if (from === '/var/lib/etcd.kbadm-replaced')
        throw Object.assign(new Error('rename: invalid cross-device link'), { code: 'EXDEV' });
      return rename(from, to);
    };
    await f.run({ etcd: 'snapshot' });
    assert.equal(f.host.text(`${WORK}/etcd/member/snap/db`), 'CURRENT');
    assert.equal(await f.host.exists('/var/lib/etcd.kbadm-replaced'), false);
    assert.equal(await f.host.exists(`${WORK}/etcd.partial`), false);
  });

  test('etcd that does not stop, or does not come back, ends the run with what to do', async () => {
    const f = fixture();
    f.host.bindError = async () => 'EADDRINUSE';
    await assert.rejects(
      f.run({ etcd: 'snapshot' }),
      /something still listens on port 2379 or 6443 after 5s; the stopped manifests are in ".*"; run this again once etcd has stopped/,
    );
    const g = fixture();
    const probes = { members: async () => ONE_MEMBER, healthy: async () => false };
    let ms = 0;
    await assert.rejects(
      rollback({
        host: g.host,
        paths: g.host.paths,
        out: recordOutput(),
        dryRun: false,
        etcd: 'snapshot',
        etcdRestore: {
          probes,
          timeoutMs: 1000,
          pollIntervalMs: 100,
          sleep: async (n) => void (ms += n),
          clock: () => ms,
        },
      }),
      /etcd at https:\/\/10\.0\.0\.5:2379,https:\/\/127\.0\.0\.1:2379 did not become healthy within 1s; the replaced data is in ".*\/etcd"/,
    );
    assert.match(g.host.text(`${WORK}/kbadm-restore.json`), /"step": "swapped"/);
  });
});

test('the fixture is what apply leaves: each backed-up manifest differs from the one in place', () => {
  for (const c of ['etcd', ...CONTROL_PLANE]) assert.notEqual(OLD.get(c), NEW.get(c), c);
  assert.match(OLD.get('etcd')!, /--initial-cluster=cp-1=https:\/\/10\.0\.0\.5:2380/);
  assert.equal(path.basename(BACKUP).startsWith('kubeadm-backup-manifests-'), true);
});
