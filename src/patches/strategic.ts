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
  // `{$patch: replace}` anywhere in the patch list replaces the whole list with its other items.
  if (patch.some((p) => isObject(p) && p[PATCH] === 'replace' && Object.keys(p).length === 1)) {
    return patch.filter((p) => !(isObject(p) && p[PATCH] === 'replace')).map(stripDirectives);
  }
  if (schema.primitiveMerge) {
    const out = [...original];
    for (const v of patch) if (!out.some((o) => JSON.stringify(o) === JSON.stringify(v))) out.push(v);
    return out;
  }
  const key = schema.mergeKey;
  if (key === undefined) return patch.map(stripDirectives);
  const out = [...original];
  for (const item of patch) {
    if (!isObject(item)) throw new PatchError(`${path}: list items must be maps merged by "${key}"`);
    if (!Object.hasOwn(item, key)) {
      throw new PatchError(
        `${path}: map ${JSON.stringify(item)} does not contain declared merge key: ${key}`,
      );
    }
    const id = JSON.stringify(item[key]);
    const at = out.findIndex((o) => isObject(o) && JSON.stringify(o[key]) === id);
    if (item[PATCH] === 'delete') {
      if (at !== -1) out.splice(at, 1);
      continue;
    }
    const itemSchema: MergeSchema = schema.fields ? { fields: schema.fields } : {};
    if (at === -1) {
      out.push(mergeMap({}, item, itemSchema, `${path}[${key}=${id}]`) ?? {});
    } else {
      const merged = mergeMap(out[at] as Obj, item, itemSchema, `${path}[${key}=${id}]`);
      if (merged === undefined) out.splice(at, 1);
      else out[at] = merged;
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
