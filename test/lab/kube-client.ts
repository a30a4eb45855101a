// A small JSON client for the lab's own processes (the simulated kubelet and the controller
// stand-ins), built from a kubeconfig file as those components read theirs. kbadm itself talks
// to the API server through src/cluster; this is test support only.
import { readFileSync } from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';

export class KubeError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    /** The answer's body (a Status object, as the server sent it). */
    readonly body?: unknown,
  ) {
    super(message);
  }
}

export interface KubeClient {
  readonly server: string;
  request<T = any>(method: string, urlPath: string, body?: unknown, contentType?: string): Promise<T>; // eslint-disable-line @typescript-eslint/no-explicit-any
  close(): void;
}

/**
 * `resolve` maps a path found in the kubeconfig (e.g. /var/lib/kubelet/pki/...) to the file, for a
 * process that reads a node's files from outside its root.
 */
export function clientFromKubeconfig(
  file: string,
  resolve: (p: string) => string = (p) => p,
  serverOverride?: string,
): KubeClient {
  const doc = parseYaml(readFileSync(file, 'utf8'));
  const ctxName = doc['current-context'];
  const ctx = (doc.contexts ?? []).find((c: { name: string }) => c.name === ctxName)?.context;
  if (ctx === undefined) throw new Error(`${file}: no current context`);
  const cluster = (doc.clusters ?? []).find((c: { name: string }) => c.name === ctx.cluster)?.cluster;
  const user = (doc.users ?? []).find((u: { name: string }) => u.name === ctx.user)?.user ?? {};
  if (cluster === undefined) throw new Error(`${file}: no cluster ${ctx.cluster}`);
  const fileOrData = (data: string | undefined, ref: string | undefined): Buffer | undefined => {
    if (data) return Buffer.from(data, 'base64');
    if (ref) return readFileSync(resolve(path.isAbsolute(ref) ? ref : path.join(path.dirname(file), ref)));
    return undefined;
  };
  const ca = fileOrData(cluster['certificate-authority-data'], cluster['certificate-authority']);
  const cert = fileOrData(user['client-certificate-data'], user['client-certificate']);
  const key = fileOrData(user['client-key-data'], user['client-key']);
  const agent = new https.Agent({ ca, cert, key, keepAlive: true });
  const token: string | undefined = user.token;
  return clientFor(serverOverride ?? cluster.server, agent, token);
}

export function clientFor(server: string, agent: https.Agent, token?: string): KubeClient {
  return {
    server,
    request(method, urlPath, body, contentType = 'application/json') {
      return new Promise((resolve, reject) => {
        const req = https.request(
          new URL(urlPath, server),
          {
            method,
            agent,
            timeout: 15_000,
            headers: {
              accept: 'application/json',
              ...(body !== undefined ? { 'content-type': contentType } : {}),
              ...(token ? { authorization: `Bearer ${token}` } : {}),
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              const text = Buffer.concat(chunks).toString('utf8');
              let parsed: any; // eslint-disable-line @typescript-eslint/no-explicit-any
              try {
                parsed = text === '' ? undefined : JSON.parse(text);
              } catch {
                parsed = text;
              }
              if ((res.statusCode ?? 500) >= 400) {
                return reject(
                  new KubeError(res.statusCode ?? 500, parsed?.reason ?? '', parsed?.message ?? text, parsed),
                );
              }
              resolve(parsed);
            });
            res.on('error', reject);
          },
        );
        req.on('timeout', () => req.destroy(new Error(`${method} ${urlPath}: timed out`)));
        req.on('error', reject);
        req.end(body === undefined ? undefined : JSON.stringify(body));
      });
    },
    close: () => agent.destroy(),
  };
}
