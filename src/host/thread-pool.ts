// Node runs key generation and the slow file calls (syncs to disk, tree removals; the quick ones are
// synchronous, see file-system.ts) on one pool of threads (libuv's, 4 by default). Key generation
// keeps a thread busy for tens of milliseconds per RSA key: a dozen of them queued at once would
// hold every sync queued behind them. The single executable asks for one
// thread per CPU plus IO_THREADS (scripts/sea-main.cjs); under plain node the pool keeps its size.
import { availableParallelism } from 'node:os';

const LIBUV_DEFAULT = 4;
/** Threads kept free for file I/O while keys are generated. */
const IO_THREADS = 2;

/**
 * How many CPU-bound jobs (key generation) may run in the pool at once: one per CPU, and never so
 * many that I/O waits for a thread. `env` tells the pool's size (UV_THREADPOOL_SIZE, read by
 * libuv when the pool starts).
 */
export function cpuJobSlots(env: Readonly<Record<string, string | undefined>> = process.env): number {
  const configured = Number(env['UV_THREADPOOL_SIZE']);
  const size = Number.isInteger(configured) && configured > 0 ? Math.min(configured, 1024) : LIBUV_DEFAULT;
  return Math.max(1, Math.min(availableParallelism(), size - IO_THREADS));
}
