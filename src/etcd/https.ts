// One HTTPS request to an etcd endpoint over mutual TLS, bounded by a deadline. Health checks and
// the v3 JSON gateway calls share it.
import type { ClientRequest } from 'node:http';
import * as https from 'node:https';

export interface EtcdClientTLS {
  /** The etcd CA that signed the server certificate (PEM). */
  ca: string | Buffer;
  /** A client certificate and key signed by the etcd CA (e.g. healthcheck-client); absent means none. */
  cert?: string | Buffer;
  key?: string | Buffer;
}

export interface EtcdResponse {
  status: number;
  body: string;
}

/**
 * Sends one request and resolves with the status and body, whatever the status. Rejects when no
 * complete answer arrives: a malformed endpoint, a refused connection or handshake, or the
 * deadline (`timeoutMs` bounds the whole exchange, so a slow server cannot hold the caller).
 */
export function etcdRequest(
  endpoint: string,
  path: string,
  tls: EtcdClientTLS,
  options: { method: 'GET' | 'POST'; body?: string; timeoutMs: number },
): Promise<EtcdResponse> {
  return new Promise((resolve, reject) => {
    let req: ClientRequest | undefined;
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const fail = (err: unknown) => finish(() => reject(err instanceof Error ? err : new Error(String(err))));
    const timer = setTimeout(() => {
      fail(new Error(`no answer within ${options.timeoutMs} ms`));
      req?.destroy();
    }, options.timeoutMs);
    try {
      const url = new URL(path, endpoint);
      if (url.protocol !== 'https:') throw new Error(`"${endpoint}" is not an https:// endpoint`);
      req = https.request(
        url,
        {
          method: options.method,
          ca: tls.ca,
          ...(tls.cert !== undefined ? { cert: tls.cert } : {}),
          ...(tls.key !== undefined ? { key: tls.key } : {}),
          ...(options.body !== undefined ? { headers: { 'content-type': 'application/json' } } : {}),
          agent: false,
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => finish(() => resolve({ status: res.statusCode ?? 0, body })));
          res.on('error', fail);
        },
      );
      req.on('error', fail);
      req.end(options.body);
    } catch (err) {
      // new URL and https.request throw on a malformed endpoint.
      fail(err);
      req?.destroy();
    }
  });
}
