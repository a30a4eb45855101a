// The etcd test helper: a test process that crashes with etcd running leaves no etcd behind.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { etcdMissing } from './etcd.js';
import { alive } from './processes.js';
import { tempDir } from './temp.js';

const helper = fileURLToPath(new URL('./etcd.ts', import.meta.url));

test(
  'etcd started by a test process that then crashes is killed when it exits',
  { skip: etcdMissing },
  (t) => {
    const dir = tempDir(t, 'kbadm-etcd-crash-');
    // The "test": start etcd, wait until it serves, print its pid, then crash without stopping it.
    const script = `
    import { freePort, startEtcd } from ${JSON.stringify(helper)};
    import { setTimeout as sleep } from 'node:timers/promises';
    const [client, peer] = [await freePort(), await freePort()];
    const etcd = startEtcd([
      '--name=crash',
      '--data-dir=${dir}/data',
      '--listen-client-urls=http://127.0.0.1:' + client,
      '--advertise-client-urls=http://127.0.0.1:' + client,
      '--listen-peer-urls=http://127.0.0.1:' + peer,
      '--initial-advertise-peer-urls=http://127.0.0.1:' + peer,
      '--initial-cluster=crash=http://127.0.0.1:' + peer,
    ]);
    while (!/ready to serve client requests/.test(etcd.logs())) {
      if (etcd.child.exitCode !== null) throw new Error('etcd exited:\\n' + etcd.logs());
      await sleep(50);
    }
    console.log(etcd.child.pid);
    throw new Error('the test crashed');
  `;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    const pid = Number(r.stdout.trim());
    assert.ok(Number.isInteger(pid) && pid > 0, `the child printed etcd's pid:\n${r.stdout}\n${r.stderr}`);
    t.after(() => {
      if (alive(pid)) process.kill(pid, 'SIGKILL'); // only when the assertion below failed
    });
    assert.match(r.stderr, /the test crashed/);
    assert.equal(alive(pid), false, 'etcd outlived the test process that started it');
  },
);
