// A cluster held in memory that records every request: the base of the dry-run client (which must
// answer GETs of what the run "created" so later phases see it) and of tests. It answers like an
// API server for what kbadm does: 404 for missing objects, 409 AlreadyExists on create, 409
// Conflict on a stale resourceVersion, pages with limit/continue, uid and resourceVersion set.
import { randomUUID } from 'node:crypto';
import { resourcePath, kindInfo } from './resources.js';
import {
  ClusterApiError,
  type ClusterClient,
  type KubeObject,
  type ListOptions,
  type ObjectRef,
  type PatchType,
} from './types.js';

export type Verb = 'GET' | 'LIST' | 'CREATE' | 'UPDATE' | 'PATCH' | 'DELETE';

export interface RecordedRequest {
  verb: Verb;
  apiVersion: string;
  kind: string;
  namespace?: string;
  name?: string;
  path: string;
  body?: unknown;
  query?: ListOptions & { continue?: string };
}

const clone = <T>(v: T): T => structuredClone(v);

function keyOf(r: { apiVersion: string; kind: string; namespace?: string; name: string }): string {
  const ns = kindInfo(r.kind).namespaced ? (r.namespace ?? 'default') : '';
  return `${r.apiVersion}|${r.kind}|${ns}|${r.name}`;
}

/** A JSON merge of `patch` into `target` (null deletes, lists are replaced). */
function mergeInto(target: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out = { ...target };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else if (typeof v === 'object' && !Array.isArray(v) && typeof out[k] === 'object' && out[k] !== null)
      out[k] = mergeInto(out[k] as Record<string, unknown>, v as Record<string, unknown>);
    else out[k] = clone(v);
  }
  return out;
}

function selectorMatches(selector: string | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const [k, v] = term.split('=') as [string, string | undefined];
    return v === undefined ? labels?.[k] !== undefined : labels?.[k] === v;
  });
}

function fieldMatches(selector: string | undefined, obj: KubeObject): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const [path, want] = term.split('=') as [string, string];
    let v: unknown = obj;
    for (const part of path.split('.')) v = (v as Record<string, unknown> | undefined)?.[part];
    // An absent field has its type's zero value, as the API server sees it (spec.unschedulable=false).
    if (v === undefined || v === null) return want === '' || want === 'false';
    return String(v) === want;
  });
}

export class MemoryCluster implements ClusterClient {
  readonly server: string;
  readonly requests: RecordedRequest[] = [];
  protected readonly objects = new Map<string, KubeObject>();
  private version = 1;

  /**
   * `registerNodes`: a GET of a Node that does not exist finds it as a kubelet would have
   * registered it (name and hostname label), for runs where no kubelet runs (dry runs, tests).
   */
  constructor(
    server = 'https://memory.invalid',
    private readonly options: { registerNodes?: boolean } = {},
  ) {
    this.server = server;
  }

  /** Puts an object in place without recording a request (test and dry-run setup). */
  seed(object: KubeObject): KubeObject {
    const stored = this.stamp(clone(object));
    this.objects.set(keyOf({ ...stored, ...stored.metadata }), stored);
    return clone(stored);
  }

  /** What the cluster holds for a kind (every namespace), without recording a request. */
  stored(kind: string): KubeObject[] {
    return [...this.objects.values()].filter((o) => o.kind === kind).map(clone);
  }

  protected record(
    verb: Verb,
    ref: Omit<ObjectRef, 'name'> & { name?: string },
    extra: Partial<RecordedRequest> = {},
  ): void {
    this.requests.push({
      verb,
      apiVersion: ref.apiVersion,
      kind: ref.kind,
      ...(ref.namespace !== undefined && kindInfo(ref.kind).namespaced ? { namespace: ref.namespace } : {}),
      ...(ref.name !== undefined ? { name: ref.name } : {}),
      path: resourcePath(ref),
      ...extra,
    });
  }

  private stamp(object: KubeObject): KubeObject {
    object.metadata = {
      ...object.metadata,
      uid: object.metadata.uid ?? randomUUID(),
      resourceVersion: String(this.version++),
    };
    return object;
  }

  private error(
    status: number,
    reason: string,
    verb: Verb,
    ref: ObjectRef,
    message: string,
  ): ClusterApiError {
    return new ClusterApiError(message, status, reason, `${verb} ${resourcePath(ref)}`);
  }

  async get<T extends KubeObject = KubeObject>(ref: ObjectRef): Promise<T | undefined> {
    this.record('GET', ref);
    const found = this.objects.get(keyOf(ref));
    if (found) return clone(found) as T;
    if (ref.kind !== 'Node' || !this.options.registerNodes) return undefined;
    return this.seed({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: ref.name, labels: { 'kubernetes.io/hostname': ref.name } },
    }) as T;
  }

  async create<T extends KubeObject>(object: T): Promise<T> {
    const ref = { ...object, ...object.metadata } as ObjectRef;
    this.record('CREATE', ref, { body: clone(object) });
    const key = keyOf(ref);
    if (this.objects.has(key)) {
      const { plural } = kindInfo(object.kind);
      throw this.error(409, 'AlreadyExists', 'CREATE', ref, `${plural} "${ref.name}" already exists`);
    }
    const stored = this.stamp(clone(object) as KubeObject);
    delete stored.metadata.resourceVersion;
    this.stamp(stored);
    this.objects.set(key, stored);
    return clone(stored) as T;
  }

  async update<T extends KubeObject>(object: T): Promise<T> {
    const ref = { ...object, ...object.metadata } as ObjectRef;
    this.record('UPDATE', ref, { body: clone(object) });
    const key = keyOf(ref);
    const live = this.objects.get(key);
    const { plural } = kindInfo(object.kind);
    if (!live) throw this.error(404, 'NotFound', 'UPDATE', ref, `${plural} "${ref.name}" not found`);
    const rv = object.metadata.resourceVersion;
    if (rv && rv !== '0' && rv !== live.metadata.resourceVersion)
      throw this.error(
        409,
        'Conflict',
        'UPDATE',
        ref,
        `the object has been modified; please apply your changes to the latest version and try again`,
      );
    const stored = clone(object) as KubeObject;
    stored.metadata = { ...stored.metadata, uid: live.metadata.uid };
    this.objects.set(key, this.stamp(stored));
    return clone(stored) as T;
  }

  async patch<T extends KubeObject = KubeObject>(
    ref: ObjectRef,
    patch: unknown,
    type: PatchType,
  ): Promise<T> {
    this.record('PATCH', ref, { body: clone(patch) });
    const key = keyOf(ref);
    const live = this.objects.get(key);
    if (!live)
      throw this.error(404, 'NotFound', 'PATCH', ref, `${kindInfo(ref.kind).plural} "${ref.name}" not found`);
    if (type === 'json')
      throw this.error(415, 'UnsupportedMediaType', 'PATCH', ref, 'JSON patches are not supported here');
    const merged = mergeInto(live, patch as Record<string, unknown>) as KubeObject;
    this.objects.set(key, this.stamp(merged));
    return clone(merged) as T;
  }

  async delete(ref: ObjectRef): Promise<boolean> {
    this.record('DELETE', ref);
    return this.objects.delete(keyOf(ref));
  }

  async *list<T extends KubeObject = KubeObject>(
    apiVersion: string,
    kind: string,
    options: ListOptions = {},
  ): AsyncIterable<T> {
    const limit = options.limit ?? 500;
    const matching = [...this.objects.values()]
      .filter(
        (o) =>
          o.apiVersion === apiVersion &&
          o.kind === kind &&
          (options.namespace === undefined || o.metadata.namespace === options.namespace) &&
          selectorMatches(options.labelSelector, o.metadata.labels) &&
          fieldMatches(options.fieldSelector, o),
      )
      .sort((a, b) => keyOf({ ...a, ...a.metadata }).localeCompare(keyOf({ ...b, ...b.metadata })));
    let start = 0;
    do {
      const query = { ...options, limit, ...(start > 0 ? { continue: String(start) } : {}) };
      this.record(
        'LIST',
        { apiVersion, kind, ...(options.namespace ? { namespace: options.namespace } : {}) },
        { query },
      );
      for (const o of matching.slice(start, start + limit)) yield clone(o) as T;
      start += limit;
    } while (start < matching.length);
  }

  async getRaw(path: string): Promise<{ status: number; body: string }> {
    return path === '/livez' || path === '/readyz' || path === '/healthz'
      ? { status: 200, body: 'ok' }
      : { status: 404, body: 'not found' };
  }

  close(): void {}
}
