// The API server stand-in's storage: a real etcd, reached through etcd's v3 JSON gateway over
// mutual TLS (the --etcd-* flags kbadm wrote). Keys follow kube-apiserver's layout
// (/registry/<resource>/<namespace>/<name>); values are JSON. resourceVersion is etcd's
// mod_revision, so optimistic concurrency is etcd's own compare-and-swap.
import * as https from 'node:https';

export interface EtcdTLS {
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
}

export interface StoredValue {
  key: string;
  value: unknown;
  modRevision: number;
}

export interface ListPage {
  items: StoredValue[];
  /** The store's revision when the page was read (a list's resourceVersion). */
  revision: number;
  /** The key to continue from, when more items remain. */
  next?: string;
  /** How many keys the range held from its start key, the page's own included (etcd's count). */
  count: number;
}

export interface WatchEvent {
  type: 'PUT' | 'DELETE';
  key: string;
  /** The new value for PUT, the last value for DELETE. */
  value: unknown;
  modRevision: number;
  /** A PUT that created the key (its create and mod revisions are the same). */
  created: boolean;
}

/** Why a write did not happen: the key exists (create) or changed since it was read (update). */
export class ConflictError extends Error {}
export class StoreUnavailableError extends Error {}
/** A read at a revision that etcd has compacted away. */
export class CompactedError extends Error {}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string | undefined) => Buffer.from(s ?? '', 'base64').toString('utf8');

/** The first key after every key that starts with `prefix` (etcd's range_end for a prefix). */
function prefixEnd(prefix: string): string {
  const bytes = Buffer.from(prefix, 'utf8');
  for (let i = bytes.length - 1; i >= 0; i--) {
    if (bytes[i]! < 0xff) {
      bytes[i] = bytes[i]! + 1;
      return bytes.subarray(0, i + 1).toString('latin1');
    }
  }
  return '\0';
}

interface RawKv {
  key?: string;
  value?: string;
  mod_revision?: string;
  create_revision?: string;
}

export class EtcdStore {
  private readonly agent: https.Agent;

  constructor(
    private readonly endpoints: string[],
    tls: EtcdTLS,
  ) {
    this.agent = new https.Agent({ ca: tls.ca, cert: tls.cert, key: tls.key, keepAlive: true });
  }

  close(): void {
    this.agent.destroy();
  }

  private async call<T>(path: string, body: unknown): Promise<T> {
    let lastError: unknown;
    for (const endpoint of this.endpoints) {
      try {
        return await this.post<T>(endpoint, path, body);
      } catch (err) {
        if (err instanceof CompactedError) throw err;
        lastError = err;
      }
    }
    throw new StoreUnavailableError(`etcd unavailable: ${(lastError as Error)?.message ?? 'no endpoints'}`);
  }

  private post<T>(endpoint: string, path: string, body: unknown): Promise<T> {
    return new Promise((resolve, reject) => {
      const req = https.request(
        new URL(path, endpoint),
        {
          method: 'POST',
          agent: this.agent,
          timeout: 10_000,
          headers: { 'content-type': 'application/json' },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            // An answer, not an unreachable endpoint: no other endpoint would answer differently.
            if (res.statusCode !== 200 && text.includes('required revision has been compacted'))
              return reject(new CompactedError(`etcd ${path}: ${text}`));
            if (res.statusCode !== 200)
              return reject(new Error(`etcd ${path}: HTTP ${res.statusCode}: ${text}`));
            try {
              resolve(JSON.parse(text) as T);
            } catch {
              reject(new Error(`etcd ${path}: not JSON: ${text.slice(0, 200)}`));
            }
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', reject);
      req.end(JSON.stringify(body));
    });
  }

  private static decode(kv: RawKv): StoredValue {
    return {
      key: unb64(kv.key),
      value: JSON.parse(unb64(kv.value)),
      modRevision: Number(kv.mod_revision ?? 0),
    };
  }

  async get(key: string): Promise<StoredValue | undefined> {
    const r = await this.call<{ kvs?: RawKv[] }>('/v3/kv/range', { key: b64(key) });
    const kv = r.kvs?.[0];
    return kv === undefined ? undefined : EtcdStore.decode(kv);
  }

  /** Keys under `prefix` from `from` (inclusive), at most `limit` (0: all), sorted by key. */
  async list(
    prefix: string,
    options: { from?: string; limit?: number; revision?: number } = {},
  ): Promise<ListPage> {
    const limit = options.limit ?? 0;
    const r = await this.call<{
      kvs?: RawKv[];
      more?: boolean;
      count?: string;
      header?: { revision?: string };
    }>('/v3/kv/range', {
      key: b64(options.from ?? prefix),
      range_end: b64(prefixEnd(prefix)),
      ...(limit > 0 ? { limit: String(limit) } : {}),
      ...(options.revision !== undefined ? { revision: String(options.revision) } : {}),
    });
    const items = (r.kvs ?? []).map(EtcdStore.decode);
    const page: ListPage = {
      items,
      revision: Number(r.header?.revision ?? 0),
      count: Number(r.count ?? 0),
    };
    if (r.more === true && items.length > 0) page.next = `${items[items.length - 1]!.key}\0`;
    return page;
  }

  /** The store's current revision. */
  async revision(): Promise<number> {
    const r = await this.call<{ header?: { revision?: string } }>('/v3/kv/range', { key: b64('\0') });
    return Number(r.header?.revision ?? 0);
  }

  /** Discards the history before `revision` (reads at older revisions fail with CompactedError). */
  async compact(revision: number): Promise<void> {
    await this.call('/v3/kv/compaction', { revision: String(revision), physical: true });
  }

  /** Writes `value` only when the key does not exist; resolves to the new mod_revision. */
  async create(key: string, value: unknown): Promise<number> {
    return this.txn(key, value, { target: 'CREATE', create_revision: '0' });
  }

  /** Writes `value` only when the key's mod_revision is still `expected`. */
  async update(key: string, value: unknown, expected: number): Promise<number> {
    return this.txn(key, value, { target: 'MOD', mod_revision: String(expected) });
  }

  private async txn(key: string, value: unknown, compare: Record<string, string>): Promise<number> {
    const r = await this.call<{ succeeded?: boolean; header?: { revision?: string } }>('/v3/kv/txn', {
      compare: [{ key: b64(key), result: 'EQUAL', ...compare }],
      success: [{ request_put: { key: b64(key), value: b64(JSON.stringify(value)) } }],
    });
    if (r.succeeded !== true) throw new ConflictError(key);
    return Number(r.header?.revision ?? 0);
  }

  /** Deletes the key when its mod_revision is `expected` (or unconditionally); false when it was gone. */
  async delete(key: string, expected?: number): Promise<boolean> {
    const compare =
      expected === undefined
        ? { target: 'CREATE', result: 'NOT_EQUAL', create_revision: '0' }
        : { target: 'MOD', result: 'EQUAL', mod_revision: String(expected) };
    const r = await this.call<{ succeeded?: boolean }>('/v3/kv/txn', {
      compare: [{ key: b64(key), ...compare }],
      success: [{ request_delete_range: { key: b64(key) } }],
    });
    if (r.succeeded === true) return true;
    if (expected !== undefined && (await this.get(key)) !== undefined) throw new ConflictError(key);
    return false;
  }

  /**
   * Streams changes under `prefix` after `afterRevision` until `signal` aborts. Each event carries
   * the value (the previous value for deletes, which etcd returns with prev_kv).
   */
  watch(
    prefix: string,
    afterRevision: number,
    onEvent: (e: WatchEvent) => void,
    signal: AbortSignal,
  ): Promise<void> {
    const endpoint = this.endpoints[0]!;
    return new Promise((resolve, reject) => {
      const req = https.request(new URL('/v3/watch', endpoint), {
        method: 'POST',
        agent: this.agent,
        headers: { 'content-type': 'application/json' },
        signal,
      });
      req.on('response', (res) => {
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let nl: number;
          while ((nl = buffer.indexOf('\n')) >= 0) {
            const line = buffer.slice(0, nl).trim();
            buffer = buffer.slice(nl + 1);
            if (line === '') continue;
            const msg = JSON.parse(line) as {
              result?: { events?: { type?: string; kv?: RawKv; prev_kv?: RawKv }[] };
            };
            for (const ev of msg.result?.events ?? []) {
              const type = ev.type === 'DELETE' ? 'DELETE' : 'PUT';
              const source = type === 'DELETE' ? ev.prev_kv : ev.kv;
              if (source?.value === undefined) continue;
              const decoded = EtcdStore.decode(source);
              onEvent({
                type,
                key: unb64(ev.kv?.key),
                value: decoded.value,
                modRevision: Number(ev.kv?.mod_revision ?? 0),
                created: type === 'PUT' && ev.kv?.create_revision === ev.kv?.mod_revision,
              });
            }
          }
        });
        res.on('end', () => resolve());
        res.on('error', () => resolve());
      });
      req.on('error', (err) => (signal.aborted ? resolve() : reject(err)));
      req.end(
        JSON.stringify({
          create_request: {
            key: b64(prefix),
            range_end: b64(prefixEnd(prefix)),
            start_revision: String(afterRevision + 1),
            prev_kv: true,
          },
        }),
      );
    });
  }
}
