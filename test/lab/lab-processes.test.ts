// What `down` counts as the lab's: a process naming the lab directory on its command line is
// found; one naming a sibling directory that merely starts with the same characters is not.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { alive, cmdlineMentions, killAll, processesUnder } from './lab-processes.js';

test('a command line mentions the directory itself or a path below it, not a longer sibling', () => {
  const dir = '/tmp/kbadm-lab';
  assert.ok(cmdlineMentions('sh\0/tmp/kbadm-lab\0', dir));
  assert.ok(cmdlineMentions('containerd\0--config\0/tmp/kbadm-lab/nodes/node-1/config.toml\0', dir));
  assert.ok(cmdlineMentions('x\0--root=/tmp/kbadm-lab', dir));
  assert.ok(!cmdlineMentions('x\0--root=/tmp/kbadm-lab-test-abc/nodes\0', dir));
  assert.ok(!cmdlineMentions('x\0/tmp/kbadm-lab2\0/tmp/kbadm-lab.old\0', dir));
  assert.ok(cmdlineMentions('x\0/tmp/kbadm-lab-test-abc\0/tmp/kbadm-lab/y\0', dir));
});

test('processes naming the lab directory are found and stopped; a sibling directory is left alone', async () => {
  const base = await fs.mkdtemp(path.join(os.tmpdir(), 'kbadm-lab-procs-'));
  const dir = path.join(base, 'lab');
  const hold = (arg: string) =>
    spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', arg], { stdio: 'ignore' });
  const mine = hold(path.join(dir, 'nodes/node-1'));
  const sibling = hold(`${dir}-other/nodes/node-1`);
  try {
    await new Promise((r) => setTimeout(r, 300));
    const found = processesUnder(dir);
    assert.ok(found.includes(mine.pid!), 'the process naming the lab directory is found');
    assert.ok(!found.includes(sibling.pid!), 'the sibling directory is not the lab');
    assert.ok(!found.includes(process.pid), 'the caller is never included');
    const exited = new Promise((r) => mine.once('exit', r));
    await killAll(found);
    await exited;
    assert.equal(alive(sibling.pid!), true);
  } finally {
    mine.kill('SIGKILL');
    sibling.kill('SIGKILL');
    await fs.rm(base, { recursive: true, force: true });
  }
});
