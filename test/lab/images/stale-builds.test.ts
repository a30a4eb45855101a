// A build directory left by a lab that died is removed; one whose builder still runs is kept, and
// so are finished images.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { removeStaleBuilds } from './stale-builds.js';

test('removes the build directories of dead builders only', async () => {
  const cache = await fs.mkdtemp(path.join(os.tmpdir(), 'kbadm-lab-cache-'));
  try {
    const names = ['0123abcd', '0123abcd.building-111-aaaaaa', '0123abcd.building-222-bbbbbb', 'other'];
    for (const n of names) await fs.mkdir(path.join(cache, n, 'sub'), { recursive: true });
    const removed = await removeStaleBuilds(cache, (pid) => pid === 222);
    assert.deepEqual(removed, ['0123abcd.building-111-aaaaaa']);
    assert.deepEqual((await fs.readdir(cache)).sort(), ['0123abcd', '0123abcd.building-222-bbbbbb', 'other']);
  } finally {
    await fs.rm(cache, { recursive: true, force: true });
  }
  assert.deepEqual(await removeStaleBuilds(cache, () => false), []);
  assert.equal(existsSync(cache), false);
});
