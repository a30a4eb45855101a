// admin.conf's user is in the kubeadm:cluster-admins group, which has rights only through a
// ClusterRoleBinding that init itself creates. On a fresh cluster admin.conf cannot create it (it
// has no rights yet), so super-admin.conf (system:masters) does; on later runs it already exists.
import { KbadmError, errorMessage } from '../errors.js';
import type { Logger } from '../output/logger.js';
import { clusterAdminsBinding } from '../manifests/rbac.js';
import { isAlreadyExists, isForbidden, type ClusterClient } from './types.js';

export const CLUSTER_ADMINS = 'kubeadm:cluster-admins';

export interface EnsureOptions {
  /** The super-admin.conf client, or undefined when that file does not exist. */
  superAdmin: () => Promise<ClusterClient | undefined>;
  timeoutMs: number;
  intervalMs?: number;
  log: Pick<Logger, 'debug'>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Creates the binding with `admin`, or with super-admin.conf when admin.conf is not allowed to. */
export async function ensureClusterAdmins(admin: ClusterClient, o: EnsureOptions): Promise<void> {
  const deadline = Date.now() + o.timeoutMs;
  const interval = o.intervalMs ?? 500;
  o.log.debug(`ensuring that the ClusterRoleBinding for the ${CLUSTER_ADMINS} Group exists`);
  let last: unknown;
  for (;;) {
    try {
      await admin.create(clusterAdminsBinding());
      return;
    } catch (err) {
      if (isAlreadyExists(err)) return;
      if (isForbidden(err)) break;
      last = err;
    }
    if (Date.now() + interval > deadline) throw bootstrapError(errorMessage(last));
    await sleep(interval);
  }
  const superAdmin = await o.superAdmin();
  if (!superAdmin)
    throw bootstrapError(
      `the ClusterRoleBinding for the ${CLUSTER_ADMINS} Group is missing but there is no super-admin.conf to create it`,
    );
  o.log.debug(`creating the ClusterRoleBinding for the ${CLUSTER_ADMINS} Group by using super-admin.conf`);
  try {
    for (;;) {
      try {
        await superAdmin.create(clusterAdminsBinding());
        return;
      } catch (err) {
        if (isAlreadyExists(err)) return;
        last = err;
      }
      if (Date.now() + interval > deadline)
        throw bootstrapError(
          `unable to create the ${CLUSTER_ADMINS} ClusterRoleBinding by using super-admin.conf: ${errorMessage(last)}`,
        );
      await sleep(interval);
    }
  } finally {
    superAdmin.close();
  }
}

function bootstrapError(detail: string): KbadmError {
  return new KbadmError(`could not bootstrap the admin user in file admin.conf: ${detail}`);
}
