// Time as the waits of a command see it: the real clock, or a test's virtual one that makes a
// 15-second wait take no time at all.
export interface Clock {
  /** Milliseconds since the epoch (or since a test's zero). */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const REAL_CLOCK: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Calls `attempt` at once and then every `intervalMs` until it returns true or `timeoutMs` has
 * passed on `clock`. A throw counts as a failed attempt; the last one's error comes back when time
 * runs out.
 */
export async function pollUntil(
  clock: Clock,
  timeoutMs: number,
  intervalMs: number,
  attempt: () => Promise<boolean>,
): Promise<{ ok: boolean; error?: unknown }> {
  const deadline = clock.now() + timeoutMs;
  for (;;) {
    let error: unknown;
    try {
      if (await attempt()) return { ok: true };
    } catch (err) {
      error = err;
    }
    const left = deadline - clock.now();
    if (left <= 0) return { ok: false, ...(error !== undefined ? { error } : {}) };
    await clock.sleep(Math.min(intervalMs, left));
  }
}
