import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { EXIT_PREFLIGHT, PreflightError, exitCodeOf } from '../../src/errors.js';
import {
  PhaseError,
  Runner,
  bindRunner,
  type FlagSpec,
  type Invocation,
  type Phase,
} from '../../src/workflow/index.js';
import { capture, group, isCommanderError, leaf, parse, type Recorded } from '../support/workflow.js';

const flags: FlagSpec[] = [
  { name: 'config', type: 'string', description: 'Path to a kubeadm configuration file.' },
  { name: 'cert-dir', type: 'string', default: '/etc/kubernetes/pki', description: 'Certificates dir.' },
  { name: 'dry-run', type: 'boolean', description: 'Dry run.' },
  { name: 'token', type: 'string', description: 'Bootstrap token.' },
  { name: 'node-name', type: 'string', default: 'n1', description: 'Node name.' },
];
const phaseFlags: FlagSpec[] = [
  { name: 'kubeconfig', type: 'string', default: '/etc/kubernetes/admin.conf', description: 'Kubeconfig.' },
];

function phases(): Phase<Recorded>[] {
  return [
    leaf('preflight', { short: 'Run pre-flight checks', inheritFlags: ['config', 'dry-run'] }),
    group(
      'certs',
      [
        leaf('ca', {
          inheritFlags: ['cert-dir', 'config'],
          example: '  kbadm init phase certs ca --cert-dir /pki',
        }),
        leaf('sa', { inheritFlags: ['cert-dir', 'dry-run'] }),
      ],
      { short: 'Certificate generation', all: { short: 'Generate all certificates' } },
    ),
    {
      ...group('control-plane', [
        leaf('apiserver', {
          inheritFlags: ['config'],
          localFlags: [
            {
              name: 'apiserver-extra-args',
              type: 'strings',
              deprecated: 'use the config file',
              description: 'x',
            },
          ],
        }),
        leaf('scheduler'),
      ]),
      aliases: ['controlplane'],
      run: async (d) => void d.calls.push('run:control-plane'),
    },
    group('upload-config', [leaf('kubeadm', { inheritFlags: ['kubeconfig', 'dry-run'] })], {
      aliases: ['uploadconfig'],
      all: false,
    }),
    leaf('debug', { hidden: true, short: 'Dump state' }),
    leaf('mark [node]', {
      argsValidator: (args) => {
        if (args.length !== 1) throw new Error(`accepts 1 arg(s), received ${args.length}`);
      },
    }),
  ];
}

function build(options: { argument?: string; phases?: Phase<Recorded>[] } = {}) {
  const state = { inits: 0, after: 0, calls: [] as string[], ctx: undefined as Invocation | undefined };
  const runner = new Runner<Recorded>(options.phases ?? phases(), {
    init: async (ctx) => {
      state.inits++;
      state.ctx = ctx;
      return { calls: state.calls };
    },
  });
  const cmd = new Command('init').description('Run this command to set up a control plane\nSecond line.');
  if (options.argument) cmd.argument(options.argument, 'An argument');
  const phaseCmd = bindRunner(cmd, runner, {
    flags,
    phaseFlags,
    afterRun: async () => {
      state.after++;
    },
  });
  // Configured after binding on purpose: generated subcommands must still pick this up.
  const io = capture(cmd);
  const ctx = () => {
    assert.ok(state.ctx, 'the data initializer was not called');
    return state.ctx;
  };
  return { cmd, phaseCmd, runner, state, io, ctx };
}

const everything = [
  'run:preflight',
  'run:ca',
  'run:sa',
  'run:control-plane',
  'run:apiserver',
  'run:scheduler',
  'run:kubeadm',
  'run:debug',
  'run:mark',
];

test('the main command runs the whole workflow, then afterRun', async () => {
  const { cmd, state, ctx } = build();
  assert.equal(await parse(cmd, ['--token', 'abc']), undefined);
  assert.deepEqual(state.calls, everything);
  assert.equal(state.inits, 1);
  assert.equal(state.after, 1);
  assert.equal(ctx().phase, undefined);
  assert.equal(ctx().flags.string('token'), 'abc');
  assert.equal(ctx().flags.string('kubeconfig'), '/etc/kubernetes/admin.conf');
});

test('--skip-phases skips listed phases and their children', async () => {
  const { cmd, state } = build();
  assert.equal(
    await parse(cmd, ['--skip-phases', 'certs,control-plane/scheduler', '--skip-phases', 'mark']),
    undefined,
  );
  assert.deepEqual(state.calls, [
    'run:preflight',
    'run:control-plane',
    'run:apiserver',
    'run:kubeadm',
    'run:debug',
  ]);
});

test('--skip-phases with every phase builds no data', async () => {
  const { cmd, state } = build();
  const skip = 'preflight,certs,control-plane,upload-config,debug,mark';
  assert.equal(await parse(cmd, ['--skip-phases', skip]), undefined);
  assert.equal(state.inits, 0);
  assert.deepEqual(state.calls, []);
});

test('an unknown --skip-phases name fails with `invalid phase name`', async () => {
  const { cmd, state } = build();
  const err = await parse(cmd, ['--skip-phases', 'certs/bogus']);
  assert.equal((err as Error).message, 'invalid phase name: certs/bogus');
  assert.equal(state.inits, 0);
  assert.equal(state.after, 0);
});

test('`phase <parent> <child>` runs one phase with its inherited flags', async () => {
  const { cmd, state, ctx } = build();
  assert.equal(
    await parse(cmd, ['phase', 'certs', 'ca', '--cert-dir', '/pki', '--config', 'c.yaml']),
    undefined,
  );
  assert.deepEqual(state.calls, ['run:ca']);
  assert.equal(state.after, 0);
  assert.equal(ctx().phase, 'certs/ca');
  assert.equal(ctx().flags.string('cert-dir'), '/pki');
  assert.equal(ctx().flags.isSet('config'), true);
  // Flags the phase does not expose read as their defaults.
  assert.equal(ctx().flags.has('node-name'), false);
  assert.equal(ctx().flags.string('node-name'), 'n1');
});

test('aliases work as subcommand names', async () => {
  const a = build();
  assert.equal(await parse(a.cmd, ['phase', 'controlplane', 'scheduler']), undefined);
  assert.deepEqual(a.state.calls, ['run:scheduler']);
  const b = build();
  assert.equal(await parse(b.cmd, ['phase', 'uploadconfig', 'kubeadm']), undefined);
  assert.deepEqual(b.state.calls, ['run:kubeadm']);
  assert.equal(b.ctx().phase, 'upload-config/kubeadm');
});

test('`phase <parent> all` runs every child and exposes the union of their flags', async () => {
  const { cmd, state, ctx } = build();
  assert.equal(
    await parse(cmd, ['phase', 'certs', 'all', '--cert-dir', '/p', '--dry-run', '--config', 'x']),
    undefined,
  );
  assert.deepEqual(state.calls, ['run:ca', 'run:sa']);
  assert.equal(ctx().phase, 'certs');
  assert.equal(ctx().flags.string('cert-dir'), '/p');
  assert.equal(ctx().flags.boolean('dry-run'), true);
});

test('`all` runs the parent itself too when it has a run', async () => {
  const { cmd, state } = build();
  assert.equal(await parse(cmd, ['phase', 'control-plane', 'all']), undefined);
  assert.deepEqual(state.calls, ['run:control-plane', 'run:apiserver', 'run:scheduler']);
});

test('`all` uses its own short text, a default one, or is left out', () => {
  const { phaseCmd } = build();
  const sub = (path: string[]) =>
    path.reduce<Command | undefined>((c, n) => c?.commands.find((x) => x.name() === n), phaseCmd);
  assert.equal(sub(['certs', 'all'])?.summary(), 'Generate all certificates');
  assert.equal(sub(['control-plane', 'all'])?.summary(), 'Run every control-plane sub-phase, in order');
  assert.equal(sub(['upload-config', 'all']), undefined);
  assert.deepEqual(
    sub(['certs', 'all'])?.options.map((o) => o.long),
    ['--cert-dir', '--config', '--dry-run'],
  );
});

test('a parent without run prints its help and builds no data', async () => {
  const { cmd, state, io } = build();
  assert.equal(await parse(cmd, ['phase', 'certs']), undefined);
  assert.equal(state.inits, 0);
  assert.match(io.stdout(), /^Usage: init phase certs \[options\] \[command\]\n\nCertificate generation\n/);
  assert.match(io.stdout(), /\n {2}ca\b.*Short for ca\n/);
  assert.match(io.stdout(), /\n {2}all\b.*Generate all certificates\n/);
});

test('a parent with run only prints its help, as kubeadm; `all` runs it', async () => {
  const { cmd, io, state } = build();
  assert.equal(await parse(cmd, ['phase', 'control-plane']), undefined);
  assert.deepEqual(state.calls, []);
  assert.match(
    io.stdout(),
    /^Usage: init phase control-plane\|controlplane \[options\] \[command\]\n[^]*\n  all /,
  );
});

test('`phase` alone prints help listing visible phases only', async () => {
  const { cmd, io, state } = build();
  assert.equal(await parse(cmd, ['phase']), undefined);
  const help = io.stdout();
  assert.match(help, /Runs a single phase of init on its own/);
  for (const name of [
    'preflight',
    'certs',
    'control-plane\\|controlplane',
    'upload-config\\|uploadconfig',
    'mark',
  ]) {
    assert.match(help, new RegExp(`\\n  ${name}\\b`));
  }
  assert.doesNotMatch(help, /debug/);
  assert.equal(state.inits, 0);
});

test('a hidden phase still runs through `phase`', async () => {
  const { cmd, state } = build();
  assert.equal(await parse(cmd, ['phase', 'debug']), undefined);
  assert.deepEqual(state.calls, ['run:debug']);
});

test('unknown phase names are unknown commands', async () => {
  for (const argv of [
    ['phase', 'bogus'],
    ['phase', 'certs', 'bogus'],
  ]) {
    const { cmd, io, state } = build();
    const err = await parse(cmd, argv);
    assert.ok(isCommanderError(err, 'commander.unknownCommand'), String(err));
    assert.match(io.stderr(), /unknown command 'bogus'/);
    assert.equal(state.inits, 0);
  }
});

test('phase subcommands reject flags they do not inherit, even ones the main command has', async () => {
  for (const [argv, flag] of [
    [['phase', 'certs', 'ca', '--token', 'x'], '--token'],
    [['phase', 'certs', 'ca', '--bogus'], '--bogus'],
    [['phase', 'certs', '--cert-dir', '/x'], '--cert-dir'],
    [['phase', 'control-plane', 'scheduler', '--apiserver-extra-args', 'a=b'], '--apiserver-extra-args'],
    [['--kubeconfig', 'k'], '--kubeconfig'],
  ] as const) {
    const { cmd, io, state } = build();
    const err = await parse(cmd, [...argv]);
    assert.ok(isCommanderError(err, 'commander.unknownOption'), `${argv.join(' ')}: ${String(err)}`);
    assert.match(io.stderr(), new RegExp(`unknown option '${flag}'`));
    assert.equal(state.inits, 0);
  }
});

test('phase-only flags are exposed where inherited, with their defaults', async () => {
  const a = build();
  assert.equal(await parse(a.cmd, ['phase', 'upload-config', 'kubeadm']), undefined);
  assert.equal(a.ctx().flags.string('kubeconfig'), '/etc/kubernetes/admin.conf');
  const b = build();
  assert.equal(
    await parse(b.cmd, ['phase', 'upload-config', 'kubeadm', '--kubeconfig', '/k.conf']),
    undefined,
  );
  assert.equal(b.ctx().flags.string('kubeconfig'), '/k.conf');
});

test('local flags live on their phase only; deprecated ones warn', async () => {
  const { cmd, io, ctx } = build();
  assert.equal(
    await parse(cmd, ['phase', 'control-plane', 'apiserver', '--apiserver-extra-args', 'a=b']),
    undefined,
  );
  assert.deepEqual(ctx().flags.strings('apiserver-extra-args'), ['a=b']);
  assert.equal(io.stderr(), 'Flag --apiserver-extra-args has been deprecated, use the config file\n');
});

test('local flags read as defaults on the main command', async () => {
  const { cmd, ctx } = build();
  assert.equal(await parse(cmd, []), undefined);
  assert.deepEqual(ctx().flags.strings('apiserver-extra-args'), []);
});

test('the main command help starts with the long text and the phase table', async () => {
  const { cmd, io } = build();
  assert.equal(cmd.summary(), 'Run this command to set up a control plane');
  cmd.outputHelp();
  const expected = [
    'Run this command to set up a control plane',
    'Second line.',
    '',
    'The "init" command executes the following phases:',
    '```',
    'preflight      Run pre-flight checks',
    'certs          Certificate generation',
    '  /ca            Short for ca',
    '  /sa            Short for sa',
    'control-plane  Short for control-plane',
    '  /apiserver     Short for apiserver',
    '  /scheduler     Short for scheduler',
    'upload-config  Short for upload-config',
    '  /kubeadm       Short for kubeadm',
    'mark           Short for mark',
    '```',
    '',
    'Usage: init [options] [command]',
  ].join('\n');
  assert.equal(io.stdout().slice(0, expected.length), expected);
  assert.match(io.stdout(), /--skip-phases <strings>\s+Phases to leave out, by their path/);
  assert.match(io.stdout(), /\n {2}phase\s+Run one step of init by itself/);
});

test('a phase example is shown in its help', async () => {
  const { cmd, io } = build();
  assert.equal(
    await parse(cmd, ['phase', 'certs', 'ca', '--help']).then((e) =>
      isCommanderError(e, 'commander.helpDisplayed'),
    ),
    true,
  );
  assert.match(io.stdout(), /\nExamples:\n {2}kbadm init phase certs ca --cert-dir \/pki\n/);
});

test('leaf phases take the main command arguments', async () => {
  const a = build({ argument: '[endpoint]' });
  assert.equal(await parse(a.cmd, ['phase', 'preflight', '10.0.0.1:6443']), undefined);
  assert.deepEqual(a.ctx().args, ['10.0.0.1:6443']);
  const b = build({ argument: '[endpoint]' });
  assert.equal(await parse(b.cmd, ['10.0.0.2:6443']), undefined);
  assert.deepEqual(b.ctx().args, ['10.0.0.2:6443']);
  const c = build({ argument: '[endpoint]' });
  assert.ok(
    isCommanderError(await parse(c.cmd, ['phase', 'preflight', 'a', 'b']), 'commander.excessArguments'),
  );
  assert.equal(c.state.inits, 0);
  const d = build();
  assert.ok(
    isCommanderError(await parse(d.cmd, ['phase', 'certs', 'all', 'extra']), 'commander.excessArguments'),
  );
});

test('the main command arguments appear in the table header', () => {
  const { io, cmd } = build({ argument: '[api-server-endpoint]' });
  cmd.outputHelp();
  assert.match(io.stdout(), /The "init \[api-server-endpoint\]" command executes the following phases:/);
});

test('argsValidator decides on a phase arguments, declared in its name', async () => {
  const ok = build();
  assert.equal(await parse(ok.cmd, ['phase', 'mark', 'node-1']), undefined);
  assert.deepEqual(ok.ctx().args, ['node-1']);
  for (const argv of [
    ['phase', 'mark'],
    ['phase', 'mark', 'a', 'b'],
  ]) {
    const bad = build();
    const err = await parse(bad.cmd, argv);
    assert.ok(isCommanderError(err, 'kbadm.invalidArguments'), String(err));
    assert.match(bad.io.stderr(), new RegExp(`error: accepts 1 arg\\(s\\), received ${argv.length - 2}`));
    assert.equal(bad.state.inits, 0);
  }
});

test('a failing phase rejects the parse with the wrapped error and its exit code', async () => {
  const failing = leaf('preflight', {
    run: async () => {
      throw new PreflightError('[preflight] Some fatal errors occurred');
    },
  });
  for (const argv of [[], ['phase', 'preflight']]) {
    const { cmd, state } = build({ phases: [failing, leaf('after')] });
    const err = await parse(cmd, argv);
    assert.ok(err instanceof PhaseError);
    assert.equal(err.message, 'error execution phase preflight: [preflight] Some fatal errors occurred');
    assert.equal(exitCodeOf(err), EXIT_PREFLIGHT);
    assert.deepEqual(state.calls, []);
    assert.equal(state.after, 0);
  }
});

test('through a root command, main-command flags after `phase <name>` still reach the phase', async () => {
  const { cmd, state, ctx } = build();
  const root = new Command('kbadm').option('--v <level>', 'verbosity');
  root.addCommand(cmd);
  capture(root);
  cmd.copyInheritedSettings(root);
  assert.equal(
    await parse(root, ['init', 'phase', 'certs', 'ca', '--cert-dir', '/y', '--v', '5']),
    undefined,
  );
  assert.deepEqual(state.calls, ['run:ca']);
  assert.equal(ctx().flags.string('cert-dir'), '/y');
  assert.equal(ctx().flags.isSet('cert-dir'), true);
  assert.equal(root.opts()['v'], '5');
});

test('inheriting a flag nobody declares is a programming error', () => {
  const runner = new Runner<Recorded>([leaf('p', { inheritFlags: ['nope'] })]);
  assert.throws(
    () => bindRunner(new Command('x'), runner, { flags }),
    /phase "p" inherits unknown flag --nope/,
  );
});

test('the use line can be given explicitly', () => {
  const cmd = new Command('apply');
  const io = capture(cmd);
  bindRunner(cmd, new Runner<Recorded>([leaf('a')]), { flags: [], use: 'apply [version]' });
  cmd.outputHelp();
  assert.match(io.stdout(), /The "apply \[version\]" command executes the following phases:/);
});
