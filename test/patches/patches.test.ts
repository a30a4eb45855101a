import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { KbadmError } from '../../src/errors.js';
import { createTestHost } from '../../src/host/test-host.js';
import {
  applyPatches,
  parsePatchFileName,
  patchSetsFromFiles,
  readPatchDir,
} from '../../src/patches/patches.js';

describe('patch file names: target[suffix][+patchtype].{json,yaml}', () => {
  const cases: [string, string | undefined, string | undefined][] = [
    ['etcd.json', 'etcd', 'strategic'],
    ['kube-apiserver0+merge.yaml', 'kube-apiserver', 'merge'],
    ['kube-apiserver1.json', 'kube-apiserver', 'strategic'],
    ['kube-controller-manager+json.yaml', 'kube-controller-manager', 'json'],
    ['kube-scheduler-extra+strategic.json', 'kube-scheduler', 'strategic'],
    ['kubeletconfiguration+merge.yaml', 'kubeletconfiguration', 'merge'],
    ['corednsdeployment.yaml', 'corednsdeployment', 'strategic'],
    ['etcd.yml', undefined, undefined],
    ['notes.txt', undefined, undefined],
    ['kube-proxy.yaml', undefined, undefined],
    ['coredns.yaml', undefined, undefined],
  ];
  for (const [name, target, type] of cases) {
    test(name, () => {
      const r = parsePatchFileName(name);
      if (target === undefined) assert.equal(r.kind, 'ignored');
      else assert.deepEqual(r, { kind: 'patch', target, patchType: type });
    });
  }
  test('a "+" without a valid patch type is an error', () => {
    assert.throws(() => parsePatchFileName('etcd+bogus.yaml'), /unknown or missing patch type after '\+'/);
    assert.throws(() => parsePatchFileName('etcd+.json'), KbadmError);
  });
});

describe('patch sets', () => {
  test('documents split on ---, empty ones dropped, JSON and YAML alike; reading messages', () => {
    const r = patchSetsFromFiles([
      { name: 'etcd.yaml', data: 'a: 1\n---\n---\nb: 2\n' },
      { name: 'kube-apiserver+json.json', data: '[{"op":"add","path":"/x","value":1}]' },
      { name: 'empty+merge.yaml', data: '' },
      { name: 'kube-scheduler.yaml', data: '' },
      { name: 'README', data: 'x' },
    ]);
    assert.deepEqual(
      r.sets.map((s) => [s.file, s.target, s.patchType, s.patches]),
      [
        ['etcd.yaml', 'etcd', 'strategic', [{ a: 1 }, { b: 2 }]],
        ['kube-apiserver+json.json', 'kube-apiserver', 'json', [[{ op: 'add', path: '/x', value: 1 }]]],
      ],
    );
    assert.deepEqual(r.messages, [
      'Ignoring file "empty+merge.yaml": unknown target, must be one of [etcd kube-apiserver kube-controller-manager kube-scheduler kubeletconfiguration corednsdeployment]',
      'Ignoring empty file: "kube-scheduler.yaml"',
      'Ignoring file "README": the file extension must be one of [json yaml]',
      'Found the following patch files: [etcd.yaml kube-apiserver+json.json]',
      'Ignored the following files: [empty+merge.yaml kube-scheduler.yaml README]',
    ]);
  });

  test('patches apply in file order, only to their target, with one message each', () => {
    const { sets } = patchSetsFromFiles([
      { name: 'etcd0+merge.yaml', data: 'metadata:\n  labels:\n    a: "1"\n' },
      { name: 'etcd1+json.yaml', data: '- op: replace\n  path: /metadata/labels/a\n  value: "2"\n' },
      { name: 'kube-apiserver.yaml', data: 'metadata:\n  labels:\n    b: "3"\n' },
    ]);
    const r = applyPatches('etcd', { metadata: { name: 'etcd' } }, sets);
    assert.deepEqual(r.value, { metadata: { name: 'etcd', labels: { a: '2' } } });
    assert.deepEqual(r.messages, [
      'Applied patch of type "application/merge-patch+json" to target "etcd"',
      'Applied patch of type "application/json-patch+json" to target "etcd"',
    ]);
  });

  test('a bad patch is an error naming the file, the patch type and the target', () => {
    const { sets } = patchSetsFromFiles([
      { name: 'kube-scheduler9+json.yaml', data: '- op: remove\n  path: /spec/nothing\n' },
    ]);
    assert.throws(
      () => applyPatches('kube-scheduler', { spec: {} }, sets),
      (e: unknown) => {
        assert.ok(e instanceof KbadmError);
        assert.match(e.message, /"application\/json-patch\+json" to target "kube-scheduler"/);
        assert.match(e.message, /file "kube-scheduler9\+json\.yaml"/);
        return true;
      },
    );
  });

  test('invalid YAML is an error naming the file', () => {
    assert.throws(
      () => patchSetsFromFiles([{ name: 'etcd.yaml', data: 'a: [1\n' }]),
      /patch file "etcd\.yaml"/,
    );
  });
});

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
