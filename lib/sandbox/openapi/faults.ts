/**
 * Injected failures and load limits: per-account faults (code, rate, count, latency, per action
 * or all) and a per-access-key request rate answering `Throttling.User`, so callers' retry and
 * back-off can be tested against the errors Alibaba really returns.
 */
import { randomUUID } from 'node:crypto';
import { apiError, Errors } from './errors';
import type { AccountRecord, FaultRecord } from './state';
import type { SandboxApiError } from './types';
import { AdminError } from './types';

export interface FaultInput {
  action?: string;
  code?: string;
  httpStatus?: number;
  message?: string;
  rate?: number;
  count?: number;
  latencyMs?: number;
  /** `true`: carry the call out, then delay or fail its answer (see `FaultRecord.phase`). */
  after?: boolean;
}

/** Validates an admin fault request into a stored fault. */
export function newFault(input: FaultInput, now: number): FaultRecord {
  const { action, code, httpStatus, message, rate = 1, count, latencyMs = 0, after } = input ?? {};
  if (after !== undefined && typeof after !== 'boolean') throw new AdminError(400, 'after must be a boolean');
  if (action !== undefined && (typeof action !== 'string' || !action))
    throw new AdminError(400, 'action must be a non-empty string');
  if (code === undefined && !latencyMs) throw new AdminError(400, 'a fault needs a code or latencyMs');
  if (code !== undefined && (typeof code !== 'string' || !code))
    throw new AdminError(400, 'code must be a non-empty string');
  const status = httpStatus ?? (code ? 400 : undefined);
  if (status !== undefined && (!Number.isInteger(status) || status < 400 || status > 599))
    throw new AdminError(400, 'httpStatus must be 400..599');
  if (typeof rate !== 'number' || rate < 0 || rate > 1) throw new AdminError(400, 'rate must be within 0..1');
  if (count !== undefined && (!Number.isInteger(count) || count < 1))
    throw new AdminError(400, 'count must be a positive integer');
  if (typeof latencyMs !== 'number' || latencyMs < 0 || latencyMs > 120_000)
    throw new AdminError(400, 'latencyMs must be within 0..120000');
  return {
    id: randomUUID(),
    rate,
    latencyMs,
    createdAtMs: now,
    ...(action !== undefined ? { action } : {}),
    ...(code !== undefined ? { code } : {}),
    ...(status !== undefined ? { httpStatus: status } : {}),
    ...(message !== undefined ? { message: String(message) } : {}),
    ...(count !== undefined ? { remaining: count } : {}),
    ...(after ? { phase: 'after' as const } : {}),
  };
}

const DEFAULT_MESSAGES: Record<string, string> = {
  'Throttling.User': 'Request was denied due to user flow control.',
  Throttling: 'Request was denied due to request throttling.',
  ServiceUnavailable: 'The request has failed due to a temporary failure of the server.',
  InternalError: 'The request processing has failed due to some unknown error, exception or failure.',
};

/**
 * Applies the account's faults of one phase to one call (`before` it is carried out, or `after`,
 * to its answer): waits the injected latency, then throws the injected error if one fires.
 * Returns whether state changed (a counted fault was used).
 */
export async function applyFaults(
  rec: AccountRecord,
  action: string,
  random = Math.random,
  phase: 'before' | 'after' = 'before',
): Promise<boolean> {
  let changed = false;
  let error: SandboxApiError | undefined;
  let delay = 0;
  for (const f of rec.faults) {
    if ((f.phase ?? 'before') !== phase) continue;
    if (f.action !== undefined && f.action !== action) continue;
    if (f.remaining !== undefined && f.remaining <= 0) continue;
    if (f.rate < 1 && random() >= f.rate) continue;
    delay = Math.max(delay, f.latencyMs);
    if (f.code && !error) {
      error = apiError(
        f.code,
        f.httpStatus ?? 400,
        f.message ?? DEFAULT_MESSAGES[f.code] ?? `Injected fault ${f.code}.`,
      );
    }
    if (f.remaining !== undefined) {
      f.remaining -= 1;
      changed = true;
    }
    if (error) break;
  }
  if (changed) rec.faults = rec.faults.filter((f) => f.remaining === undefined || f.remaining > 0);
  if (delay > 0) await new Promise((r) => setTimeout(r, delay));
  if (error) throw error;
  return changed;
}

/** Token bucket per access key: `perSecond` requests per second, bursts up to `perSecond`. */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; atMs: number }>();

  take(accessKeyId: string, perSecond: number | undefined, now: number): void {
    if (!perSecond || perSecond <= 0) return;
    const b = this.buckets.get(accessKeyId) ?? { tokens: perSecond, atMs: now };
    b.tokens = Math.min(perSecond, b.tokens + ((now - b.atMs) / 1000) * perSecond);
    b.atMs = now;
    this.buckets.set(accessKeyId, b);
    if (b.tokens < 1) {
      // The SDK reads x-acs-retry-after (ms) into ThrottlingError.retryAfter and waits that long.
      const e = Errors.throttlingUser() as SandboxApiError & { headers?: Record<string, string> };
      e.headers = { 'x-acs-retry-after': String(Math.ceil(((1 - b.tokens) / perSecond) * 1000)) };
      throw e;
    }
    b.tokens -= 1;
  }
}
