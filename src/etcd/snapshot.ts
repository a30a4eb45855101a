// An etcd snapshot through the v3 JSON gateway: POST /v3/maintenance/snapshot answers with a stream
// of JSON objects, one per chunk ({"result":{"blob":"<base64>","remainingBytes":"..."}}), and an
// {"error":{...}} object when etcd fails half way. The bytes go to the caller's sink chunk by chunk,
// so this module never touches files: the caller writes them through its Host.
import type { IncomingMessage } from 'node:http';
import * as https from 'node:https';
import { EtcdAPIError } from './gateway.js';
import type { EtcdClientTLS } from './https.js';

export const SNAPSHOT_PATH = '/v3/maintenance/snapshot';

/** Receives the snapshot's bytes in order. */
export type SnapshotSink = (chunk: Buffer) => void | Promise<void>;

export interface SnapshotOptions {
  /** Bounds the whole download (a snapshot of a large database takes a while). Default 5 minutes. */
  timeoutMs?: number;
}

/**
 * Streams a snapshot of the member at `endpoint` into `sink`; resolves with the number of bytes.
 * Rejects with EtcdAPIError when etcd reports an error, and with a plain Error when the connection
 * fails, the deadline passes or the stream ends before etcd said no bytes remain.
 */
export function streamEtcdSnapshot(
  endpoint: string,
  tls: EtcdClientTLS,
  sink: SnapshotSink,
  options: SnapshotOptions = {},
): Promise<number> {
  const timeoutMs = options.timeoutMs ?? 5 * 60 * 1000;
  return new Promise((resolve, reject) => {
    let settled = false;
    let req: ReturnType<typeof https.request> | undefined;
    const finish = (err: Error | undefined, bytes = 0): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) {
        req?.destroy();
        reject(err);
      } else resolve(bytes);
    };
    const timer = setTimeout(
      () => finish(new Error(`the etcd snapshot from ${endpoint} took longer than ${timeoutMs} ms`)),
      timeoutMs,
    );
    try {
      const url = new URL(SNAPSHOT_PATH, endpoint);
      if (url.protocol !== 'https:') throw new Error(`"${endpoint}" is not an https:// endpoint`);
      req = https.request(url, {
        method: 'POST',
        ca: tls.ca,
        ...(tls.cert !== undefined ? { cert: tls.cert } : {}),
        ...(tls.key !== undefined ? { key: tls.key } : {}),
        headers: { 'content-type': 'application/json' },
        agent: false,
      });
      req.on('response', (res) => {
        readChunks(res, endpoint, sink).then(
          (bytes) => finish(undefined, bytes),
          (err: unknown) => finish(err instanceof Error ? err : new Error(String(err))),
        );
      });
      req.on('error', (err) => finish(err));
      req.end('{}');
    } catch (err) {
      finish(err instanceof Error ? err : new Error(String(err)));
    }
  });
}

/** Collects a whole snapshot in memory (for callers that write it with one atomic file write). */
export async function etcdSnapshot(
  endpoint: string,
  tls: EtcdClientTLS,
  options: SnapshotOptions = {},
): Promise<Buffer> {
  const parts: Buffer[] = [];
  await streamEtcdSnapshot(endpoint, tls, (c) => void parts.push(c), options);
  return Buffer.concat(parts);
}

interface SnapshotMessage {
  result?: { blob?: string; remainingBytes?: string | number };
  // A stream reports {"error":{...}}; a plain gateway answer puts message and code at the top.
  error?: { message?: string; grpc_code?: number; code?: number } | string;
  message?: string;
  code?: number;
}

/** Splits the body into JSON objects as they arrive and hands each decoded blob to the sink. */
async function readChunks(res: IncomingMessage, endpoint: string, sink: SnapshotSink): Promise<number> {
  const splitter = new JsonStreamSplitter();
  let bytes = 0;
  let done = false;
  res.setEncoding('utf8');
  if ((res.statusCode ?? 0) !== 200) {
    let body = '';
    for await (const text of res as AsyncIterable<string>) body += text;
    const first = new JsonStreamSplitter().push(body)[0];
    if (first !== undefined)
      throw snapshotError(parseMessage(first, endpoint, res.statusCode ?? 0), endpoint, res);
    throw new EtcdAPIError(
      `${endpoint} did not answer ${SNAPSHOT_PATH} with etcd's JSON (HTTP ${res.statusCode ?? 0}: ${body.trim().slice(0, 200)}); kbadm needs etcd's v3 JSON gateway`,
      -1,
      endpoint,
    );
  }
  for await (const text of res as AsyncIterable<string>) {
    for (const raw of splitter.push(text)) {
      const msg = parseMessage(raw, endpoint, res.statusCode ?? 0);
      if (msg.error !== undefined) throw snapshotError(msg, endpoint, res);
      const blob = Buffer.from(msg.result?.blob ?? '', 'base64');
      if (blob.length > 0) {
        await sink(blob);
        bytes += blob.length;
      }
      if (Number(msg.result?.remainingBytes ?? 0) === 0) done = true;
    }
  }
  const rest = splitter.rest().trim();
  if (rest !== '') throw new Error(`${endpoint} ended the etcd snapshot in the middle of a message`);
  if (!done || bytes === 0) throw new Error(`${endpoint} ended the etcd snapshot before sending all of it`);
  return bytes;
}

function parseMessage(raw: string, endpoint: string, status: number): SnapshotMessage {
  try {
    return JSON.parse(raw) as SnapshotMessage;
  } catch {
    throw new EtcdAPIError(
      `${endpoint} did not answer ${SNAPSHOT_PATH} with etcd's JSON (HTTP ${status}: ${raw.slice(0, 200)})`,
      -1,
      endpoint,
    );
  }
}

function snapshotError(msg: SnapshotMessage, endpoint: string, res: IncomingMessage): EtcdAPIError {
  const e = typeof msg.error === 'object' ? msg.error : { message: msg.message ?? msg.error, code: msg.code };
  const code = ('grpc_code' in e ? e.grpc_code : undefined) ?? e.code ?? -1;
  return new EtcdAPIError(
    `etcd snapshot from ${endpoint} failed: ${e.message ?? `HTTP ${res.statusCode ?? 0}`}`,
    code,
    endpoint,
  );
}

/**
 * Cuts a text stream of concatenated JSON objects (with or without newlines between them) into
 * one string per top-level object, tracking strings and escapes so braces in values do not count.
 */
export class JsonStreamSplitter {
  #buf = '';
  #depth = 0;
  #inString = false;
  #escaped = false;
  #start = -1;
  #scanned = 0;

  push(text: string): string[] {
    this.#buf += text;
    const out: string[] = [];
    let i = this.#scanned;
    for (; i < this.#buf.length; i++) {
      const c = this.#buf[i];
      if (this.#inString) {
        if (this.#escaped) this.#escaped = false;
        else if (c === '\\') this.#escaped = true;
        else if (c === '"') this.#inString = false;
        continue;
      }
      if (c === '"') this.#inString = true;
      else if (c === '{') {
        if (this.#depth === 0) this.#start = i;
        this.#depth++;
      } else if (c === '}') {
        this.#depth--;
        if (this.#depth === 0) {
          out.push(this.#buf.slice(this.#start, i + 1));
          this.#buf = this.#buf.slice(i + 1);
          i = -1;
          this.#start = -1;
        }
      }
    }
    this.#scanned = i;
    return out;
  }

  /** What came after the last complete object. */
  rest(): string {
    return this.#buf;
  }
}
