import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createContext } from '../../src/commands/context.js';
import { tempDir } from '../support/temp.js';

function context(rootfs: string, env: Record<string, string> = {}) {
  const out: string[] = [];
  const ctx = createContext({
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: () => undefined },
    env,
    globals: () => ({ rootfs, verbosity: 0 }),
  });
  return { ctx, out };
}

test('the host writes under --rootfs', async (t) => {
  const root = tempDir(t, 'kbadm-ctx-');
  const { ctx } = context(root);
  const host = await ctx.host();
  assert.equal(host.dryRun, false);
  await host.writeFile(join(host.paths.kubernetesDir, 'x.conf'), 'data', 0o600);
  assert.equal(readFileSync(join(root, 'etc/kubernetes/x.conf'), 'utf8'), 'data');
});

test('a dry-run host prints changes and makes none', async (t) => {
  const root = tempDir(t, 'kbadm-ctx-');
  const { ctx, out } = context(root);
  const host = await ctx.host({ dryRun: true });
  assert.equal(host.dryRun, true);
  await host.writeFile(join(host.paths.kubernetesDir, 'x.conf'), 'data', 0o600);
  assert.equal(existsSync(join(root, 'etc/kubernetes/x.conf')), false);
  assert.match(out.join(''), /\[dryrun\] Would write file .*x\.conf/);
});

test('commands are looked up on the PATH the process was given', async () => {
  const { ctx } = context('/', { PATH: '/nonexistent-dir' });
  const host = await ctx.host();
  assert.equal(await host.which('sh'), undefined);
  const { ctx: withPath } = context('/', { PATH: '/usr/bin:/bin' });
  assert.ok(await (await withPath.host()).which('sh'));
});

test('--rootfs must be an existing directory given as an absolute path (exit 3)', async () => {
  const { ValidationError } = await import('../../src/errors.js');
  await assert.rejects(context('/nonexistent/kbadm-root').ctx.host(), (e: unknown) => {
    return (
      e instanceof ValidationError && e.message === '--rootfs: "/nonexistent/kbadm-root": no such directory'
    );
  });
  await assert.rejects(context('relative/root').ctx.host(), (e: unknown) => {
    return (
      e instanceof ValidationError && e.message === '--rootfs: "relative/root": must be an absolute path'
    );
  });
});
