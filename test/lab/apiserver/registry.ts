// Object semantics on top of the store, as kube-apiserver's generic registry applies them:
// names validated per kind, namespaces that must exist, uid/creationTimestamp/generation set by the
// server, resourceVersion conflicts, status subresources that change only status, CSRs stamped with
// the requesting user, Service cluster IPs allocated from --service-cluster-ip-range, paged lists.
import { randomUUID } from 'node:crypto';
import { applyJsonPatch, type Json } from '../../../src/patches/json-patch.js';
import { applyMergePatch } from '../../../src/patches/merge-patch.js';
import { applyStrategicMergePatch } from '../../../src/patches/strategic.js';
import { ContinueTokenError, decodeContinue, encodeContinue } from './continue-token.js';
import {
  CompactedError,
  ConflictError,
  type EtcdStore,
  type ListPage,
  type StoredValue,
} from './etcd-store.js';
import type { UserInfo } from './rbac.js';
import { apiVersionOf, findResource, storageKey, type Resource } from './resources.js';
import {
  fieldsMatch,
  labelsMatch,
  parseFieldSelector,
  parseLabelSelector,
  supportedFields,
} from './selectors.js';
import {
  alreadyExists,
  ApiError,
  badRequest,
  conflict,
  continueExpired,
  invalid,
  notFound,
  unsupportedMediaType,
  type FieldCause,
} from './status.js';

export type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  /** The request's resourceVersion parameter ('' when not given). */
  resourceVersion?: string;
}

export interface ListResult {
  items: Obj[];
  resourceVersion: string;
  continue?: string;
  /** Objects after this page; set only for lists without selectors, as the real server does. */
  remainingItemCount?: number;
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const QUALIFIED_NAME =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;

function nameProblem(res: Resource, name: string): string | undefined {
  if (res.group === 'rbac.authorization.k8s.io') {
    return name === '.' || name === '..' || /[/%]/.test(name) ? `may not contain '/' or '%'` : undefined;
  }
  if (res.kind === 'Namespace') {
    return name.length <= 63 && DNS1123_LABEL.test(name)
      ? undefined
      : "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
  }
  if (res.kind === 'Service') {
    return name.length <= 63 && DNS1035_LABEL.test(name)
      ? undefined
      : "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";
  }
  return name.length <= 253 && DNS1123_SUBDOMAIN.test(name)
    ? undefined
    : "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
}

function validate(res: Resource, obj: Obj): FieldCause[] {
  const causes: FieldCause[] = [];
  const name = String(obj.metadata?.name ?? '');
  const bad = nameProblem(res, name);
  if (bad) causes.push({ field: 'metadata.name', message: `Invalid value: "${name}": ${bad}` });
  for (const [k, v] of Object.entries((obj.metadata?.labels ?? {}) as Record<string, unknown>)) {
    if (!QUALIFIED_NAME.test(k))
      causes.push({
        field: 'metadata.labels',
        message: `Invalid value: "${k}": name part must consist of alphanumeric characters, '-', '_' or '.'`,
      });
    if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v))
      causes.push({
        field: 'metadata.labels',
        message: `Invalid value: ${JSON.stringify(v)}: a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.'`,
      });
  }
  for (const [k, v] of Object.entries((obj.metadata?.annotations ?? {}) as Record<string, unknown>)) {
    if (typeof v !== 'string')
      causes.push({ field: `metadata.annotations[${k}]`, message: 'Invalid value: must be a string' });
  }
  if (res.kind === 'ConfigMap' || res.kind === 'Secret') {
    for (const k of Object.keys({ ...obj.data, ...obj.binaryData })) {
      if (!CONFIG_KEY.test(k))
        causes.push({
          field: `data[${k}]`,
          message: `Invalid value: "${k}": a valid config key must consist of alphanumeric characters, '-', '_' or '.'`,
        });
    }
  }
  if (['Role', 'ClusterRole'].includes(res.kind)) {
    (obj.rules ?? []).forEach((r: Obj, i: number) => {
      if (!Array.isArray(r.verbs) || r.verbs.length === 0)
        causes.push({
          field: `rules[${i}].verbs`,
          message: 'Required value: verbs must contain at least one value',
        });
      if (r.nonResourceURLs === undefined && !Array.isArray(r.apiGroups))
        causes.push({
          field: `rules[${i}].apiGroups`,
          message: 'Required value: resource rules must supply at least one api group',
        });
    });
  }
  if (['RoleBinding', 'ClusterRoleBinding'].includes(res.kind)) {
    if (typeof obj.roleRef?.name !== 'string' || obj.roleRef.name === '')
      causes.push({ field: 'roleRef.name', message: 'Required value' });
    if (!['Role', 'ClusterRole'].includes(obj.roleRef?.kind))
      causes.push({ field: 'roleRef.kind', message: `Unsupported value: "${obj.roleRef?.kind}"` });
    (obj.subjects ?? []).forEach((s: Obj, i: number) => {
      if (!['User', 'Group', 'ServiceAccount'].includes(s.kind))
        causes.push({ field: `subjects[${i}].kind`, message: `Unsupported value: "${s.kind}"` });
      if (typeof s.name !== 'string' || s.name === '')
        causes.push({ field: `subjects[${i}].name`, message: 'Required value' });
    });
  }
  return causes;
}

/** Secrets carry base64 in `data`; `stringData` is folded in on write, as the real server does. */
function normaliseSecret(obj: Obj): void {
  for (const [k, v] of Object.entries((obj.data ?? {}) as Record<string, unknown>)) {
    if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v) || v.length % 4 !== 0) {
      throw badRequest(
        `Secret in version "v1" cannot be handled as a Secret: illegal base64 data at key "${k}"`,
      );
    }
  }
  if (obj.stringData !== undefined) {
    obj.data = { ...obj.data };
    for (const [k, v] of Object.entries(obj.stringData as Record<string, string>))
      obj.data[k] = Buffer.from(String(v)).toString('base64');
    delete obj.stringData;
  }
  obj.type ??= 'Opaque';
}

const nowStamp = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
}
const intToIpv4 = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

export class Registry {
  constructor(
    private readonly store: EtcdStore,
    private readonly serviceCIDR: string,
  ) {}

  private present(res: Resource, sv: StoredValue): Obj {
    const obj = sv.value as Obj;
    obj.apiVersion = apiVersionOf(res);
    obj.kind = res.kind;
    obj.metadata = { ...obj.metadata, resourceVersion: String(sv.modRevision) };
    return obj;
  }

  async get(res: Resource, ns: string | undefined, name: string): Promise<Obj> {
    const sv = await this.store.get(storageKey(res, ns, name));
    if (sv === undefined) throw notFound(res, name);
    return this.present(res, sv);
  }

  /**
   * One page of the collection (all of it without a limit), read at one etcd revision: later
   * pages continue at the first page's revision, as the real server's continue tokens do.
   */
  async list(res: Resource, ns: string | undefined, o: ListOptions = {}): Promise<ListResult> {
    const labels = o.labelSelector ? parseLabelSelector(o.labelSelector) : [];
    const fields = o.fieldSelector ? parseFieldSelector(o.fieldSelector, supportedFields(res.kind)) : [];
    const prefix = storageKey(res, ns);
    let from: string | undefined;
    let revision: number | undefined;
    if (o.continue) {
      let decoded: { from: string; revision: number };
      try {
        decoded = decodeContinue(o.continue, prefix);
      } catch (err) {
        if (err instanceof ContinueTokenError) throw badRequest(`invalid continue token: ${err.message}`);
        throw err;
      }
      if (o.resourceVersion && o.resourceVersion !== '0')
        throw badRequest('specifying resource version is not allowed when using continue');
      from = decoded.from;
      // A negative revision (from a 410's token) continues at the latest one.
      if (decoded.revision > 0) revision = decoded.revision;
    }
    const start = from;
    const limit = o.limit && o.limit > 0 ? o.limit : 0;
    // The count of what remains is exact only when nothing is filtered out.
    const unfiltered = labels.length === 0 && fields.length === 0;
    const items: Obj[] = [];
    for (;;) {
      let page: ListPage;
      try {
        page = await this.store.list(prefix, {
          ...(from !== undefined ? { from } : {}),
          ...(limit > 0 ? { limit: limit - items.length } : {}),
          ...(revision !== undefined ? { revision } : {}),
        });
      } catch (err) {
        if (err instanceof CompactedError && start !== undefined) throw continueExpired(start, prefix);
        throw err;
      }
      revision ??= page.revision;
      for (const sv of page.items) {
        const obj = this.present(res, sv);
        if (labelsMatch(labels, obj.metadata?.labels) && fieldsMatch(fields, obj)) items.push(obj);
      }
      if (page.next === undefined) return { items, resourceVersion: String(revision) };
      from = page.next;
      if (limit > 0 && items.length >= limit) {
        return {
          items,
          resourceVersion: String(revision),
          continue: encodeContinue(from, prefix, revision),
          ...(unfiltered ? { remainingItemCount: page.count - page.items.length } : {}),
        };
      }
    }
  }

  private async requireNamespace(ns: string): Promise<void> {
    const nsRes = findResource('', 'v1', 'namespaces')!;
    const sv = await this.store.get(storageKey(nsRes, undefined, ns));
    if (sv === undefined) throw notFound(nsRes, ns);
    if ((sv.value as Obj).status?.phase === 'Terminating') {
      throw new ApiError(
        403,
        'Forbidden',
        `unable to create new content in namespace ${ns} because it is being terminated`,
      );
    }
  }

  private async allocateClusterIP(svc: Obj): Promise<void> {
    const [base, bits] = this.serviceCIDR.split(',')[0]!.split('/');
    if (base!.includes(':')) return; // IPv6 service ranges are not allocated by the stand-in.
    const start = ipv4ToInt(base!);
    const size = 2 ** (32 - Number(bits));
    const services = await this.list(findResource('', 'v1', 'services')!, undefined);
    const used = new Set(services.items.map((s) => s.spec?.clusterIP).filter(Boolean));
    const given = svc.spec?.clusterIP;
    if (given === 'None') return;
    if (given) {
      const n = ipv4ToInt(given);
      if (n <= start || n >= start + size - 1)
        throw invalid(findResource('', 'v1', 'services')!, svc.metadata.name, [
          {
            field: 'spec.clusterIPs',
            message: `Invalid value: ["${given}"]: failed to allocate IP ${given}: the provided IP (${given}) is not in the valid range. The range of valid IPs is ${this.serviceCIDR}`,
          },
        ]);
      if (used.has(given))
        throw invalid(findResource('', 'v1', 'services')!, svc.metadata.name, [
          {
            field: 'spec.clusterIPs',
            message: `Invalid value: ["${given}"]: failed to allocate IP ${given}: provided IP is already allocated`,
          },
        ]);
    } else {
      let n = start + 1;
      while (used.has(intToIpv4(n))) n++;
      svc.spec = { ...svc.spec, clusterIP: intToIpv4(n) };
    }
    svc.spec.clusterIPs = [svc.spec.clusterIP];
  }

  async create(res: Resource, ns: string | undefined, body: Obj, user: UserInfo | undefined): Promise<Obj> {
    const obj = structuredClone(body);
    this.checkKind(res, obj);
    obj.metadata ??= {};
    if (res.namespaced) {
      if (obj.metadata.namespace !== undefined && obj.metadata.namespace !== ns)
        throw badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      obj.metadata.namespace = ns;
      await this.requireNamespace(ns!);
    } else delete obj.metadata.namespace;
    if (!obj.metadata.name && obj.metadata.generateName) {
      obj.metadata.name = `${obj.metadata.generateName}${randomUUID().replace(/-/g, '').slice(0, 5)}`;
    }
    if (!obj.metadata.name) {
      throw invalid(res, '', [
        { field: 'metadata.name', message: 'Required value: name or generateName is required' },
      ]);
    }
    if (res.kind === 'Secret') normaliseSecret(obj);
    const causes = validate(res, obj);
    if (causes.length > 0) throw invalid(res, obj.metadata.name, causes);
    delete obj.metadata.resourceVersion;
    obj.metadata.uid = randomUUID();
    obj.metadata.creationTimestamp = nowStamp();
    if (obj.spec !== undefined) obj.metadata.generation = 1;
    if (res.kind === 'CertificateSigningRequest') {
      obj.spec = { ...obj.spec, username: user?.name, groups: user?.groups ?? [] };
      delete obj.status;
    }
    if (res.kind === 'Namespace') obj.status = { phase: 'Active' };
    if (['Deployment', 'DaemonSet', 'Job'].includes(res.kind)) delete obj.status;
    // A Pod a controller creates starts Pending; a kubelet's mirror Pod comes with its status.
    if (res.kind === 'Pod' && obj.status?.phase === undefined)
      obj.status = { ...obj.status, phase: 'Pending' };
    if (res.kind === 'Service') await this.allocateClusterIP(obj);
    try {
      const rev = await this.store.create(storageKey(res, ns, obj.metadata.name), stripServerFields(obj));
      obj.metadata.resourceVersion = String(rev);
    } catch (err) {
      if (err instanceof ConflictError) throw alreadyExists(res, obj.metadata.name);
      throw err;
    }
    return this.present(res, { key: '', value: obj, modRevision: Number(obj.metadata.resourceVersion) });
  }

  private checkKind(res: Resource, obj: Obj): void {
    if (obj.kind !== undefined && obj.kind !== res.kind)
      throw badRequest(`the kind ${obj.kind} does not match ${res.kind}`);
    if (obj.apiVersion !== undefined && obj.apiVersion !== apiVersionOf(res))
      throw badRequest(
        `the API version in the data (${obj.apiVersion}) does not match the expected API version (${apiVersionOf(res)})`,
      );
  }

  /** PUT: replaces the object (or only its status on the status subresource). */
  async update(
    res: Resource,
    ns: string | undefined,
    name: string,
    body: Obj,
    subresource?: string,
  ): Promise<Obj> {
    this.checkKind(res, body);
    if (body.metadata?.name !== undefined && body.metadata.name !== name)
      throw badRequest(
        `the name of the object (${body.metadata.name}) does not match the name on the URL (${name})`,
      );
    const key = storageKey(res, ns, name);
    const current = await this.store.get(key);
    if (current === undefined) throw notFound(res, name);
    const given = body.metadata?.resourceVersion;
    // kube-apiserver parses the version as a number, and 0 means "not given": an unconditional update
    // (kubeadm's kube-dns Service template relies on it).
    if (given !== undefined && given !== '' && given !== '0' && given !== String(current.modRevision))
      throw conflict(res, name);
    const old = current.value as Obj;
    let next: Obj = structuredClone(body);
    if (subresource === 'status') next = { ...old, status: next.status };
    else if (subresource === 'approval')
      next = { ...old, status: { ...old.status, conditions: next.status?.conditions ?? [] } };
    else if (subresource !== undefined) throw badRequest(`subresource ${subresource} cannot be updated`);
    else if (res.subresources.includes('status') && res.kind !== 'Namespace') next.status = old.status;
    next.metadata = {
      ...next.metadata,
      name,
      uid: old.metadata.uid,
      creationTimestamp: old.metadata.creationTimestamp,
      ...(res.namespaced ? { namespace: ns } : {}),
    };
    if (res.kind === 'Secret') normaliseSecret(next);
    if (res.kind === 'CertificateSigningRequest') next.spec = old.spec;
    if (res.kind === 'Service' && old.spec?.clusterIP) {
      next.spec = { ...next.spec, clusterIP: old.spec.clusterIP, clusterIPs: old.spec.clusterIPs };
    }
    if (old.metadata.generation !== undefined) {
      const specChanged = JSON.stringify(old.spec) !== JSON.stringify(next.spec);
      next.metadata.generation = old.metadata.generation + (specChanged ? 1 : 0);
    }
    const causes = validate(res, next);
    if (causes.length > 0) throw invalid(res, name, causes);
    try {
      const rev = await this.store.update(key, stripServerFields(next), current.modRevision);
      return this.present(res, { key, value: next, modRevision: rev });
    } catch (err) {
      if (err instanceof ConflictError) throw conflict(res, name);
      throw err;
    }
  }

  async patch(
    res: Resource,
    ns: string | undefined,
    name: string,
    contentType: string,
    patch: unknown,
    subresource?: string,
  ): Promise<Obj> {
    for (let attempt = 0; ; attempt++) {
      const current = await this.get(res, ns, name);
      let next: Json;
      const type = contentType.split(';')[0]!.trim();
      try {
        if (type === 'application/strategic-merge-patch+json')
          next = applyStrategicMergePatch(current as Json, patch as Json, res.mergeSchema);
        else if (type === 'application/merge-patch+json')
          next = applyMergePatch(current as Json, patch as Json);
        else if (type === 'application/json-patch+json') next = applyJsonPatch(current as Json, patch);
        else throw unsupportedMediaType(type);
      } catch (err) {
        if (err instanceof ApiError) throw err;
        throw new ApiError(422, 'Invalid', `the patch could not be applied: ${(err as Error).message}`);
      }
      const body = next as Obj;
      body.metadata = { ...body.metadata, resourceVersion: current.metadata.resourceVersion };
      try {
        return await this.update(res, ns, name, body, subresource);
      } catch (err) {
        // A patch is not tied to a resourceVersion the client saw: retry on a concurrent write.
        if (err instanceof ApiError && err.reason === 'Conflict' && attempt < 5) continue;
        throw err;
      }
    }
  }

  /**
   * POST pods/<name>/binding, as the scheduler binds: the Pod gets the node and its PodScheduled
   * condition; a Pod that has a node already is a conflict.
   */
  async bind(ns: string, name: string, binding: Obj): Promise<Obj> {
    const pods = findResource('', 'v1', 'pods')!;
    if (binding.kind !== undefined && binding.kind !== 'Binding')
      throw badRequest(`the kind ${binding.kind} does not match Binding`);
    if (binding.metadata?.name !== undefined && binding.metadata.name !== name)
      throw badRequest(
        `the name of the object (${binding.metadata.name}) does not match the name on the URL (${name})`,
      );
    const node = binding.target?.name;
    if (typeof node !== 'string' || node === '' || (binding.target.kind ?? 'Node') !== 'Node')
      throw invalid({ ...pods, kind: 'Binding', group: '' }, name, [
        { field: 'target.name', message: 'Required value: a Node to bind to' },
      ]);
    for (let attempt = 0; ; attempt++) {
      const key = storageKey(pods, ns, name);
      const current = await this.store.get(key);
      if (current === undefined) throw notFound(pods, name);
      const pod = structuredClone(current.value as Obj);
      if (pod.spec?.nodeName)
        throw new ApiError(
          409,
          'Conflict',
          `Operation cannot be fulfilled on pods/binding "${name}": pod ${name} is already assigned to node "${pod.spec.nodeName}"`,
        );
      pod.spec = { ...pod.spec, nodeName: node };
      const scheduled = {
        type: 'PodScheduled',
        status: 'True',
        lastProbeTime: null,
        lastTransitionTime: nowStamp(),
      };
      const others = (pod.status?.conditions ?? []).filter((c: Obj) => c.type !== 'PodScheduled');
      pod.status = { ...pod.status, conditions: [...others, scheduled] };
      try {
        await this.store.update(key, stripServerFields(pod), current.modRevision);
        return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
      } catch (err) {
        if (err instanceof ConflictError && attempt < 5) continue;
        throw err;
      }
    }
  }

  async delete(res: Resource, ns: string | undefined, name: string): Promise<Obj> {
    const current = await this.get(res, ns, name);
    await this.store.delete(storageKey(res, ns, name));
    if (res.kind === 'Namespace') await this.deleteNamespaceContent(name);
    return current;
  }

  private async deleteNamespaceContent(ns: string): Promise<void> {
    const { RESOURCES } = await import('./resources.js');
    for (const r of RESOURCES.filter((x) => x.namespaced)) {
      const { items } = await this.list(r, ns);
      for (const item of items) await this.store.delete(storageKey(r, ns, item.metadata.name));
    }
  }

  /** Ensures an object exists (start-up defaults); an existing one is left as it is. */
  async ensure(res: Resource, ns: string | undefined, obj: Obj): Promise<void> {
    try {
      await this.create(res, ns, obj, undefined);
    } catch (err) {
      if (!(err instanceof ApiError && err.reason === 'AlreadyExists')) throw err;
    }
  }

  watch(
    res: Resource,
    ns: string | undefined,
    afterRevision: number,
    o: Pick<ListOptions, 'labelSelector' | 'fieldSelector'>,
    onEvent: (type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: Obj) => void,
    signal: AbortSignal,
  ): Promise<void> {
    const labels = o.labelSelector ? parseLabelSelector(o.labelSelector) : [];
    const fields = o.fieldSelector ? parseFieldSelector(o.fieldSelector, supportedFields(res.kind)) : [];
    return this.store.watch(
      storageKey(res, ns),
      afterRevision,
      (e) => {
        const obj = this.present(res, { key: e.key, value: e.value, modRevision: e.modRevision });
        if (!(labelsMatch(labels, obj.metadata?.labels) && fieldsMatch(fields, obj))) return;
        onEvent(e.type === 'DELETE' ? 'DELETED' : e.created ? 'ADDED' : 'MODIFIED', obj);
      },
      signal,
    );
  }
}

/** Objects are stored without resourceVersion: etcd's mod_revision is the truth. */
function stripServerFields(obj: Obj): Obj {
  const copy: Obj = { ...obj, metadata: { ...obj.metadata } };
  delete copy.metadata.resourceVersion;
  delete copy.apiVersion;
  delete copy.kind;
  return copy;
}
