// init's admin bootstrap: admin.conf's group gets cluster-admin through a binding that admin.conf
// itself cannot create on a fresh cluster, so super-admin.conf creates it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CLUSTER_ADMINS, ensureClusterAdmins } from '../../src/cluster/cluster-admins.js';
import { MemoryCluster } from '../../src/cluster/memory.js';
import { ClusterApiError, type KubeObject } from '../../src/cluster/types.js';

/** A client whose creates are refused with 403, as admin.conf is before the binding exists. */
class Forbidden extends MemoryCluster {
  override async create<T extends KubeObject>(object: T): Promise<T> {
    await super.get({ ...object, ...object.metadata });
    throw new ClusterApiError('forbidden', 403, 'Forbidden', 'POST /x');
  }
}

const log = { debug: () => {} };
const binding = {
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRoleBinding',
  name: CLUSTER_ADMINS,
};

describe('ensureClusterAdmins', () => {
  test('admin.conf creates the binding when it may', async () => {
    const admin = new MemoryCluster();
    await ensureClusterAdmins(admin, {
      superAdmin: async () => assert.fail('not needed'),
      timeoutMs: 1000,
      log,
    });
    const crb = await admin.get(binding);
    assert.deepEqual(crb?.roleRef, {
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: 'cluster-admin',
    });
  });

  test('an existing binding is enough (a re-run)', async () => {
    const admin = new MemoryCluster();
    await ensureClusterAdmins(admin, { superAdmin: async () => undefined, timeoutMs: 1000, log });
    await ensureClusterAdmins(admin, {
      superAdmin: async () => assert.fail('not needed'),
      timeoutMs: 1000,
      log,
    });
    assert.equal(admin.stored('ClusterRoleBinding').length, 1);
  });

  test('a forbidden admin.conf falls back to super-admin.conf', async () => {
    const superAdmin = new MemoryCluster();
    await ensureClusterAdmins(new Forbidden(), { superAdmin: async () => superAdmin, timeoutMs: 1000, log });
    assert.ok(await superAdmin.get(binding));
  });

  test('a forbidden admin.conf without super-admin.conf is a clear error', async () => {
    await assert.rejects(
      ensureClusterAdmins(new Forbidden(), { superAdmin: async () => undefined, timeoutMs: 1000, log }),
      /could not bootstrap the admin user in file admin.conf: the ClusterRoleBinding for the kubeadm:cluster-admins Group is missing but there is no super-admin.conf to create it/,
    );
  });

  test('an API server that keeps failing is retried until the timeout, then named', async () => {
    let calls = 0;
    class Broken extends MemoryCluster {
      override async create<T extends KubeObject>(): Promise<T> {
        calls++;
        throw new ClusterApiError('etcdserver: request timed out', 500, 'InternalError', 'POST /x');
      }
    }
    await assert.rejects(
      ensureClusterAdmins(new Broken(), {
        superAdmin: async () => undefined,
        timeoutMs: 50,
        intervalMs: 10,
        log,
      }),
      /could not bootstrap the admin user in file admin.conf: etcdserver: request timed out/,
    );
    assert.ok(calls > 1, `retried (${calls} calls)`);
  });
});
