// What `kbadm upgrade rollback --etcd-snapshot` (or --etcd-data) does to etcd, as data: where each
// directory goes, what the etcd manifest says about the member to restore, and the journal that
// lets an interrupted run be finished by the next one. Pure.
//
// The steps, each safe to repeat:
//   stopping  the control plane's manifests are moved out of the manifests directory (the kubelet
//             stops the Pods) and kbadm waits until etcd's and the API server's ports are free;
//   (restore) the snapshot (or the data copy) becomes a fresh directory beside the data directory,
//             then two renames swap it in; the replaced directory is kept under /etc/kubernetes/tmp;
//   swapped   the manifests go back (the backup's versions), and kbadm waits for etcd to be healthy;
//   done      nothing is left to do for this backup.
import * as path from 'node:path';
import { parseKindJson } from './kind-json.js';
import { parse } from 'yaml';
import { getArg, parseFlags } from '../manifests/args.js';
import type { LocalEtcdMember } from '../manifests/etcd-member.js';
import { backupTimestampOf } from './backup-record.js';

export const RESTORE_JOURNAL_FILE = 'kbadm-restore.json';
export const ROLLBACK_ETCD_PREFIX = 'kbadm-rollback-etcd-';
const JOURNAL_KIND = 'EtcdRestoreJournal';

export type EtcdRestoreSourceKind = 'snapshot' | 'data';

export interface EtcdRestoreSource {
  kind: EtcdRestoreSourceKind;
  /** Host path of the snapshot file, or of the copied data directory. */
  path: string;
}

export type EtcdRestoreStep = 'stopping' | 'swapped' | 'done';

export interface EtcdRestoreJournal {
  source: EtcdRestoreSource;
  step: EtcdRestoreStep;
  /** Manifest file names moved out of the manifests directory to stop their Pods. */
  stopped: string[];
  /** RFC 3339. */
  startedAt: string;
}

export function encodeRestoreJournal(j: EtcdRestoreJournal): string {
  return `${JSON.stringify({ kind: JOURNAL_KIND, ...j }, null, 2)}\n`;
}

/** Reads a journal; throws an Error saying what is wrong with it. */
export function parseRestoreJournal(text: string): EtcdRestoreJournal {
  const o = parseKindJson(text, JOURNAL_KIND);
  const source = o['source'] as Record<string, unknown> | undefined;
  if (
    typeof source !== 'object' ||
    source === null ||
    (source['kind'] !== 'snapshot' && source['kind'] !== 'data') ||
    typeof source['path'] !== 'string'
  )
    throw new Error('source is not {kind: snapshot|data, path}');
  const step = o['step'];
  if (step !== 'stopping' && step !== 'swapped' && step !== 'done')
    throw new Error('step is not stopping, swapped or done');
  const stopped = o['stopped'];
  if (
    !Array.isArray(stopped) ||
    !stopped.every((n) => typeof n === 'string' && n.endsWith('.yaml') && !n.includes('/'))
  )
    throw new Error('stopped is not a list of manifest file names');
  if (typeof o['startedAt'] !== 'string') throw new Error('startedAt is not a string');
  return {
    source: { kind: source['kind'], path: source['path'] },
    step,
    stopped: [...stopped] as string[],
    startedAt: o['startedAt'],
  };
}

/** Every directory of one restore, as host paths. */
export interface EtcdRestoreLayout {
  /** /etc/kubernetes/tmp/kbadm-rollback-etcd-<backup timestamp>: journal, stopped manifests, old data. */
  workDir: string;
  /** The data directory etcd runs on. */
  dataDir: string;
  /** Beside the data directory (same file system, so the swap is a rename): the restored data. */
  restoreDir: string;
  /** Beside the data directory: the replaced data, between the two renames of the swap. */
  replacedDir: string;
  /** Where the replaced data is kept: <workDir>/etcd. */
  keptDir: string;
  /** <workDir>/etcd.partial: a copy in progress when the data directory is on another file system. */
  keptPartialDir: string;
}

/** /etc/kubernetes/tmp/kbadm-rollback-etcd-<timestamp of the backup>: one per backup rolled back to. */
export function restoreWorkDir(tmpDir: string, backupName: string): string {
  return path.join(tmpDir, `${ROLLBACK_ETCD_PREFIX}${backupTimestampOf(backupName) ?? backupName}`);
}

export function restoreLayout(tmpDir: string, backupName: string, dataDir: string): EtcdRestoreLayout {
  const workDir = restoreWorkDir(tmpDir, backupName);
  const d = path.resolve(dataDir);
  return {
    workDir,
    dataDir: d,
    restoreDir: `${d}.kbadm-restore`,
    replacedDir: `${d}.kbadm-replaced`,
    keptDir: path.join(workDir, 'etcd'),
    keptPartialDir: path.join(workDir, 'etcd.partial'),
  };
}

/** The member a snapshot restore recreates, from the etcd manifest being restored. */
export interface RestoreMember {
  name: string;
  initialCluster: string;
  peerURLs: string[];
  initialClusterToken?: string;
  dataDir: string;
  clientURLs: string[];
  caFile?: string;
}

/** The member to recreate, or why the manifest cannot serve (one line). */
export function restoreMember(m: LocalEtcdMember): RestoreMember | { problem: string } {
  if (m.name === '') return { problem: 'it has no --name' };
  if (m.peerURLs.length === 0) return { problem: 'it has no --initial-advertise-peer-urls' };
  if (m.clientURLs.length === 0) return { problem: 'it names no https client URL' };
  const initialCluster = m.initialCluster ?? `${m.name}=${m.peerURLs.join(',')}`;
  const names = new Set(
    initialCluster
      .split(',')
      .map((e) => e.split('=')[0]!.trim())
      .filter((n) => n !== ''),
  );
  if (names.size !== 1 || !names.has(m.name))
    return {
      problem: `its --initial-cluster "${initialCluster}" is not this member alone; kbadm restores a single-member etcd only`,
    };
  return {
    name: m.name,
    initialCluster,
    peerURLs: [...m.peerURLs],
    ...(m.initialClusterToken ? { initialClusterToken: m.initialClusterToken } : {}),
    dataDir: m.dataDir,
    clientURLs: [...m.clientURLs],
    ...(m.caFile ? { caFile: m.caFile } : {}),
  };
}

/** The TCP ports of URLs (https default 443), without repeats. */
export function urlPorts(urls: readonly string[]): number[] {
  const ports = urls.flatMap((u) => {
    try {
      const url = new URL(u);
      return [url.port === '' ? (url.protocol === 'http:' ? 80 : 443) : Number(url.port)];
    } catch {
      return [];
    }
  });
  return [...new Set(ports)];
}

/** kube-apiserver's --secure-port from its manifest (6443 when unset or unreadable). */
export function apiServerSecurePort(manifestText: string): number {
  let command: string[] = [];
  try {
    const pod = parse(manifestText) as { spec?: { containers?: { command?: unknown }[] } } | null;
    const c = pod?.spec?.containers?.[0]?.command;
    if (Array.isArray(c)) command = c.filter((x): x is string => typeof x === 'string');
  } catch {
    // Not YAML: the default port.
  }
  const v = Number(getArg(parseFlags(command), 'secure-port'));
  return Number.isInteger(v) && v > 0 && v < 65536 ? v : 6443;
}
