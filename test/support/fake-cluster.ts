// A small in-memory ClusterClient for command tests: objects keyed by kind, namespace and name, a
// resourceVersion per write, the API server's 404/409 answers as ClusterApiError, and lists served
// in pages (limit/continue) with every page request recorded, so tests can see the paging happen.
import {
  ClusterApiError,
  type ClusterClient,
  type KubeObject,
  type ListOptions,
  type ObjectRef,
  type PatchType,
} from '../../src/cluster/types.js';
import type { ClusterFactory, ClusterOptions } from '../../src/commands/context.js';

export interface PageRequest {
  apiVersion: string;
  kind: string;
  namespace?: string;
  fieldSelector?: string;
  labelSelector?: string;
  /** The limit the caller asked for; undefined when it left the page size to the client. */
  limit?: number;
  /** The continue token sent; undefined for the first page. */
  continue?: string;
}

export interface FakeCall {
  verb: 'get' | 'create' | 'update' | 'patch' | 'delete' | 'list';
  key: string;
}

const DEFAULT_LIMIT = 500;

const keyOf = (r: { apiVersion: string; kind: string; namespace?: string; name: string }): string =>
  `${r.apiVersion}/${r.kind}/${r.namespace ?? ''}/${r.name}`;

/** The plural resource name in API messages (`secrets "x" not found`). */
const resourceOf = (kind: string): string => `${kind.toLowerCase()}s`;

export class FakeCluster implements ClusterClient {
  readonly server = 'https://fake-cluster.invalid:6443';
  readonly pageRequests: PageRequest[] = [];
  readonly calls: FakeCall[] = [];
  /** The options each client was opened with (through `factory`). */
  readonly opened: { kubeconfigPath: string; options: ClusterOptions }[] = [];
  closed = 0;
  private readonly objects = new Map<string, KubeObject>();
  private version = 0;

  /** A ClusterFactory that hands out this cluster and records how it was asked for. */
  factory: ClusterFactory = async (kubeconfigPath, options) => {
    this.opened.push({ kubeconfigPath, options });
    return this;
  };

  /** Puts objects straight into the store (test setup; no calls recorded). */
  seed(...objects: KubeObject[]): void {
    for (const o of objects) this.objects.set(keyOf(this.refOf(o)), this.stamp(o));
  }

  /** Every stored object of a kind, in key order. */
  all(apiVersion: string, kind: string): KubeObject[] {
    const prefix = `${apiVersion}/${kind}/`;
    return [...this.objects.entries()]
      .filter(([k]) => k.startsWith(prefix))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, v]) => structuredClone(v));
  }

  async get<T extends KubeObject = KubeObject>(ref: ObjectRef): Promise<T | undefined> {
    this.calls.push({ verb: 'get', key: keyOf(ref) });
    const o = this.objects.get(keyOf(ref));
    return o ? (structuredClone(o) as T) : undefined;
  }

  async create<T extends KubeObject>(object: T): Promise<T> {
    const ref = this.refOf(object);
    this.calls.push({ verb: 'create', key: keyOf(ref) });
    if (this.objects.has(keyOf(ref))) {
      throw this.error(
        409,
        'AlreadyExists',
        `${resourceOf(ref.kind)} "${ref.name}" already exists`,
        'POST',
        ref,
      );
    }
    const stored = this.stamp(object);
    this.objects.set(keyOf(ref), stored);
    return structuredClone(stored) as T;
  }

  async update<T extends KubeObject>(object: T): Promise<T> {
    const ref = this.refOf(object);
    this.calls.push({ verb: 'update', key: keyOf(ref) });
    const current = this.objects.get(keyOf(ref));
    if (!current)
      throw this.error(404, 'NotFound', `${resourceOf(ref.kind)} "${ref.name}" not found`, 'PUT', ref);
    const rv = object.metadata.resourceVersion;
    if (rv !== undefined && rv !== current.metadata.resourceVersion) {
      throw this.error(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${resourceOf(ref.kind)} "${ref.name}": the object has been modified; please apply your changes to the latest version and try again`,
        'PUT',
        ref,
      );
    }
    const stored = this.stamp(object);
    this.objects.set(keyOf(ref), stored);
    return structuredClone(stored) as T;
  }

  async patch<T extends KubeObject = KubeObject>(
    ref: ObjectRef,
    patch: unknown,
    type: PatchType,
  ): Promise<T> {
    this.calls.push({ verb: 'patch', key: keyOf(ref) });
    const current = this.objects.get(keyOf(ref));
    if (!current)
      throw this.error(404, 'NotFound', `${resourceOf(ref.kind)} "${ref.name}" not found`, 'PATCH', ref);
    if (type === 'json') throw new Error('the fake cluster does not apply JSON patches');
    // A shallow merge is all these tests need; the real server's strategies are not modelled.
    const merged = { ...current, ...(patch as object), metadata: current.metadata } as KubeObject;
    const stored = this.stamp(merged);
    this.objects.set(keyOf(ref), stored);
    return structuredClone(stored) as T;
  }

  async delete(ref: ObjectRef): Promise<boolean> {
    this.calls.push({ verb: 'delete', key: keyOf(ref) });
    return this.objects.delete(keyOf(ref));
  }

  async *list<T extends KubeObject = KubeObject>(
    apiVersion: string,
    kind: string,
    options: ListOptions = {},
  ): AsyncIterable<T> {
    let cont: string | undefined;
    do {
      const page = this.page(apiVersion, kind, options, cont);
      for (const item of page.items) yield item as T;
      cont = page.continue;
    } while (cont !== undefined);
  }

  async getRaw(path: string): Promise<{ status: number; body: string }> {
    return path === '/livez' || path === '/readyz' ? { status: 200, body: 'ok' } : { status: 404, body: '' };
  }

  close(): void {
    this.closed++;
  }

  /** One list request as the API server answers it: up to `limit` items after the continue key. */
  private page(
    apiVersion: string,
    kind: string,
    o: ListOptions,
    cont: string | undefined,
  ): { items: KubeObject[]; continue?: string } {
    const limit = o.limit ?? DEFAULT_LIMIT;
    this.pageRequests.push({
      apiVersion,
      kind,
      ...(o.namespace !== undefined ? { namespace: o.namespace } : {}),
      ...(o.fieldSelector !== undefined ? { fieldSelector: o.fieldSelector } : {}),
      ...(o.labelSelector !== undefined ? { labelSelector: o.labelSelector } : {}),
      ...(o.limit !== undefined ? { limit: o.limit } : {}),
      ...(cont !== undefined ? { continue: cont } : {}),
    });
    this.calls.push({ verb: 'list', key: `${apiVersion}/${kind}/${o.namespace ?? ''}/` });
    const after = cont === undefined ? '' : Buffer.from(cont, 'base64url').toString('utf8');
    const matching = [...this.objects.entries()]
      .filter(([k, v]) => v.apiVersion === apiVersion && v.kind === kind && k > after)
      .filter(([, v]) => o.namespace === undefined || v.metadata.namespace === o.namespace)
      .filter(([, v]) => matchesFields(v, o.fieldSelector) && matchesLabels(v, o.labelSelector))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const items = matching.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items: items.map(([, v]) => structuredClone(v)),
      ...(matching.length > limit && last ? { continue: Buffer.from(last[0]).toString('base64url') } : {}),
    };
  }

  private refOf(o: KubeObject) {
    return {
      apiVersion: o.apiVersion,
      kind: o.kind,
      name: o.metadata.name,
      ...(o.metadata.namespace !== undefined ? { namespace: o.metadata.namespace } : {}),
    };
  }

  private stamp(o: KubeObject): KubeObject {
    const copy = structuredClone(o);
    copy.metadata.resourceVersion = String(++this.version);
    return copy;
  }

  private error(
    status: number,
    reason: string,
    message: string,
    verb: string,
    ref: ObjectRef,
  ): ClusterApiError {
    return new ClusterApiError(message, status, reason, `${verb} ${keyOf(ref)}`);
  }
}

/** `type=x,metadata.name=y` equality selectors (all the API server allows for most kinds). */
function matchesFields(o: KubeObject, selector: string | undefined): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const [path = '', want = ''] = term.split('=');
    let v: unknown = o;
    for (const part of path.split('.')) v = (v as Record<string, unknown> | undefined)?.[part];
    return String(v ?? '') === want;
  });
}

function matchesLabels(o: KubeObject, selector: string | undefined): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const [k = '', want = ''] = term.split('=');
    return o.metadata.labels?.[k] === want;
  });
}
