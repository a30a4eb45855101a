// The ClusterClient that talks to a real API server, over @kubernetes/client-node. The library is
// loaded on first use (about 650 ms of imports), so commands that never reach a cluster never pay
// for it. It supplies the kubeconfig handling (credentials, TLS, auth plugins, proxies), the HTTP
// transport and, for kinds kbadm has no table entry for, discovery (KubernetesObjectApi).
//
// Objects travel as plain JSON. The library's typed (de)serialisation is bypassed on purpose: it
// turns timestamps into Date objects, drops fields its models lack (strategic merge directives
// such as `$patch`) and cannot send a JSON patch (a list) at all.
import type * as K8s from '@kubernetes/client-node';
import * as http from 'node:http';
import type { Agent } from 'node:http';
import * as https from 'node:https';
import { KbadmError } from '../errors.js';
import { currentCluster, currentContext, parseKubeconfig } from '../kubeconfig/kubeconfig.js';
import { networkFailureMessage } from './net-errors.js';
import { kindInfo } from './resources.js';
import {
  ClusterApiError,
  ClusterConnectionError,
  type ClusterClient,
  type KubeObject,
  type ListOptions,
  type ObjectRef,
  type PatchType,
} from './types.js';

/** One HTTP exchange, reported once it is over (for logs; tests count requests with it). */
export interface ClusterRequest {
  method: string;
  /** The path with its query string, e.g. /api/v1/namespaces/default/configmaps?limit=500. */
  path: string;
  /** The answer's status; undefined when no answer came. */
  status?: number;
}

export interface KubeClientOptions {
  /** Where the kubeconfig came from, as the user knows it (for messages). */
  source: string;
  /** A deadline for each request (default 30 s). */
  timeoutMs?: number;
  /** Talk to this URL instead of the kubeconfig's server (e.g. the local API endpoint). */
  server?: string;
  onRequest?: (request: ClusterRequest) => void;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_PAGE_SIZE = 500;
const IDLE_SOCKET_MS = 4_000;

const CONTENT_TYPES = {
  strategic: 'StrategicMergePatch',
  merge: 'MergePatch',
  json: 'JsonPatch',
} as const satisfies Record<PatchType, keyof typeof K8s.PatchStrategy>;

/** client-go's reasons for answers that carry no Status body. */
const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Gone',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** How often one list may go on past an expired continue token before the 410 is an error. */
const MAX_LIST_EXPIRIES = 3;

/** The continue token a 410 Status offers for the rest of a list, if it carries one. */
function continueOfStatus(body: string): string | undefined {
  try {
    const status = JSON.parse(body) as { kind?: string; metadata?: { continue?: unknown } };
    const token = status.kind === 'Status' ? status.metadata?.continue : undefined;
    return typeof token === 'string' && token !== '' ? token : undefined;
  } catch {
    return undefined;
  }
}

interface Answer {
  status: number;
  body: string;
}

interface KindPath {
  plural: string;
  namespaced: boolean;
}

let library: Promise<typeof K8s> | undefined;
const loadLibrary = (): Promise<typeof K8s> => (library ??= import('@kubernetes/client-node'));

/** An error for a non-2xx answer, with the Status body's message and reason when there is one. */
export function apiError(request: string, answer: Answer): ClusterApiError {
  let status: { kind?: string; message?: string; reason?: string } = {};
  try {
    status = JSON.parse(answer.body) as typeof status;
  } catch {
    // Not JSON (a proxy's page, a plain-text error): described from the code below.
  }
  const isStatus = status?.kind === 'Status';
  const reason = (isStatus && status.reason) || REASONS[answer.status] || 'Unknown';
  const message =
    (isStatus && status.message) ||
    (answer.status === 404
      ? 'the server could not find the requested resource'
      : answer.status === 401
        ? 'Unauthorized'
        : `the server responded with the status code ${answer.status} but did not return more information`);
  return new ClusterApiError(message, answer.status, reason, request);
}

/**
 * client-node makes a new agent, and so a new TLS handshake, for every request. One agent that
 * keeps connections open halves the time of a request; a proxy's agent is kept as it is. Idle
 * sockets are closed before a server's usual idle timeout and do not keep the process alive.
 */
function keepAlive(fresh: Agent): Agent {
  if (fresh.constructor === https.Agent || fresh.constructor === http.Agent) {
    const Kind = fresh.constructor as typeof https.Agent;
    return new Kind({ ...(fresh as https.Agent).options, keepAlive: true, timeout: IDLE_SOCKET_MS });
  }
  return fresh;
}

function checkKubeconfig(text: string, source: string, serverOverride?: string): string {
  const cfg = parseKubeconfig(text, source);
  const ctx = currentContext(cfg);
  if (ctx === undefined) {
    const name = cfg['current-context'];
    throw new KbadmError(
      name === ''
        ? `failed to load kubeconfig file ${source}: no current context is set`
        : `failed to load kubeconfig file ${source}: context "${name}" not found`,
    );
  }
  const cluster = currentCluster(cfg);
  if (cluster === undefined)
    throw new KbadmError(
      `failed to load kubeconfig file ${source}: cluster "${ctx.context.cluster}" not found`,
    );
  if (serverOverride !== undefined) cluster.cluster.server = serverOverride;
  if (!cluster.cluster.server)
    throw new KbadmError(`failed to load kubeconfig file ${source}: cluster "${cluster.name}" has no server`);
  // client-node reads the kubeconfig with a YAML parser, which takes JSON as it is.
  return JSON.stringify(cfg);
}

/**
 * A client for the API server the kubeconfig's current context names. The kubeconfig should carry
 * its credentials inline (connect.ts inlines files it references); bad input is a KbadmError naming
 * `options.source`.
 */
export async function createKubeClient(
  kubeconfigText: string,
  options: KubeClientOptions,
): Promise<ClusterClient> {
  const { source } = options;
  const json = checkKubeconfig(kubeconfigText, source, options.server);
  const k8s = await loadLibrary();
  const kc = new k8s.KubeConfig();
  try {
    kc.loadFromString(json);
  } catch (err) {
    // client-node names the missing field; it never quotes key material.
    throw new KbadmError(`failed to load kubeconfig file ${source}: ${(err as Error).message}`);
  }
  const server = kc.getCurrentCluster()!.server.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  let agent: Agent | undefined;
  /** Sends one request with the kubeconfig's credentials; any status is an answer. */
  async function exchange(ctx: K8s.RequestContext): Promise<Answer> {
    const method = ctx.getHttpMethod().toString();
    const url = new URL(ctx.getUrl());
    const path = `${url.pathname}${url.search}`;
    ctx.setSignal(AbortSignal.timeout(timeoutMs));
    // Credentials first: a failing auth plugin is not a connection problem.
    await kc.applySecurityAuthentication(ctx);
    const made = ctx.getAgent();
    if (made !== undefined) ctx.setAgent((agent ??= keepAlive(made)));
    let answer: Answer;
    try {
      const response = await api.transport().send(ctx).toPromise();
      answer = { status: response.httpStatusCode, body: await response.body.text() };
    } catch (err) {
      options.onRequest?.({ method, path });
      throw new ClusterConnectionError(networkFailureMessage(method, url, err), server, `${method} ${path}`);
    }
    options.onRequest?.({ method, path, status: answer.status });
    return answer;
  }

  // KubernetesObjectApi is used for its discovery (kind -> resource name, cached per apiVersion);
  // its requests go through `exchange` like every other one.
  class ObjectApi extends k8s.KubernetesObjectApi {
    transport(): K8s.HttpLibrary {
      return this.configuration.httpApi;
    }

    async kindPath(apiVersion: string, kind: string): Promise<KindPath> {
      const found = await this.resource(apiVersion, kind);
      if (found === undefined) throw new Error(`no matches for kind "${kind}" in version "${apiVersion}"`);
      return { plural: found.name, namespaced: found.namespaced };
    }

    protected override async requestPromise<T extends K8s.KubernetesObject>(
      ctx: K8s.RequestContext,
    ): Promise<T> {
      const answer = await exchange(ctx);
      const request = `${ctx.getHttpMethod()} ${new URL(ctx.getUrl()).pathname}`;
      if (answer.status < 200 || answer.status > 299) throw apiError(request, answer);
      return JSON.parse(answer.body) as T;
    }
  }
  const api = kc.makeApiClient(ObjectApi);

  /** The kinds kbadm knows are resolved without a request, as client-go's typed clients do. */
  async function kindPath(apiVersion: string, kind: string): Promise<KindPath> {
    let known: KindPath | undefined;
    try {
      known = kindInfo(kind);
    } catch {
      // Not in kbadm's table: ask the server.
    }
    return known ?? api.kindPath(apiVersion, kind);
  }

  /**
   * The path of a collection, or of one object when `name` is given. A namespaced object without a
   * namespace is in `default`, as kubectl has it; a namespaced list without one spans namespaces.
   */
  async function resourcePath(
    where: { apiVersion: string; kind: string; namespace?: string | undefined },
    name?: string,
  ): Promise<string> {
    const { plural, namespaced } = await kindPath(where.apiVersion, where.kind);
    const base = where.apiVersion.includes('/') ? `/apis/${where.apiVersion}` : `/api/${where.apiVersion}`;
    const namespace = where.namespace ?? (name !== undefined ? 'default' : undefined);
    const ns = namespaced && namespace !== undefined ? `/namespaces/${encodeURIComponent(namespace)}` : '';
    return `${base}${ns}/${plural}${name !== undefined ? `/${encodeURIComponent(name)}` : ''}`;
  }
  const objectPath = (ref: ObjectRef) => resourcePath(ref, ref.name);

  let closed = false;
  async function call(
    method: K8s.HttpMethod,
    path: string,
    init: { body?: unknown; contentType?: string; query?: Record<string, string | undefined> } = {},
  ): Promise<Answer & { request: string }> {
    if (closed) throw new Error(`the client for ${server} is closed`);
    const ctx = new k8s.RequestContext(`${server}${path}`, method);
    ctx.setHeaderParam('Accept', 'application/json');
    for (const [k, v] of Object.entries(init.query ?? {})) if (v !== undefined) ctx.setQueryParam(k, v);
    if (init.body !== undefined) {
      ctx.setHeaderParam('Content-Type', init.contentType ?? 'application/json');
      ctx.setBody(JSON.stringify(init.body));
    }
    return { ...(await exchange(ctx)), request: `${method} ${path}` };
  }

  async function object<T>(
    method: K8s.HttpMethod,
    path: string,
    init?: Parameters<typeof call>[2],
  ): Promise<T> {
    const answer = await call(method, path, init);
    if (answer.status < 200 || answer.status > 299) throw apiError(answer.request, answer);
    return JSON.parse(answer.body) as T;
  }

  const M = k8s.HttpMethod;
  return {
    server,

    async get<T extends KubeObject = KubeObject>(ref: ObjectRef): Promise<T | undefined> {
      const answer = await call(M.GET, await objectPath(ref));
      if (answer.status === 404) return undefined;
      if (answer.status !== 200) throw apiError(answer.request, answer);
      return JSON.parse(answer.body) as T;
    },

    async create<T extends KubeObject>(obj: T): Promise<T> {
      // A create names no object in its path, but a namespaced one still goes to its namespace.
      const namespace = obj.metadata.namespace ?? 'default';
      return object<T>(M.POST, await resourcePath({ ...obj, namespace }), { body: obj });
    },

    async update<T extends KubeObject>(obj: T): Promise<T> {
      return object<T>(M.PUT, await objectPath({ ...obj, ...obj.metadata }), { body: obj });
    },

    async patch<T extends KubeObject = KubeObject>(ref: ObjectRef, patch: unknown, type: PatchType) {
      const contentType = k8s.PatchStrategy[CONTENT_TYPES[type]];
      return object<T>(M.PATCH, await objectPath(ref), { body: patch, contentType });
    },

    async delete(ref: ObjectRef): Promise<boolean> {
      const answer = await call(M.DELETE, await objectPath(ref));
      if (answer.status === 404) return false;
      if (answer.status < 200 || answer.status > 299) throw apiError(answer.request, answer);
      return true;
    },

    async *list<T extends KubeObject = KubeObject>(
      apiVersion: string,
      kind: string,
      listOptions: ListOptions = {},
    ): AsyncIterable<T> {
      const path = await resourcePath({ apiVersion, kind, namespace: listOptions.namespace });
      let token: string | undefined;
      let expiries = 0;
      do {
        const answer = await call(M.GET, path, {
          query: {
            labelSelector: listOptions.labelSelector || undefined,
            fieldSelector: listOptions.fieldSelector || undefined,
            limit: String(listOptions.limit ?? DEFAULT_PAGE_SIZE),
            continue: token,
          },
        });
        if (answer.status === 410 && token !== undefined && expiries++ < MAX_LIST_EXPIRIES) {
          // The revision the pages were read at was compacted (a long pause between pages). The
          // server's 410 offers a token for the rest at the latest revision; starting over instead
          // would hand out again what the caller already has.
          const fresh = continueOfStatus(answer.body);
          if (fresh !== undefined) {
            token = fresh;
            continue;
          }
        }
        if (answer.status < 200 || answer.status > 299) throw apiError(answer.request, answer);
        const page = JSON.parse(answer.body) as {
          metadata?: { continue?: string };
          items?: Omit<T, 'apiVersion' | 'kind'>[];
        };
        // The items of a list carry no apiVersion and kind of their own on a real API server.
        for (const item of page.items ?? []) yield { apiVersion, kind, ...item } as T;
        token = page.metadata?.continue || undefined;
      } while (token !== undefined);
    },

    async getRaw(path: string) {
      const { status, body } = await call(M.GET, path.startsWith('/') ? path : `/${path}`);
      return { status, body };
    },

    close() {
      closed = true;
      agent?.destroy();
    },
  };
}
