// RFC 6902 JSON Patch over plain JSON values. Pure; the input is never modified.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export class PatchError extends Error {}

interface Op {
  op: string;
  path: string;
  value?: Json;
  from?: string;
}

/** RFC 6901: "" is the whole document; `~1` is `/`, `~0` is `~`. */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/'))
    throw new PatchError(`invalid JSON pointer "${pointer}": must start with "/"`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'));
}

function isObject(v: unknown): v is { [key: string]: Json } {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function arrayIndex(token: string, length: number, allowEnd: boolean, pointer: string): number {
  if (allowEnd && token === '-') return length;
  if (!/^(0|[1-9]\d*)$/.test(token)) throw new PatchError(`invalid array index "${token}" in "${pointer}"`);
  const i = Number(token);
  if (i > length || (!allowEnd && i === length))
    throw new PatchError(`array index ${i} out of bounds in "${pointer}"`);
  return i;
}

function get(doc: Json, tokens: readonly string[], pointer: string): Json {
  let cur: Json = doc;
  for (const t of tokens) {
    if (Array.isArray(cur)) cur = cur[arrayIndex(t, cur.length, false, pointer)]!;
    else if (isObject(cur) && Object.hasOwn(cur, t)) cur = cur[t]!;
    else throw new PatchError(`path "${pointer}" does not exist`);
  }
  return cur;
}

function parentOf(doc: Json, tokens: readonly string[], pointer: string): { parent: Json; key: string } {
  if (tokens.length === 0) throw new PatchError(`path "${pointer}" has no parent`);
  return { parent: get(doc, tokens.slice(0, -1), pointer), key: tokens[tokens.length - 1]! };
}

function add(doc: Json, pointer: string, value: Json): Json {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return value;
  const { parent, key } = parentOf(doc, tokens, pointer);
  if (Array.isArray(parent)) parent.splice(arrayIndex(key, parent.length, true, pointer), 0, value);
  else if (isObject(parent)) parent[key] = value;
  else throw new PatchError(`cannot add to "${pointer}": parent is not an object or array`);
  return doc;
}

function remove(doc: Json, pointer: string): Json {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) throw new PatchError('cannot remove the whole document');
  const { parent, key } = parentOf(doc, tokens, pointer);
  if (Array.isArray(parent)) parent.splice(arrayIndex(key, parent.length, false, pointer), 1);
  else if (isObject(parent) && Object.hasOwn(parent, key)) delete parent[key];
  else throw new PatchError(`cannot remove "${pointer}": it does not exist`);
  return doc;
}

function deepEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((v, i) => deepEqual(v, b[i]!));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return (
      ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k]!, b[k]!))
    );
  }
  return false;
}

function needs(op: Op, field: 'value' | 'from'): void {
  if (!Object.hasOwn(op, field))
    throw new PatchError(`operation "${op.op}" on "${op.path}" needs "${field}"`);
}

/** Applies the operations in order; any failure rejects the whole patch. */
export function applyJsonPatch(document: Json, patch: unknown): Json {
  if (!Array.isArray(patch)) throw new PatchError('a JSON patch must be an array of operations');
  let doc = structuredClone(document);
  for (const raw of patch) {
    if (!isObject(raw) || typeof raw.op !== 'string' || typeof raw.path !== 'string') {
      throw new PatchError(`invalid operation ${JSON.stringify(raw)}: needs string "op" and "path"`);
    }
    const op = raw as unknown as Op;
    switch (op.op) {
      case 'add':
        needs(op, 'value');
        doc = add(doc, op.path, structuredClone(op.value!));
        break;
      case 'remove':
        doc = remove(doc, op.path);
        break;
      case 'replace':
        needs(op, 'value');
        get(doc, parsePointer(op.path), op.path);
        doc =
          parsePointer(op.path).length === 0
            ? structuredClone(op.value!)
            : add(remove(doc, op.path), op.path, structuredClone(op.value!));
        break;
      case 'move': {
        needs(op, 'from');
        if (op.path.startsWith(`${op.from}/`))
          throw new PatchError(`cannot move "${op.from}" into its own child "${op.path}"`);
        const value = get(doc, parsePointer(op.from!), op.from!);
        doc = add(remove(doc, op.from!), op.path, value);
        break;
      }
      case 'copy': {
        needs(op, 'from');
        doc = add(doc, op.path, structuredClone(get(doc, parsePointer(op.from!), op.from!)));
        break;
      }
      case 'test':
        needs(op, 'value');
        if (!deepEqual(get(doc, parsePointer(op.path), op.path), op.value!)) {
          throw new PatchError(`test operation failed: "${op.path}" is not ${JSON.stringify(op.value)}`);
        }
        break;
      default:
        throw new PatchError(`unknown operation "${op.op}"`);
    }
  }
  return doc;
}
