// etcd's v3 API through its JSON gateway: POST <client URL>/v3/<service>/<method> with a JSON body.
//
// Why the gateway and not a gRPC client: etcd serves it on the client port by default in every
// release kubeadm deploys (3.4, 3.5, 3.6; --enable-grpc-gateway defaults to true), and it carries
// every call kbadm makes (member list/add with isLearner/promote/remove, status). It needs nothing
// but node:https with the same mutual TLS as the health check: no protobuf definitions to keep,
// no gRPC runtime to load, no third-party etcd client. The price: the gateway relays the request
// to etcd's gRPC server under the server's own certificate, so etcd's role-based authentication
// (which kubeadm never turns on) would see that identity rather than the client's.
import { errorMessage, KbadmError } from '../errors.js';
import { etcdRequest, type EtcdClientTLS } from './https.js';

/** gRPC status codes that matter to kbadm. */
export const GRPC_INVALID_ARGUMENT = 3;
export const GRPC_NOT_FOUND = 5;

/** etcd's error texts that kbadm acts on (they are stable across 3.4-3.6). */
export const ERR_MEMBER_NOT_FOUND = 'etcdserver: member not found';
export const ERR_PEER_URL_EXISTS = 'etcdserver: Peer URLs already exists';

/** etcd answered, and the answer is an error (a member that does not exist, a learner not in sync...). */
export class EtcdAPIError extends KbadmError {
  constructor(
    message: string,
    /** The gRPC status code etcd gave, or -1 when the answer was not one of etcd's. */
    readonly code: number,
    readonly endpoint: string,
  ) {
    super(message);
  }
}

/** No endpoint gave a complete answer (refused connection, TLS failure, timeout). */
export class EtcdUnreachableError extends KbadmError {
  constructor(
    message: string,
    /** Every endpoint refused the connection: no etcd is listening there at all. */
    readonly nothingListens = false,
  ) {
    super(message);
  }
}

/** One gateway call: resolves with etcd's JSON answer; rejects with EtcdAPIError or a plain Error. */
export type EtcdTransport = (
  endpoint: string,
  path: string,
  body: object,
  timeoutMs: number,
) => Promise<unknown>;

/** The real transport: HTTPS with mutual TLS. */
export function gatewayTransport(tls: EtcdClientTLS): EtcdTransport {
  return async (endpoint, path, body, timeoutMs) => {
    const res = await etcdRequest(endpoint, path, tls, {
      method: 'POST',
      body: JSON.stringify(body),
      timeoutMs,
    });
    let parsed: unknown;
    try {
      parsed = JSON.parse(res.body);
    } catch {
      // Not etcd's JSON: most likely the gateway is switched off (--enable-grpc-gateway=false).
      const text = res.body.trim().slice(0, 200);
      throw new EtcdAPIError(
        `${endpoint} did not answer ${path} with etcd's JSON (HTTP ${res.status}${text ? `: ${text}` : ''}); kbadm needs etcd's v3 JSON gateway (--enable-grpc-gateway, on by default)`,
        -1,
        endpoint,
      );
    }
    if (res.status === 200) return parsed;
    const e = parsed as { error?: unknown; message?: unknown; code?: unknown };
    const message = String(e.message ?? e.error ?? `HTTP ${res.status}`);
    throw new EtcdAPIError(message, typeof e.code === 'number' ? e.code : -1, endpoint);
  };
}

/**
 * Calls `path` on the first endpoint that answers. An unreachable endpoint moves on to the next;
 * an answer (success or etcd's error) ends the search, as etcd's own client balancer does.
 */
export async function callAnyEndpoint(
  transport: EtcdTransport,
  endpoints: readonly string[],
  path: string,
  body: object,
  timeoutMs: number,
): Promise<unknown> {
  if (endpoints.length === 0) throw new EtcdUnreachableError('no etcd endpoints to talk to');
  const failures: string[] = [];
  let refused = 0;
  for (const endpoint of endpoints) {
    try {
      return await transport(endpoint, path, body, timeoutMs);
    } catch (err) {
      if (err instanceof EtcdAPIError) throw err;
      if ((err as NodeJS.ErrnoException).code === 'ECONNREFUSED') refused++;
      failures.push(`${endpoint}: ${errorMessage(err)}`);
    }
  }
  throw new EtcdUnreachableError(
    `no etcd endpoint answered: [${failures.join('; ')}]`,
    refused === endpoints.length,
  );
}
