// The health endpoints init waits on: the kubelet's plain-HTTP healthz, the controller-manager's
// and scheduler's HTTPS health paths (anonymous, certificate not verified: they serve a
// self-signed one), and the API server's /livez with admin.conf's client certificate, verified
// against admin.conf's CA. One GET per call; anything but status 200 counts as not healthy.
import * as http from 'node:http';
import * as https from 'node:https';
import { networkFailureMessage } from './net-errors.js';

export interface ProbeResult {
  healthy: boolean;
  /** Why not, in one line: the connection error, or the status and the start of the body. */
  error?: string;
}

export interface ProbeOptions {
  /** Bounds the whole exchange, connection included. */
  timeoutMs: number;
}

/** What the wait needs: one check of one URL each; they never reject. */
export interface HealthProbes {
  kubelet(url: string, options: ProbeOptions): Promise<ProbeResult>;
  component(url: string, options: ProbeOptions): Promise<ProbeResult>;
  apiserver(url: string, options: ProbeOptions): Promise<ProbeResult>;
}

/** The API server credentials of admin.conf, as PEM. */
export interface ApiserverClientTLS {
  ca: string;
  cert: string;
  key: string;
}

const BODY_LIMIT = 200;

function get(url: string, options: https.RequestOptions, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    let settled = false;
    let req: http.ClientRequest | undefined;
    const finish = (r: ProbeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req?.destroy();
      resolve(r);
    };
    const failed = (reason: string) => finish({ healthy: false, error: `Get "${url}": ${reason}` });
    const unreachable = (err: unknown) =>
      finish({ healthy: false, error: networkFailureMessage('GET', url, err) });
    const timer = setTimeout(() => failed(`no answer within ${timeoutMs} ms`), timeoutMs);
    try {
      const target = new URL(url);
      const lib = target.protocol === 'https:' ? https : http;
      req = lib.get(target, { ...options, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (body.length < BODY_LIMIT) body += chunk;
        });
        res.on('error', (err) => failed(err.message));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status === 200) finish({ healthy: true });
          else
            finish({
              healthy: false,
              error: `GET ${url}: status ${status}${body.trim() ? `: ${oneLine(body)}` : ''}`,
            });
        });
      });
      req.on('error', unreachable);
    } catch (err) {
      failed(err instanceof Error ? err.message : String(err));
    }
  });
}

function oneLine(text: string): string {
  return text.trim().replace(/\s+/g, ' ').slice(0, BODY_LIMIT);
}

/**
 * Probes over the network; the API server is asked as admin.conf's user, so a server started with
 * --anonymous-auth=false answers too. Without credentials only the kubelet and components can be asked.
 */
export function createHealthProbes(apiserver?: ApiserverClientTLS): HealthProbes {
  return {
    kubelet: (url, o) => get(url, {}, o.timeoutMs),
    component: (url, o) => get(url, { rejectUnauthorized: false }, o.timeoutMs),
    // Without credentials (a worker's wait for its kubelet) there is no API server to ask.
    apiserver: (url, o) =>
      apiserver
        ? get(url, { ca: apiserver.ca, cert: apiserver.cert, key: apiserver.key }, o.timeoutMs)
        : Promise.resolve({ healthy: false, error: `Get "${url}": no API server credentials to ask with` }),
  };
}
