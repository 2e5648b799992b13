/**
 * The one retry policy for cloud calls: exponential back-off with full jitter, a longer base for
 * throttling, bounded attempts and total time. Only what `classify` marks retryable is retried
 * (transient, throttled, busy); auth, permission, quota and invalid requests fail at once.
 * The caller's closure is called again as is, so a create retries with the SAME ClientToken.
 */
import type { Clock } from '../core/clock';
import type { Logger } from '../core/log';
import { isAppError } from '../core/errors';
import { classify, isCloudError, toCloudAppError, type Classified } from './errors';

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
  maxAttempts: 5,
  baseDelayMs: 200,
  throttledBaseDelayMs: 1000,
  maxDelayMs: 8000,
  maxTotalMs: 20_000,
};

export interface RetryDeps {
  clock: Clock;
  sleep: (ms: number) => Promise<void>;
  /** [0, 1) */
  random: () => number;
  log?: Logger;
}

export const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

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
  const base = c.kind === 'throttled' ? policy.throttledBaseDelayMs : policy.baseDelayMs;
  const cap = Math.min(policy.maxDelayMs, base * 2 ** (retry - 1));
  return Math.min(policy.maxDelayMs, Math.max(Math.floor(random() * cap), c.retryAfterMs ?? 0));
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
  const startedAtMs = deps.clock.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      // Already classified (e.g. the AssumeRole behind a ram_role credential), or not a cloud error.
      if (isAppError(e) || !isCloudError(e)) throw e;
      const c = classify(e, action);
      const delay = c.retryable ? backoffMs(policy, c, attempt, deps.random) : 0;
      const exhausted = attempt >= policy.maxAttempts || deps.clock.now() + delay - startedAtMs > policy.maxTotalMs;
      if (!c.retryable || exhausted) {
        deps.log?.warn('cloud call failed', {
          action,
          attempt,
          code: c.code,
          kind: c.kind,
          cloudRequestId: c.requestId,
          httpStatus: c.httpStatus,
        });
        throw toCloudAppError(c, e);
      }
      deps.log?.info('cloud call retried', {
        action,
        attempt,
        code: c.code,
        kind: c.kind,
        cloudRequestId: c.requestId,
        delayMs: delay,
      });
      await deps.sleep(delay);
    }
  }
}
