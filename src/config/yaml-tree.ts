// YAML (and JSON, a subset of it) to a small positioned tree, one per `---` document. Parsed as
// YAML 1.1 like kubeadm's Go YAML stack (so `yes`/`on` are booleans), duplicate keys kept so that
// they can be reported as kubeadm's strict decoding does, aliases resolved (with a bound), merge
// keys (`<<: *base`) expanded as Go's YAML v2 decoder expands them.
import type { Document, LineCounter, Node as YamlNode } from 'yaml';
import { yamlErrorReason, yamlLib } from '../output/yaml.js';
import { ConfigValidationError, type ConfigProblem, type Position } from './errors.js';

export type Scalar = string | number | boolean | null;

export type TreeNode =
  | { kind: 'map'; entries: MapEntry[]; pos: Position }
  | { kind: 'seq'; items: TreeNode[]; pos: Position }
  | { kind: 'scalar'; value: Scalar; pos: Position };

export interface MapEntry {
  key: string;
  keyPos: Position;
  value: TreeNode;
}

export interface TreeDocument {
  /** 0-based index among the non-empty documents. */
  index: number;
  /** Position of the document's first content. */
  pos: Position;
  root: TreeNode;
}

/** Guards against alias bombs: a tree never gets more nodes than this. */
const MAX_NODES = 200_000;

/** Parses every document; YAML syntax errors are reported together, with positions. */
export function parseYamlDocuments(text: string, source?: string): TreeDocument[] {
  const Y = yamlLib();
  const lc = new Y.LineCounter();
  const docs = Y.parseAllDocuments(text, {
    version: '1.1',
    uniqueKeys: false,
    lineCounter: lc,
    prettyErrors: false,
  }) as Document.Parsed[] | { empty: true };
  if (!Array.isArray(docs)) return [];
  const problems: ConfigProblem[] = [];
  for (const d of docs) {
    for (const e of d.errors) {
      const p = posAt(lc, e.pos[0]);
      // The parser's message can quote the file (a token, a key): only its kind is reported.
      problems.push({ field: '', detail: `yaml: ${yamlErrorReason(e)}`, line: p.line, column: p.column });
    }
  }
  if (problems.length > 0) throw new ConfigValidationError(problems, source);
  const out: TreeDocument[] = [];
  for (const d of docs) {
    if (d.contents === null) continue;
    const budget = { left: MAX_NODES };
    const root = toTree(d, d.contents as YamlNode, lc, budget, source, 0);
    // An empty document (only comments, or `---` at the end) holds a null scalar: skip it.
    if (root.kind === 'scalar' && root.value === null) continue;
    out.push({ index: out.length, pos: root.pos, root });
  }
  return out;
}

function posAt(lc: LineCounter, offset: number): Position {
  const { line, col } = lc.linePos(offset);
  return { line: Math.max(line, 1), column: Math.max(col, 1) };
}

function toTree(
  doc: Document.Parsed,
  node: YamlNode,
  lc: LineCounter,
  budget: { left: number },
  source: string | undefined,
  depth: number,
): TreeNode {
  const Y = yamlLib();
  const pos = posAt(lc, node.range?.[0] ?? 0);
  if (--budget.left < 0 || depth > 1000) {
    throw new ConfigValidationError(
      [
        {
          field: '',
          detail: 'yaml: document is too large or too deeply nested',
          line: pos.line,
          column: pos.column,
        },
      ],
      source,
    );
  }
  if (Y.isAlias(node)) {
    const target = node.resolve(doc);
    if (!target) {
      throw new ConfigValidationError(
        [{ field: '', detail: `yaml: unknown anchor '${node.source}'`, line: pos.line, column: pos.column }],
        source,
      );
    }
    const t = toTree(doc, target as YamlNode, lc, budget, source, depth + 1);
    return { ...t, pos } as TreeNode;
  }
  if (Y.isMap(node)) {
    const entries: (MapEntry & { merged?: true })[] = [];
    for (const pair of node.items) {
      const keyNode = pair.key as YamlNode | null;
      if (isMergeKey(keyNode)) {
        const sources = mergeSources(doc, pair.value as YamlNode | null, pos, lc, source);
        // Go's decoder applies a list of sources last to first, so that earlier ones win.
        for (const src of sources.reverse()) {
          const t = toTree(doc, src, lc, budget, source, depth + 1);
          if (t.kind === 'map') entries.push(...t.entries.map((e) => ({ ...e, merged: true as const })));
        }
        continue;
      }
      const keyPos = keyNode && Y.isNode(keyNode) ? posAt(lc, keyNode.range?.[0] ?? 0) : pos;
      const key = keyNode === null ? '' : keyText(keyNode);
      const valueNode = pair.value as YamlNode | null;
      const value: TreeNode =
        valueNode === null || valueNode === undefined
          ? { kind: 'scalar', value: null, pos: keyPos }
          : toTree(doc, valueNode, lc, budget, source, depth + 1);
      entries.push({ key, keyPos, value });
    }
    return { kind: 'map', entries: settleMerged(entries), pos };
  }
  if (Y.isSeq(node)) {
    const items = node.items.map((n) =>
      n === null || n === undefined
        ? ({ kind: 'scalar', value: null, pos } as TreeNode)
        : toTree(doc, n as YamlNode, lc, budget, source, depth + 1),
    );
    return { kind: 'seq', items, pos };
  }
  if (Y.isScalar(node)) {
    // Timestamps keep their text, as Go's YAML-to-JSON step leaves them strings.
    const v = node.value instanceof Date && typeof node.source === 'string' ? node.source : node.value;
    return { kind: 'scalar', value: scalarValue(v), pos };
  }
  return { kind: 'scalar', value: null, pos };
}

/** A plain `<<` key (the parser marks it with a symbol value); a quoted "<<" is an ordinary key. */
function isMergeKey(n: YamlNode | null): boolean {
  return n !== null && yamlLib().isScalar(n) && typeof n.value === 'symbol';
}

/** The maps a merge key names: one map, an alias of one, or a list of those. */
function mergeSources(
  doc: Document.Parsed,
  value: YamlNode | null,
  at: Position,
  lc: LineCounter,
  source: string | undefined,
): YamlNode[] {
  const Y = yamlLib();
  const resolve = (n: YamlNode | null): YamlNode | undefined =>
    n !== null && Y.isAlias(n) ? ((n.resolve(doc) as YamlNode | undefined) ?? undefined) : (n ?? undefined);
  const direct = resolve(value);
  const items =
    direct !== undefined && Y.isSeq(direct) ? (direct.items as YamlNode[]).map(resolve) : [direct];
  if (items.every((n) => n !== undefined && Y.isMap(n))) return items as YamlNode[];
  const p = value?.range ? posAt(lc, value.range[0]) : at;
  throw new ConfigValidationError(
    [
      {
        field: '',
        detail: 'yaml: map merge requires map or sequence of maps as the value',
        line: p.line,
        column: p.column,
      },
    ],
    source,
  );
}

/**
 * Keys in the order Go assigns them, so the last one wins, as before. A merged key that is
 * assigned again later is dropped, and so is an earlier key that a merge overrides: neither is a
 * duplicate the user wrote. Duplicates among the keys written in the map itself stay, to be reported.
 */
function settleMerged(entries: (MapEntry & { merged?: true })[]): MapEntry[] {
  if (!entries.some((e) => e.merged)) return entries;
  const last = new Map<string, number>();
  entries.forEach((e, i) => last.set(e.key, i));
  return entries
    .filter((e, i) => {
      const final = last.get(e.key)!;
      if (i === final) return true;
      return !e.merged && !entries[final]!.merged;
    })
    .map(({ key, keyPos, value }) => ({ key, keyPos, value }));
}

function keyText(n: YamlNode): string {
  const Y = yamlLib();
  if (Y.isScalar(n)) {
    const v = n.value;
    return v === null ? 'null' : String(v);
  }
  // A complex key (a map or list as key) cannot name a field.
  return String(n);
}

function scalarValue(v: unknown): Scalar {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  // Dates (YAML 1.1 timestamps) and binary stay as their text.
  if (v instanceof Date) return v.toISOString();
  return String(v);
}

/** The plain JS value of a tree (maps to objects, last duplicate key winning). */
export function treeToPlain(n: TreeNode): unknown {
  switch (n.kind) {
    case 'scalar':
      return n.value;
    case 'seq':
      return n.items.map(treeToPlain);
    case 'map': {
      const o: Record<string, unknown> = {};
      for (const e of n.entries) {
        Object.defineProperty(o, e.key, {
          value: treeToPlain(e.value),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return o;
    }
  }
}
