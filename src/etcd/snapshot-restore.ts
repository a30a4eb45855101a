// Restoring an etcd snapshot is an offline operation of etcd's own tools: the snapshot file becomes
// a new data directory, with a fresh cluster of one member. etcd 3.5 moved it to etcdutl and etcd
// 3.6 removed it from etcdctl, so etcdutl is preferred and etcdctl is usable only before 3.6.
// This module only builds command lines and reads version output; the caller runs them. Pure.

export type SnapshotRestoreTool = 'etcdutl' | 'etcdctl';

/** Tools to look for on PATH, in order of preference. */
export const SNAPSHOT_RESTORE_TOOLS: readonly SnapshotRestoreTool[] = ['etcdutl', 'etcdctl'];

/** The version `etcdctl version` reports (`etcdctl version: 3.4.23`), as [major, minor]. */
export function etcdctlVersion(output: string): [number, number] | undefined {
  const m = /etcdctl version:\s*v?(\d+)\.(\d+)\./.exec(output);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/** Whether an etcdctl of this version still has `snapshot restore` (removed in 3.6). */
export function etcdctlRestores(version: [number, number]): boolean {
  const [major, minor] = version;
  return major < 3 || (major === 3 && minor < 6);
}

export interface SnapshotRestoreRequest {
  /** The snapshot file, as the tool sees it (a path on the machine). */
  snapshot: string;
  /** A directory that must not exist yet: the tool creates it. */
  dataDir: string;
  /** The member's --name. */
  name: string;
  /** --initial-cluster, `name=peerURL`. */
  initialCluster: string;
  /** --initial-advertise-peer-urls. */
  peerURLs: readonly string[];
  initialClusterToken?: string;
}

/** The arguments of `<tool> snapshot restore` (the same for etcdutl and etcdctl). */
export function snapshotRestoreArgs(r: SnapshotRestoreRequest): string[] {
  return [
    'snapshot',
    'restore',
    r.snapshot,
    `--name=${r.name}`,
    `--initial-cluster=${r.initialCluster}`,
    `--initial-advertise-peer-urls=${r.peerURLs.join(',')}`,
    ...(r.initialClusterToken ? [`--initial-cluster-token=${r.initialClusterToken}`] : []),
    `--data-dir=${r.dataDir}`,
  ];
}

/** etcdctl 3.4 speaks the v2 API unless told otherwise in older builds; say v3 explicitly. */
export const ETCDCTL_ENV: Readonly<Record<string, string>> = { ETCDCTL_API: '3' };
