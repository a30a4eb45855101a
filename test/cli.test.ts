import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { Command } from 'commander';
import { entry, runCli } from './support/cli.js';
import { tempDir } from './support/temp.js';
import { KbadmError, PreflightError, ValidationError } from '../src/errors.js';
import { COMMANDS, selectedCommand } from '../src/commands/root.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const bin = new URL(`../${pkg.bin.kbadm}`, import.meta.url).pathname;

const throwing = (make: () => Error) =>
  entry('boom', () =>
    new Command('boom').action(() => {
      throw make();
    }),
  );

const wrapped = (inner: Error) =>
  new KbadmError(`error execution phase certs/ca: ${inner.message}`, { cause: inner });

test('root help shows the two-step example and the commands', async () => {
  const r = await runCli(['--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /control-plane# kbadm init/);
  assert.match(r.stdout, /worker# kbadm join <the arguments init printed>/);
  assert.match(r.stdout, /--rootfs <path>/);
  assert.match(r.stdout, /-v, --v <level>/);
  assert.match(r.stdout, /^\s+version\b/m);
  assert.match(r.stdout, /^\s+completion\b/m);
  assert.match(r.stdout, /^\s+config\b/m);
});

test('kbadm config is reachable from the root', async () => {
  const r = await runCli(['config', 'images', 'list', '--kubernetes-version', 'v1.33.2']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^registry\.k8s\.io\/kube-apiserver:v1\.33\.2$/m);
});

const HINT = 'To see the stack trace of this error execute with --v=5 or higher';

/** stderr is exactly one error line and the --v=5 hint. */
function oneLineError(stderr: string): string {
  const lines = stderr.trimEnd().split('\n');
  assert.equal(lines.length, 2, stderr);
  assert.equal(lines[1], HINT);
  assert.doesNotMatch(lines[0]!, /^error: /);
  return lines[0]!;
}

test('unknown command: one line and the hint, exit 1, no stack trace', async () => {
  const r = await runCli(['bogus']);
  assert.equal(r.code, 1);
  assert.match(oneLineError(r.stderr), /unknown command 'bogus'/);
});

test('unknown flag: one line naming the flag, exit 1', async () => {
  const r = await runCli(['version', '--bogus']);
  assert.equal(r.code, 1);
  assert.match(oneLineError(r.stderr), /unknown option '--bogus'/);
});

test('a bad --v value names the flag: one line, exit 3 (invalid input)', async () => {
  for (const v of ['--v=high', '--v=-1', '--v=2147483648', '-v=x']) {
    const r = await runCli([v, 'version']);
    assert.equal(r.code, 3, v);
    assert.match(oneLineError(r.stderr), /-v, --v <level>.* is invalid/, v);
  }
});

test('flag value errors are one line with exit 3: not a number, missing value, not a choice', async () => {
  for (const argv of [
    ['init', '--apiserver-bind-port', 'abc'],
    ['init', '--config'],
    ['init', 'phase', 'certs', 'all', '--config'],
    ['certs', 'check-expiration', '-o', 'xml'],
  ]) {
    const r = await runCli(argv);
    assert.equal(r.code, 3, `${argv.join(' ')}: ${r.stderr}`);
    assert.match(oneLineError(r.stderr), /--(apiserver-bind-port|config|output)/);
  }
});

test('-v takes any level klog takes: --v=10, -v=10, -v10, -v 10, --v +3', async () => {
  for (const argv of [['--v=10'], ['-v=10'], ['-v10'], ['-v', '10'], ['--v', '+3'], ['--v=2147483647']]) {
    for (const args of [
      [...argv, 'version', '-o', 'short'],
      ['version', '-o', 'short', ...argv],
    ]) {
      const r = await runCli(args);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout, 'v1.34.0\n');
    }
  }
});

test('-o=json is read as pflag reads it', async () => {
  const r = await runCli(['version', '-o=short']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'v1.34.0\n');
});

test('--upload-certs is read in either spelling; a bad --certificate-key is one line naming it, exit 3', async (t) => {
  const root = tempDir(t, 'kbadm-upload-');
  for (const flag of ['--upload-certs', '--upload-certs=true']) {
    const r = await runCli([
      '--rootfs',
      root,
      'init',
      'phase',
      'upload-certs',
      flag,
      '--certificate-key',
      'abc',
      '--dry-run',
    ]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(oneLineError(r.stderr), /^InitConfiguration\.certificateKey: .*\(from --certificate-key\)$/);
    assert.equal(r.stdout, '');
  }
  const skipped = await runCli([
    '--rootfs',
    root,
    'init',
    'phase',
    'upload-certs',
    '--upload-certs=false',
    '--dry-run',
  ]);
  assert.equal(skipped.code, 0, skipped.stderr);
  assert.equal(skipped.stdout, '[upload-certs] Skipping phase. Please see --upload-certs\n');
});

test('global flags are accepted after the subcommand too', async () => {
  const r = await runCli(['version', '-o', 'short', '--rootfs', '/tmp', '--v', '2']);
  assert.equal(r.code, 0);
  assert.equal(r.stdout.trim(), 'v1.34.0');
});

for (const [name, make, code] of [
  ['generic', () => new KbadmError('something broke'), 1],
  ['plain Error', () => new Error('something broke'), 1],
  ['preflight', () => new PreflightError('[preflight] Some fatal errors occurred'), 2],
  ['validation', () => new ValidationError([{ field: 'spec.x', detail: 'bad' }]), 3],
  ['wrapped preflight', () => wrapped(new PreflightError('[preflight] fatal')), 2],
  ['wrapped validation', () => wrapped(new ValidationError('bad input')), 3],
] as const) {
  test(`${name} error: one line, the --v=5 hint, exit ${code}`, async () => {
    const r = await runCli(['boom'], { commands: [...COMMANDS, throwing(make)] });
    assert.equal(r.code, code);
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 2, r.stderr);
    assert.equal(lines[1], 'To see the stack trace of this error execute with --v=5 or higher');
    assert.equal(r.stdout, '');
  });
}

test('--v=5 prints the stack trace of the error and its causes instead of the hint', async () => {
  const r = await runCli(['--v=5', 'boom'], {
    commands: [throwing(() => wrapped(new PreflightError('[preflight] fatal')))],
  });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /error execution phase certs\/ca/);
  assert.match(r.stderr, /\n\s+at /);
  assert.match(r.stderr, /Caused by: PreflightError: \[preflight\] fatal/);
  assert.doesNotMatch(r.stderr, /To see the stack trace/);
});

test('only the command a command line names is loaded; help still lists them all', async () => {
  const loaded: string[] = [];
  const tracked = COMMANDS.map((e) => ({ ...e, load: () => (loaded.push(e.name), e.load()) }));
  await runCli(['--v', '2', 'version', '-o', 'short'], { commands: tracked });
  assert.deepEqual(loaded, ['version']);
  const help = await runCli(['--help'], { commands: tracked });
  assert.match(help.stdout, /completion\s+Print a completion script for bash, zsh or fish/);
  assert.match(help.stdout, /version\s+Show kbadm's release and the build it came from/);
  assert.deepEqual(loaded, ['version'], 'help lists commands without loading them');
});

test('a misspelt command gets a suggestion on the same line', async () => {
  const r = await runCli(['versoin']);
  assert.equal(r.code, 1);
  assert.match(oneLineError(r.stderr), /unknown command 'versoin' \(Did you mean version\?\)/);
});

test('selectedCommand skips root flags and their values', () => {
  assert.equal(selectedCommand(['--rootfs', '/x', '-v', '3', 'init', 'phase']), 'init');
  assert.equal(selectedCommand(['--rootfs=/x', '--v=3', 'join']), 'join');
  assert.equal(selectedCommand(['--help']), undefined);
  assert.equal(selectedCommand([]), undefined);
});

test('a reader that closes the pipe early gets no stack trace', () => {
  assert.ok(existsSync(bin), `${bin} is built by npm test before the tests run`);
  // `head -c 1` exits after one byte; kbadm's next write then fails with EPIPE.
  const r = spawnSync('sh', ['-c', `"${process.execPath}" "${bin}" completion bash | head -c 1 >/dev/null`], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0);
  assert.doesNotMatch(r.stderr, /EPIPE|Unhandled|\n\s+at /);
});

test('a failed write on stdout (> /dev/full) is one line on stderr, exit 1, no stack trace', () => {
  assert.ok(existsSync(bin), `${bin} is built by npm test before the tests run`);
  const full = openSync('/dev/full', 'w');
  try {
    for (const args of [['version'], ['completion', 'bash'], ['config', 'print', 'init-defaults']]) {
      const r = spawnSync(process.execPath, [bin, ...args], {
        encoding: 'utf8',
        stdio: ['ignore', full, 'pipe'],
      });
      assert.equal(r.status, 1, args.join(' '));
      assert.equal(r.stderr, 'error writing to stdout: no space left on device\n');
    }
  } finally {
    closeSync(full);
  }
});
