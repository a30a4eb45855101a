// The preflight runner: warnings as they come, errors together in kubeadm's block, ignored checks
// downgraded to warnings, stages that stop at the first failure, exit code 2.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EXIT_PREFLIGHT, exitCodeOf, PreflightError } from '../../src/errors.js';
import { recordOutput } from '../../src/output/output.js';
import { findings, type Check, type Findings, type NodeProbe } from '../../src/preflight/check.js';
import { ignoreSet, PREFLIGHT_FAILED, runChecks, runPreflight } from '../../src/preflight/run.js';

const probe = {} as NodeProbe;

function check(name: string, result: Partial<Findings>, ran?: string[]): Check {
  return {
    name,
    run: async () => {
      ran?.push(name);
      return findings(result);
    },
  };
}

const CHECKS = [
  check('Swap', { warnings: ['swap is on'] }),
  check('Port-6443', { errors: ['Port 6443 is in use'] }),
  check('FileAvailable--etc-kubernetes-manifests-etcd.yaml', {
    errors: ['/etc/kubernetes/manifests/etcd.yaml already exists'],
  }),
  check('NumCPU', {}),
];

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a failure');
}

describe('runChecks', () => {
  test('warnings go to stderr as they come; errors are collected, not printed', async () => {
    const out = recordOutput();
    const report = await runChecks(CHECKS, probe, ignoreSet([]), out);
    assert.equal(out.stderr.join(''), '\t[WARNING Swap]: swap is on\n');
    assert.deepEqual(report.errors, [
      { check: 'Port-6443', message: 'Port 6443 is in use' },
      {
        check: 'FileAvailable--etc-kubernetes-manifests-etcd.yaml',
        message: '/etc/kubernetes/manifests/etcd.yaml already exists',
      },
    ]);
  });

  test('an ignored check’s errors become warnings; names match case-insensitively', async () => {
    const out = recordOutput();
    const report = await runChecks(CHECKS, probe, ignoreSet(['port-6443']), out);
    assert.deepEqual(
      report.errors.map((e) => e.check),
      ['FileAvailable--etc-kubernetes-manifests-etcd.yaml'],
    );
    assert.equal(
      out.stderr.join(''),
      '\t[WARNING Swap]: swap is on\n\t[WARNING Port-6443]: Port 6443 is in use\n',
    );
  });

  test('"all" ignores every check', async () => {
    const out = recordOutput();
    const report = await runChecks(CHECKS, probe, ignoreSet(['All']), out);
    assert.deepEqual(report.errors, []);
    assert.equal(report.warnings.length, 3);
  });

  test('a check that throws fails with its message; details print on stdout only when it fails', async () => {
    const out = recordOutput();
    const throwing: Check = {
      name: 'CRI',
      run: async () => {
        throw new Error('boom');
      },
    };
    const detailed = check('SystemVerification', {
      errors: ['old kernel'],
      details: ['KERNEL_VERSION: 3.10'],
    });
    const passing = check('Mem', { details: ['never shown'] });
    const report = await runChecks([throwing, detailed, passing], probe, ignoreSet([]), out);
    assert.deepEqual(
      report.errors.map((e) => `${e.check}: ${e.message}`),
      ['CRI: boom', 'SystemVerification: old kernel'],
    );
    assert.equal(out.text(), 'KERNEL_VERSION: 3.10\n');
  });
});

describe('runPreflight', () => {
  test('all errors of a stage are listed together in kubeadm’s format; the error exits 2', async () => {
    const out = recordOutput();
    const err = await failure(runPreflight([CHECKS], probe, ignoreSet([]), out));
    assert.ok(err instanceof PreflightError);
    assert.equal(err.message, PREFLIGHT_FAILED);
    assert.equal(exitCodeOf(err), EXIT_PREFLIGHT);
    assert.equal(
      out.stderr.join(''),
      '\t[WARNING Swap]: swap is on\n' +
        '[preflight] Some fatal errors occurred:\n' +
        '\t[ERROR Port-6443]: Port 6443 is in use\n' +
        '\t[ERROR FileAvailable--etc-kubernetes-manifests-etcd.yaml]: /etc/kubernetes/manifests/etcd.yaml already exists\n' +
        '[preflight] If you know what you are doing, you can make a check non-fatal with `--ignore-preflight-errors=...`\n',
    );
  });

  test('a failing stage stops the later ones (the root check runs alone first)', async () => {
    const ran: string[] = [];
    const out = recordOutput();
    const plan = [
      [check('IsPrivilegedUser', { errors: ['user is not running as root'] }, ran)],
      [check('NumCPU', {}, ran)],
    ];
    await failure(runPreflight(plan, probe, ignoreSet([]), out));
    assert.deepEqual(ran, ['IsPrivilegedUser']);
    assert.match(out.stderr.join(''), /\t\[ERROR IsPrivilegedUser\]: user is not running as root\n/);
  });

  test('ignored root check: every stage runs and the report holds the warnings', async () => {
    const ran: string[] = [];
    const plan = [
      [check('IsPrivilegedUser', { errors: ['user is not running as root'] }, ran)],
      [check('NumCPU', {}, ran)],
    ];
    const report = await runPreflight(plan, probe, ignoreSet(['IsPrivilegedUser']), recordOutput());
    assert.deepEqual(ran, ['IsPrivilegedUser', 'NumCPU']);
    assert.deepEqual(report.warnings, [
      { check: 'IsPrivilegedUser', message: 'user is not running as root' },
    ]);
  });
});
