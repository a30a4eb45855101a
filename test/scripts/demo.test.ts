// `npm run demo` (scripts/demo.mjs over the built CLI): it succeeds, keeps the node it made under
// TMPDIR with its configuration and PKI, says where that is and how to remove it, and its words
// match the lines it shows.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../support/temp.js';

const DEMO = fileURLToPath(new URL('../../scripts/demo.mjs', import.meta.url));
const CLI = fileURLToPath(new URL('../../dist/bundle/kbadm.js', import.meta.url));

function runDemo(tmp: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [DEMO], {
    env: { ...process.env, TMPDIR: tmp },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('the demo keeps its node under TMPDIR, names it and how to remove it', async (t) => {
  assert.ok(existsSync(CLI), `${CLI} is missing: run npm run build first`);
  const tmp = tempDir(t, 'kbadm-demo-test-');
  const r = await runDemo(tmp);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);

  const root = /^The node's files are kept in (\S+) to look at\.$/m.exec(r.stdout)?.[1];
  assert.ok(root, 'the demo prints the root it kept');
  t.after(() => rmSync(root, { recursive: true, force: true }));
  assert.equal(dirname(root), tmp, 'the root is made under TMPDIR');
  assert.ok(existsSync(join(root, 'kbadm-config.yaml')), 'its configuration is kept');
  assert.ok(existsSync(join(root, 'etc/kubernetes/pki/ca.crt')), 'the node it made is kept');
  assert.match(r.stdout, new RegExp(`^The configuration used is ${root}/kbadm-config\\.yaml `, 'm'));
  assert.match(r.stdout, new RegExp(`^Remove it all with: rm -rf ${root}$`, 'm'));

  // Preflight announces an image pull; the demo's words must not claim otherwise, and say why none happens.
  assert.match(r.stdout, /^\[preflight\] Pulling images required for setting up a Kubernetes cluster$/m);
  assert.doesNotMatch(r.stdout, /nothing is pulled/);
  assert.match(r.stdout, /Preflight still says "Pulling images\.\.\."/);
  assert.match(r.stderr, /\[WARNING ImagePull\]: no image was pulled/);
});
