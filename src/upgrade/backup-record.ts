// The record `kbadm upgrade apply` keeps beside the manifests it backs up, and the choice of the
// backup `kbadm upgrade rollback` goes back to. Pure.
//
// Why a record: a failed apply puts the old manifests back itself, yet leaves its backup directory
// behind, holding the manifests that run again. Directory names alone cannot tell that backup from
// one of an upgrade that went through; the record can. kubeadm writes no record, so its backup
// directories (and those of older kbadm releases) are judged by their names only.

import { parseKindJson } from './kind-json.js';

/** The record's file name, inside kubeadm-backup-manifests-<timestamp>. */
export const UPGRADE_RECORD_FILE = 'kbadm-upgrade.json';
export const BACKUP_MANIFESTS_PREFIX = 'kubeadm-backup-manifests-';
export const BACKUP_ETCD_PREFIX = 'kubeadm-backup-etcd-';
/** kbadm's layout of kubeadm-backup-etcd-<timestamp>: kubeadm's data copy, and kbadm's snapshot. */
export const ETCD_DATA_COPY = 'etcd';
export const ETCD_SNAPSHOT_FILE = 'snapshot.db';

const RECORD_KIND = 'UpgradeRecord';
const RECORD_VERSION = 1;

export interface UpgradeRecord {
  /** The cluster's version before the upgrade (kubeadm-config's kubernetesVersion). */
  fromVersion: string;
  toVersion: string;
  /** RFC 3339. */
  startedAt: string;
  /** The control-plane step finished: every component runs the new manifest (or needed none). */
  completed: boolean;
  /** Components given a new manifest (the old one backed up here), in upgrade order; not restarts. */
  components: string[];
  /** The component that did not come back, when the upgrade stopped there. */
  failedComponent?: string;
  /** Host paths (as the user knows them, without --rootfs) of what was saved of etcd. */
  etcd?: { dataCopy?: string; snapshot?: string };
}

/** The record's file content: one JSON object. */
export function encodeUpgradeRecord(r: UpgradeRecord): string {
  return `${JSON.stringify({ kind: RECORD_KIND, version: RECORD_VERSION, ...r }, null, 2)}\n`;
}

const isString = (v: unknown): v is string => typeof v === 'string';

/** Reads a record; throws an Error saying what is wrong with it. */
export function parseUpgradeRecord(text: string): UpgradeRecord {
  const o = parseKindJson(text, RECORD_KIND);
  if (o['version'] !== RECORD_VERSION) throw new Error(`unknown version ${JSON.stringify(o['version'])}`);
  for (const f of ['fromVersion', 'toVersion', 'startedAt'])
    if (!isString(o[f])) throw new Error(`${f} is not a string`);
  if (typeof o['completed'] !== 'boolean') throw new Error('completed is not true or false');
  const components = o['components'];
  if (!Array.isArray(components) || !components.every(isString))
    throw new Error('components is not a list of names');
  const r: UpgradeRecord = {
    fromVersion: o['fromVersion'] as string,
    toVersion: o['toVersion'] as string,
    startedAt: o['startedAt'] as string,
    completed: o['completed'],
    components: [...components],
  };
  if (isString(o['failedComponent'])) r.failedComponent = o['failedComponent'];
  const etcd = o['etcd'];
  if (etcd !== undefined) {
    const e = (typeof etcd === 'object' && etcd !== null ? etcd : undefined) as
      Record<string, unknown> | undefined;
    if (!e) throw new Error('etcd is not an object');
    r.etcd = {};
    for (const f of ['dataCopy', 'snapshot'] as const) {
      if (e[f] === undefined) continue;
      if (!isString(e[f]) || !e[f].startsWith('/')) throw new Error(`etcd.${f} is not an absolute path`);
      r.etcd[f] = e[f];
    }
  }
  return r;
}

/** The timestamp of a backup directory's name, or undefined for other names. */
export function backupTimestampOf(name: string, prefix = BACKUP_MANIFESTS_PREFIX): string | undefined {
  const m = new RegExp(`^${prefix}(\\d{4}(?:-\\d{2}){5})$`).exec(name);
  return m?.[1];
}

/** One kubeadm-backup-manifests-<timestamp> directory as found under /etc/kubernetes/tmp. */
export interface BackupCandidate {
  /** The directory's name. */
  name: string;
  /** The manifests in it (`*.yaml`). */
  manifests: string[];
  record?: UpgradeRecord;
  /** Why the record there could not be read. */
  recordError?: string;
}

export type BackupBasis =
  /** Its record says the upgrade completed. */
  | 'record'
  /**
   * Its upgrade stopped half way but left components at the new version: going back to this backup
   * undoes that, where an older one would skip a version.
   */
  | 'partial'
  /** It has no record (kubeadm's, or an older kbadm's): assumed to be from a completed upgrade. */
  | 'unrecorded';

export interface BackupChoice {
  chosen?: { backup: BackupCandidate; basis: BackupBasis };
  /** Newer directories passed over, newest first, with the reason. */
  skipped: { backup: BackupCandidate; reason: string }[];
}

/**
 * The backup to roll back to: the newest directory whose record says its upgrade completed or left
 * components upgraded, or that has no record at all (nothing says otherwise). Newer ones of runs
 * that changed nothing in the end (the failed component was put back and none before it had
 * changed, or every component only restarted to read renewed certificates), with unreadable
 * records or without manifests, are passed over with the reason.
 */
export function chooseBackup(candidates: readonly BackupCandidate[]): BackupChoice {
  const skipped: BackupChoice['skipped'] = [];
  const newestFirst = candidates
    .filter((c) => backupTimestampOf(c.name) !== undefined)
    .sort((a, b) => (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
  for (const backup of newestFirst) {
    if (backup.recordError !== undefined) {
      skipped.push({ backup, reason: `its ${UPGRADE_RECORD_FILE} is unreadable (${backup.recordError})` });
      continue;
    }
    if (backup.manifests.length === 0) {
      skipped.push({ backup, reason: 'it holds no manifests' });
      continue;
    }
    const r = backup.record;
    if (r === undefined) return { chosen: { backup, basis: 'unrecorded' }, skipped };
    if (r.completed && r.components.length > 0) return { chosen: { backup, basis: 'record' }, skipped };
    if (r.completed) {
      skipped.push({ backup, reason: 'its run changed no manifest (the components only restarted)' });
      continue;
    }
    if (upgradedByPartialRun(r).length > 0) return { chosen: { backup, basis: 'partial' }, skipped };
    skipped.push({
      backup,
      reason:
        `its upgrade to ${r.toVersion} did not complete` +
        (r.failedComponent ? ` (${r.failedComponent} did not come back and was put back as it was)` : ''),
    });
  }
  return { skipped };
}

/** The components an upgrade that did not complete left at the new version. */
export function upgradedByPartialRun(r: UpgradeRecord): string[] {
  return r.completed ? [] : r.components.filter((c) => c !== r.failedComponent);
}

/** The kubeadm-backup-etcd-<timestamp> directory of the same upgrade run. */
export function etcdBackupNameFor(manifestsBackupName: string): string | undefined {
  const ts = backupTimestampOf(manifestsBackupName);
  return ts === undefined ? undefined : `${BACKUP_ETCD_PREFIX}${ts}`;
}
