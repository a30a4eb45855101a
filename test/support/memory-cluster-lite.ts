// A small in-memory ClusterClient for unit tests of code that writes objects: a map of objects
// with resourceVersions, the API server's 404/409/422 answers as ClusterApiError, a record of
// every request in order, and switches to make the next calls fail.
import { applyJsonPatch, type Json } from '../../src/patches/json-patch.js';
import { applyMergePatch } from '../../src/patches/merge-patch.js';
import { applyStrategicMergePatch } from '../../src/patches/strategic.js';
import {
  ClusterApiError,
  type ClusterClient,
  type KubeObject,
  type ListOptions,
  type ObjectRef,
  type PatchType,
} from '../../src/cluster/types.js';

export type Verb = 'GET' | 'LIST' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RecordedCall {
  verb: Verb;
  apiVersion: string;
  kind: string;
  namespace?: string;
  /** Absent for LIST. */
  name?: string;
  labelSelector?: string;
  /** What was sent by POST and PUT. */
  body?: KubeObject;
}

/** A call answered with this error instead of being carried out (see `intercept`). */
export type Interceptor = (call: RecordedCall) => ClusterApiError | undefined;

function plural(kind: string): string {
  const k = kind.toLowerCase();
  return k.endsWith('s') ? `${k}es` : `${k}s`;
}

function key(apiVersion: string, kind: string, namespace: string | undefined, name: string): string {
  return `${apiVersion}|${kind}|${namespace ?? ''}|${name}`;
}

function matchesSelector(obj: KubeObject, selector: string | undefined): boolean {
  if (!selector) return true;
  const labels = obj.metadata.labels ?? {};
  return selector.split(',').every((term) => {
    const [k, v] = term.split('=');
    return k !== undefined && labels[k.trim()] === v?.trim();
  });
}

export class MemoryClusterLite implements ClusterClient {
  readonly server = 'https://memory.invalid:6443';
  readonly calls: RecordedCall[] = [];
  private readonly objects = new Map<string, KubeObject>();
  private revision = 0;
  private failures = 0;
  private failure: { status: number; reason: string } = { status: 500, reason: 'InternalError' };
  /** Answers some calls with an error of the test's choosing (checked after `failNext`). */
  intercept: Interceptor | undefined;

  /** The next `count` calls, of any kind, fail with this status (500 InternalError by default). */
  failNext(count: number, status = 500, reason = 'InternalError'): void {
    this.failures = count;
    this.failure = { status, reason };
  }

  /** Puts an object in place without recording a call. */
  seed(obj: KubeObject): KubeObject {
    const stored = this.stamp(structuredClone(obj), undefined);
    this.objects.set(this.keyOf(obj), stored);
    return structuredClone(stored);
  }

  /** Every stored object, sorted by kind, namespace and name. */
  all(): KubeObject[] {
    return [...this.objects.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([, o]) => structuredClone(o));
  }

  /** Calls as short lines: `POST ConfigMap kube-system/coredns`, `LIST Deployment kube-system k8s-app=kube-dns`. */
  lines(): string[] {
    return this.calls.map((c) => {
      const where =
        c.name === undefined ? (c.namespace ?? '') : c.namespace ? `${c.namespace}/${c.name}` : c.name;
      return [c.verb, c.kind, where, c.labelSelector ?? ''].filter((s) => s !== '').join(' ');
    });
  }

  stored<T extends KubeObject = KubeObject>(ref: ObjectRef): T | undefined {
    const o = this.objects.get(key(ref.apiVersion, ref.kind, ref.namespace, ref.name));
    return o === undefined ? undefined : (structuredClone(o) as T);
  }

  async get<T extends KubeObject = KubeObject>(ref: ObjectRef): Promise<T | undefined> {
    this.record({ verb: 'GET', ...this.refFields(ref) });
    return this.stored<T>(ref);
  }

  async create<T extends KubeObject>(object: T): Promise<T> {
    this.record({ verb: 'POST', ...this.refFields(object), body: structuredClone(object) });
    const k = this.keyOf(object);
    if (this.objects.has(k)) {
      throw this.error(
        409,
        'AlreadyExists',
        `${plural(object.kind)} "${object.metadata.name}" already exists`,
      );
    }
    const stored = this.stamp(structuredClone(object), undefined);
    this.objects.set(k, stored);
    return structuredClone(stored) as T;
  }

  async update<T extends KubeObject>(object: T): Promise<T> {
    this.record({ verb: 'PUT', ...this.refFields(object), body: structuredClone(object) });
    const k = this.keyOf(object);
    const live = this.objects.get(k);
    if (live === undefined) {
      throw this.error(404, 'NotFound', `${plural(object.kind)} "${object.metadata.name}" not found`);
    }
    // No resourceVersion (or "0") is an unconditional update; any other must be the live one.
    const rv = object.metadata.resourceVersion;
    if (rv !== undefined && rv !== '' && rv !== '0' && rv !== live.metadata.resourceVersion) {
      throw this.error(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${plural(object.kind)} "${object.metadata.name}": the object has been modified; please apply your changes to the latest version and try again`,
      );
    }
    const stored = this.stamp(structuredClone(object), live);
    this.objects.set(k, stored);
    return structuredClone(stored) as T;
  }

  async patch<T extends KubeObject = KubeObject>(
    ref: ObjectRef,
    patch: unknown,
    type: PatchType,
  ): Promise<T> {
    this.record({ verb: 'PATCH', ...this.refFields(ref) });
    const k = key(ref.apiVersion, ref.kind, ref.namespace, ref.name);
    const live = this.objects.get(k);
    if (live === undefined) throw this.error(404, 'NotFound', `${plural(ref.kind)} "${ref.name}" not found`);
    const doc = live as unknown as Json;
    const next =
      type === 'json'
        ? applyJsonPatch(doc, patch)
        : type === 'merge'
          ? applyMergePatch(doc, patch as Json)
          : applyStrategicMergePatch(doc, patch as Json, {});
    const stored = this.stamp(next as unknown as KubeObject, live);
    this.objects.set(k, stored);
    return structuredClone(stored) as T;
  }

  async delete(ref: ObjectRef): Promise<boolean> {
    this.record({ verb: 'DELETE', ...this.refFields(ref) });
    return this.objects.delete(key(ref.apiVersion, ref.kind, ref.namespace, ref.name));
  }

  async *list<T extends KubeObject = KubeObject>(
    apiVersion: string,
    kind: string,
    options: ListOptions = {},
  ): AsyncIterable<T> {
    const call: RecordedCall = { verb: 'LIST', apiVersion, kind };
    if (options.namespace !== undefined) call.namespace = options.namespace;
    if (options.labelSelector !== undefined) call.labelSelector = options.labelSelector;
    this.record(call);
    const found = this.all().filter(
      (o) =>
        o.apiVersion === apiVersion &&
        o.kind === kind &&
        (options.namespace === undefined || o.metadata.namespace === options.namespace) &&
        matchesSelector(o, options.labelSelector),
    );
    for (const o of found) yield o as T;
  }

  async getRaw(path: string): Promise<{ status: number; body: string }> {
    return { status: 404, body: `${path} not found` };
  }

  close(): void {}

  private refFields(
    ref: { apiVersion: string; kind: string; namespace?: string; name: string } | KubeObject,
  ) {
    const r =
      'metadata' in ref && typeof ref.metadata === 'object'
        ? {
            apiVersion: ref.apiVersion,
            kind: ref.kind,
            namespace: ref.metadata.namespace,
            name: ref.metadata.name,
          }
        : (ref as ObjectRef);
    const out: Pick<RecordedCall, 'apiVersion' | 'kind' | 'namespace' | 'name'> = {
      apiVersion: r.apiVersion,
      kind: r.kind,
      name: r.name,
    };
    if (r.namespace !== undefined) out.namespace = r.namespace;
    return out;
  }

  private keyOf(obj: KubeObject): string {
    return key(obj.apiVersion, obj.kind, obj.metadata.namespace, obj.metadata.name);
  }

  /** Records a call, then fails it when a failure is pending or the interceptor says so. */
  private record(call: RecordedCall): void {
    this.calls.push(call);
    if (this.failures > 0) {
      this.failures--;
      throw this.error(this.failure.status, this.failure.reason, `injected failure (${this.failure.reason})`);
    }
    const err = this.intercept?.(call);
    if (err) throw err;
  }

  private error(status: number, reason: string, message: string): ClusterApiError {
    return new ClusterApiError(message, status, reason, 'memory-cluster-lite');
  }

  private stamp(obj: KubeObject, live: KubeObject | undefined): KubeObject {
    obj.metadata.uid = live?.metadata.uid ?? `uid-${++this.revision}`;
    obj.metadata.resourceVersion = String(++this.revision);
    return obj;
  }
}
