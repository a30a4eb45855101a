import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  EXIT_GENERIC,
  EXIT_PREFLIGHT,
  EXIT_VALIDATION,
  KbadmError,
  PreflightError,
  ValidationError,
  exitCodeOf,
} from '../../src/errors.js';
import { PhaseError, Runner, flagValuesOf, type Invocation, type Phase } from '../../src/workflow/index.js';
import { group, leaf, type Recorded } from '../support/workflow.js';

interface Data extends Recorded {
  skip?: string[];
  enabled?: boolean;
}

/** A runner over `phases` whose data records calls and counts initializations. */
function setup(phases: Phase<Data>[], data: Omit<Data, 'calls'> = {}) {
  const state = { inits: 0, contexts: [] as Invocation[] };
  const shared: Data = { calls: [], ...data };
  const runner = new Runner<Data>(phases, {
    init: async (ctx) => {
      state.inits++;
      state.contexts.push(ctx);
      return shared;
    },
    skipPhasesFromData: (d) => d.skip,
  });
  return { runner, state, calls: shared.calls };
}

const tree = (): Phase<Data>[] => [
  leaf('preflight'),
  group('certs', [leaf('ca'), leaf('apiserver')]),
  {
    ...group('control-plane', [leaf('apiserver-manifest'), leaf('scheduler')]),
    run: async (d) => {
      d.calls.push('run:control-plane');
    },
  },
  leaf('finish'),
];

test('runs every phase in order, a parent with run before its children', async () => {
  const { runner, calls } = setup(tree());
  const result = await runner.run();
  assert.deepEqual(calls, [
    'run:preflight',
    'run:ca',
    'run:apiserver',
    'run:control-plane',
    'run:apiserver-manifest',
    'run:scheduler',
    'run:finish',
  ]);
  assert.deepEqual(result.ran, [
    'preflight',
    'certs/ca',
    'certs/apiserver',
    'control-plane',
    'control-plane/apiserver-manifest',
    'control-plane/scheduler',
    'finish',
  ]);
});

test('a filter runs only the selected subtree; `<parent>/all` selects the parent', async () => {
  const a = setup(tree());
  await a.runner.run({ filter: ['control-plane'] });
  assert.deepEqual(a.calls, ['run:control-plane', 'run:apiserver-manifest', 'run:scheduler']);
  const b = setup(tree());
  await b.runner.run({ filter: ['certs/all'] });
  assert.deepEqual(b.calls, ['run:ca', 'run:apiserver']);
  const c = setup(tree());
  await c.runner.run({ filter: ['certs/apiserver'] });
  assert.deepEqual(c.calls, ['run:apiserver']);
});

test('skips remove phases and their children', async () => {
  const { runner, calls } = setup(tree());
  await runner.run({ skip: ['certs', 'control-plane/scheduler', 'finish'] });
  assert.deepEqual(calls, ['run:preflight', 'run:control-plane', 'run:apiserver-manifest']);
});

test('an unknown skip name fails before anything runs or data is built', async () => {
  const { runner, state, calls } = setup(tree());
  await assert.rejects(runner.run({ skip: ['certs/nope'] }), { message: 'invalid phase name: certs/nope' });
  assert.deepEqual(calls, []);
  assert.equal(state.inits, 0);
});

test('runIf gates only the phase itself; children decide on their own', async () => {
  const phases: Phase<Data>[] = [
    { ...group('g', [leaf('child')]), runIf: () => false, run: async (d) => void d.calls.push('run:g') },
    leaf('sync-no', { runIf: () => false }),
    leaf('async-yes', { runIf: async (d) => d.enabled === true }),
  ];
  const { runner, calls } = setup(phases, { enabled: true });
  const result = await runner.run();
  assert.deepEqual(calls, ['run:child', 'run:async-yes']);
  assert.deepEqual(result.ran, ['g/child', 'async-yes']);
});

test('the data initializer runs once, with the run context, on first need', async () => {
  const { runner, state } = setup(tree());
  const context: Invocation = { flags: flagValuesOf([]), args: ['x'], phase: 'certs' };
  assert.equal(runner.dataInitialized, false);
  await runner.run({ filter: ['certs'], context });
  await runner.run({ filter: ['finish'] });
  await runner.data();
  assert.equal(state.inits, 1);
  assert.equal(state.contexts[0], context);
  assert.equal(runner.dataInitialized, true);
});

test('no data is built when every phase is skipped or no selected phase has run or runIf', async () => {
  const a = setup(tree());
  await a.runner.run({ skip: ['preflight', 'certs', 'control-plane', 'finish'] });
  assert.equal(a.state.inits, 0);
  const b = setup(tree());
  const result = await b.runner.run({ filter: ['certs'], skip: ['certs/ca', 'certs/apiserver'] });
  assert.equal(b.state.inits, 0);
  assert.deepEqual(result.ran, []);
});

test('runIf alone is enough to need data', async () => {
  const { runner, state } = setup([{ name: 'check', short: 's', runIf: () => false }]);
  await runner.run();
  assert.equal(state.inits, 1);
});

test('data() builds the data outside a run, and a later run reuses it', async () => {
  const { runner, state, calls } = setup(tree());
  const data = await runner.data({ flags: flagValuesOf([]), args: [] });
  await runner.run({ filter: ['finish'] });
  assert.equal(state.inits, 1);
  assert.equal(data.calls, calls);
  assert.deepEqual(calls, ['run:finish']);
});

test('an initializer failure passes through unwrapped and is not retried', async () => {
  let inits = 0;
  const runner = new Runner<Data>(tree(), {
    init: async () => {
      inits++;
      throw new ValidationError([{ field: 'networking.podSubnet', value: 'x', detail: 'invalid CIDR' }]);
    },
  });
  const err = await runner.run().catch((e: unknown) => e);
  assert.ok(err instanceof ValidationError);
  assert.equal(exitCodeOf(err), EXIT_VALIDATION);
  await assert.rejects(runner.data(), ValidationError);
  assert.equal(inits, 1);
});

test('without an initializer, phases receive undefined', async () => {
  const seen: unknown[] = [];
  const runner = new Runner<undefined>([{ name: 'p', short: 's', run: async (d) => void seen.push(d) }]);
  await runner.run();
  assert.deepEqual(seen, [undefined]);
});

test('config skip phases apply on a full run with no command-line skips', async () => {
  const { runner, calls } = setup(tree(), { skip: ['certs', 'control-plane/scheduler'] });
  await runner.run();
  assert.deepEqual(calls, ['run:preflight', 'run:control-plane', 'run:apiserver-manifest', 'run:finish']);
});

test('command-line skips win over config skips', async () => {
  const { runner, calls } = setup(tree(), { skip: ['certs'] });
  await runner.run({ skip: ['finish'] });
  assert.deepEqual(calls, [
    'run:preflight',
    'run:ca',
    'run:apiserver',
    'run:control-plane',
    'run:apiserver-manifest',
    'run:scheduler',
  ]);
});

test('config skips do not apply to a filtered run (`phase <name>`)', async () => {
  const { runner, calls } = setup(tree(), { skip: ['certs'] });
  await runner.run({ filter: ['certs'] });
  assert.deepEqual(calls, ['run:ca', 'run:apiserver']);
});

test('an unknown config skip name is reported', async () => {
  const { runner, calls } = setup(tree(), { skip: ['nope'] });
  await assert.rejects(runner.run(), { message: 'invalid phase name: nope' });
  assert.deepEqual(calls, []);
});

test('a phase error is wrapped with its path, keeps the cause, and stops the run', async () => {
  const boom = new Error('disk full');
  const phases: Phase<Data>[] = [
    group('certs', [
      leaf('ca'),
      { name: 'apiserver', short: 's', run: async () => Promise.reject(boom) },
      leaf('sa'),
    ]),
    leaf('finish'),
  ];
  const { runner, calls } = setup(phases);
  const err = await runner.run().catch((e: unknown) => e);
  assert.ok(err instanceof PhaseError);
  assert.equal(err.message, 'error execution phase certs/apiserver: disk full');
  assert.equal(err.phase, 'certs/apiserver');
  assert.equal(err.cause, boom);
  assert.equal(exitCodeOf(err), EXIT_GENERIC);
  assert.deepEqual(calls, ['run:ca']);
});

test('exit codes survive the wrapping: preflight 2, validation 3', async () => {
  const cases: [Error, number][] = [
    [new PreflightError('[preflight] Some fatal errors occurred'), EXIT_PREFLIGHT],
    [new ValidationError('bad field'), EXIT_VALIDATION],
    [new KbadmError('generic'), EXIT_GENERIC],
  ];
  for (const [cause, code] of cases) {
    const runner = new Runner<undefined>([
      {
        name: 'preflight',
        short: 's',
        run: async () => {
          throw cause;
        },
      },
    ]);
    const err = await runner.run().catch((e: unknown) => e);
    assert.equal((err as Error).message, `error execution phase preflight: ${cause.message}`);
    assert.equal(exitCodeOf(err), code);
  }
});

test('runIf errors are wrapped as run-condition errors; non-Error throws are stringified', async () => {
  const runner = new Runner<undefined>([
    {
      name: 'p',
      short: 's',
      runIf: () => {
        throw new PreflightError('cannot tell');
      },
    },
  ]);
  const err = await runner.run().catch((e: unknown) => e);
  assert.equal((err as Error).message, 'error execution run condition for phase p: cannot tell');
  assert.equal(exitCodeOf(err), EXIT_PREFLIGHT);

  const odd = new Runner<undefined>([
    {
      name: 'q',
      short: 's',
      run: () => Promise.reject('plain string'),
    },
  ]);
  await assert.rejects(odd.run(), { message: 'error execution phase q: plain string' });
});

test('dependencies are checked before data is built', async () => {
  const phases: Phase<Data>[] = [leaf('a'), leaf('b', { dependencies: ['a'] })];
  const ok = setup(phases);
  await ok.runner.run();
  assert.deepEqual(ok.calls, ['run:a', 'run:b']);
  const bad = setup(phases);
  await assert.rejects(
    bad.runner.run({ filter: ['b'] }),
    /^KbadmError: unresolved dependencies:\n\tmissing \[a\] phase\(s\) needed by "b" phase$/,
  );
  assert.equal(bad.state.inits, 0);
});

test('phases run with `this` bound to the phase object', async () => {
  const seen: unknown[] = [];
  const phase: Phase<undefined> = {
    name: 'p',
    short: 's',
    async run() {
      seen.push(this);
    },
  };
  await new Runner([phase]).run();
  assert.equal(seen[0], phase);
});

test('find and phases expose the tree', () => {
  const { runner } = setup(tree());
  assert.equal(runner.find('control-plane/scheduler')?.level, 1);
  assert.deepEqual(
    runner.phases.map((p) => p.name),
    ['preflight', 'certs', 'control-plane', 'finish'],
  );
});

test('the runner logs each phase it runs or skips, with its duration', async () => {
  const lines: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
  const log = {
    info: (msg: string, fields?: Record<string, unknown>) => lines.push({ level: 'info', msg, fields }),
    debug: (msg: string, fields?: Record<string, unknown>) => lines.push({ level: 'debug', msg, fields }),
  };
  const runner = new Runner<undefined>(
    [
      { name: 'a', short: 'A', run: async () => undefined },
      { name: 'b', short: 'B', runIf: () => false, run: async () => undefined },
    ],
    { log: () => log },
  );
  await runner.run();
  assert.deepEqual(
    lines.map((l) => [l.level, l.msg, l.fields?.['phase']]),
    [
      ['info', 'running phase', 'a'],
      ['debug', 'phase done', 'a'],
      ['debug', 'phase skipped: its condition is not met', 'b'],
    ],
  );
  assert.equal(typeof lines[1]!.fields?.['ms'], 'number');
});
