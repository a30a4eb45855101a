import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pollUntil, type Clock } from '../../src/phases/clock.js';

function virtual(): Clock & { slept: number[] } {
  let t = 0;
  const slept: number[] = [];
  return { now: () => t, sleep: async (ms) => void (slept.push(ms), (t += ms)), slept };
}

test('pollUntil: tries at once, then every interval, never sleeping past the deadline', async () => {
  const c = virtual();
  let tries = 0;
  assert.deepEqual(await pollUntil(c, 2500, 1000, async () => ++tries === 1), { ok: true });
  assert.deepEqual(c.slept, []);

  tries = 0;
  const r = await pollUntil(c, 2500, 1000, async () => {
    tries++;
    return false;
  });
  assert.deepEqual(r, { ok: false });
  assert.deepEqual(c.slept, [1000, 1000, 500]);
  assert.equal(tries, 4, 'the last try is at the deadline');
});

test('pollUntil: a throw is a failed try; the last error comes back when time runs out', async () => {
  const c = virtual();
  let n = 0;
  const r = await pollUntil(c, 1000, 400, async () => {
    throw new Error(`try ${++n}`);
  });
  assert.equal(r.ok, false);
  assert.equal((r.error as Error).message, 'try 4');
  let m = 0;
  assert.deepEqual(
    await pollUntil(virtual(), 1000, 400, async () => {
      if (++m < 3) throw new Error('not yet');
      return true;
    }),
    { ok: true },
  );
});
