/**
 * One error type for the whole product. Callers match on `code` (stable, from docs/API.md),
 * never on message text or `instanceof` across bundles.
 */

export type ErrorCode =
  | 'ValidationFailed'
  | 'Unauthenticated'
  | 'Forbidden'
  | 'NotFound'
  | 'MethodNotAllowed'
  | 'Conflict'
  | 'PayloadTooLarge'
  | 'CloudRejected'
  | 'RateLimited'
  | 'CloudUnavailable'
  | 'Internal';

export const STATUS_OF: Record<ErrorCode, number> = {
  ValidationFailed: 400,
  Unauthenticated: 401,
  Forbidden: 403,
  NotFound: 404,
  MethodNotAllowed: 405,
  Conflict: 409,
  PayloadTooLarge: 413,
  CloudRejected: 422,
  RateLimited: 429,
  Internal: 500,
  CloudUnavailable: 502,
};

/** A problem with one field of an input: `path` is dotted (`credential.accessKeyId`). */
export interface FieldProblem {
  path: string;
  problem: string;
}

/** What Alibaba Cloud said, kept verbatim so users and support can search for it. */
export interface CloudErrorInfo {
  code: string;
  requestId?: string;
  httpStatus?: number;
  hint?: string;
}

/**
 * Why a `Conflict` (or another code) happened, when callers must tell cases apart: a lost
 * optimistic-concurrency race, a row that already exists, a reused idempotency key, a lease
 * held elsewhere. Typed, so a match is checked by the compiler instead of parsed from details.
 */
export type ErrorReason =
  | 'VersionMismatch'
  | 'AlreadyExists'
  | 'IdempotencyKeyReused'
  | 'IdempotencyKeyBusy'
  | 'CredentialChanged'
  | 'LeaseHeld';

export interface AppErrorOptions {
  status?: number;
  reason?: ErrorReason;
  retryable?: boolean;
  details?: unknown[];
  cloud?: CloudErrorInfo;
  cause?: unknown;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly retryable: boolean;
  readonly reason?: ErrorReason;
  readonly details?: unknown[];
  readonly cloud?: CloudErrorInfo;
  readonly isAppError = true;

  constructor(code: ErrorCode, message: string, opts: AppErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = opts.status ?? STATUS_OF[code];
    this.retryable = opts.retryable ?? false;
    if (opts.reason !== undefined) this.reason = opts.reason;
    if (opts.details !== undefined) this.details = opts.details;
    if (opts.cloud !== undefined) this.cloud = opts.cloud;
  }
}

/** True for an AppError from any bundle (duck-typed on purpose: bundles each have their own class). */
export function isAppError(e: unknown): e is AppError {
  return typeof e === 'object' && e !== null && (e as { isAppError?: unknown }).isAppError === true;
}

/** True for an AppError of `code` with `reason` (e.g. a lost race: `Conflict`, `VersionMismatch`). */
export function hasReason(e: unknown, code: ErrorCode, reason: ErrorReason): e is AppError {
  return isAppError(e) && e.code === code && e.reason === reason;
}

export const validationFailed = (problems: FieldProblem[], message = 'the request does not match the schema') =>
  new AppError('ValidationFailed', message, { details: problems });

export const notFound = (what: string) => new AppError('NotFound', `${what} was not found`);

export const conflict = (message: string) => new AppError('Conflict', message);

/** Turns anything thrown into an AppError; unknown errors become `Internal` without their text. */
export function toAppError(e: unknown): AppError {
  if (isAppError(e)) return e;
  return new AppError('Internal', 'internal error', { cause: e });
}

/** The public body of docs/API.md §1 "Errors". Never includes a stack or a cause. */
export function errorBody(e: AppError, requestId: string) {
  const error: { code: string; message: string; requestId: string; details?: unknown[] } = {
    code: e.code,
    message: e.message,
    requestId,
  };
  const details =
    e.details ??
    (e.reason ? [{ reason: e.reason }] : undefined) ??
    (e.cloud ? [{ cloudCode: e.cloud.code, cloudRequestId: e.cloud.requestId, hint: e.cloud.hint }] : undefined);
  if (details !== undefined) error.details = details;
  return { error };
}
