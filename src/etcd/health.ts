// etcd's HTTP health endpoint over mutual TLS. The only module that talks to etcd.
import type { ClientRequest } from 'node:http';
import * as https from 'node:https';
import { errorMessage } from '../errors.js';

export interface EtcdClientTLS {
  /** The etcd CA that signed the server certificate (PEM). */
  ca: string | Buffer;
  /** A client certificate and key signed by the etcd CA (e.g. healthcheck-client); absent means none. */
  cert?: string | Buffer;
  key?: string | Buffer;
}

export interface EtcdHealth {
  healthy: boolean;
  /** HTTP status, when a response came back. */
  status?: number;
  /** etcd's `reason`, or why the request failed (TLS handshake, connection, timeout). */
  reason?: string;
}

/**
 * GET `<endpoint>/health` (e.g. https://127.0.0.1:2379). Never throws: a bad endpoint, a refused
 * handshake or no complete answer within `timeoutMs` (a deadline for the whole request, so a
 * server that answers slowly cannot hold the caller) is an unhealthy result with the reason.
 */
export function etcdHealth(endpoint: string, tls: EtcdClientTLS, timeoutMs = 2000): Promise<EtcdHealth> {
  return new Promise((resolve) => {
    let req: ClientRequest | undefined;
    const timer = setTimeout(() => {
      done({ healthy: false, reason: `no answer within ${timeoutMs} ms` });
      req?.destroy();
    }, timeoutMs);
    let settled = false;
    function done(h: EtcdHealth): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(h);
    }
    const failed = (err: unknown) => done({ healthy: false, reason: errorMessage(err) });
    try {
      req = https.request(
        new URL('/health', endpoint),
        {
          method: 'GET',
          ca: tls.ca,
          ...(tls.cert !== undefined ? { cert: tls.cert } : {}),
          ...(tls.key !== undefined ? { key: tls.key } : {}),
          agent: false,
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => {
            let parsed: { health?: string | boolean; reason?: string } = {};
            try {
              parsed = JSON.parse(body) as typeof parsed;
            } catch {
              // Not JSON: reported below as the raw body.
            }
            const healthy = res.statusCode === 200 && String(parsed.health) === 'true';
            const out: EtcdHealth = { healthy };
            if (res.statusCode !== undefined) out.status = res.statusCode;
            if (!healthy) out.reason = parsed.reason || body.trim() || `HTTP ${res.statusCode}`;
            done(out);
          });
          res.on('error', failed);
        },
      );
      req.on('error', failed);
      req.end();
    } catch (err) {
      // new URL and https.request throw on a malformed or non-https endpoint.
      failed(err);
      req?.destroy();
    }
  });
}
