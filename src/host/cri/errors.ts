// Errors of CRI calls, worded as kubeadm's Go client shows them (`rpc error: code = NotFound desc =
// ...`), since that is what people search for and scripts match on.
import { KbadmError } from '../../errors.js';

/** gRPC status codes by number, with the names Go's codes package prints. */
export const GRPC_CODE_NAMES: readonly string[] = [
  'OK',
  'Canceled',
  'Unknown',
  'InvalidArgument',
  'DeadlineExceeded',
  'NotFound',
  'AlreadyExists',
  'PermissionDenied',
  'ResourceExhausted',
  'FailedPrecondition',
  'Aborted',
  'OutOfRange',
  'Unimplemented',
  'Internal',
  'Unavailable',
  'DataLoss',
  'Unauthenticated',
];

export const GRPC_UNKNOWN = 2;
export const GRPC_DEADLINE_EXCEEDED = 4;
export const GRPC_NOT_FOUND = 5;
export const GRPC_UNAVAILABLE = 14;

export function grpcCodeName(code: number): string {
  return GRPC_CODE_NAMES[code] ?? `Code(${code})`;
}

/** `rpc error: code = <Name> desc = <details>`, Go's text for a status error. */
export function rpcErrorText(code: number, details: string): string {
  return `rpc error: code = ${grpcCodeName(code)} desc = ${details}`;
}

/** A CRI call the runtime answered with an error, or that never reached it. */
export class CriError extends KbadmError {
  /** The gRPC status code (14 Unavailable when the socket does not answer). */
  readonly code: number;
  /** The runtime's own text, without the `rpc error` wrapping. */
  readonly details: string;
  constructor(message: string, code: number, details: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.details = details;
  }
}

/** The error of one call: `rpc error: code = ... desc = ...`. */
export function callError(code: number, details: string, cause?: unknown): CriError {
  return new CriError(
    rpcErrorText(code, details),
    code,
    details,
    cause === undefined ? undefined : { cause },
  );
}

/** Go's text for a failed connect(2) on a Unix socket: `dial unix PATH: connect: <errno text>`. */
export function dialErrorText(socketPath: string, errnoCode: string | undefined): string {
  const reason = (errnoCode && ERRNO_TEXT[errnoCode]) ?? errnoCode ?? 'unknown error';
  return `dial unix ${socketPath}: connect: ${reason}`;
}

// strerror texts, as Go prints them, for what connecting to a Unix socket can fail with.
const ERRNO_TEXT: Record<string, string> = {
  ENOENT: 'no such file or directory',
  ECONNREFUSED: 'connection refused',
  EACCES: 'permission denied',
  ENOTDIR: 'not a directory',
  ENOTSOCK: 'socket operation on non-socket',
  EPROTOTYPE: 'protocol wrong type for socket',
  ETIMEDOUT: 'connection timed out',
  EAGAIN: 'resource temporarily unavailable',
  ENAMETOOLONG: 'file name too long',
};
