import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createTestHost } from '../../src/host/test-host.js';
import { readPatchDir } from '../../src/patches/patch-files.js';

describe('reading a patches directory through the host', () => {
  test('top-level files in name order; sub-directories are not read', async () => {
    const host = createTestHost()
      .seedFile('/p/kube-apiserver1.yaml', 'b: 1\n')
      .seedFile('/p/kube-apiserver0.yaml', 'a: 1\n')
      .seedFile('/p/sub/etcd.yaml', 'c: 1\n');
    const r = await readPatchDir(host, '/p');
    assert.deepEqual(
      r.sets.map((s) => s.file),
      ['kube-apiserver0.yaml', 'kube-apiserver1.yaml'],
    );
    assert.equal(r.messages[0], 'Reading patches from path "/p"');
  });
  test('a missing directory or a file is an error', async () => {
    const host = createTestHost().seedFile('/f', 'x');
    await assert.rejects(readPatchDir(host, '/nope'), /could not list patch files for path "\/nope"/);
    await assert.rejects(readPatchDir(host, '/f'), /not a directory/);
  });
  test('a bad patch type or invalid YAML names the directory and the file', async () => {
    const badType = createTestHost().seedFile('/p/etcd+strategy.yaml', 'a: 1\n');
    await assert.rejects(
      readPatchDir(badType, '/p'),
      /^KbadmError: could not list patch files for path "\/p": unknown or missing patch type after '\+', must be one of \[json merge strategic\] \(file "etcd\+strategy\.yaml"\)$/,
    );
    const badYaml = createTestHost().seedFile('/p/etcd.yaml', 'a: [1\n');
    await assert.rejects(
      readPatchDir(badYaml, '/p'),
      /path "\/p": could not convert patch file "etcd\.yaml"/,
    );
  });
});
