// Kubernetes Status errors with the reasons, codes and messages kube-apiserver sends.
import { encodeContinue } from './continue-token.js';
import type { Resource } from './resources.js';

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Record<string, unknown>,
    /** A continue token the Status carries (a 410 for an expired one offers a fresh one). */
    readonly continueToken?: string,
  ) {
    super(message);
  }

  toStatus(): Record<string, unknown> {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: this.continueToken ? { continue: this.continueToken } : {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

const qualified = (res: Resource) => (res.group === '' ? res.plural : `${res.plural}.${res.group}`);
const details = (res: Resource, name: string) => ({
  name,
  ...(res.group !== '' ? { group: res.group } : {}),
  kind: res.plural,
});

export const notFound = (res: Resource, name: string) =>
  new ApiError(404, 'NotFound', `${qualified(res)} "${name}" not found`, details(res, name));

export const alreadyExists = (res: Resource, name: string) =>
  new ApiError(409, 'AlreadyExists', `${qualified(res)} "${name}" already exists`, details(res, name));

export const conflict = (res: Resource, name: string) =>
  new ApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualified(res)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    details(res, name),
  );

export interface FieldCause {
  field: string;
  message: string;
}

export const invalid = (res: Resource, name: string, causes: FieldCause[]) =>
  new ApiError(
    422,
    'Invalid',
    `${res.kind}${res.group !== '' ? `.${res.group}` : ''} "${name}" is invalid: ${causes.map((c) => `${c.field}: ${c.message}`).join(', ')}`,
    {
      ...details(res, name),
      kind: res.kind,
      causes: causes.map((c) => ({ reason: 'FieldValueInvalid', ...c })),
    },
  );

export const badRequest = (message: string) => new ApiError(400, 'BadRequest', message);
export const forbidden = (message: string) => new ApiError(403, 'Forbidden', message);
export const unauthorized = () => new ApiError(401, 'Unauthorized', 'Unauthorized');
export const methodNotAllowed = () =>
  new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
export const unsupportedMediaType = (type: string) =>
  new ApiError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml (got ${type})`,
  );
export const notFoundPath = () =>
  new ApiError(404, 'NotFound', 'the server could not find the requested resource');

/**
 * 410 Expired for a continue token whose revision etcd has compacted. Like the real server it
 * offers a token for the rest of the list at the latest revision (rv -1), an inconsistent list.
 */
export const continueExpired = (startKey: string, prefix: string) =>
  new ApiError(
    410,
    'Expired',
    'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
    undefined,
    encodeContinue(startKey, prefix, -1),
  );
