import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildCommand, getArg, mergeArgs, parseFlags, setArg } from '../../src/manifests/args.js';
import { authorizationModes } from '../../src/manifests/control-plane.js';

describe('mergeArgs (kubeadm ArgumentsToCommand)', () => {
  const defaults = [
    { name: 'secure-port', value: '6443' },
    { name: 'authorization-mode', value: 'Node,RBAC' },
    { name: 'allow-privileged', value: 'true' },
  ];
  test('a user value replaces the default of the same name; new names are added; sorted by name', () => {
    assert.deepEqual(
      buildCommand('x', defaults, [
        { name: 'secure-port', value: '8443' },
        { name: 'audit-log-path', value: '/var/log/a' },
      ]),
      [
        'x',
        '--allow-privileged=true',
        '--audit-log-path=/var/log/a',
        '--authorization-mode=Node,RBAC',
        '--secure-port=8443',
      ],
    );
  });
  test('a repeated user flag is kept every time, equal names sorted by value', () => {
    const merged = mergeArgs(
      [{ name: 'service-account-issuer', value: 'https://kubernetes.default.svc.cluster.local' }],
      [
        { name: 'service-account-issuer', value: 'https://z.example.com' },
        { name: 'service-account-issuer', value: 'https://a.example.com' },
      ],
    );
    assert.deepEqual(
      merged.map((a) => a.value),
      ['https://a.example.com', 'https://z.example.com'],
    );
  });
  test('the inputs are not modified', () => {
    const d = [{ name: 'b', value: '1' }];
    const o = [{ name: 'a', value: '2' }];
    mergeArgs(d, o);
    assert.deepEqual(d, [{ name: 'b', value: '1' }]);
    assert.deepEqual(o, [{ name: 'a', value: '2' }]);
  });
});

describe('setArg / getArg', () => {
  test('getArg returns the last value of a name', () => {
    const args = [
      { name: 'a', value: '1' },
      { name: 'a', value: '2' },
    ];
    assert.equal(getArg(args, 'a'), '2');
    assert.equal(getArg(args, 'b'), undefined);
  });
  test('setArg replaces the last entry of a name or appends', () => {
    const args = [
      { name: 'a', value: '1' },
      { name: 'a', value: '2' },
    ];
    setArg(args, 'a', '3');
    setArg(args, 'b', '4');
    assert.deepEqual(args, [
      { name: 'a', value: '1' },
      { name: 'a', value: '3' },
      { name: 'b', value: '4' },
    ]);
  });
});

describe('parseFlags', () => {
  test('reads --k=v pairs, values may hold "=", a bare flag reads as true', () => {
    assert.deepEqual(
      parseFlags(['etcd', '--name=a', '--feature-gates=InitialCorruptCheck=true', '--x', 'positional']),
      [
        { name: 'name', value: 'a' },
        { name: 'feature-gates', value: 'InitialCorruptCheck=true' },
        { name: 'x', value: 'true' },
      ],
    );
  });
});

describe('authorization modes', () => {
  test('default Node,RBAC', () => {
    assert.deepEqual(authorizationModes(undefined), { value: 'Node,RBAC', warnings: [] });
  });
  test('the user list keeps its valid modes and warns about the rest', () => {
    const r = authorizationModes('Node,Bogus,RBAC,Webhook');
    assert.equal(r.value, 'Node,RBAC,Webhook');
    assert.equal(r.warnings.length, 2);
    assert.match(r.warnings[0]!, /Bogus/);
  });
  test('no valid mode at all falls back to Node,RBAC', () => {
    assert.equal(authorizationModes('Nope').value, 'Node,RBAC');
  });
});
