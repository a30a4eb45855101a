// Time as the waits of a command see it: the real clock, or a test's virtual one that makes a
// 15-second wait take no time at all.
export interface Clock {
  /** Milliseconds since the epoch (or since a test's zero). */
  now(): number;
  sleep(ms: number): Promise<void>;
}
