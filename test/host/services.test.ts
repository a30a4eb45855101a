import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  detectInitSystem,
  managesServices,
  restartService,
  serviceExists,
  serviceIsActive,
  stopService,
} from '../../src/host/services.js';
import { createTestHost } from '../../src/host/test-host.js';

const commandLines = (host: ReturnType<typeof createTestHost>) =>
  host.runs.map((r) => [r.command, ...r.args].join(' '));

describe('host services', () => {
  test('the init system is systemd when systemctl is on the PATH, else OpenRC, else none', async () => {
    assert.equal(await detectInitSystem(createTestHost()), undefined);
    assert.equal(await detectInitSystem(createTestHost().onRun('openrc', {})), 'openrc');
    const both = createTestHost().onRun('openrc', {}).onRun('systemctl', {});
    assert.equal(await detectInitSystem(both), 'systemd');
  });

  test('only the machine kbadm runs on is managed, never the system under another --rootfs', async () => {
    assert.equal(managesServices(createTestHost()), true);
    const other = createTestHost({ rootfs: '/some/root' }).onRun('systemctl', { stdout: 'active\n' });
    assert.equal(managesServices(other), false);
    assert.equal(await serviceIsActive(other, 'systemd-resolved'), false);
    assert.deepEqual(other.runs, [], 'no query reaches this machine');
  });

  test('systemd: active and activating count as running, and the query is read-only', async () => {
    for (const [stdout, exitCode, active] of [
      ['active\n', 0, true],
      ['activating\n', 3, true],
      ['inactive\n', 3, false],
      ['failed\n', 3, false],
    ] as const) {
      const host = createTestHost().onRun('systemctl', { stdout, exitCode });
      assert.equal(await serviceIsActive(host, 'systemd-resolved'), active, stdout);
      assert.deepEqual(commandLines(host), ['systemctl is-active systemd-resolved']);
      assert.equal(host.runs[0]!.options.readOnly, true);
    }
  });

  test('OpenRC: a stopped or unknown service is not active; unknown services do not exist', async () => {
    const script = (stdout: string, stderr = '') =>
      createTestHost()
        .onRun('openrc', {})
        .onRun('rc-service', { stdout, stderr, exitCode: stdout.includes('started') ? 0 : 3 });
    assert.equal(await serviceIsActive(script(' * status: started\n'), 'kubelet'), true);
    assert.equal(await serviceIsActive(script(' * status: stopped\n'), 'kubelet'), false);
    const missing = script('', " * rc-service: service `kubelet' does not exist\n");
    assert.equal(await serviceIsActive(missing, 'kubelet'), false);
    assert.equal(await serviceExists(missing, 'openrc', 'kubelet'), false);
    assert.equal(await serviceExists(script(' * status: stopped\n'), 'openrc', 'kubelet'), true);
  });

  test('systemd: a unit that is not loaded does not exist', async () => {
    const host = createTestHost().onRun('systemctl', {
      stdout: 'Unit kubelet.service could not be found.\n   Loaded: not-found\n',
      exitCode: 4,
    });
    assert.equal(await serviceExists(host, 'systemd', 'kubelet'), false);
  });

  test('restart reloads systemd first; stop and restart use rc-service under OpenRC', async () => {
    const systemd = createTestHost().onRun('systemctl', {});
    await stopService(systemd, 'systemd', 'kubelet');
    await restartService(systemd, 'systemd', 'kubelet');
    assert.deepEqual(commandLines(systemd), [
      'systemctl stop kubelet',
      'systemctl daemon-reload',
      'systemctl restart kubelet',
    ]);
    const openrc = createTestHost().onRun('rc-service', {});
    await stopService(openrc, 'openrc', 'kubelet');
    await restartService(openrc, 'openrc', 'kubelet');
    assert.deepEqual(commandLines(openrc), ['rc-service kubelet stop', 'rc-service kubelet restart']);
  });

  test('a failing restart throws, so the caller decides whether it only warns', async () => {
    const host = createTestHost().onRun('systemctl', (args) =>
      args[0] === 'restart' ? { exitCode: 1, stderr: 'Job for kubelet.service failed' } : {},
    );
    await assert.rejects(restartService(host, 'systemd', 'kubelet'), /kubelet/);
  });
});
