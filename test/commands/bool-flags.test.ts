import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { boolFlagsOf, normalizeBoolFlags } from '../../src/commands/bool-flags.js';
import { ValidationError } from '../../src/errors.js';
import { addFlags } from '../../src/workflow/index.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/temp.js';

const flags = new Map([
  ['dry-run', false],
  ['allow-missing-template-keys', true],
]);

test('--flag=true|false becomes the switch, its --no- form, or nothing', () => {
  assert.deepEqual(normalizeBoolFlags(['init', '--dry-run=true'], flags), ['init', '--dry-run']);
  assert.deepEqual(normalizeBoolFlags(['init', '--dry-run=false', 'x'], flags), ['init', 'x']);
  assert.deepEqual(normalizeBoolFlags(['--allow-missing-template-keys=false'], flags), [
    '--no-allow-missing-template-keys',
  ]);
  for (const v of ['1', 't', 'T', 'TRUE', 'True']) {
    assert.deepEqual(normalizeBoolFlags([`--dry-run=${v}`], flags), ['--dry-run'], v);
  }
});

test('other flags, values after --, and plain switches are left alone', () => {
  const argv = ['--config=/a.yaml', '--dry-run', '--', '--dry-run=true'];
  assert.deepEqual(normalizeBoolFlags(argv, flags), argv);
});

test('a value that is not a boolean names the flag', () => {
  assert.throws(
    () => normalizeBoolFlags(['--dry-run=yes'], flags),
    (e: unknown) => e instanceof ValidationError && /^--dry-run: "yes": invalid argument/.test(e.message),
  );
});

test('boolean flags are found across the command tree, with their --no- forms', () => {
  const root = new Command('x');
  const sub = root.command('certs');
  addFlags(sub, [
    { name: 'allow-missing-template-keys', type: 'boolean', default: true, description: '' },
    { name: 'dry-run', type: 'boolean', description: '' },
    { name: 'config', type: 'string', description: '' },
  ]);
  assert.deepEqual([...boolFlagsOf(root)].sort(), [
    ['allow-missing-template-keys', true],
    ['dry-run', false],
  ]);
});

test('kbadm accepts kubeadm-style boolean values end to end', async (t) => {
  const root = tempDir(t, 'kbadm-bool-');
  const dry = await runCli(['--rootfs', root, 'init', 'phase', 'certs', 'ca', '--dry-run=true']);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /\[dryrun\] Would write file "\/etc\/kubernetes\/pki\/ca.crt"/);
  assert.equal(existsSync(join(root, 'etc/kubernetes/pki/ca.crt')), false);
  const real = await runCli(['--rootfs', root, 'init', 'phase', 'certs', 'ca', '--dry-run=false']);
  assert.equal(real.code, 0, real.stderr);
  assert.equal(existsSync(join(root, 'etc/kubernetes/pki/ca.crt')), true);
  const bad = await runCli(['--rootfs', root, 'init', 'phase', 'certs', 'ca', '--dry-run=maybe']);
  assert.equal(bad.code, 3);
  assert.match(bad.stderr, /^--dry-run: "maybe": invalid argument: must be true or false\n/);
});
