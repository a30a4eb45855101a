// Go time.Duration text, as metav1.Duration reads and writes it in kubeadm YAML (`ttl: 24h0m0s`).
// Values are carried as milliseconds (fractions allowed) because that is what JavaScript timers use.

const UNIT_NS = new Map<string, bigint>(
  Object.entries({
    ns: 1n,
    us: 1_000n,
    µs: 1_000n, // U+00B5 micro sign
    μs: 1_000n, // U+03BC Greek mu
    ms: 1_000_000n,
    s: 1_000_000_000n,
    m: 60_000_000_000n,
    h: 3_600_000_000_000n,
  }),
);

const MAX_NS = (1n << 63n) - 1n;

/** Go's time.ParseDuration in nanoseconds, or undefined where Go returns an error. */
export function parseDurationNs(s: string): bigint | undefined {
  let rest = s;
  let neg = false;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    neg = rest[0] === '-';
    rest = rest.slice(1);
  }
  if (rest === '0') return 0n;
  if (rest === '') return undefined;
  let total = 0n;
  while (rest !== '') {
    const m = /^([0-9]*)(?:\.([0-9]*))?([^0-9.]+)/.exec(rest);
    if (!m) return undefined;
    const [whole, intPart = '', fracPart, unitText = ''] = m;
    if (intPart === '' && (fracPart === undefined || fracPart === '')) return undefined;
    // As in Go, the unit is everything up to the next digit or dot, so `1h 2m` fails on `h `.
    const mult = UNIT_NS.get(unitText);
    if (mult === undefined) return undefined;
    let v = BigInt(intPart || '0') * mult;
    if (fracPart) {
      // Go truncates the fractional part to nanoseconds.
      v += (BigInt(fracPart) * mult) / 10n ** BigInt(fracPart.length);
    }
    total += v;
    if (total > MAX_NS + (neg ? 1n : 0n)) return undefined;
    rest = rest.slice(whole.length);
  }
  return neg ? -total : total;
}

/** Go's time.ParseDuration, in milliseconds. Accepts `0`, signs, fractions and ns/us/µs/ms/s/m/h. */
export function parseDuration(s: string): number | undefined {
  const ns = parseDurationNs(s);
  return ns === undefined ? undefined : Number(ns) / 1e6;
}

function fracString(v: bigint, digits: number): string {
  // v is the remainder below one unit, expressed in units of 10^-digits; trailing zeros dropped.
  if (v === 0n) return '';
  const s = v.toString().padStart(digits, '0').replace(/0+$/, '');
  return `.${s}`;
}

/** Go's Duration.String() for a nanosecond count: `24h0m0s`, `5m0s`, `1.5s`, `500ms`, `0s`. */
export function formatDurationNs(ns: bigint): string {
  if (ns === 0n) return '0s';
  const neg = ns < 0n;
  const u = neg ? -ns : ns;
  let out: string;
  if (u < 1_000_000_000n) {
    if (u < 1_000n) out = `${u}ns`;
    else if (u < 1_000_000n) out = `${u / 1_000n}${fracString(u % 1_000n, 3)}µs`;
    else out = `${u / 1_000_000n}${fracString(u % 1_000_000n, 6)}ms`;
  } else {
    const secs = u / 1_000_000_000n;
    const frac = fracString(u % 1_000_000_000n, 9);
    const h = secs / 3600n;
    const m = (secs / 60n) % 60n;
    const sec = secs % 60n;
    out = `${sec}${frac}s`;
    if (secs >= 60n) out = `${m}m${out}`;
    if (h > 0n) out = `${h}h${out}`;
  }
  return neg ? `-${out}` : out;
}

/** Go's Duration.String() for milliseconds (sub-millisecond fractions are rounded to nanoseconds). */
export function formatDuration(ms: number): string {
  return formatDurationNs(BigInt(Math.round(ms * 1e6)));
}
