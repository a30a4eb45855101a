// The run's data starts the certs phase's keys before the node lock, but only for runs that
// include that phase, and only for files that are not there.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeyPool } from '../../../src/certs/pki-files.js';
import { createTestHost, type TestHost } from '../../../src/host/test-host.js';
import { recordOutput } from '../../../src/output/output.js';
import { initFlags } from '../../../src/commands/init.js';
import { newInitData } from '../../../src/phases/init/data.js';
import { flagValuesOf, SKIP_PHASES_FLAG } from '../../../src/workflow/index.js';

const SPECS = [...initFlags, SKIP_PHASES_FLAG];

// ECDSA keeps the keys these runs start (and never take) quick to make.
const CONFIG =
  'apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\n' +
  'localAPIEndpoint:\n  advertiseAddress: 10.0.0.5\nnodeRegistration:\n  name: cp-1\n---\n' +
  'apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\nkubernetesVersion: v1.34.0\nencryptionAlgorithm: ECDSA-P256\n';
const FLAGS = { config: '/cfg.yaml' };

async function dataFor(phase: string | undefined, flags: Record<string, unknown> = {}, host?: TestHost) {
  const h = (host ?? createTestHost()).seedFile('/cfg.yaml', CONFIG);
  const requested: string[] = [];
  const deps = {
    env: {},
    output: () => recordOutput(),
    host: async (o: { writes?: boolean; dryRun?: boolean }) => {
      requested.push(o.writes ? 'locked' : o.dryRun ? 'dry-run' : 'read');
      return h;
    },
    cluster: async () => {
      throw new Error('no cluster in this test');
    },
    healthProbes: async () => {
      throw new Error('no probes in this test');
    },
  };
  const invocation = {
    flags: flagValuesOf(SPECS, { ...FLAGS, ...flags }),
    args: [],
    ...(phase ? { phase } : {}),
  };
  const d = await newInitData(deps, invocation, SPECS);
  return { d, requested };
}

function pooled(pool: KeyPool | undefined): string[] {
  return pool?.names ?? [];
}

test('a whole init and `phase certs` start every missing key with the data; other phases start none', async () => {
  for (const phase of [undefined, 'certs', 'CERTS']) {
    const { d, requested } = await dataFor(phase);
    assert.ok(d.cache.keys instanceof KeyPool, String(phase));
    assert.equal(pooled(d.cache.keys).length, 11, String(phase));
    assert.deepEqual(requested, ['read', 'locked']);
  }
  for (const phase of ['kubeconfig', 'certs/ca', 'preflight']) {
    const { d } = await dataFor(phase);
    assert.equal(d.cache.keys, undefined, phase);
  }
});

test('skipped certificates and files already there get no key', async () => {
  assert.equal((await dataFor(undefined, { 'skip-phases': ['certs'] })).d.cache.keys, undefined);
  assert.equal((await dataFor(undefined, { 'skip-phases': ['certs/all'] })).d.cache.keys, undefined);
  const host = createTestHost();
  host.seedFile('/etc/kubernetes/pki/ca.crt', 'x').seedFile('/etc/kubernetes/pki/ca.key', 'x');
  const { d } = await dataFor(undefined, { 'skip-phases': ['certs/sa', 'certs/apiserver'] }, host);
  const names = pooled(d.cache.keys);
  assert.equal(names.length, 8);
  for (const gone of ['ca', 'sa', 'apiserver']) assert.ok(!names.includes(gone), gone);
});
