// `kbadm upgrade rollback`: the static Pod manifests an upgrade replaced, put back from the newest
// backup apply kept in /etc/kubernetes/tmp (kubeadm-backup-manifests-<date>). The kubelet then runs
// the previous versions again. etcd's data is not touched: restoring it from the snapshot apply
// saved is an offline etcd operation (`etcdctl snapshot restore`), named in the output.
import * as path from 'node:path';
import { KbadmError } from '../../errors.js';
import type { Host } from '../../host/host.js';
import type { Paths } from '../../host/paths.js';
import type { Output } from '../../output/output.js';

const TAG = 'upgrade/rollback';
const BACKUP_PREFIX = 'kubeadm-backup-manifests-';
const ETCD_BACKUP_PREFIX = 'kubeadm-backup-etcd-';
const MANIFEST_MODE = 0o600;

/** The newest directory under `tmpDir` whose name starts with `prefix` (their names sort by date). */
async function newest(host: Host, tmpDir: string, prefix: string): Promise<string | undefined> {
  const names = (await host.listDir(tmpDir)).filter((n) => n.startsWith(prefix)).sort();
  const last = names.at(-1);
  return last === undefined ? undefined : path.join(tmpDir, last);
}

export interface RollbackResult {
  backup: string;
  restored: string[];
  unchanged: string[];
}

export async function rollbackManifests(d: {
  host: Host;
  paths: Paths;
  out: Output;
  dryRun: boolean;
}): Promise<RollbackResult> {
  const { host, paths, out } = d;
  const backup = await newest(host, paths.tmpDir, BACKUP_PREFIX);
  if (backup === undefined) {
    throw new KbadmError(
      `no manifest backup under ${paths.onHost(paths.tmpDir)} (${BACKUP_PREFIX}<date>): there is no upgrade to roll back`,
    );
  }
  out.progress(TAG, `Using the manifests backed up in "${paths.onHost(backup)}"`);
  const result: RollbackResult = { backup, restored: [], unchanged: [] };
  for (const name of (await host.listDir(backup)).filter((n) => n.endsWith('.yaml')).sort()) {
    const saved = await host.readFile(path.join(backup, name));
    const target = path.join(paths.manifestsDir, name);
    const current = await host.readFileIfExists(target);
    if (current !== undefined && current.equals(saved)) {
      out.progress(TAG, `"${name}" is already the backed-up version`);
      result.unchanged.push(name);
      continue;
    }
    out.progress(
      TAG,
      `${d.dryRun ? 'Would restore' : 'Restoring'} "${paths.onHost(target)}" from "${paths.onHost(path.join(backup, name))}"`,
    );
    await host.writeFile(target, saved, MANIFEST_MODE);
    result.restored.push(name);
  }
  const etcd = await newest(host, paths.tmpDir, ETCD_BACKUP_PREFIX);
  if (etcd !== undefined) {
    out.progress(
      TAG,
      `etcd's data is left as it is; the copy and snapshot taken before the upgrade are in "${paths.onHost(etcd)}" (restore a snapshot with "etcdctl snapshot restore" while etcd is stopped)`,
    );
  }
  return result;
}
