/**
 * The one retry policy for cloud calls: exponential back-off with full jitter, a longer base for
 * throttling, bounded attempts and total time. Only what `classify` marks retryable is retried
 * (transient, throttled, busy); auth, permission, quota and invalid requests fail at once.
 * The caller's closure is called again as is, so a create retries with the SAME ClientToken.
 */
import type { Clock } from '../core/clock';
import type { Logger } from '../core/log';
import { isAppError } from '../core/errors';
import { BACKOFF, backoffDelay, retrying, type BackoffPolicy } from '../core/backoff';
import { classify, isCloudError, toCloudAppError, type Classified } from './errors';

export { realSleep } from '../core/backoff';

/**
 * The cloud layer's knobs over the `cloudTransient` / `cloudThrottled` back-off policies; a
 * caller with a latency budget (an HTTP request, a stage) asks for fewer or shorter retries.
 */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  /** Base delay after `Throttling*`: the rate limit needs longer to recover. */
  throttledBaseDelayMs: number;
  /** Cap of one back-off. */
  maxDelayMs: number;
  /** No new attempt starts later than this after the first one. */
  maxTotalMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: BACKOFF.cloudTransient.maxAttempts,
  baseDelayMs: BACKOFF.cloudTransient.baseMs,
  throttledBaseDelayMs: BACKOFF.cloudThrottled.baseMs,
  maxDelayMs: BACKOFF.cloudTransient.maxMs,
  maxTotalMs: BACKOFF.cloudTransient.maxTotalMs,
};

export interface RetryDeps {
  clock: Clock;
  sleep: (ms: number) => Promise<void>;
  /** [0, 1) */
  random: () => number;
  log?: Logger;
}

/** The back-off policy of one failure kind under `policy`. */
function policyOf(policy: RetryPolicy, kind: Classified['kind']): BackoffPolicy {
  return {
    baseMs: kind === 'throttled' ? policy.throttledBaseDelayMs : policy.baseDelayMs,
    maxMs: policy.maxDelayMs,
    jitter: 'full',
    maxAttempts: policy.maxAttempts,
    maxTotalMs: policy.maxTotalMs,
  };
}

/**
 * Full-jitter back-off before retry number `retry` (1 = the first retry); never sooner than a
 * throttling answer's retry-after, never longer than `maxDelayMs`.
 */
export function backoffMs(
  policy: RetryPolicy,
  c: Pick<Classified, 'kind' | 'retryAfterMs'>,
  retry: number,
  random: () => number,
): number {
  return backoffDelay(policyOf(policy, c.kind), retry, random, c.retryAfterMs ?? 0);
}

/**
 * Runs `fn` until it succeeds, fails with a non-retryable error, or the policy is exhausted.
 * Cloud failures come out as an AppError (`CloudRejected` / `RateLimited` / `CloudUnavailable`)
 * carrying the Alibaba code, request id and a hint; other errors are rethrown unchanged.
 */
export async function withRetry<T>(
  action: string,
  fn: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  deps: RetryDeps,
): Promise<T> {
  const seen = new WeakMap<object, Classified>();
  const classified = (e: unknown) => {
    let c = seen.get(e as object);
    if (!c) seen.set(e as object, (c = classify(e, action)));
    return c;
  };
  try {
    return await retrying(fn, {
      policy: policyOf(policy, 'transient'),
      retryable: (e) => {
        // Already classified (e.g. the AssumeRole behind a ram_role credential), or not a cloud error.
        if (isAppError(e) || !isCloudError(e)) return false;
        const c = classified(e);
        return c.retryable && { policy: policyOf(policy, c.kind), floorMs: c.retryAfterMs ?? 0 };
      },
      now: () => deps.clock.now(),
      sleep: deps.sleep,
      random: deps.random,
      onRetry: (e, attempt, delayMs) => {
        const c = classified(e);
        deps.log?.info('cloud call retried', {
          action,
          attempt,
          code: c.code,
          kind: c.kind,
          cloudRequestId: c.requestId,
          delayMs,
        });
      },
    });
  } catch (e) {
    if (isAppError(e) || !isCloudError(e)) throw e;
    const c = classified(e);
    // A refusal (not found, denied, invalid) is the caller's answer to report, often expected (a
    // permission probe): debug. A failure that outlasted its retries is the cloud's trouble: warn.
    const fields = { action, code: c.code, kind: c.kind, cloudRequestId: c.requestId, httpStatus: c.httpStatus };
    if (c.retryable) deps.log?.warn('cloud call failed after retries', fields);
    else deps.log?.debug('cloud call refused', fields);
    throw toCloudAppError(c, e);
  }
}
