// The HTTP(S) health probes of wait-control-plane: the kubelet's healthz over plain HTTP, the
// controller-manager and scheduler over HTTPS without verification or credentials (as kubeadm
// does), and the API server's /livez with a kubeconfig's credentials. A probe never throws: no
// answer is a result too, with the reason in Go's words.
import type { IncomingMessage } from 'node:http';
import * as http from 'node:http';
import * as https from 'node:https';
import { networkFailureMessage } from './net-errors.js';
import type { ClusterClient } from './types.js';

export interface ProbeAnswer {
  status: number;
  body: string;
}

export interface ProbeFailure {
  /** e.g. `Get "http://127.0.0.1:10248/healthz": dial tcp 127.0.0.1:10248: connect: connection refused` */
  error: string;
}

export type ProbeResult = ProbeAnswer | ProbeFailure;

/** Health endpoints answer a few bytes; more is not read. */
const MAX_BODY = 64 * 1024;

export const isHealthy = (r: ProbeResult): boolean => 'status' in r && r.status === 200;

/** A plain HTTP GET, e.g. http://127.0.0.1:10248/healthz. `timeoutMs` bounds the whole exchange. */
export function probeHttp(url: string, options: { timeoutMs: number }): Promise<ProbeResult> {
  return probe(url, 'http:', options.timeoutMs, {});
}

/** An HTTPS GET that trusts any certificate and presents none, as kubeadm probes KCM and the scheduler. */
export function probeHttps(
  url: string,
  options: { insecure: true; timeoutMs: number },
): Promise<ProbeResult> {
  return probe(url, 'https:', options.timeoutMs, { rejectUnauthorized: !options.insecure });
}

/** GET /livez through `client`, with its kubeconfig's credentials (works with anonymous auth off). */
export async function probeLivez(client: ClusterClient): Promise<ProbeResult> {
  try {
    return await client.getRaw('/livez');
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

function probe(
  url: string,
  protocol: 'http:' | 'https:',
  timeoutMs: number,
  tls: https.RequestOptions,
): Promise<ProbeResult> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return Promise.resolve({ error: `parse "${url}": invalid URL` });
  }
  if (target.protocol !== protocol)
    return Promise.resolve({ error: `"${url}" is not an ${protocol.slice(0, -1)} URL` });
  return new Promise((resolve) => {
    let done = false;
    const finish = (r: ProbeResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.destroy();
      resolve(r);
    };
    const fail = (err: unknown) => finish({ error: networkFailureMessage('GET', target, err) });
    const onResponse = (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        if (size < MAX_BODY) chunks.push(c);
        size += c.length;
      });
      res.on('end', () =>
        finish({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8').slice(0, MAX_BODY),
        }),
      );
      res.on('error', fail);
    };
    const req =
      protocol === 'https:'
        ? https.get(target, { ...tls, agent: false }, onResponse)
        : http.get(target, { agent: false }, onResponse);
    req.on('error', fail);
    const timer = setTimeout(() => {
      const err = new Error('timeout');
      err.name = 'TimeoutError';
      fail(err);
    }, timeoutMs);
  });
}
