// Membership of a running etcd cluster: list, add (as a learner, then promote), remove, sync.
// Every call is retried the way kubeadm retries its etcd calls: at once, then every 500 ms until
// the etcdAPICall timeout (2 minutes by default) is spent, each attempt bounded by 2 seconds.
import {
  callAnyEndpoint,
  ERR_MEMBER_NOT_FOUND,
  ERR_PEER_URL_EXISTS,
  EtcdAPIError,
  EtcdUnreachableError,
  gatewayTransport,
  GRPC_INVALID_ARGUMENT,
  type EtcdTransport,
} from './gateway.js';
import type { EtcdClientTLS } from './https.js';
import {
  addedMemberOf,
  clientURLsOf,
  hexMemberId,
  memberByPeerURL,
  membersOf,
  type EtcdMember,
} from './members.js';

export const ETCD_API_CALL_TIMEOUT_MS = 2 * 60 * 1000;
export const ETCD_RETRY_INTERVAL_MS = 500;
export const ETCD_CALL_TIMEOUT_MS = 2000;

export interface EtcdClientOptions {
  /** Client URLs to start from, e.g. https://10.0.0.1:2379; `sync` replaces them with the members'. */
  endpoints: readonly string[];
  /** Mutual TLS for the real gateway transport. */
  tls?: EtcdClientTLS;
  /** How calls reach etcd (default: the JSON gateway over `tls`); tests pass their own. */
  transport?: EtcdTransport;
  /** Budget for one operation with its retries (ResetConfiguration.timeouts.etcdAPICall). */
  timeoutMs?: number;
  retryIntervalMs?: number;
  /** Bound for one attempt. */
  callTimeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** Retries and progress, at debug level. */
  log?: (message: string, fields?: Record<string, unknown>) => void;
  /**
   * Give up at once when every endpoint refuses the connection, instead of waiting for an etcd
   * that may be starting. Reset uses it: an etcd that is not running has nothing to be removed from.
   */
  giveUpWhenNothingListens?: boolean;
  /** Called when an operation fails and will be tried again, so a caller can say it is waiting. */
  onRetry?: (retry: EtcdRetry) => void;
}

export interface EtcdRetry {
  /** What is being tried, e.g. "list etcd members". */
  what: string;
  /** The attempt that just failed, from 1. */
  attempt: number;
  error: unknown;
  /** The operation's whole budget. */
  timeoutMs: number;
}

export interface AddMemberOptions {
  /** Join as a non-voting learner (kubeadm's default since EtcdLearnerMode), to be promoted later. */
  learner: boolean;
}

/** Thrown when `promoteMember` is asked about an ID the cluster does not have. */
export class EtcdMemberNotFoundError extends EtcdAPIError {}

export class EtcdClient {
  endpoints: string[];
  readonly #transport: EtcdTransport;
  readonly #timeoutMs: number;
  readonly #intervalMs: number;
  readonly #callTimeoutMs: number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #now: () => number;
  readonly #log: (message: string, fields?: Record<string, unknown>) => void;
  readonly #onRetry: (retry: EtcdRetry) => void;
  readonly #giveUpWhenNothingListens: boolean;

  constructor(options: EtcdClientOptions) {
    if (!options.transport && !options.tls)
      throw new Error('an etcd client needs TLS settings or a transport');
    this.endpoints = [...options.endpoints];
    this.#transport = options.transport ?? gatewayTransport(options.tls!);
    this.#timeoutMs = options.timeoutMs ?? ETCD_API_CALL_TIMEOUT_MS;
    this.#intervalMs = options.retryIntervalMs ?? ETCD_RETRY_INTERVAL_MS;
    this.#callTimeoutMs = options.callTimeoutMs ?? ETCD_CALL_TIMEOUT_MS;
    this.#sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.#now = options.now ?? Date.now;
    this.#log = options.log ?? (() => {});
    this.#onRetry = options.onRetry ?? (() => {});
    this.#giveUpWhenNothingListens = options.giveUpWhenNothingListens ?? false;
  }

  /** The cluster's members, as the first endpoint that answers sees them. */
  listMembers(): Promise<EtcdMember[]> {
    return this.#retry('list etcd members', async () =>
      membersOf(await this.#call('/v3/cluster/member/list', {})),
    );
  }

  /** Replaces the endpoints with every client URL the members advertise (kubeadm's Sync). */
  async sync(): Promise<string[]> {
    const urls = clientURLsOf(await this.listMembers());
    if (urls.length > 0) this.endpoints = urls;
    this.#log('etcd endpoints from the member list', { endpoints: this.endpoints });
    return this.endpoints;
  }

  /**
   * Adds a member for `peerURL` and returns the member list. A member with that peer URL already
   * there (an earlier attempt that did get through) counts as added, so a retried join is safe.
   */
  async addMember(name: string, peerURL: string, options: AddMemberOptions): Promise<EtcdMember[]> {
    checkURL(peerURL, 'peer URL');
    return this.#retry(`add etcd member ${name} (${peerURL})`, async () => {
      const members = membersOf(await this.#call('/v3/cluster/member/list', {}));
      if (memberByPeerURL(members, peerURL)) {
        this.#log('the etcd member is already there', { peerURL });
        return members;
      }
      try {
        const answer = await this.#call('/v3/cluster/member/add', {
          peerURLs: [peerURL],
          isLearner: options.learner,
        });
        const added = addedMemberOf(answer);
        this.#log(options.learner ? 'added an etcd learner' : 'added an etcd member', {
          peerURL,
          ...(added ? { id: hexMemberId(added.id) } : {}),
        });
        return membersOf(answer);
      } catch (err) {
        if (err instanceof EtcdAPIError && err.message.includes(ERR_PEER_URL_EXISTS)) {
          return membersOf(await this.#call('/v3/cluster/member/list', {}));
        }
        throw err;
      }
    });
  }

  /** The ID of the member whose first peer URL is `peerURL`, or undefined. */
  async memberId(peerURL: string): Promise<string | undefined> {
    return memberByPeerURL(await this.listMembers(), peerURL)?.id;
  }

  /**
   * Makes a learner a voting member. etcd refuses until the learner has caught up with the leader,
   * so this keeps trying within the budget; a member that already votes is left as it is.
   */
  async promoteMember(id: string): Promise<void> {
    const hex = hexMemberId(id);
    await this.#retry(`promote etcd learner ${hex}`, async () => {
      const members = membersOf(await this.#call('/v3/cluster/member/list', {}));
      const m = members.find((x) => x.id === id);
      if (!m) throw new EtcdMemberNotFoundError(`etcd member ${hex} is not in the cluster`, -1, '');
      if (!m.isLearner) {
        this.#log('the etcd member already votes', { id: hex });
        return;
      }
      await this.#call('/v3/cluster/member/promote', { ID: id });
      this.#log('promoted the etcd learner to a voting member', { id: hex });
    });
  }

  /** Removes a member and returns the remaining ones; a member already gone counts as removed. */
  async removeMember(id: string): Promise<EtcdMember[]> {
    const hex = hexMemberId(id);
    return this.#retry(`remove etcd member ${hex}`, async () => {
      try {
        return membersOf(await this.#call('/v3/cluster/member/remove', { ID: id }));
      } catch (err) {
        if (err instanceof EtcdAPIError && err.message.includes(ERR_MEMBER_NOT_FOUND)) {
          this.#log('the etcd member was already removed', { id: hex });
          return membersOf(await this.#call('/v3/cluster/member/list', {}));
        }
        throw err;
      }
    });
  }

  #call(path: string, body: object): Promise<unknown> {
    return callAnyEndpoint(this.#transport, this.endpoints, path, body, this.#callTimeoutMs);
  }

  /** Runs `attempt` at once, then every interval until it succeeds or the budget is spent. */
  async #retry<T>(what: string, attempt: () => Promise<T>): Promise<T> {
    const start = this.#now();
    for (let n = 1; ; n++) {
      try {
        return await attempt();
      } catch (err) {
        // A request etcd cannot parse, or a member that is not there, will not get better.
        if (err instanceof EtcdMemberNotFoundError) throw err;
        if (err instanceof EtcdAPIError && err.code === GRPC_INVALID_ARGUMENT) throw err;
        if (this.#giveUpWhenNothingListens && err instanceof EtcdUnreachableError && err.nothingListens) {
          this.#log(`gave up: ${what}: no etcd listens on any endpoint`, { endpoints: this.endpoints });
          throw err;
        }
        const elapsed = this.#now() - start;
        if (elapsed + this.#intervalMs > this.#timeoutMs) {
          this.#log(`gave up: ${what}`, { attempts: n, error: errorMessage(err) });
          throw err;
        }
        this.#log(`retrying: ${what}`, { attempt: n, error: errorMessage(err) });
        this.#onRetry({ what, attempt: n, error: err, timeoutMs: this.#timeoutMs });
        await this.#sleep(this.#intervalMs);
      }
    }
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function checkURL(url: string, what: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new EtcdAPIError(`invalid etcd ${what} "${url}"`, GRPC_INVALID_ARGUMENT, '');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new EtcdAPIError(`invalid etcd ${what} "${url}": not an http(s) URL`, GRPC_INVALID_ARGUMENT, '');
  }
}
