/**
 * Tablestore SDK errors → AppError. The SDK reports single-row errors with `err.code` = the HTTP
 * status and `err.message` = the raw protobuf Error bytes as text (alibaba-cloud-api.md), so the
 * OTS code is found by searching the text; batch rows carry a proper `errorCode`.
 */
import { AppError, hasReason, isAppError } from '../core/errors';

/** Why the store raised a Conflict; domains match on `AppError.reason`. */
export type ConflictReason = 'VersionMismatch' | 'AlreadyExists';

const OTS_CODE = /OTS[A-Za-z]+/;
const TRANSIENT = new Set([
  'OTSServerBusy',
  'OTSTimeout',
  'OTSServerUnavailable',
  'OTSInternalServerError',
  'OTSPartitionUnavailable',
  'OTSTableNotReady',
  'OTSNotEnoughCapacityUnit',
  'OTSOperationThrottled',
  'OTSRowOperationConflict',
  'OTSQuotaExhausted',
]);
const NETWORK = new Set([
  'NetworkingError',
  'TimeoutError',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

/** The OTS error code in an SDK error (`OTSConditionCheckFail`, …), a network code, or undefined. */
export function otsCode(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const { code, message } = e as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (code.startsWith('OTS') || NETWORK.has(code))) return code;
  if (typeof message === 'string') return OTS_CODE.exec(message)?.[0];
  return undefined;
}

/** The store's Conflict, with a `reason` so callers can tell a lost race from a duplicate. */
export function storeConflict(reason: ConflictReason, message: string, cause?: unknown): AppError {
  return new AppError('Conflict', message, { reason, cause });
}

/** True for the Conflict a lost optimistic-concurrency race raises. */
export const isVersionConflict = (e: unknown): boolean => hasReason(e, 'Conflict', 'VersionMismatch');

/** True for the Conflict of a `create` whose row already exists. */
export const isAlreadyExists = (e: unknown): boolean => hasReason(e, 'Conflict', 'AlreadyExists');

/**
 * Maps an SDK error. `onConditionFail` decides what a failed condition means for this call.
 * Missing tables are a deployment fault (run ensureTables); transient and network errors are
 * `CloudUnavailable` and retryable; anything else is Internal (a bug or a misconfiguration).
 */
export function mapStoreError(e: unknown, table: string, onConditionFail?: () => AppError): AppError {
  if (isAppError(e)) return e;
  const code = otsCode(e);
  if (code === 'OTSConditionCheckFail' && onConditionFail) return onConditionFail();
  if (code === 'OTSObjectNotExist') {
    return new AppError('Internal', `Tablestore table ${table} does not exist: run ensureTables`, { cause: e });
  }
  if (code && (TRANSIENT.has(code) || NETWORK.has(code))) {
    return new AppError('CloudUnavailable', 'the state store is unavailable; try again', {
      retryable: true,
      cloud: { code },
      cause: e,
    });
  }
  const status = (e as { code?: unknown }).code;
  if (typeof status === 'number' && status >= 500) {
    return new AppError('CloudUnavailable', 'the state store is unavailable; try again', {
      retryable: true,
      cloud: { code: code ?? String(status) },
      cause: e,
    });
  }
  return new AppError('Internal', `state store error${code ? ` ${code}` : ''} on ${table}`, { cause: e });
}
