// A line-based unified diff in the shape kubeadm prints for `upgrade diff` (go-difflib, which follows
// Python's difflib): `--- from`/`+++ to` headers only when something differs, `@@ -a,b +c,d @@`
// hunks with `context` unchanged lines around each change, removed lines before added ones. The
// edit script comes from Myers' O(ND) algorithm, so it is a shortest one.

type Tag = 'equal' | 'delete' | 'insert' | 'replace';
/** A run of one kind: a[i1..i2) against b[j1..j2). */
type OpCode = [tag: Tag, i1: number, i2: number, j1: number, j2: number];

export interface UnifiedDiffOptions {
  fromFile: string;
  toFile: string;
  /** Unchanged lines shown around each change (default 3). */
  context?: number;
}

/** Lines the way go-difflib's SplitLines sees them: text after the last newline is a line too. */
export function splitLines(text: string): string[] {
  return text.split('\n');
}

/** The unified diff of two texts; '' when they are equal. */
export function unifiedDiff(a: string, b: string, options: UnifiedDiffOptions): string {
  return unifiedDiffLines(splitLines(a), splitLines(b), options);
}

export function unifiedDiffLines(
  a: readonly string[],
  b: readonly string[],
  options: UnifiedDiffOptions,
): string {
  const n = options.context ?? 3;
  const out: string[] = [];
  for (const group of groupedOpCodes(opCodes(a, b), n)) {
    if (out.length === 0) out.push(`--- ${options.fromFile}`, `+++ ${options.toFile}`);
    const first = group[0]!;
    const last = group[group.length - 1]!;
    out.push(`@@ -${range(first[1], last[2])} +${range(first[3], last[4])} @@`);
    for (const [tag, i1, i2, j1, j2] of group) {
      if (tag === 'equal') {
        for (const line of a.slice(i1, i2)) out.push(` ${line}`);
        continue;
      }
      if (tag === 'replace' || tag === 'delete') for (const line of a.slice(i1, i2)) out.push(`-${line}`);
      if (tag === 'replace' || tag === 'insert') for (const line of b.slice(j1, j2)) out.push(`+${line}`);
    }
  }
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}

/** difflib's range notation: `start,length`, just `start` for one line, `start-1,0` for none. */
function range(start: number, stop: number): string {
  const length = stop - start;
  if (length === 1) return String(start + 1);
  return `${length === 0 ? start : start + 1},${length}`;
}

/** Hunks: changes with up to `n` lines of context, split where more than 2n equal lines lie between. */
function groupedOpCodes(codes: OpCode[], n: number): OpCode[][] {
  if (codes.length === 0) return [];
  const c = codes.map((x) => [...x] as OpCode);
  const head = c[0]!;
  if (head[0] === 'equal')
    c[0] = ['equal', Math.max(head[1], head[2] - n), head[2], Math.max(head[3], head[4] - n), head[4]];
  const tail = c[c.length - 1]!;
  if (tail[0] === 'equal')
    c[c.length - 1] = [
      'equal',
      tail[1],
      Math.min(tail[2], tail[1] + n),
      tail[3],
      Math.min(tail[4], tail[3] + n),
    ];
  const groups: OpCode[][] = [];
  let group: OpCode[] = [];
  for (const code of c) {
    let [tag, i1, i2, j1, j2] = code;
    if (tag === 'equal' && i2 - i1 > 2 * n) {
      group.push(['equal', i1, Math.min(i2, i1 + n), j1, Math.min(j2, j1 + n)]);
      groups.push(group);
      group = [];
      i1 = Math.max(i1, i2 - n);
      j1 = Math.max(j1, j2 - n);
    }
    group.push([tag, i1, i2, j1, j2]);
  }
  if (group.length > 0 && !(group.length === 1 && group[0]![0] === 'equal')) groups.push(group);
  return groups.filter((g) => g.some((x) => x[0] !== 'equal'));
}

/** The edit script as runs; adjacent deletions and insertions become one `replace`. */
function opCodes(a: readonly string[], b: readonly string[]): OpCode[] {
  const codes: OpCode[] = [];
  let i = 0;
  let j = 0;
  let pendingI = 0;
  let pendingJ = 0;
  const flushChange = () => {
    if (pendingI === 0 && pendingJ === 0) return;
    const tag: Tag = pendingI > 0 && pendingJ > 0 ? 'replace' : pendingI > 0 ? 'delete' : 'insert';
    codes.push([tag, i - pendingI, i, j - pendingJ, j]);
    pendingI = pendingJ = 0;
  };
  for (const step of myers(a, b)) {
    if (step === '=') {
      flushChange();
      const prev = codes[codes.length - 1];
      if (prev && prev[0] === 'equal' && prev[2] === i) {
        prev[2]++;
        prev[4]++;
      } else codes.push(['equal', i, i + 1, j, j + 1]);
      i++;
      j++;
    } else if (step === '-') {
      pendingI++;
      i++;
    } else {
      pendingJ++;
      j++;
    }
  }
  flushChange();
  return codes;
}

/** Myers' greedy shortest edit script, as '=' (keep), '-' (delete from a), '+' (insert from b). */
function myers(a: readonly string[], b: readonly string[]): string[] {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = false;
  for (let d = 0; d <= max && !found; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x =
        k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!)
          ? v[offset + k + 1]!
          : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = true;
        break;
      }
    }
  }
  const steps: string[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0; d--) {
    const t = trace[d]!;
    const k = x - y;
    const prevK = k === -d || (k !== d && t[offset + k - 1]! < t[offset + k + 1]!) ? k + 1 : k - 1;
    const prevX = d === 0 ? 0 : t[offset + prevK]!;
    const prevY = d === 0 ? 0 : prevX - prevK;
    while (x > prevX && y > prevY) {
      steps.push('=');
      x--;
      y--;
    }
    if (d > 0) {
      if (x === prevX) {
        steps.push('+');
        y--;
      } else {
        steps.push('-');
        x--;
      }
    }
    x = prevX;
    y = prevY;
  }
  return steps.reverse();
}
