import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KbadmError } from '../../src/errors.js';
import {
  checkDependencies,
  cleanName,
  flattenPhases,
  resolvePhase,
  selectPhases,
  type Phase,
} from '../../src/workflow/index.js';
import { group, leaf, type Recorded } from '../support/workflow.js';

const tree: Phase<Recorded>[] = [
  leaf('Preflight'),
  group('certs', [leaf('ca'), leaf('apiserver'), group('etcd', [leaf('server'), leaf('peer')])]),
  group('upload-config', [leaf('kubeadm'), leaf('kubelet')], { aliases: ['uploadconfig'] }),
  leaf('join-command [endpoint]'),
  group('solo', [leaf('only')], { all: false }),
];
const nodes = flattenPhases(tree);
const paths = (set: Iterable<{ path: string }>) => [...set].map((n) => n.path);

test('cleanName lowercases and cuts at the first space', () => {
  assert.equal(cleanName('Preflight [api-server-endpoint]'), 'preflight');
  assert.equal(cleanName('Control-Plane'), 'control-plane');
});

test('flattenPhases orders parents before their children and builds paths, levels and labels', () => {
  assert.deepEqual(paths(nodes), [
    'preflight',
    'certs',
    'certs/ca',
    'certs/apiserver',
    'certs/etcd',
    'certs/etcd/server',
    'certs/etcd/peer',
    'upload-config',
    'upload-config/kubeadm',
    'upload-config/kubelet',
    'join-command',
    'solo',
    'solo/only',
  ]);
  const server = nodes.find((n) => n.path === 'certs/etcd/server')!;
  assert.equal(server.level, 2);
  assert.equal(server.use, '/server');
  assert.equal(server.parent?.path, 'certs/etcd');
  assert.equal(nodes[0]!.use, 'preflight');
  assert.equal(nodes.find((n) => n.name === 'join-command')!.argsUsage, '[endpoint]');
  assert.equal(nodes.find((n) => n.name === 'certs')!.hasAll, true);
  assert.equal(nodes.find((n) => n.name === 'solo')!.hasAll, false);
  assert.equal(nodes[0]!.hasAll, false);
});

test('flattenPhases rejects duplicate names or aliases among siblings, `all`, and empty names', () => {
  assert.throws(() => flattenPhases([leaf('a'), leaf('A')]), /phase name "a" is used twice at the top level/);
  assert.throws(
    () => flattenPhases([group('g', [leaf('x'), leaf('y', { aliases: ['x'] })])]),
    /phase name "x" is used twice in phase "g"/,
  );
  assert.throws(() => flattenPhases([group('g', [leaf('all')])]), /"all" is reserved/);
  assert.throws(() => flattenPhases([leaf('  ')]), /empty name/);
  // The same name under different parents is fine.
  assert.equal(flattenPhases([group('a', [leaf('x')]), group('b', [leaf('x')])]).length, 4);
});

test('resolvePhase: names, aliases, any case, nested paths and a final `all`', () => {
  assert.equal(resolvePhase(nodes, 'certs/etcd/peer')?.path, 'certs/etcd/peer');
  assert.equal(resolvePhase(nodes, 'CERTS/CA')?.path, 'certs/ca');
  assert.equal(resolvePhase(nodes, 'uploadconfig/kubelet')?.path, 'upload-config/kubelet');
  assert.equal(resolvePhase(nodes, 'certs/all')?.path, 'certs');
  assert.equal(resolvePhase(nodes, 'certs/etcd/all')?.path, 'certs/etcd');
  for (const bad of [
    'nope',
    'certs/',
    'ca',
    'all',
    'certs/all/ca',
    'preflight/all',
    'solo/all',
    'certs/ca/x',
  ]) {
    assert.equal(resolvePhase(nodes, bad), undefined, bad);
  }
});

test('selectPhases: everything by default', () => {
  assert.equal(selectPhases(nodes, {}).size, nodes.length);
});

test('selectPhases: a filter keeps the phase and its subtree', () => {
  assert.deepEqual(paths(selectPhases(nodes, { filter: ['certs/etcd'] })), [
    'certs/etcd',
    'certs/etcd/server',
    'certs/etcd/peer',
  ]);
  assert.deepEqual(paths(selectPhases(nodes, { filter: ['preflight', 'uploadconfig/kubeadm'] })), [
    'preflight',
    'upload-config/kubeadm',
  ]);
});

test('selectPhases: skipping a parent skips its children; skips apply after the filter', () => {
  const all = paths(selectPhases(nodes, { skip: ['certs', 'upload-config/kubelet'] }));
  assert.deepEqual(all, [
    'preflight',
    'upload-config',
    'upload-config/kubeadm',
    'join-command',
    'solo',
    'solo/only',
  ]);
  assert.deepEqual(
    paths(selectPhases(nodes, { filter: ['certs'], skip: ['certs/etcd/peer', 'preflight'] })),
    ['certs', 'certs/ca', 'certs/apiserver', 'certs/etcd', 'certs/etcd/server'],
  );
});

test('selectPhases: unknown names in filter or skip give `invalid phase name`', () => {
  for (const selection of [{ skip: ['preflight', 'certs/nope'] }, { filter: ['Bogus'] }]) {
    assert.throws(
      () => selectPhases(nodes, selection),
      (err: unknown) =>
        err instanceof KbadmError &&
        err.message === `invalid phase name: ${[...(selection.skip ?? selection.filter ?? [])].pop()}`,
    );
  }
});

test('selectPhases: blank entries are ignored', () => {
  assert.equal(selectPhases(nodes, { skip: [''], filter: [' '] }).size, nodes.length);
});

test('checkDependencies: satisfied by an earlier selected phase, by name or path', () => {
  const deps = flattenPhases<Recorded>([
    group('a', [leaf('x')]),
    leaf('b', { dependencies: ['x'] }),
    leaf('c', { dependencies: ['a/x', 'b'] }),
  ]);
  assert.doesNotThrow(() => checkDependencies(deps, new Set(deps)));
});

test('checkDependencies: lists every missing dependency per phase', () => {
  const deps = flattenPhases<Recorded>([
    leaf('a'),
    leaf('b', { dependencies: ['a', 'late'] }),
    leaf('c', { dependencies: ['a', 'b'] }),
    leaf('late'),
  ]);
  const selected = new Set(deps.filter((n) => n.name !== 'a'));
  assert.throws(
    () => checkDependencies(deps, selected),
    (err: unknown) =>
      err instanceof KbadmError &&
      err.message ===
        'unresolved dependencies:\n' +
          '\tmissing [a late] phase(s) needed by "b" phase\n' +
          '\tmissing [a] phase(s) needed by "c" phase',
  );
});
