// The children of a `parallel` phase: run at once within their `after` order, printed in
// declared order, and on a failure every one settles before the first failure in order is thrown.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deferOutput, recordOutput, type Output } from '../../src/output/output.js';
import { PhaseError, Runner, type Phase } from '../../src/workflow/index.js';
import { flattenPhases } from '../../src/workflow/tree.js';

interface Data {
  out: Output;
  /** Events in the order they happened, e.g. `start a`, `end a`. */
  events: string[];
}

/** A gate each test opens by hand, so the order of events is decided by the test, not by timing. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

function child(name: string, wait: Promise<void>, extra: Partial<Phase<Data>> = {}): Phase<Data> {
  return {
    name,
    short: name,
    run: async (d) => {
      d.events.push(`start ${name}`);
      d.out.progress('p', `${name} begins`);
      await wait;
      d.out.warnOnce('shared warning');
      d.out.progress('p', `${name} ends`);
      d.events.push(`end ${name}`);
    },
    ...extra,
  };
}

function runnerOver(children: Phase<Data>[], options: { isolate?: boolean | 'declined' } = {}) {
  const out = recordOutput();
  const data: Data = { out, events: [] };
  const parent: Phase<Data> = { name: 'group', short: 'group', parallel: true, phases: children };
  const runner = new Runner<Data>([parent], {
    init: async () => data,
    ...(options.isolate === false
      ? {}
      : options.isolate === 'declined'
        ? { isolate: () => undefined }
        : {
            isolate: (d: Data) => {
              const o = deferOutput(d.out);
              return { data: { ...d, out: o }, flush: () => o.flush() };
            },
          }),
  });
  return { runner, out, events: data.events };
}

test('children start together; one waits only for those its `after` names', async () => {
  const [a, b, c] = [gate(), gate(), gate()];
  const { runner, out, events } = runnerOver([
    child('a', a.opened),
    child('b', b.opened),
    child('c', c.opened, { after: ['a'] }),
  ]);
  const run = runner.run();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(events, ['start a', 'start b'], 'c waits for a; b does not');
  b.open();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(out.stdout, [], 'b finished first, but a comes first and has not finished');
  a.open();
  c.open();
  const summary = await run;
  assert.deepEqual(summary.ran, ['group/a', 'group/b', 'group/c']);
  assert.deepEqual(events.slice(0, 3), ['start a', 'start b', 'end b']);
  assert.deepEqual(out.stdout, [
    '[p] a begins\n',
    '[p] a ends\n',
    '[p] b begins\n',
    '[p] b ends\n',
    '[p] c begins\n',
    '[p] c ends\n',
  ]);
  assert.deepEqual(out.stderr, ['[WARNING] shared warning\n'], 'a once-only warning stays once');
});

test('a failure: the others finish and print, and the first failure in declared order is thrown', async () => {
  const done = Promise.resolve();
  const boom = (name: string): Phase<Data> => ({
    name,
    short: name,
    run: async (d) => {
      d.out.progress('p', `${name} tried`);
      throw new Error(`${name} failed`);
    },
  });
  const { runner, out, events } = runnerOver([
    child('a', done),
    boom('b'),
    child('c', done, { after: ['b'] }),
    child('d', done),
    boom('e'),
  ]);
  await assert.rejects(runner.run(), (err: unknown) => {
    assert.ok(err instanceof PhaseError);
    assert.equal(err.phase, 'group/b');
    return true;
  });
  assert.ok(!events.includes('start c'), 'c waits for b, which failed');
  assert.ok(events.includes('end d'), 'd, which needs nothing, ran to its end');
  assert.deepEqual(out.stdout, [
    '[p] a begins\n',
    '[p] a ends\n',
    '[p] b tried\n',
    '[p] d begins\n',
    '[p] d ends\n',
    '[p] e tried\n',
  ]);
});

/** A phase that releases those waiting for it once `released` opens, and ends once `ended` does. */
function releasing(name: string, released: Promise<void>, ended: Promise<void>, fail = false): Phase<Data> {
  return {
    name,
    short: name,
    run: async (d, step) => {
      d.events.push(`start ${name}`);
      await released;
      d.events.push(`release ${name}`);
      step?.release();
      await ended;
      d.events.push(`end ${name}`);
      if (fail) throw new Error(`${name} failed after releasing`);
    },
  };
}

test('a phase that releases those waiting for it lets them start before it ends', async () => {
  const [released, ended] = [gate(), gate()];
  const { runner, events } = runnerOver([
    releasing('a', released.opened, ended.opened),
    child('b', Promise.resolve(), { after: ['a'] }),
  ]);
  const run = runner.run();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(events, ['start a'], 'b waits while a has not released it');
  released.open();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(events, ['start a', 'release a', 'start b', 'end b'], 'b ran while a was still running');
  ended.open();
  assert.deepEqual((await run).ran, ['group/a', 'group/b']);
});

test('a phase that fails after releasing still fails the run, as the first failure in order', async () => {
  const { runner, events } = runnerOver([
    releasing('a', Promise.resolve(), Promise.resolve(), true),
    child('b', Promise.resolve(), { after: ['a'] }),
  ]);
  await assert.rejects(runner.run(), (err: unknown) => {
    assert.ok(err instanceof PhaseError);
    assert.equal(err.phase, 'group/a');
    return true;
  });
  assert.ok(events.includes('end b'), 'b had been released and ran');
});

test('phases run one by one: release does nothing, the next starts when the previous ends', async () => {
  const { runner, events } = runnerOver(
    [releasing('a', Promise.resolve(), Promise.resolve()), child('b', Promise.resolve(), { after: ['a'] })],
    { isolate: false },
  );
  await runner.run();
  assert.deepEqual(events, ['start a', 'release a', 'end a', 'start b', 'end b']);
});

test('without an isolate option a parallel phase runs its children one by one', async () => {
  const { runner, events } = runnerOver([child('a', Promise.resolve()), child('b', Promise.resolve())], {
    isolate: false,
  });
  await runner.run();
  assert.deepEqual(events, ['start a', 'end a', 'start b', 'end b']);
});

test('an isolate option that declines (a dry run) runs the children one by one too', async () => {
  const { runner, events, out } = runnerOver([child('a', Promise.resolve()), child('b', Promise.resolve())], {
    isolate: 'declined',
  });
  assert.deepEqual((await runner.run()).ran, ['group/a', 'group/b']);
  assert.deepEqual(events, ['start a', 'end a', 'start b', 'end b']);
  assert.equal(out.stdout.length, 4);
});

test('a filter on one child runs just that child', async () => {
  const { runner, events } = runnerOver([
    child('a', Promise.resolve()),
    child('b', Promise.resolve(), { after: ['a'] }),
  ]);
  assert.deepEqual((await runner.run({ filter: ['group/b'] })).ran, ['group/b']);
  assert.deepEqual(events, ['start b', 'end b']);
});

test('`after` must name an earlier sibling under a parallel parent, and parallel children are leaves', () => {
  const leaf = (name: string, extra: Partial<Phase<Data>> = {}): Phase<Data> => ({
    name,
    short: name,
    ...extra,
  });
  assert.throws(
    () =>
      flattenPhases([
        { name: 'g', short: 'g', parallel: true, phases: [leaf('a', { after: ['b'] }), leaf('b')] },
      ]),
    /phase "g\/a" runs after "b", which is not an earlier sibling/,
  );
  assert.throws(
    () => flattenPhases([{ name: 'g', short: 'g', phases: [leaf('a'), leaf('b', { after: ['a'] })] }]),
    /phase "g\/b" names "after" phases but its parent is not parallel/,
  );
  assert.throws(
    () =>
      flattenPhases([
        { name: 'g', short: 'g', parallel: true, phases: [{ ...leaf('a'), phases: [leaf('x')] }] },
      ]),
    /phase "g\/a" has children, so its parent "g" cannot be parallel/,
  );
});

test('deferOutput holds lines until flushed, in order, then writes straight through', () => {
  const target = recordOutput();
  const out = deferOutput(target);
  out.progress('certs', 'one');
  out.warn('careful');
  out.print('two');
  assert.deepEqual([target.stdout, target.stderr], [[], []]);
  out.flush();
  assert.deepEqual(target.stdout, ['[certs] one\n', 'two\n']);
  assert.deepEqual(target.stderr, ['[WARNING] careful\n']);
  out.progressLine('[certs] three');
  assert.equal(target.stdout.at(-1), '[certs] three\n');
});
