import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Runner, type Phase } from '../../src/workflow/index.js';
import { group, leaf, type Recorded } from './harness.js';

const phases: Phase<Recorded>[] = [
  leaf('preflight', { short: 'Run pre-flight checks' }),
  group(
    'certs',
    [
      leaf('ca', { short: 'Generate the self-signed Kubernetes CA' }),
      leaf('apiserver-kubelet-client', {
        short: 'Generate the certificate for the API server to connect to kubelet',
      }),
    ],
    { short: 'Certificate generation' },
  ),
  group('secret', [leaf('inner', { short: 'Never listed' })], { short: 'Hidden group', hidden: true }),
  leaf('debug', { short: 'Hidden leaf', hidden: true }),
  group(
    'addon',
    [
      leaf('coredns', { short: 'Install CoreDNS' }),
      group('proxy', [leaf('iptables', { short: 'Rules' })], { short: 'Proxy' }),
    ],
    { short: 'Install required addons' },
  ),
  leaf('Join [endpoint]', { short: 'Join' }),
];

test('the phase table matches kubeadm: indent by level, pad to the longest label plus two', () => {
  const expected = [
    'The "init" command executes the following phases:',
    '```',
    'preflight                  Run pre-flight checks',
    'certs                      Certificate generation',
    '  /ca                        Generate the self-signed Kubernetes CA',
    '  /apiserver-kubelet-client  Generate the certificate for the API server to connect to kubelet',
    'addon                      Install required addons',
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
