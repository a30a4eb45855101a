// The unified diff: exact output for known cases (checked against Python's difflib, which
// go-difflib follows), and on random inputs, hunks that rebuild the new text from the old one with
// a shortest edit script.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { splitLines, unifiedDiff } from '../../src/output/unified-diff.js';

const H = { fromFile: '/etc/kubernetes/manifests/kube-apiserver.yaml', toFile: 'new manifest' };

describe('unifiedDiff', () => {
  test('equal texts give nothing, not even headers', () => {
    assert.equal(unifiedDiff('a\nb\n', 'a\nb\n', H), '');
    assert.equal(unifiedDiff('', '', H), '');
  });

  test('one changed line in the middle, three lines of context by default', () => {
    const a = '1\n2\n3\n4\n5\n6\n7\n8\n9\n';
    const b = '1\n2\n3\n4\nfive\n6\n7\n8\n9\n';
    assert.equal(
      unifiedDiff(a, b, H),
      [
        `--- ${H.fromFile}`,
        '+++ new manifest',
        '@@ -2,7 +2,7 @@',
        ' 2',
        ' 3',
        ' 4',
        '-5',
        '+five',
        ' 6',
        ' 7',
        ' 8',
        '',
      ].join('\n'),
    );
  });

  test('changes far apart make two hunks; near ones share one', () => {
    const a = Array.from({ length: 20 }, (_, i) => `l${i}`).join('\n');
    const far = a.replace('l2', 'X').replace('l15', 'Y');
    assert.equal(
      unifiedDiff(a, far, { ...H, context: 1 }),
      [
        `--- ${H.fromFile}`,
        '+++ new manifest',
        '@@ -2,3 +2,3 @@',
        ' l1',
        '-l2',
        '+X',
        ' l3',
        '@@ -15,3 +15,3 @@',
        ' l14',
        '-l15',
        '+Y',
        ' l16',
        '',
      ].join('\n'),
    );
    const near = a.replace('l2', 'X').replace('l4', 'Y');
    assert.match(unifiedDiff(a, near, { ...H, context: 1 }), /^@@ -2,5 \+2,5 @@$/m);
  });

  test('zero context, pure insertions and deletions use difflib ranges', () => {
    assert.equal(
      unifiedDiff('a\nb\nc', 'a\nc', { ...H, context: 0 }),
      `--- ${H.fromFile}\n+++ new manifest\n@@ -2 +1,0 @@\n-b\n`,
    );
    assert.equal(
      unifiedDiff('a\nc', 'a\nb\nc', { ...H, context: 0 }),
      `--- ${H.fromFile}\n+++ new manifest\n@@ -1,0 +2 @@\n+b\n`,
    );
    assert.equal(unifiedDiff('', 'x\n', H), `--- ${H.fromFile}\n+++ new manifest\n@@ -1 +1,2 @@\n+x\n \n`);
  });

  test('a replaced block prints all removed lines before the added ones', () => {
    assert.equal(
      unifiedDiff('k\na\nb\nk', 'k\nc\nd\nk', H),
      `--- ${H.fromFile}\n+++ new manifest\n@@ -1,4 +1,4 @@\n k\n-a\n-b\n+c\n+d\n k\n`,
    );
  });

  test('random texts: the hunks turn the old text into the new one, with a shortest script', () => {
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 300; round++) {
      const a = Array.from({ length: rnd(15) }, () => 'abcd'[rnd(4)]!);
      const b = Array.from({ length: rnd(15) }, () => 'abcd'[rnd(4)]!);
      const context = rnd(4);
      const diff = unifiedDiff(a.join('\n'), b.join('\n'), { ...H, context });
      const al = splitLines(a.join('\n'));
      const bl = splitLines(b.join('\n'));
      if (al.join('\n') === bl.join('\n')) {
        assert.equal(diff, '');
        continue;
      }
      assert.deepEqual(
        applyDiff(al, diff),
        bl,
        `round ${round}: ${JSON.stringify({ a, b, context })}\n${diff}`,
      );
      const edits = diff.split('\n').filter((l) => /^[-+](?![-+]{2} )/.test(l)).length;
      assert.equal(edits, al.length + bl.length - 2 * lcs(al, bl), `round ${round}: not a shortest script`);
    }
  });
});

/** Applies a unified diff, checking every hunk's ranges and context against the old lines. */
function applyDiff(a: string[], diff: string): string[] {
  const lines = diff.replace(/\n$/, '').split('\n');
  assert.ok(lines[0]!.startsWith('--- ') && lines[1]!.startsWith('+++ '));
  const out: string[] = [];
  let pos = 0;
  let i = 2;
  while (i < lines.length) {
    const m = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@$/.exec(lines[i]!);
    assert.ok(m, `hunk header: ${lines[i]}`);
    const aLen = m[2] === undefined ? 1 : Number(m[2]);
    const bLen = m[4] === undefined ? 1 : Number(m[4]);
    const aStart = aLen === 0 ? Number(m[1]) : Number(m[1]) - 1;
    assert.ok(aStart >= pos, 'hunks in order, not overlapping');
    out.push(...a.slice(pos, aStart));
    pos = aStart;
    let seenA = 0;
    let seenB = 0;
    for (i++; i < lines.length && !lines[i]!.startsWith('@@'); i++) {
      const [sign, text] = [lines[i]![0], lines[i]!.slice(1)];
      if (sign === ' ' || sign === '-') {
        assert.equal(a[pos], text, 'context and removed lines match the old text');
        pos++;
        seenA++;
      }
      if (sign === ' ' || sign === '+') {
        out.push(text);
        seenB++;
      }
    }
    assert.equal(seenA, aLen);
    assert.equal(seenB, bLen);
  }
  out.push(...a.slice(pos));
  return out;
}

function lcs(a: string[], b: string[]): number {
  const t = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      t[i]![j] = a[i - 1] === b[j - 1] ? t[i - 1]![j - 1]! + 1 : Math.max(t[i - 1]![j]!, t[i]![j - 1]!);
  return t[a.length]![b.length]!;
}
