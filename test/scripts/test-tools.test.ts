import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { ensureTestTools, missingTools, TEST_TOOLS, which } from '../../scripts/test-tools.mjs';

const script = new URL('../../scripts/test-tools.mjs', import.meta.url).pathname;

test('every tool the tests run is installed (npm test saw to it before the tests started)', () => {
  assert.deepEqual(missingTools(), []);
  for (const t of TEST_TOOLS) assert.ok(which(t.command)?.startsWith('/'), t.command);
});

test('the table maps commands to Debian packages; kubectl only as the missing-kubectl fallback', () => {
  const byCommand = Object.fromEntries(TEST_TOOLS.map((t) => [t.command, t.package]));
  assert.equal(byCommand['etcd'], 'etcd-server');
  assert.equal(byCommand['etcdctl'], 'etcd-client');
  assert.equal(byCommand['kubectl'], 'kubernetes-client');
  assert.equal(new Set(TEST_TOOLS.map((t) => t.command)).size, TEST_TOOLS.length, 'one row per command');
});

test('without root, a missing tool stops the run with the packages to install, and nothing is installed', () => {
  const logged: string[] = [];
  const error = ensureTestTools({
    tools: [
      { command: 'openssl', package: 'openssl' },
      { command: 'kbadm-no-such-tool', package: 'kbadm-no-such-package' },
      { command: 'kbadm-no-such-tool-2', package: 'kbadm-no-such-package' },
    ],
    isRoot: false,
    log: (m) => logged.push(m),
  });
  assert.equal(
    error,
    'the tests need kbadm-no-such-tool, kbadm-no-such-tool-2, which are missing; install them with: sudo apt-get install kbadm-no-such-package',
  );
  assert.deepEqual(logged, [], 'no install was attempted');
});

test('run as a script with everything present it says nothing and exits 0', () => {
  const r = spawnSync(process.execPath, [script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout + r.stderr, '');
});
