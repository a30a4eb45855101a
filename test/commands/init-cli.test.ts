// The init, certs and kubeconfig command lines through the root command: phase table, the flags each
// phase subcommand exposes (kubeadm's InheritFlags), exit codes.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, test } from 'node:test';
import { optionNames, runCli } from '../support/cli.js';
import { CERT_PHASE_FLAGS, KUBECONFIG_PHASE_FLAGS } from '../support/phase-flags.js';
import { tempDir } from '../support/temp.js';

describe('kbadm init command line', () => {
  test('the help lists the phase tree in kubeadm order', async () => {
    const r = await runCli(['init', '--help']);
    assert.equal(r.code, 0);
    const phases = [...r.stdout.matchAll(/^(\s*\/?[\w-]+) {2,}/gm)].map((m) => m[1]!.trim());
    assert.deepEqual(phases.slice(0, 19), [
      'preflight',
      'certs',
      '/ca',
      '/apiserver',
      '/apiserver-kubelet-client',
      '/front-proxy-ca',
      '/front-proxy-client',
      '/etcd-ca',
      '/etcd-server',
      '/etcd-peer',
      '/etcd-healthcheck-client',
      '/apiserver-etcd-client',
      '/sa',
      'kubeconfig',
      '/admin',
      '/super-admin',
      '/kubelet',
      '/controller-manager',
      '/scheduler',
    ]);
  });

  for (const [phase, flags] of [
    [['preflight'], ['config', 'image-repository', 'cri-socket', 'ignore-preflight-errors', 'dry-run']],
    [['certs', 'ca'], CERT_PHASE_FLAGS],
    [['certs', 'etcd-peer'], CERT_PHASE_FLAGS],
    [
      ['certs', 'apiserver'],
      [
        ...CERT_PHASE_FLAGS,
        'apiserver-advertise-address',
        'apiserver-cert-extra-sans',
        'control-plane-endpoint',
        'service-cidr',
        'service-dns-domain',
      ],
    ],
    [
      ['certs', 'sa'],
      ['cert-dir', 'config', 'dry-run'],
    ],
    [['kubeconfig', 'admin'], KUBECONFIG_PHASE_FLAGS],
    [
      ['kubeconfig', 'kubelet'],
      [...KUBECONFIG_PHASE_FLAGS, 'node-name'],
    ],
  ] as const) {
    test(`init phase ${phase.join(' ')} exposes kubeadm's flags`, async () => {
      const r = await runCli(['init', 'phase', ...phase, '--help']);
      assert.equal(r.code, 0);
      assert.deepEqual(optionNames(r.stdout).sort(), [...flags].sort());
    });
  }

  test('a flag the phase does not inherit is rejected', async () => {
    const r = await runCli(['init', 'phase', 'certs', 'all', '--node-name', 'x']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /unknown option '--node-name'/);
  });

  test('init takes no arguments', async () => {
    const r = await runCli(['init', 'extra']);
    assert.notEqual(r.code, 0);
  });

  test('a validation error exits 3 and writes nothing', async (t) => {
    const root = tempDir(t, 'kbadm-invalid-');
    const r = await runCli([
      '--rootfs',
      root,
      'init',
      'phase',
      'certs',
      'apiserver',
      '--service-cidr',
      'nope',
      '--apiserver-advertise-address',
      '10.0.0.5',
    ]);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /serviceSubnet/);
    assert.deepEqual(readdirSync(root), []);
  });

  test('kbadm --help lists the commands in kubeadm order', async () => {
    const r = await runCli(['--help']);
    const names = [...r.stdout.matchAll(/^ {2}([a-z-]+) {2,}/gm)].map((m) => m[1]);
    const mine = names.filter((n) => ['certs', 'completion', 'init', 'kubeconfig', 'version'].includes(n!));
    assert.deepEqual(mine, ['certs', 'completion', 'init', 'kubeconfig', 'version']);
    assert.ok(!names.includes('certificates'), 'the alias stays hidden');
  });

  test('certs renew has a subcommand per renewable certificate plus all', async () => {
    const r = await runCli(['certs', 'renew', '--help']);
    const subs = [...r.stdout.matchAll(/^ {2}([\w.-]+)(?: \[options\])? {2,}/gm)].map((m) => m[1]);
    assert.deepEqual(
      subs.filter((s) => s !== 'help'),
      [
        'all',
        'admin.conf',
        'apiserver',
        'apiserver-etcd-client',
        'apiserver-kubelet-client',
        'controller-manager.conf',
        'etcd-healthcheck-client',
        'etcd-peer',
        'etcd-server',
        'front-proxy-client',
        'scheduler.conf',
        'super-admin.conf',
      ],
    );
  });
});
