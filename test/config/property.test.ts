// Mutated corpus documents: every one either loads or fails with a ConfigValidationError that
// names a field or a line. Nothing else may escape (no TypeError from a missing guard).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ConfigValidationError } from '../../src/config/errors.js';
import {
  loadAllConfig,
  loadInitConfig,
  loadJoinConfig,
  loadResetConfig,
  type LoadOptions,
} from '../../src/config/load.js';
import { dumpYaml, yamlLib } from '../../src/output/yaml.js';
import { FACTS, fixedToken, readValid, validFiles } from '../support/config.js';

const corpus = validFiles().map((f) => readValid(f));
const parsed = corpus.map((text) =>
  yamlLib()
    .parseAllDocuments(text, { version: '1.1' })
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    .map((d: any) => d.toJS() as unknown),
);

const JUNK: unknown[] = [
  null,
  0,
  -1,
  6443,
  1.5,
  true,
  false,
  '',
  'x',
  '127.0.0.1',
  '::',
  '10.0.0.0/8',
  '5m',
  'unix:///x.sock',
  '/abs/path',
  'relative',
  'abcdef.0123456789abcdef',
  [],
  ['a', 'b'],
  [{ name: 'n', value: 'v' }],
  {},
  { a: 1 },
  'kubeadm.k8s.io/v1beta3',
  'InitConfiguration',
  'JoinConfiguration',
];
const KEYS = [
  'apiVersion',
  'kind',
  'networking',
  'podSubnet',
  'name',
  'junk',
  'extraArgs',
  'timeouts',
  'discovery',
  'local',
  // component-config fields with value rules
  'cgroupDriver',
  'clusterDNS',
  'mode',
  'clusterCIDR',
];

type Op =
  | { t: 'drop'; at: number }
  | { t: 'rename'; at: number; key: number }
  | { t: 'retype'; at: number; junk: number }
  | { t: 'insert'; at: number; key: number; junk: number }
  | { t: 'text'; pos: number; chars: string }
  | { t: 'dropLine'; line: number }
  | { t: 'dupLine'; line: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ t: fc.constant('drop' as const), at: fc.nat() }),
  fc.record({ t: fc.constant('rename' as const), at: fc.nat(), key: fc.nat() }),
  fc.record({ t: fc.constant('retype' as const), at: fc.nat(), junk: fc.nat() }),
  fc.record({ t: fc.constant('insert' as const), at: fc.nat(), key: fc.nat(), junk: fc.nat() }),
  fc.record({
    t: fc.constant('text' as const),
    pos: fc.nat(),
    chars: fc.constantFrom(':', '- ', '  ', '{', '[', '"', "'", '&a', '*a', '\t', '---\n', '#', '\n', 'x'),
  }),
  fc.record({ t: fc.constant('dropLine' as const), line: fc.nat() }),
  fc.record({ t: fc.constant('dupLine' as const), line: fc.nat() }),
);

/** Every container in a value with the key (or index) under which it holds something. */
function slots(
  v: unknown,
  out: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [],
) {
  if (Array.isArray(v)) v.forEach((x, i) => (out.push({ parent: v, key: i }), slots(x, out)));
  else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      out.push({ parent: v as Record<string, unknown>, key: k });
      slots(x, out);
    }
  }
  return out;
}

function containers(v: unknown, out: (Record<string, unknown> | unknown[])[] = []) {
  if (Array.isArray(v)) (out.push(v), v.forEach((x) => containers(x, out)));
  else if (v !== null && typeof v === 'object') {
    out.push(v as Record<string, unknown>);
    Object.values(v).forEach((x) => containers(x, out));
  }
  return out;
}

function applyStructural(docs: unknown[], o: Op): void {
  const all = docs.flatMap((d) => slots(d));
  if (o.t === 'insert') {
    const cs = docs.flatMap((d) => containers(d));
    const c = cs[o.at % Math.max(cs.length, 1)];
    if (!c) return;
    const junk = structuredClone(JUNK[o.junk % JUNK.length]);
    if (Array.isArray(c)) c.push(junk);
    else c[KEYS[o.key % KEYS.length]!] = junk;
    return;
  }
  const s = all[(o as { at: number }).at % Math.max(all.length, 1)];
  if (!s) return;
  const { parent, key } = s;
  if (o.t === 'drop') {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key as string];
  } else if (o.t === 'retype') {
    (parent as Record<string | number, unknown>)[key] = structuredClone(JUNK[o.junk % JUNK.length]);
  } else if (o.t === 'rename' && !Array.isArray(parent)) {
    const v = parent[key as string];
    delete parent[key as string];
    parent[KEYS[o.key % KEYS.length]!] = v;
  }
}

function applyText(text: string, o: Op): string {
  const lines = text.split('\n');
  if (o.t === 'text') {
    const p = o.pos % (text.length + 1);
    return text.slice(0, p) + o.chars + text.slice(p);
  }
  if (o.t === 'dropLine') lines.splice(o.line % lines.length, 1);
  if (o.t === 'dupLine') lines.splice(o.line % lines.length, 0, lines[o.line % lines.length]!);
  return lines.join('\n');
}

function mutate(file: number, ops: Op[]): string {
  const docs = structuredClone(parsed[file % parsed.length]!);
  const structural = ops.filter((o) => o.t !== 'text' && o.t !== 'dropLine' && o.t !== 'dupLine');
  for (const o of structural) applyStructural(docs, o);
  let text = docs.map((d) => dumpYaml(d)).join('---\n');
  for (const o of ops)
    if (o.t === 'text' || o.t === 'dropLine' || o.t === 'dupLine') text = applyText(text, o);
  return text;
}

const opts = (strict: boolean): LoadOptions => ({
  facts: FACTS,
  strict,
  source: 'm.yaml',
  defaulting: { skipCRIDetect: true, generateToken: fixedToken },
});

function check(load: () => unknown): void {
  try {
    load();
  } catch (e) {
    if (!(e instanceof ConfigValidationError)) throw e;
    assert.ok(e.problems.length > 0);
    for (const p of e.problems) {
      assert.ok(
        p.field !== '' || p.line !== undefined || /no \w+ kind was found/.test(p.detail),
        `unnamed problem: ${p.detail}`,
      );
    }
  }
}

describe('mutated configuration files', () => {
  it('load or fail with a ConfigValidationError naming a field or line (5000 cases)', () => {
    let failures = 0;
    fc.assert(
      fc.property(fc.nat(), fc.array(op, { minLength: 1, maxLength: 4 }), (file, ops) => {
        const text = mutate(file, ops);
        check(() => loadAllConfig(text, opts(true)));
        check(() => loadInitConfig(text, opts(false)));
        if (text.includes('JoinConfiguration')) check(() => loadJoinConfig(text, opts(false)));
        if (text.includes('ResetConfiguration')) check(() => loadResetConfig(text, opts(false)));
        failures++;
      }),
      { numRuns: 5000, seed: 20251123 },
    );
    assert.equal(failures, 5000);
  });

  it('the mutator does produce both accepted and rejected files', () => {
    let ok = 0;
    let bad = 0;
    fc.assert(
      fc.property(fc.nat(), fc.array(op, { minLength: 1, maxLength: 2 }), (file, ops) => {
        try {
          loadAllConfig(mutate(file, ops), opts(true));
          ok++;
        } catch {
          bad++;
        }
      }),
      { numRuns: 300, seed: 7 },
    );
    assert.ok(ok > 10 && bad > 10, `ok=${ok} bad=${bad}`);
  });
});
