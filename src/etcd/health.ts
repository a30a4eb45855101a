// etcd's HTTP health endpoint over mutual TLS.
import { errorMessage } from '../errors.js';
import { etcdRequest, type EtcdClientTLS } from './https.js';

export type { EtcdClientTLS } from './https.js';

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
export async function etcdHealth(
  endpoint: string,
  tls: EtcdClientTLS,
  timeoutMs = 2000,
): Promise<EtcdHealth> {
  let res;
  try {
    res = await etcdRequest(endpoint, '/health', tls, { method: 'GET', timeoutMs });
  } catch (err) {
    return { healthy: false, reason: errorMessage(err) };
  }
  let parsed: { health?: string | boolean; reason?: string } = {};
  try {
    parsed = JSON.parse(res.body) as typeof parsed;
  } catch {
    // Not JSON: reported below as the raw body.
  }
  const healthy = res.status === 200 && String(parsed.health) === 'true';
  const out: EtcdHealth = { healthy, status: res.status };
  if (!healthy) out.reason = parsed.reason || res.body.trim() || `HTTP ${res.status}`;
  return out;
}
