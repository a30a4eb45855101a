// What the rest of kbadm sees of an API server: a narrow, library-free interface. The real client
// (over @kubernetes/client-node, loaded lazily) and the dry-run client both implement it, so
// phases and domain code never import the library and tests can use the in-memory cluster.
import type { KubeConfig } from '../kubeconfig/kubeconfig.js';

/** Any Kubernetes object, as JSON. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  [field: string]: unknown;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** Names one object (or, without `name`, one kind in one namespace). */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Page size; lists are always paged (default 500). */
  limit?: number;
}

export type PatchType = 'strategic' | 'merge' | 'json';

/**
 * What to connect with: a kubeconfig file (a path under --rootfs), or a kubeconfig held in memory
 * (join's bootstrap credentials), with a name for messages.
 */
export type ClusterSource = string | { kubeconfig: KubeConfig; source: string };

/**
 * One API server. Errors are ClusterApiError (status code and reason) for answers, and other
 * errors for connections that failed.
 */
export interface ClusterClient {
  /** The API server URL (for messages). */
  readonly server: string;
  /** The object, or undefined on 404. */
  get<T extends KubeObject = KubeObject>(ref: ObjectRef): Promise<T | undefined>;
  create<T extends KubeObject>(object: T): Promise<T>;
  /** PUT: replaces the object. */
  update<T extends KubeObject>(object: T): Promise<T>;
  patch<T extends KubeObject = KubeObject>(ref: ObjectRef, patch: unknown, type: PatchType): Promise<T>;
  /** true when it was deleted, false when it did not exist. */
  delete(ref: ObjectRef): Promise<boolean>;
  /**
   * Every object of a kind, fetched page by page with limit/continue. When the server has
   * compacted the revision of the pages (410), the list goes on with the token the 410 offers:
   * at the latest revision, each object still handed out once.
   */
  list<T extends KubeObject = KubeObject>(
    apiVersion: string,
    kind: string,
    options?: ListOptions,
  ): AsyncIterable<T>;
  /** A GET of a non-resource path such as /livez: the status and body, never an error for a status. */
  getRaw(path: string): Promise<{ status: number; body: string }>;
  close(): void;
}

/** An answer from the API server that was not a success. */
export class ClusterApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly reason: string,
    readonly request: string,
  ) {
    super(message);
    this.name = 'ClusterApiError';
  }
}

export const isNotFound = (e: unknown): boolean => e instanceof ClusterApiError && e.status === 404;
export const isAlreadyExists = (e: unknown): boolean =>
  e instanceof ClusterApiError && e.status === 409 && e.reason === 'AlreadyExists';
export const isConflict = (e: unknown): boolean =>
  e instanceof ClusterApiError && e.status === 409 && e.reason !== 'AlreadyExists';
export const isForbidden = (e: unknown): boolean => e instanceof ClusterApiError && e.status === 403;
export const isInvalid = (e: unknown): boolean => e instanceof ClusterApiError && e.status === 422;

/**
 * No answer came from the API server: the connection was refused, the name did not resolve, TLS
 * failed or the request timed out. The message names the URL, as client-go's do.
 */
export class ClusterConnectionError extends Error {
  constructor(
    message: string,
    readonly server: string,
    readonly request: string,
  ) {
    super(message);
    this.name = 'ClusterConnectionError';
  }
}
