import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import {
  addFlags,
  findOption,
  flagValuesOf,
  readFlags,
  toOption,
  userSetFlags,
  type FlagSpec,
} from '../../src/workflow/index.js';
import { capture, isCommanderError, parse } from '../support/workflow.js';

const specs: FlagSpec[] = [
  { name: 'cert-dir', type: 'string', default: '/etc/kubernetes/pki', description: 'Cert dir' },
  { name: 'config', type: 'string', description: 'Config file' },
  { name: 'dry-run', type: 'boolean', description: 'Dry run' },
  { name: 'upload-certs', type: 'boolean', default: true, description: 'Upload' },
  { name: 'apiserver-bind-port', type: 'int', default: 6443, description: 'Port' },
  { name: 'ignore-preflight-errors', type: 'strings', description: 'Ignored checks' },
  { name: 'sans', type: 'strings', default: ['a', 'b'], description: 'SANs' },
  { name: 'token-ttl', type: 'duration', default: '24h0m0s', description: 'TTL' },
  { name: 'output', short: 'o', type: 'string', default: 'text', description: 'Output format' },
  { name: 'secret', type: 'string', hidden: true, description: 'Hidden' },
  { name: 'old-args', type: 'strings', deprecated: 'use the config file instead', description: 'Old' },
];

function command(): { cmd: Command; seen: () => ReturnType<typeof readFlags> } {
  const cmd = new Command('x');
  addFlags(cmd, specs);
  let flags: ReturnType<typeof readFlags> | undefined;
  cmd.action(() => {
    flags = readFlags(cmd, specs);
  });
  return {
    cmd,
    seen: () => {
      assert.ok(flags, 'action did not run');
      return flags;
    },
  };
}

test('toOption: value placeholders follow the flag type', () => {
  assert.equal(toOption(specs[0]!).flags, '--cert-dir <string>');
  assert.equal(toOption(specs[2]!).flags, '--dry-run');
  assert.equal(toOption(specs[4]!).flags, '--apiserver-bind-port <int>');
  assert.equal(toOption(specs[5]!).flags, '--ignore-preflight-errors <strings>');
  assert.equal(toOption(specs[7]!).flags, '--token-ttl <duration>');
  assert.equal(toOption(specs[8]!).flags, '-o, --output <string>');
});

test('toOption: each call makes a fresh Option', () => {
  assert.notEqual(toOption(specs[0]!), toOption(specs[0]!));
});

test('defaults are read back when nothing is given, zero values when there is no default', async () => {
  const { cmd, seen } = command();
  capture(cmd);
  assert.equal(await parse(cmd, []), undefined);
  const f = seen();
  assert.equal(f.string('cert-dir'), '/etc/kubernetes/pki');
  assert.equal(f.string('config'), '');
  assert.equal(f.boolean('dry-run'), false);
  assert.equal(f.boolean('upload-certs'), true);
  assert.equal(f.int('apiserver-bind-port'), 6443);
  assert.deepEqual(f.strings('ignore-preflight-errors'), []);
  assert.deepEqual(f.strings('sans'), ['a', 'b']);
  assert.equal(f.duration('token-ttl'), 24 * 3600 * 1000);
  assert.equal(f.isSet('cert-dir'), false);
  assert.deepEqual(f.setNames(), []);
});

test('given values are parsed by type and reported as set', async () => {
  const { cmd, seen } = command();
  capture(cmd);
  const err = await parse(cmd, [
    '--cert-dir=/pki',
    '--dry-run',
    '--apiserver-bind-port',
    '7443',
    '--token-ttl',
    '1h30m',
    '-o',
    'yaml',
    '--ignore-preflight-errors',
    'Swap,NumCPU',
    '--ignore-preflight-errors',
    'Mem',
  ]);
  assert.equal(err, undefined);
  const f = seen();
  assert.equal(f.string('cert-dir'), '/pki');
  assert.equal(f.boolean('dry-run'), true);
  assert.equal(f.int('apiserver-bind-port'), 7443);
  assert.equal(f.duration('token-ttl'), 90 * 60 * 1000);
  assert.equal(f.string('output'), 'yaml');
  assert.deepEqual(f.strings('ignore-preflight-errors'), ['Swap', 'NumCPU', 'Mem']);
  assert.deepEqual(f.setNames(), [
    'cert-dir',
    'dry-run',
    'apiserver-bind-port',
    'ignore-preflight-errors',
    'token-ttl',
    'output',
  ]);
});

test('strings: the first use replaces the default, later uses append', async () => {
  const { cmd, seen } = command();
  capture(cmd);
  assert.equal(await parse(cmd, ['--sans', 'c', '--sans', 'd,e']), undefined);
  assert.deepEqual(seen().strings('sans'), ['c', 'd', 'e']);
});

test('strings: an empty value gives an empty list', async () => {
  const { cmd, seen } = command();
  capture(cmd);
  assert.equal(await parse(cmd, ['--sans=']), undefined);
  assert.deepEqual(seen().strings('sans'), []);
});

test('int and duration reject malformed values with a commander error', async () => {
  for (const argv of [
    ['--apiserver-bind-port', '12x'],
    ['--token-ttl', '10 minutes'],
  ]) {
    const { cmd } = command();
    const io = capture(cmd);
    const err = await parse(cmd, argv);
    assert.ok(isCommanderError(err, 'commander.invalidArgument'), String(err));
    assert.match(io.stderr(), new RegExp(argv[0]!));
  }
});

test('help shows Go-style defaults and hides hidden and deprecated flags', () => {
  const { cmd } = command();
  capture(cmd);
  const help = cmd.helpInformation();
  assert.match(help, /--token-ttl <duration>\s+TTL \(default: 24h0m0s\)/);
  assert.match(help, /--sans <strings>\s+SANs \(default: \[a,b\]\)/);
  assert.match(help, /--cert-dir <string>\s+Cert dir \(default: "\/etc\/kubernetes\/pki"\)/);
  assert.doesNotMatch(help, /--dry-run\s+Dry run \(default/);
  assert.doesNotMatch(help, /--secret/);
  assert.doesNotMatch(help, /--old-args/);
});

test('a deprecated flag still works and warns on stderr', async () => {
  const { cmd, seen } = command();
  const io = capture(cmd);
  assert.equal(await parse(cmd, ['--old-args', 'x']), undefined);
  assert.deepEqual(seen().strings('old-args'), ['x']);
  assert.equal(io.stderr(), 'Flag --old-args has been deprecated, use the config file instead\n');
});

test('addFlags skips flags the command already has', () => {
  const cmd = new Command('x');
  addFlags(cmd, specs.slice(0, 2));
  addFlags(cmd, specs.slice(0, 3));
  assert.deepEqual(
    cmd.options.map((o) => o.long),
    ['--cert-dir', '--config', '--dry-run'],
  );
  assert.ok(findOption(cmd, 'config'));
  assert.equal(findOption(cmd, 'nope'), undefined);
});

test('readFlags: flags the command lacks read as the spec default and are not exposed', async () => {
  const cmd = new Command('x');
  addFlags(cmd, [specs[1]!]);
  cmd.action(() => {});
  capture(cmd);
  await parse(cmd, []);
  const f = readFlags(cmd, specs);
  assert.equal(f.has('config'), true);
  assert.equal(f.has('cert-dir'), false);
  assert.equal(f.string('cert-dir'), '/etc/kubernetes/pki');
  assert.equal(f.isSet('cert-dir'), false);
});

test('readFlags: the fallback command supplies values given on its command line', async () => {
  const main = new Command('main');
  addFlags(main, specs);
  const sub = main.command('sub');
  addFlags(sub, [specs[0]!, specs[1]!]);
  sub.action(() => {});
  capture(main);
  // Without positional options the main command consumes its own flags after `sub`.
  assert.equal(await parse(main, ['sub', '--cert-dir', '/from-main', '--config', 'c.yaml']), undefined);
  assert.equal(main.getOptionValueSource('certDir'), 'cli');
  const withFallback = readFlags(sub, specs, { fallback: main });
  assert.equal(withFallback.string('cert-dir'), '/from-main');
  assert.equal(withFallback.isSet('cert-dir'), true);
  assert.equal(readFlags(sub, specs).string('cert-dir'), '/etc/kubernetes/pki');
});

test('readFlags: wrong type or unknown name is a programming error', async () => {
  const { cmd, seen } = command();
  capture(cmd);
  await parse(cmd, []);
  assert.throws(() => seen().int('cert-dir'), /--cert-dir is a string flag, not int/);
  assert.throws(() => seen().string('nope'), /unknown flag --nope/);
});

test('flagValuesOf: plain values, durations given as text, defaults otherwise', () => {
  const f = flagValuesOf(specs, { 'dry-run': true, 'token-ttl': '5m', sans: ['z'] });
  assert.equal(f.boolean('dry-run'), true);
  assert.equal(f.duration('token-ttl'), 5 * 60 * 1000);
  assert.deepEqual(f.strings('sans'), ['z']);
  assert.equal(f.int('apiserver-bind-port'), 6443);
  assert.equal(f.isSet('dry-run'), true);
  assert.equal(f.isSet('config'), false);
  assert.equal(f.has('dry-run'), true);
  assert.equal(f.has('config'), false);
  assert.deepEqual(f.setNames(), ['dry-run', 'sans', 'token-ttl']);
});

test('strings values are copies: mutating one read does not change the next', () => {
  const f = flagValuesOf(specs);
  f.strings('sans').push('mutated');
  assert.deepEqual(f.strings('sans'), ['a', 'b']);
});

test('an invalid duration default is rejected when the option is made', () => {
  assert.throws(
    () => toOption({ name: 'd', type: 'duration', default: 'soon', description: '' }),
    /invalid duration "soon"/,
  );
});

test('userSetFlags: only the flags given on the command line, durations in Go notation, never --config', async () => {
  const { cmd, seen } = command();
  await parse(cmd, ['--dry-run', '--token-ttl', '90m', '--config', 'c.yaml', '--sans', 'x,y']);
  assert.deepEqual(userSetFlags(seen(), specs), {
    'dry-run': true,
    sans: ['x', 'y'],
    'token-ttl': '1h30m0s',
  });
});
