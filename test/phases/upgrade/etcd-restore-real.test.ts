// The etcd restore of `upgrade rollback --etcd-snapshot` against a real etcd (the machine's 3.4,
// started from a kbadm-written etcd.yaml and PKI) and the real etcdctl, through the real Host: a
// key written before the snapshot is there afterwards, one written after it is gone. A small loop
// plays the kubelet: etcd runs exactly while etcd.yaml is in the manifests directory.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { gatewayTransport } from '../../../src/etcd/gateway.js';
import type { EtcdClientTLS } from '../../../src/etcd/https.js';
import { etcdSnapshot } from '../../../src/etcd/snapshot.js';
import { createPaths } from '../../../src/host/paths.js';
import { createRealHost } from '../../../src/host/real-host.js';
import { recordOutput } from '../../../src/output/output.js';
import { rollback } from '../../../src/phases/upgrade/rollback.js';
import { encodeUpgradeRecord } from '../../../src/upgrade/backup-record.js';
import {
  etcdArgsUnderRoot,
  prepareOneMemberEtcd,
  startEtcd,
  stopEtcd,
  waitHealthy,
  type EtcdProcess,
} from '../../support/etcd.js';
import { requireTool } from '../../support/tools.js';

const TS = '2026-01-02-03-04-05';
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('upgrade rollback --etcd-snapshot on a real etcd', () => {
  let root: string;
  let client: string;
  let tls: EtcdClientTLS;
  let etcd: EtcdProcess | undefined;
  let kubelet: { stop(): Promise<void>; logs(): string } | undefined;
  const at = (p: string) => path.join(root, p);

  /** Starts etcd while its manifest is in place and stops it when the manifest goes. */
  function playKubelet() {
    let stopped = false;
    const lines: string[] = [];
    const loop = (async () => {
      while (!stopped) {
        const manifest = at('etc/kubernetes/manifests/etcd.yaml');
        const running = etcd !== undefined && etcd.child.exitCode === null && etcd.child.signalCode === null;
        if (existsSync(manifest) && !running) {
          lines.push('starting etcd');
          etcd = startEtcd(etcdArgsUnderRoot(await fs.readFile(manifest, 'utf8'), root));
        } else if (!existsSync(manifest) && running) {
          lines.push('stopping etcd');
          await stopEtcd(etcd);
        }
        await sleep(100);
      }
    })();
    return {
      async stop() {
        stopped = true;
        await loop;
      },
      logs: () => `${lines.join('\n')}\n${etcd?.logs() ?? ''}`,
    };
  }

  const put = (key: string, value: string) =>
    gatewayTransport(tls)(client, '/v3/kv/put', { key: b64(key), value: b64(value) }, 5000);
  const get = async (key: string): Promise<string | undefined> => {
    const r = (await gatewayTransport(tls)(client, '/v3/kv/range', { key: b64(key) }, 5000)) as {
      kvs?: { value: string }[];
    };
    const v = r.kvs?.[0]?.value;
    return v === undefined ? undefined : Buffer.from(v, 'base64').toString();
  };

  before(async () => {
    requireTool('etcd');
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'kbadm-etcd-restore-'));
    ({ client, tls } = await prepareOneMemberEtcd(root, 'v1.33.4'));
    kubelet = playKubelet();
    const h = await waitHealthy(client, tls);
    assert.equal(h.healthy, true, `${JSON.stringify(h)}\n${kubelet.logs()}`);
  });

  after(async () => {
    await kubelet?.stop();
    await stopEtcd(etcd);
    if (root) await fs.rm(root, { recursive: true, force: true });
  });

  test('the snapshot comes back: keys from before it are there, a key written after it is gone', async () => {
    requireTool('etcdctl');
    await put('/kbadm/before', 'kept');
    // What `upgrade apply` leaves: the snapshot, the manifest it replaced, its record.
    const etcdBackup = `/etc/kubernetes/tmp/kubeadm-backup-etcd-${TS}`;
    const manifestsBackup = `/etc/kubernetes/tmp/kubeadm-backup-manifests-${TS}`;
    await fs.mkdir(at(etcdBackup), { recursive: true });
    await fs.writeFile(at(`${etcdBackup}/snapshot.db`), await etcdSnapshot(client, tls));
    await fs.mkdir(at(manifestsBackup), { recursive: true });
    await fs.copyFile(at('etc/kubernetes/manifests/etcd.yaml'), at(`${manifestsBackup}/etcd.yaml`));
    await fs.writeFile(
      at(`${manifestsBackup}/kbadm-upgrade.json`),
      encodeUpgradeRecord({
        fromVersion: 'v1.33.4',
        toVersion: 'v1.34.0',
        startedAt: new Date().toISOString(),
        completed: true,
        components: ['etcd'],
        etcd: { snapshot: `${etcdBackup}/snapshot.db` },
      }),
    );
    await put('/kbadm/after', 'lost');
    await put('/kbadm/before', 'changed after the snapshot');
    const dataBefore = await fs.readdir(at('var/lib/etcd/member'));

    const out = recordOutput();
    const host = createRealHost(createPaths(root), out, { searchPath: process.env.PATH ?? '/usr/bin:/bin' });
    const r = await rollback({
      host,
      paths: host.paths,
      out,
      dryRun: false,
      etcd: 'snapshot',
      etcdRestore: { timeoutMs: 60_000 },
    });
    assert.equal(r.etcd, 'restored', `${out.text()}\n${kubelet!.logs()}`);
    assert.match(
      out.text(),
      /Restoring the etcd snapshot ".*snapshot\.db" into "\/var\/lib\/etcd\.kbadm-restore"/,
    );

    // etcd runs again, on the restored data.
    assert.equal((await waitHealthy(client, tls)).healthy, true, kubelet!.logs());
    assert.equal(await get('/kbadm/before'), 'kept');
    assert.equal(await get('/kbadm/after'), undefined);
    // The replaced data is kept, nothing is left beside the data directory.
    const kept = at(`etc/kubernetes/tmp/kbadm-rollback-etcd-${TS}/etcd/member`);
    assert.deepEqual(await fs.readdir(kept), dataBefore);
    assert.equal(existsSync(at('var/lib/etcd.kbadm-restore')), false);
    assert.equal(existsSync(at('var/lib/etcd.kbadm-replaced')), false);
    assert.equal((await fs.stat(at('var/lib/etcd'))).mode & 0o777, 0o700);
  });
});
