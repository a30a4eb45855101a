import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Runner, type Phase } from '../../src/workflow/index.js';
import { group, leaf, type Recorded } from '../support/workflow.js';

const phases: Phase<Recorded>[] = [
  leaf('preflight', { short: 'Check the machine first' }),
  group(
    'certs',
    [
      leaf('ca', { short: 'Create the cluster CA' }),
      leaf('apiserver-kubelet-client', {
        short: 'Create the client certificate the API server uses toward kubelets',
      }),
    ],
    { short: 'Create the cluster PKI' },
  ),
  group('secret', [leaf('inner', { short: 'Never listed' })], { short: 'Hidden group', hidden: true }),
  leaf('debug', { short: 'Hidden leaf', hidden: true }),
  group(
    'addon',
    [
      leaf('coredns', { short: 'Install CoreDNS' }),
      group('proxy', [leaf('iptables', { short: 'Rules' })], { short: 'Proxy' }),
    ],
    { short: 'Install the add-ons' },
  ),
  leaf('Join [endpoint]', { short: 'Join' }),
];

test('the phase table matches kubeadm: indent by level, pad to the longest label plus two', () => {
  const expected = [
    'The "init" command executes the following phases:',
    '```',
    'preflight                  Check the machine first',
    'certs                      Create the cluster PKI',
    '  /ca                        Create the cluster CA',
    '  /apiserver-kubelet-client  Create the client certificate the API server uses toward kubelets',
    'addon                      Install the add-ons',
    '  /coredns                   Install CoreDNS',
    '  /proxy                     Proxy',
    '    /iptables                  Rules',
    'join                       Join',
    '```',
  ].join('\n');
  assert.equal(new Runner(phases).help('init'), expected);
});

test('the use string is quoted as given', () => {
  assert.match(
    new Runner([leaf('a')]).help('join [api-server-endpoint]'),
    /^The "join \[api-server-endpoint\]" command executes the following phases:\n/,
  );
});

test('an empty workflow gives an empty table', () => {
  assert.equal(new Runner([]).help('x'), 'The "x" command executes the following phases:\n```\n```');
});
