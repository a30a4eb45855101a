import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { KbadmError } from '../../src/errors.js';
import { applyPatches, parsePatchFileName, patchSetsFromFiles } from '../../src/patches/patches.js';

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

describe('nothing from a patch file reaches the terminal unescaped', () => {
  const ESC = '\u001b';
  const raw = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

  test('invalid YAML: the error gives the kind of problem and where, not the file’s text', () => {
    const data = `metadata:\n  labels:\n    token: "s3cr3t${ESC}[2J\n  - [broken\n`;
    assert.throws(
      () => patchSetsFromFiles([{ name: 'etcd.yaml', data }]),
      (e: unknown) => {
        assert.ok(e instanceof KbadmError);
        assert.match(
          e.message,
          /^could not convert patch file "etcd\.yaml" to JSON: yaml: .+ \(line \d+, column \d+\)$/,
        );
        assert.doesNotMatch(e.message, /s3cr3t|broken|\n/);
        assert.doesNotMatch(e.message, raw);
        return true;
      },
    );
  });

  test('a patch that fails to apply is shown as escaped JSON on the same line', () => {
    const { sets } = patchSetsFromFiles([
      { name: `etcd${ESC}[31m+json.yaml`, data: `- op: remove\n  path: "/spec/x${ESC}]0;pwned\\u0007"\n` },
    ]);
    assert.throws(
      () => applyPatches('etcd', { spec: {} }, sets),
      (e: unknown) => {
        assert.ok(e instanceof KbadmError);
        assert.doesNotMatch(e.message, raw);
        assert.doesNotMatch(e.message, /\n/);
        assert.match(e.message, /from file "etcd\\x1b\[31m\+json\.yaml": /);
        assert.match(e.message, /; patch: \[\{"op":"remove","path":"\/spec\/x\\u001b\]0;pwned\\u0007"\}\]$/);
        return true;
      },
    );
  });

  test('file names with control characters are escaped in the reading messages', () => {
    const r = patchSetsFromFiles([
      { name: `etcd${ESC}[2J.yaml`, data: 'a: 1\n' },
      { name: `notes\r.txt`, data: 'x' },
    ]);
    for (const m of r.messages) assert.doesNotMatch(m, raw, JSON.stringify(m));
    assert.ok(
      r.messages.includes('Found the following patch files: [etcd\\x1b[2J.yaml]'),
      r.messages.join('|'),
    );
  });

  test('merge keys (<<) load in patch files, as kubeadm reads them', () => {
    const { sets } = patchSetsFromFiles([
      {
        name: 'etcd+merge.yaml',
        data: 'x-common: &labels\n  tier: control-plane\nmetadata:\n  labels:\n    <<: *labels\n    app: etcd\n',
      },
    ]);
    assert.deepEqual(sets[0]!.patches[0], {
      'x-common': { tier: 'control-plane' },
      metadata: { labels: { tier: 'control-plane', app: 'etcd' } },
    });
  });
});
