// The upgrade record and the etcd restore journal on disk, through the Host (atomic writes, so a
// reader finds the old content or the new, never half of it), and the backups found under
// /etc/kubernetes/tmp.
import * as path from 'node:path';
import { KbadmError } from '../errors.js';
import type { Host } from '../host/host.js';
import {
  BACKUP_MANIFESTS_PREFIX,
  encodeUpgradeRecord,
  parseUpgradeRecord,
  UPGRADE_RECORD_FILE,
  type BackupCandidate,
  type UpgradeRecord,
} from './backup-record.js';
import {
  encodeRestoreJournal,
  parseRestoreJournal,
  RESTORE_JOURNAL_FILE,
  type EtcdRestoreJournal,
} from './etcd-restore.js';

const RECORD_MODE = 0o600;

/** Writes (or replaces) the record in a kubeadm-backup-manifests-<timestamp> directory. */
export async function writeUpgradeRecord(host: Host, backupDir: string, r: UpgradeRecord): Promise<void> {
  await host.writeFile(path.join(backupDir, UPGRADE_RECORD_FILE), encodeUpgradeRecord(r), RECORD_MODE);
}

/** The record in a backup directory: undefined when there is none, an error text when unreadable. */
export async function readUpgradeRecord(
  host: Host,
  backupDir: string,
): Promise<{ record?: UpgradeRecord; error?: string }> {
  const text = await host.readFileIfExists(path.join(backupDir, UPGRADE_RECORD_FILE));
  if (text === undefined) return {};
  try {
    return { record: parseUpgradeRecord(text.toString('utf8')) };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

/** Every kubeadm-backup-manifests-* directory under `tmpDir`, with its manifests and record. */
export async function listBackups(host: Host, tmpDir: string): Promise<BackupCandidate[]> {
  const out: BackupCandidate[] = [];
  for (const name of await host.listDir(tmpDir)) {
    if (!name.startsWith(BACKUP_MANIFESTS_PREFIX)) continue;
    const dir = path.join(tmpDir, name);
    if (!(await host.stat(dir))?.isDirectory) continue;
    const manifests = (await host.listDir(dir)).filter((n) => n.endsWith('.yaml'));
    const { record, error } = await readUpgradeRecord(host, dir);
    out.push({
      name,
      manifests,
      ...(record ? { record } : {}),
      ...(error !== undefined ? { recordError: error } : {}),
    });
  }
  return out;
}

/** The journal of a restore in `workDir`; undefined when none was started there. Throws when unreadable. */
export async function readRestoreJournal(
  host: Host,
  workDir: string,
): Promise<EtcdRestoreJournal | undefined> {
  const file = path.join(workDir, RESTORE_JOURNAL_FILE);
  const text = await host.readFileIfExists(file);
  if (text === undefined) return undefined;
  try {
    return parseRestoreJournal(text.toString('utf8'));
  } catch (err) {
    throw new KbadmError(`${host.paths.onHost(file)} is unreadable: ${(err as Error).message}`);
  }
}

export async function writeRestoreJournal(host: Host, workDir: string, j: EtcdRestoreJournal): Promise<void> {
  await host.writeFile(path.join(workDir, RESTORE_JOURNAL_FILE), encodeRestoreJournal(j), RECORD_MODE);
}
