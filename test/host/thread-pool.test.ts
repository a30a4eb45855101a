import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { test } from 'node:test';
import { cpuJobSlots } from '../../src/host/thread-pool.js';

test('key jobs leave two of the pool’s threads to I/O and use at most one thread per CPU', () => {
  const cpus = availableParallelism();
  assert.equal(cpuJobSlots({}), Math.min(cpus, 2), 'libuv’s default pool of 4');
  assert.equal(
    cpuJobSlots({ UV_THREADPOOL_SIZE: 'lots' }),
    Math.min(cpus, 2),
    'an unreadable size is the default',
  );
  assert.equal(cpuJobSlots({ UV_THREADPOOL_SIZE: '3' }), 1);
  assert.equal(cpuJobSlots({ UV_THREADPOOL_SIZE: '1' }), 1, 'always at least one');
  assert.equal(cpuJobSlots({ UV_THREADPOOL_SIZE: '200' }), cpus);
});
