// The kube-apiserver stand-in: HTTPS with the serving certificate from the flags, client
// certificates verified against --client-ca-file, bootstrap tokens, anonymous access only where
// RBAC grants it, JSON discovery for kubectl, CRUD/patch/watch over the registry, Status errors,
// and the defaults the real server creates at start (namespaces, RBAC bootstrap policy, the
// `kubernetes` Service). It is test support for the lab, never shipped.
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { authenticate } from './authn.js';
import { EtcdStore, StoreUnavailableError } from './etcd-store.js';
import type { ApiServerConfig } from './flags.js';
import {
  authorize,
  defaultClusterRoleBindings,
  defaultClusterRoles,
  forbiddenMessage,
  type RbacSnapshot,
  type RequestAttributes,
  type UserInfo,
} from './rbac.js';
import { Registry, type Obj } from './registry.js';
import { apiVersionOf, findResource, groupVersionPath, RESOURCES, type Resource } from './resources.js';
import { SelectorError } from './selectors.js';
import {
  ApiError,
  badRequest,
  forbidden,
  methodNotAllowed,
  notFoundPath,
  unauthorized,
  unsupportedMediaType,
} from './status.js';

/** One request as the stand-in answered it, for tests that check what a client asked for. */
export interface ApiRequestRecord {
  method: string;
  /** The path with its query string, as sent. */
  url: string;
  /** The authenticated user ('' when authentication failed). */
  user: string;
  /** The answer's status code. */
  status?: number;
  /** For a list: how many items the page held and the continue token it handed out. */
  list?: { items: number; continue?: string; remainingItemCount?: number };
}

export interface ApiServerOptions {
  /** Called once each request has been answered. */
  onRequest?: (record: ApiRequestRecord) => void;
}

export interface RunningApiServer {
  /** https://<address>:<port> */
  url: string;
  port: number;
  close(): Promise<void>;
}

interface Route {
  resource: Resource;
  namespace?: string;
  name?: string;
  subresource?: string;
}

const res = (plural: string, group = '', version = 'v1') => findResource(group, version, plural)!;

/** Splits /api/v1/namespaces/ns/configmaps/name/status and the like into a route. */
function parseResourcePath(segments: string[]): Route | undefined {
  let group: string;
  let version: string;
  let rest: string[];
  if (segments[0] === 'api' && segments.length >= 3) {
    group = '';
    version = segments[1]!;
    rest = segments.slice(2);
  } else if (segments[0] === 'apis' && segments.length >= 4) {
    group = segments[1]!;
    version = segments[2]!;
    rest = segments.slice(3);
  } else return undefined;
  let namespace: string | undefined;
  if (
    rest[0] === 'namespaces' &&
    rest.length >= 3 &&
    !(group === '' && ['status', 'finalize'].includes(rest[2]!) && rest.length === 3)
  ) {
    namespace = rest[1]!;
    rest = rest.slice(2);
  }
  const resource = findResource(group, version, rest[0]!);
  if (resource === undefined) return undefined;
  if (namespace !== undefined && !resource.namespaced) return undefined;
  const route: Route = { resource };
  if (namespace !== undefined) route.namespace = namespace;
  if (rest[1] !== undefined) route.name = rest[1];
  if (rest[2] !== undefined) route.subresource = rest[2];
  if (rest.length > 3) return undefined;
  return route;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  const type = (req.headers['content-type'] ?? 'application/json').split(';')[0]!.trim();
  if (type.includes('protobuf')) throw unsupportedMediaType(type);
  if (text.trim() === '') throw badRequest('the request body is empty');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(`the body of the request could not be decoded: ${(err as Error).message}`);
  }
}

function send(response: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

function sendText(response: ServerResponse, code: number, text: string): void {
  response.writeHead(code, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

function discoveryResources(group: string, version: string) {
  return RESOURCES.filter((r) => r.group === group && r.version === version).flatMap((r) => [
    {
      name: r.plural,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
      ...(r.shortNames ? { shortNames: r.shortNames } : {}),
    },
    ...r.subresources.map((s) =>
      s === 'binding'
        ? {
            name: `${r.plural}/${s}`,
            singularName: '',
            namespaced: r.namespaced,
            kind: 'Binding',
            verbs: ['create'],
          }
        : {
            name: `${r.plural}/${s}`,
            singularName: '',
            namespaced: r.namespaced,
            kind: r.kind,
            verbs: ['get', 'patch', 'update'],
          },
    ),
  ]);
}

const AUTHZ_GROUP = 'authorization.k8s.io';
const AUTHN_GROUP = 'authentication.k8s.io';

export async function startApiServer(
  cfg: ApiServerConfig,
  options: ApiServerOptions = {},
): Promise<RunningApiServer> {
  const store = new EtcdStore(cfg.etcdServers, { ca: cfg.etcdCA, cert: cfg.etcdCert, key: cfg.etcdKey });
  const registry = new Registry(store, cfg.serviceClusterIPRange);
  await bootstrap(registry, cfg);
  let ready = true;

  const rbacSnapshot = async (): Promise<RbacSnapshot> => {
    const [clusterRoles, clusterRoleBindings, roles, roleBindings] = await Promise.all(
      ['clusterroles', 'clusterrolebindings', 'roles', 'rolebindings'].map(
        async (p) => (await registry.list(res(p, 'rbac.authorization.k8s.io'), undefined)).items,
      ),
    );
    return { clusterRoles, clusterRoleBindings, roles, roleBindings } as unknown as RbacSnapshot;
  };

  const check = async (attrs: RequestAttributes): Promise<void> => {
    // system:masters is allowed before RBAC is consulted, as the real server's privileged-group
    // authorizer does: no need to read the RBAC objects from etcd for it.
    if (attrs.user.groups.includes('system:masters')) return;
    const decision = authorize(attrs, await rbacSnapshot(), cfg.authorizationModes);
    if (!decision.allowed) throw forbidden(forbiddenMessage(attrs));
  };

  async function handle(
    req: IncomingMessage,
    response: ServerResponse,
    record: ApiRequestRecord,
  ): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://stand-in');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const authn = await authenticate(req.socket as TLSSocket, req.headers.authorization, {
      bootstrapTokenAuth: cfg.bootstrapTokenAuth,
      anonymousAuth: cfg.anonymousAuth,
      secret: async (name) => {
        try {
          return (await registry.get(res('secrets'), 'kube-system', name)) as Obj;
        } catch (err) {
          if (err instanceof ApiError && err.code === 404) return undefined;
          throw err;
        }
      },
    });
    if (!authn.ok) throw unauthorized();
    const user = authn.user;
    record.user = user.name;
    const method = req.method ?? 'GET';
    // Go's server hands handlers the unescaped path: `kubeadm%3Aget-nodes` names `kubeadm:get-nodes`.
    const segments = path
      .split('/')
      .filter((s) => s !== '')
      .map((s) => decodeURIComponent(s));
    const route = parseResourcePath(segments);
    if (route === undefined) return nonResource(req, response, path, segments, user, method);

    const q = url.searchParams;
    const watch = q.get('watch') === 'true' || q.get('watch') === '1';
    const verb =
      method === 'GET'
        ? route.name === undefined
          ? watch
            ? 'watch'
            : 'list'
          : 'get'
        : method === 'POST'
          ? 'create'
          : method === 'PUT'
            ? 'update'
            : method === 'PATCH'
              ? 'patch'
              : method === 'DELETE'
                ? route.name === undefined
                  ? 'deletecollection'
                  : 'delete'
                : '';
    if (verb === '') throw methodNotAllowed();
    if (route.subresource !== undefined && !route.resource.subresources.includes(route.subresource))
      throw notFoundPath();
    if (route.resource.namespaced && route.namespace === undefined && !['list', 'watch'].includes(verb))
      throw notFoundPath();
    // A create names no object, except a binding: POST pods/<name>/binding assigns that Pod a node.
    if (verb === 'create' && route.name !== undefined && route.subresource !== 'binding')
      throw methodNotAllowed();
    if (route.subresource === 'binding' && verb !== 'create') throw methodNotAllowed();
    await check({
      user,
      verb,
      resource: {
        apiGroup: route.resource.group,
        resource: route.resource.plural,
        ...(route.subresource !== undefined ? { subresource: route.subresource } : {}),
        ...(route.namespace !== undefined ? { namespace: route.namespace } : {}),
        ...(route.name !== undefined ? { name: route.name } : {}),
      },
    });
    const r = route.resource;
    switch (verb) {
      case 'get':
        return send(response, 200, await registry.get(r, route.namespace, route.name!));
      case 'list': {
        const limit = Number(q.get('limit') ?? 0);
        const result = await registry.list(r, route.namespace, {
          labelSelector: q.get('labelSelector') ?? '',
          fieldSelector: q.get('fieldSelector') ?? '',
          limit: Number.isFinite(limit) ? limit : 0,
          continue: q.get('continue') ?? '',
          resourceVersion: q.get('resourceVersion') ?? '',
        });
        record.list = {
          items: result.items.length,
          ...(result.continue ? { continue: result.continue } : {}),
          ...(result.remainingItemCount !== undefined
            ? { remainingItemCount: result.remainingItemCount }
            : {}),
        };
        return send(response, 200, {
          kind: `${r.kind}List`,
          apiVersion: apiVersionOf(r),
          metadata: {
            resourceVersion: result.resourceVersion,
            ...(result.continue ? { continue: result.continue } : {}),
            ...(result.remainingItemCount !== undefined
              ? { remainingItemCount: result.remainingItemCount }
              : {}),
          },
          // Items of a list carry no apiVersion and kind of their own on the real server.
          items: result.items.map(({ apiVersion: _v, kind: _k, ...item }) => item),
        });
      }
      case 'watch':
        return serveWatch(req, response, r, route.namespace, q);
      case 'create': {
        if (route.subresource === 'binding')
          return send(
            response,
            201,
            await registry.bind(route.namespace!, route.name!, (await readBody(req)) as Obj),
          );
        return send(
          response,
          201,
          await registry.create(r, route.namespace, (await readBody(req)) as Obj, user),
        );
      }
      case 'update':
        return send(
          response,
          200,
          await registry.update(
            r,
            route.namespace,
            route.name!,
            (await readBody(req)) as Obj,
            route.subresource,
          ),
        );
      case 'patch':
        return send(
          response,
          200,
          await registry.patch(
            r,
            route.namespace,
            route.name!,
            req.headers['content-type'] ?? '',
            await readBody(req),
            route.subresource,
          ),
        );
      case 'delete':
        return send(response, 200, await registry.delete(r, route.namespace, route.name!));
      default:
        throw methodNotAllowed();
    }
  }

  async function serveWatch(
    req: IncomingMessage,
    response: ServerResponse,
    r: Resource,
    ns: string | undefined,
    q: URLSearchParams,
  ): Promise<void> {
    const selectors = {
      labelSelector: q.get('labelSelector') ?? '',
      fieldSelector: q.get('fieldSelector') ?? '',
    };
    const rv = q.get('resourceVersion');
    const abort = new AbortController();
    const timeout = Number(q.get('timeoutSeconds') ?? 1800);
    const timer = setTimeout(() => abort.abort(), Math.max(1, timeout) * 1000);
    req.on('close', () => abort.abort());
    response.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    const emit = (type: string, object: Obj) => response.write(`${JSON.stringify({ type, object })}\n`);
    let after: number;
    if (rv === null || rv === '' || rv === '0') {
      const initial = await registry.list(r, ns, selectors);
      for (const item of initial.items) emit('ADDED', item);
      after = Number(initial.resourceVersion);
    } else after = Number(rv);
    try {
      await registry.watch(r, ns, after, selectors, emit, abort.signal);
    } finally {
      clearTimeout(timer);
      response.end();
    }
  }

  async function nonResource(
    req: IncomingMessage,
    response: ServerResponse,
    path: string,
    segments: string[],
    user: UserInfo,
    method: string,
  ): Promise<void> {
    // The review APIs are POST-only resources without storage.
    if (method === 'POST' && segments[0] === 'apis') {
      const [, group, version, kindPlural] = segments;
      if (group === AUTHZ_GROUP && version === 'v1' && kindPlural === 'subjectaccessreviews') {
        await check({
          user,
          verb: 'create',
          resource: { apiGroup: AUTHZ_GROUP, resource: 'subjectaccessreviews' },
        });
        const body = (await readBody(req)) as Obj;
        const spec = body.spec ?? {};
        const ra = spec.resourceAttributes;
        const attrs: RequestAttributes = {
          user: { name: spec.user ?? '', groups: spec.groups ?? [] },
          verb: ra?.verb ?? spec.nonResourceAttributes?.verb ?? '',
          ...(ra
            ? {
                resource: {
                  apiGroup: ra.group ?? '',
                  resource: ra.resource ?? '',
                  ...(ra.subresource ? { subresource: ra.subresource } : {}),
                  ...(ra.namespace ? { namespace: ra.namespace } : {}),
                  ...(ra.name ? { name: ra.name } : {}),
                },
              }
            : { path: spec.nonResourceAttributes?.path ?? '' }),
        };
        const decision = authorize(attrs, await rbacSnapshot(), cfg.authorizationModes);
        return send(response, 201, {
          ...body,
          apiVersion: `${AUTHZ_GROUP}/v1`,
          kind: 'SubjectAccessReview',
          status: { allowed: decision.allowed, reason: decision.reason },
        });
      }
      if (group === AUTHN_GROUP && version === 'v1' && kindPlural === 'selfsubjectreviews') {
        await check({
          user,
          verb: 'create',
          resource: { apiGroup: AUTHN_GROUP, resource: 'selfsubjectreviews' },
        });
        return send(response, 201, {
          apiVersion: `${AUTHN_GROUP}/v1`,
          kind: 'SelfSubjectReview',
          metadata: {},
          status: { userInfo: { username: user.name, groups: user.groups } },
        });
      }
    }
    if (method !== 'GET') throw methodNotAllowed();
    await check({ user, verb: 'get', path });
    if (path === '/livez' || path === '/healthz' || path === '/readyz')
      return sendText(response, ready ? 200 : 500, ready ? 'ok' : 'not ready');
    if (path === '/version') {
      const [major, minor] = cfg.version.replace(/^v/, '').split('.');
      return send(response, 200, { major, minor, gitVersion: cfg.version, platform: 'linux/amd64' });
    }
    if (path === '/api') {
      return send(response, 200, {
        kind: 'APIVersions',
        versions: ['v1'],
        serverAddressByClientCIDRs: [
          { clientCIDR: '0.0.0.0/0', serverAddress: `${cfg.advertiseAddress}:${cfg.securePort}` },
        ],
      });
    }
    if (path === '/apis') {
      const groups = [...new Set(RESOURCES.filter((r) => r.group !== '').map((r) => r.group))].map((g) => ({
        name: g,
        versions: [{ groupVersion: `${g}/v1`, version: 'v1' }],
        preferredVersion: { groupVersion: `${g}/v1`, version: 'v1' },
      }));
      return send(response, 200, { kind: 'APIGroupList', apiVersion: 'v1', groups });
    }
    const gv = RESOURCES.find((r) => groupVersionPath(r) === path);
    if (gv !== undefined) {
      return send(response, 200, {
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: apiVersionOf(gv),
        resources: discoveryResources(gv.group, gv.version),
      });
    }
    throw notFoundPath();
  }

  const server = https.createServer(
    { cert: cfg.tlsCert, key: cfg.tlsKey, ca: cfg.clientCA, requestCert: true, rejectUnauthorized: false },
    (req, response) => {
      const record: ApiRequestRecord = { method: req.method ?? 'GET', url: req.url ?? '/', user: '' };
      if (options.onRequest) {
        const report = options.onRequest;
        response.once('finish', () => report({ ...record, status: response.statusCode }));
      }
      handle(req, response, record).catch((err: unknown) => {
        if (response.headersSent) return response.end();
        if (err instanceof ApiError) return send(response, err.code, err.toStatus());
        if (err instanceof SelectorError) return send(response, 400, badRequest(err.message).toStatus());
        if (err instanceof StoreUnavailableError)
          return send(response, 500, new ApiError(500, 'InternalError', err.message).toStatus());
        send(
          response,
          500,
          new ApiError(500, 'InternalError', String((err as Error)?.message ?? err)).toStatus(),
        );
      });
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(cfg.securePort, cfg.bindAddress, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = ['0.0.0.0', '::'].includes(cfg.bindAddress) ? cfg.advertiseAddress : cfg.bindAddress;
  return {
    url: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    async close() {
      ready = false;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      store.close();
    },
  };
}

/** What the real server creates at start: namespaces, the RBAC defaults, the kubernetes Service. */
async function bootstrap(registry: Registry, cfg: ApiServerConfig): Promise<void> {
  for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
    await registry.ensure(res('namespaces'), undefined, { metadata: { name } });
  }
  const labels = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };
  const rbacGroup = 'rbac.authorization.k8s.io';
  for (const role of defaultClusterRoles()) {
    await registry.ensure(res('clusterroles', rbacGroup), undefined, {
      ...role,
      metadata: { ...role.metadata, labels },
    });
  }
  for (const b of defaultClusterRoleBindings()) {
    await registry.ensure(res('clusterrolebindings', rbacGroup), undefined, {
      ...b,
      roleRef: { apiGroup: rbacGroup, ...b.roleRef },
      subjects: b.subjects?.map((s) => ({
        ...(s.kind === 'ServiceAccount' ? {} : { apiGroup: rbacGroup }),
        ...s,
      })),
      metadata: { ...b.metadata, labels },
    });
  }
  await registry.ensure(res('services'), 'default', {
    metadata: { name: 'kubernetes', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: {
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: cfg.securePort }],
      type: 'ClusterIP',
    },
  });
}
