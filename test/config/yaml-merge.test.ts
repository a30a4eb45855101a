import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigValidationError } from '../../src/config/errors.js';
import { loadAllConfig } from '../../src/config/load.js';
import { parseYamlDocuments, treeToPlain } from '../../src/config/yaml-tree.js';
import { FACTS, fixedToken, readValid } from '../support/config.js';

const plain = (text: string) => parseYamlDocuments(text).map((d) => treeToPlain(d.root));

describe('YAML merge keys (<<)', () => {
  it('a merged map, a list of maps (earlier wins), and keys written beside << override', () => {
    // (Not x/y/z: YAML 1.1 reads a bare y as true.)
    const [doc] = plain(
      'base: &b {p: 1, q: 1}\nmore: &m {q: 2, r: 2}\n' +
        'one:\n  <<: *b\n  q: 9\n' +
        'list:\n  <<: [*b, *m]\n' +
        'inline:\n  <<: {w: 0}\n',
    );
    assert.deepEqual(doc, {
      base: { p: 1, q: 1 },
      more: { q: 2, r: 2 },
      one: { p: 1, q: 9 },
      list: { q: 1, r: 2, p: 1 },
      inline: { w: 0 },
    });
  });

  it('as in Go, a key written before << is overridden by the merge; a quoted "<<" is an ordinary key', () => {
    const [doc] = plain('b: &b {x: 1}\nm:\n  x: 0\n  <<: *b\nq:\n  "<<": 1\n');
    assert.deepEqual(doc, { b: { x: 1 }, m: { x: 1 }, q: { '<<': 1 } });
  });

  it('merging something that is not a map is a positioned error', () => {
    assert.throws(
      () => parseYamlDocuments('s: &s text\nm:\n  <<: *s\n', 'c.yaml'),
      (e: unknown) =>
        e instanceof ConfigValidationError &&
        e.message === 'yaml: map merge requires map or sequence of maps as the value (c.yaml:3:7)',
    );
  });

  it('a configuration with merge keys loads strictly, without duplicate-field findings', () => {
    const r = loadAllConfig(readValid('23-yaml-merge-keys.yaml'), {
      facts: FACTS,
      defaulting: { skipCRIDetect: true, generateToken: fixedToken },
      strict: true,
      command: 'validate',
    });
    assert.deepEqual(r.warnings, []);
    const cluster = r.init!.cluster;
    const args = (c: { extraArgs: { name: string; value: string }[] }) =>
      Object.fromEntries(c.extraArgs.map((a) => [a.name, a.value]));
    assert.deepEqual(args(cluster.controllerManager), { profiling: 'false', v: '2' });
    assert.deepEqual(args(cluster.scheduler), { profiling: 'false', v: '3' });
    assert.deepEqual(args(cluster.apiServer), { 'audit-log-maxage': '30', profiling: 'true', v: '2' });
  });
});
