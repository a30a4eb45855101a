// kubelet-start's service control through the real host: on `/` it really runs systemctl (here a
// stand-in on the PATH that records its arguments, so the test never touches this machine's
// services): stop before the files are written, then daemon-reload and restart.
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createPaths } from '../../../src/host/paths.js';
import { createRealHost } from '../../../src/host/real-host.js';
import { tryStartKubelet, tryStopKubelet } from '../../../src/phases/kubelet-service.js';
import { recordOutput } from '../../../src/output/output.js';

let bin: string;
let log: string;

/** A systemctl that logs each call and knows a kubelet unit; `restart` fails when asked to. */
async function standInSystemctl(options: { restartFails?: boolean } = {}): Promise<void> {
  const fail = options.restartFails
    ? 'if [ "$1" = restart ]; then echo "Job for kubelet.service failed" >&2; exit 1; fi\n'
    : '';
  await fs.writeFile(
    path.join(bin, 'systemctl'),
    `#!/bin/sh\necho "$*" >> "${log}"\n${fail}` +
      'if [ "$1" = status ]; then echo "kubelet.service - kubelet"; echo "   Loaded: loaded"; exit 3; fi\nexit 0\n',
    { mode: 0o755 },
  );
}

const calls = async () => (await fs.readFile(log, 'utf8').catch(() => '')).trim().split('\n').filter(Boolean);

before(async () => {
  bin = await fs.mkdtemp(path.join(os.tmpdir(), 'kbadm-systemctl-'));
  log = path.join(bin, 'calls.log');
});
after(() => fs.rm(bin, { recursive: true, force: true }));

describe('kubelet-start on / with systemd', () => {
  test('stops the kubelet, then reloads systemd and restarts it, by running systemctl', async () => {
    await standInSystemctl();
    await fs.rm(log, { force: true });
    const out = recordOutput();
    const host = createRealHost(createPaths('/'), out, { searchPath: bin });
    await tryStopKubelet(host, out);
    await tryStartKubelet(host, out);
    assert.deepEqual(await calls(), [
      'status kubelet',
      'stop kubelet',
      'status kubelet',
      'daemon-reload',
      'restart kubelet',
    ]);
    assert.equal(out.text(), '[kubelet-start] Starting the kubelet\n');
    assert.equal(out.stderr.join(''), '');
  });

  test('a failing restart is a warning and a hint, not a failure', async () => {
    await standInSystemctl({ restartFails: true });
    await fs.rm(log, { force: true });
    const out = recordOutput();
    const host = createRealHost(createPaths('/'), out, { searchPath: bin });
    await tryStartKubelet(host, out);
    assert.deepEqual((await calls()).slice(-1), ['restart kubelet']);
    assert.match(
      out.stderr.join(''),
      /unable to start the kubelet service: \[command "systemctl restart kubelet" failed with exit code 1: Job for kubelet\.service failed\]/,
    );
    assert.match(out.text(), /Please ensure kubelet is reloaded and running manually\./);
  });

  test('under another --rootfs systemctl is never run', async () => {
    await standInSystemctl();
    await fs.rm(log, { force: true });
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'kbadm-root-'));
    try {
      const out = recordOutput();
      const host = createRealHost(createPaths(root), out, { searchPath: bin });
      await tryStopKubelet(host, out);
      await tryStartKubelet(host, out);
      assert.deepEqual(await calls(), []);
      assert.match(out.text(), /Not managing the kubelet service: --rootfs is/);
    } finally {
      await fs.rm(root, { recursive: true, force: true });
    }
  });
});
