// Strategic merge patch (apimachinery's strategicpatch) for the objects kubeadm patches. Lists
// merge by the key the Go type declares (containers by name, ports by containerPort, ...);
// every other list is replaced. Supported directives: `$patch: replace|delete|merge` in maps and
// list items, `$retainKeys`, `$deleteFromPrimitiveList/<field>`, `$setElementOrder/<field>`.
import { PatchError, type Json } from './json-patch.js';

/** Which lists of a type merge, and by what key; nested fields by name. */
export interface MergeSchema {
  /** Set for a list field whose items are maps merged by this key. */
  mergeKey?: string;
  /** A list of scalars merged as a set (e.g. metadata.finalizers). */
  primitiveMerge?: boolean;
  /** The schema of a map's fields, or of a merged list's items. */
  fields?: Readonly<Record<string, MergeSchema>>;
}

const CONTAINER: MergeSchema = {
  fields: {
    env: { mergeKey: 'name' },
    ports: { mergeKey: 'containerPort' },
    volumeMounts: { mergeKey: 'mountPath' },
    volumeDevices: { mergeKey: 'devicePath' },
  },
};

/** core/v1 Pod, as far as its patchMergeKey tags go. */
export const POD_SCHEMA: MergeSchema = {
  fields: {
    metadata: {
      fields: {
        finalizers: { primitiveMerge: true },
        ownerReferences: { mergeKey: 'uid' },
      },
    },
    spec: {
      fields: {
        containers: { mergeKey: 'name', fields: CONTAINER.fields! },
        initContainers: { mergeKey: 'name', fields: CONTAINER.fields! },
        ephemeralContainers: { mergeKey: 'name', fields: CONTAINER.fields! },
        volumes: { mergeKey: 'name' },
        imagePullSecrets: { mergeKey: 'name' },
        hostAliases: { mergeKey: 'ip' },
        topologySpreadConstraints: { mergeKey: 'topologyKey' },
        resourceClaims: { mergeKey: 'name' },
        schedulingGates: { mergeKey: 'name' },
      },
    },
  },
};

/** apps/v1 Deployment: its Pod template merges as a Pod does (the `corednsdeployment` target). */
export const DEPLOYMENT_SCHEMA: MergeSchema = {
  fields: {
    metadata: POD_SCHEMA.fields!.metadata!,
    spec: {
      fields: {
        template: { fields: { metadata: POD_SCHEMA.fields!.metadata!, spec: POD_SCHEMA.fields!.spec! } },
      },
    },
  },
};

/** KubeletConfiguration declares no merge keys: every list is replaced. */
export const KUBELET_CONFIGURATION_SCHEMA: MergeSchema = {};

type Obj = { [key: string]: Json };

function isObject(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

const PATCH = '$patch';
const RETAIN_KEYS = '$retainKeys';
const DELETE_FROM_PRIMITIVE = '$deleteFromPrimitiveList/';
const SET_ELEMENT_ORDER = '$setElementOrder/';

export function applyStrategicMergePatch(original: Json, patch: Json, schema: MergeSchema): Json {
  if (!isObject(patch)) throw new PatchError('a strategic merge patch must be a map');
  const merged = mergeMap(
    isObject(original) ? structuredClone(original) : {},
    structuredClone(patch),
    schema,
    '',
  );
  return merged ?? {};
}

/** Returns undefined when the patch deletes the whole map. */
function mergeMap(original: Obj, patch: Obj, schema: MergeSchema, path: string): Obj | undefined {
  const directive = patch[PATCH];
  if (directive !== undefined) {
    delete patch[PATCH];
    if (directive === 'delete') return undefined;
    if (directive === 'replace') return stripDirectives(patch) as Obj;
    if (directive !== 'merge')
      throw new PatchError(`unknown patch directive "${String(directive)}" at ${path || '/'}`);
  }
  const retain = patch[RETAIN_KEYS];
  if (retain !== undefined) {
    delete patch[RETAIN_KEYS];
    if (!Array.isArray(retain)) throw new PatchError(`${RETAIN_KEYS} at ${path || '/'} must be a list`);
    for (const k of Object.keys(original)) if (!retain.includes(k)) delete original[k];
  }
  for (const key of Object.keys(patch)) {
    if (key.startsWith(SET_ELEMENT_ORDER)) continue;
    if (key.startsWith(DELETE_FROM_PRIMITIVE)) {
      const field = key.slice(DELETE_FROM_PRIMITIVE.length);
      const drop = patch[key];
      const current = original[field];
      if (Array.isArray(current) && Array.isArray(drop)) {
        original[field] = current.filter((v) => !drop.some((d) => JSON.stringify(d) === JSON.stringify(v)));
      }
      continue;
    }
    const value = patch[key]!;
    const sub = schema.fields?.[key] ?? {};
    const where = `${path}/${key}`;
    if (value === null) {
      delete original[key];
    } else if (isObject(value)) {
      const merged = mergeMap(isObject(original[key]) ? original[key] : {}, value, sub, where);
      if (merged === undefined) delete original[key];
      else original[key] = merged;
    } else if (Array.isArray(value)) {
      const current = original[key];
      original[key] = mergeList(Array.isArray(current) ? current : [], value, sub, where);
    } else {
      original[key] = value;
    }
  }
  return original;
}

function mergeList(original: Json[], patch: Json[], schema: MergeSchema, path: string): Json[] {
  if (schema.primitiveMerge) {
    const merged = [...original];
    for (const v of patch) if (!merged.some((o) => sameJson(o, v))) merged.push(v);
    return enforceOrder(merged, patch, original, (v) => JSON.stringify(v));
  }
  const key = schema.mergeKey;
  if (key === undefined) return patch.map(stripDirectives);
  // Directive items first, as apimachinery does: `$patch: replace` anywhere replaces the list with
  // the plain items; `$patch: delete` removes every item with that key.
  let base = [...original];
  const plain: Obj[] = [];
  let replace = false;
  for (const item of patch) {
    if (!isObject(item)) throw new PatchError(`${path}: list items must be maps merged by "${key}"`);
    const directive = item[PATCH];
    if (directive === undefined) {
      if (!Object.hasOwn(item, key)) {
        throw new PatchError(
          `${path}: map ${JSON.stringify(item)} does not contain declared merge key: ${key}`,
        );
      }
      plain.push(item);
    } else if (directive === 'replace') {
      replace = true;
    } else if (directive === 'delete') {
      if (!Object.hasOwn(item, key)) {
        throw new PatchError(
          `${path}: map ${JSON.stringify(item)} does not contain declared merge key: ${key}`,
        );
      }
      base = base.filter((o) => !(isObject(o) && sameJson(o[key], item[key])));
    } else if (directive === 'merge') {
      throw new PatchError(`${path}: merging lists cannot yet be specified in the patch`);
    } else {
      throw new PatchError(`unknown patch directive "${String(directive)}" at ${path}`);
    }
  }
  if (replace) return plain.map(stripDirectives);
  const itemSchema: MergeSchema = schema.fields ? { fields: schema.fields } : {};
  const merged = [...base];
  for (const item of plain) {
    const id = JSON.stringify(item[key]);
    const at = merged.findIndex((o) => isObject(o) && JSON.stringify(o[key]) === id);
    const where = `${path}[${key}=${id}]`;
    if (at === -1) merged.push(mergeMap({}, item, itemSchema, where) ?? {});
    else merged[at] = mergeMap(merged[at] as Obj, item, itemSchema, where) ?? {};
  }
  return enforceOrder(merged, plain, base, (v) => (isObject(v) ? JSON.stringify(v[key]) : ''));
}

function sameJson(a: Json | undefined, b: Json | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * apimachinery's normalizeElementOrder: the items the patch names keep the patch's order, the
 * others keep the original's, and the two are interleaved by original position. An item the
 * original does not have compares as unknown, so new items land before the next original one
 * (a patch that only adds puts its items first).
 */
function enforceOrder(merged: Json[], patch: Json[], original: Json[], id: (v: Json) => string): Json[] {
  const patchIds = patch.map(id);
  const serverIds = original.map(id);
  const fromPatch = merged
    .filter((v) => patchIds.includes(id(v)))
    .sort((a, b) => patchIds.indexOf(id(a)) - patchIds.indexOf(id(b)));
  const serverOnly = merged
    .filter((v) => !patchIds.includes(id(v)))
    .sort((a, b) => serverIds.indexOf(id(a)) - serverIds.indexOf(id(b)));
  const out: Json[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length || j < fromPatch.length) {
    if (j >= fromPatch.length) out.push(serverOnly[i++]!);
    else if (i >= serverOnly.length) out.push(fromPatch[j++]!);
    else {
      const li = serverIds.indexOf(id(serverOnly[i]!));
      const ri = serverIds.indexOf(id(fromPatch[j]!));
      if (li >= 0 && ri >= 0 && li < ri) out.push(serverOnly[i++]!);
      else out.push(fromPatch[j++]!);
    }
  }
  return out;
}

function stripDirectives(v: Json): Json {
  if (Array.isArray(v)) return v.map(stripDirectives);
  if (!isObject(v)) return v;
  const out: Obj = {};
  for (const [k, val] of Object.entries(v)) {
    if (
      k === PATCH ||
      k === RETAIN_KEYS ||
      k.startsWith(SET_ELEMENT_ORDER) ||
      k.startsWith(DELETE_FROM_PRIMITIVE)
    )
      continue;
    if (val === null) continue;
    out[k] = stripDirectives(val);
  }
  return out;
}
