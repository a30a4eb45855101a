// `kbadm upgrade rollback`: back to the state before the last upgrade that went through. The
// backup is chosen by the record apply keeps in it (src/upgrade/backup-record.ts): a failed apply
// that put everything back leaves a backup too, and it is passed over. Its static Pod manifests go
// back into /etc/kubernetes/manifests, and the kubelet runs the previous versions again. On request
// etcd goes back too, from the snapshot or the data copy apply saved (./etcd-restore.ts).
import * as path from 'node:path';
import { KbadmError } from '../../errors.js';
import type { Host } from '../../host/host.js';
import type { Paths } from '../../host/paths.js';
import type { Output } from '../../output/output.js';
import { listBackups } from '../../upgrade/backup-files.js';
import {
  BACKUP_MANIFESTS_PREFIX,
  chooseBackup,
  ETCD_DATA_COPY,
  ETCD_SNAPSHOT_FILE,
  etcdBackupNameFor,
  upgradedByPartialRun,
  type BackupBasis,
  type BackupCandidate,
} from '../../upgrade/backup-record.js';
import type { EtcdRestoreSource, EtcdRestoreSourceKind } from '../../upgrade/etcd-restore.js';
import {
  describeEtcdRestore,
  planEtcdRestore,
  runEtcdRestore,
  unfinishedEtcdRestore,
  type EtcdRestoreContext,
} from './etcd-restore.js';

const TAG = 'upgrade/rollback';
const MANIFEST_MODE = 0o600;

export interface RollbackResult {
  /** The backup directory used (under --rootfs). */
  backup: string;
  basis: BackupBasis;
  restored: string[];
  unchanged: string[];
  /** What happened to etcd's data: nothing asked, restored now, or restored by an earlier run. */
  etcd: 'untouched' | 'restored' | 'already-restored' | 'dry-run';
}

export interface RollbackData {
  host: Host;
  paths: Paths;
  out: Output;
  dryRun: boolean;
  /** Restore etcd too, from apply's snapshot or from its copy of the data directory. */
  etcd?: EtcdRestoreSourceKind;
  /** Test seams of the etcd restore (probes, waits). */
  etcdRestore?: Partial<
    Pick<EtcdRestoreContext, 'probes' | 'timeoutMs' | 'pollIntervalMs' | 'sleep' | 'clock'>
  >;
}

function describeBackup(b: BackupCandidate, basis: BackupBasis): string {
  const r = b.record;
  switch (basis) {
    case 'record':
      return `the upgrade from ${r!.fromVersion} to ${r!.toVersion}`;
    case 'partial':
      return `the upgrade from ${r!.fromVersion} to ${r!.toVersion}, which stopped half way with ${upgradedByPartialRun(r!).join(', ')} upgraded`;
    case 'unrecorded':
      return 'an upgrade kbadm has no record of (made by kubeadm or an older kbadm), assumed complete';
  }
}

/** Where apply saved etcd for this backup: the record's paths, or kubeadm's names beside it. */
async function etcdSource(
  d: RollbackData,
  backup: BackupCandidate,
  kind: EtcdRestoreSourceKind,
): Promise<EtcdRestoreSource> {
  const { paths } = d;
  let found: string | undefined;
  if (backup.record) {
    found = kind === 'snapshot' ? backup.record.etcd?.snapshot : backup.record.etcd?.dataCopy;
  } else {
    const dir = path.join(paths.onHost(paths.tmpDir), etcdBackupNameFor(backup.name)!);
    const candidate = path.join(dir, kind === 'snapshot' ? ETCD_SNAPSHOT_FILE : ETCD_DATA_COPY);
    if (await d.host.exists(paths.under(candidate))) found = candidate;
  }
  if (found === undefined)
    throw new KbadmError(
      `cannot restore etcd: the upgrade backed up in "${paths.onHost(path.join(paths.tmpDir, backup.name))}" saved no ${kind === 'snapshot' ? 'etcd snapshot' : 'copy of the etcd data directory'} (etcd was not upgraded then)`,
    );
  return { kind, path: found };
}

export async function rollback(d: RollbackData): Promise<RollbackResult> {
  const { host, paths, out } = d;
  const tmp = paths.onHost(paths.tmpDir);
  const candidates = await listBackups(host, paths.tmpDir);
  const choice = chooseBackup(candidates);
  for (const s of choice.skipped)
    out.progress(TAG, `Passing over "${path.join(tmp, s.backup.name)}": ${s.reason}`);
  if (!choice.chosen) {
    throw new KbadmError(
      choice.skipped.length === 0
        ? `no manifest backup under ${tmp} (${BACKUP_MANIFESTS_PREFIX}<date>): there is no upgrade to roll back`
        : `no backup under ${tmp} is of an upgrade that changed this node's manifests: there is no upgrade to roll back`,
    );
  }
  const { backup, basis } = choice.chosen;
  const backupDir = path.join(paths.tmpDir, backup.name);
  out.progress(
    TAG,
    `Using the manifests backed up in "${paths.onHost(backupDir)}": ${describeBackup(backup, basis)}`,
  );
  const result: RollbackResult = { backup: backupDir, basis, restored: [], unchanged: [], etcd: 'untouched' };

  // etcd first: its restore stops the control plane and starts it again from the backup's manifests.
  const handled = new Set<string>();
  if (d.etcd) {
    const ctx: EtcdRestoreContext = {
      host,
      out,
      backupDir,
      backupName: backup.name,
      source: await etcdSource(d, backup, d.etcd),
      ...d.etcdRestore,
    };
    const plan = await planEtcdRestore(ctx);
    if (plan.journal?.step === 'done') {
      out.progress(
        TAG,
        `etcd was already restored from "${ctx.source.path}" by an earlier rollback (${plan.layout.workDir}); leaving it as it is`,
      );
      result.etcd = 'already-restored';
    } else if (d.dryRun) {
      await describeEtcdRestore(ctx, plan);
      for (const name of plan.stop) handled.add(name);
      result.etcd = 'dry-run';
    } else {
      await runEtcdRestore(ctx, plan);
      for (const name of plan.stop) handled.add(name);
      result.etcd = 'restored';
    }
  } else {
    const unfinished = await unfinishedEtcdRestore(host, backup.name);
    if (unfinished)
      throw new KbadmError(
        `an etcd restore from "${unfinished.source.path}" did not finish; run "kbadm upgrade rollback ${unfinished.source.kind === 'snapshot' ? '--etcd-snapshot' : '--etcd-data'}" to finish it`,
      );
  }

  for (const name of backup.manifests) {
    if (handled.has(name)) continue;
    const saved = await host.readFile(path.join(backupDir, name));
    const target = path.join(paths.manifestsDir, name);
    const current = await host.readFileIfExists(target);
    if (current !== undefined && current.equals(saved)) {
      out.progress(TAG, `"${name}" is already the backed-up version`);
      result.unchanged.push(name);
      continue;
    }
    out.progress(
      TAG,
      `${d.dryRun ? 'Would restore' : 'Restoring'} "${paths.onHost(target)}" from "${paths.onHost(path.join(backupDir, name))}"`,
    );
    await host.writeFile(target, saved, MANIFEST_MODE);
    result.restored.push(name);
  }
  if (result.restored.includes('etcd.yaml') && result.etcd === 'untouched') {
    out.warn(
      `[${TAG}] etcd.yaml is back at the backed-up version, but etcd's data stays as the newer etcd left it; if etcd does not start, run "kbadm upgrade rollback --etcd-snapshot" (or --etcd-data)`,
    );
  }
  return result;
}
