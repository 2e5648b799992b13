/**
 * The one back-off of the product. Every wait between two tries — a lost optimistic-concurrency
 * race, a throttled or failing cloud call, a lease someone else holds, an FC invoke that failed,
 * a stage waiting on a cloud transition — takes its delay from `backoffDelay` with a named
 * policy, so how the product waits is tuned in one table.
 */

export interface BackoffPolicy {
  /** Delay scale of the first retry (retry 1). */
  baseMs: number;
  /** No single delay is longer. */
  maxMs: number;
  /** Growth per retry (default 2). */
  factor?: number;
  /**
   * `full`: uniform in [0, d) (spreads a herd best); `equal`: d/2 + uniform [0, d/2) (never
   * hammers at once: polls); `none`: exactly d (deterministic waits).
   */
  jitter: 'full' | 'equal' | 'none';
  /** Tries in all, the first included (for `retrying`). */
  maxAttempts?: number;
  /** No new try starts later than this after the first (for `retrying`). */
  maxTotalMs?: number;
}

/** The named policies. Stage waits add their own per cloud transition (lib/jobs). */
export const BACKOFF = {
  /** Re-read and retry after losing a version race: the winner is already done, go again soon. */
  storeConflict: { baseMs: 5, maxMs: 200, jitter: 'full', maxAttempts: 11 },
  /** A claim (lock, idempotency key) raced with its own release or expiry: settle in a few tries. */
  claimRace: { baseMs: 5, maxMs: 50, jitter: 'full', maxAttempts: 3 },
  /** Cloud call failed transiently (5xx, network, busy). */
  cloudTransient: { baseMs: 200, maxMs: 8000, jitter: 'full', maxAttempts: 5, maxTotalMs: 20_000 },
  /** Cloud call throttled: the rate window needs longer to recover. */
  cloudThrottled: { baseMs: 1000, maxMs: 8000, jitter: 'full', maxAttempts: 5, maxTotalMs: 20_000 },
  /** Waiting for another instance's lease holder to publish its answer. */
  leasePoll: { baseMs: 25, maxMs: 250, jitter: 'equal' },
  /** A job stage failed transiently (throttled, 5xx, busy): wait, then run the stage again. */
  stageRetry: { baseMs: 2000, maxMs: 120_000, jitter: 'equal' },
  /** FC invoke API answered 5xx / throttled / network error. */
  invoke: { baseMs: 100, maxMs: 2000, jitter: 'full', maxAttempts: 4, maxTotalMs: 10_000 },
} as const satisfies Record<string, BackoffPolicy>;

export type BackoffName = keyof typeof BACKOFF;

/** Delay before retry number `retry` (1 = the first retry), never below `floorMs` (a server's retry-after). */
export function backoffDelay(policy: BackoffPolicy, retry: number, random: () => number, floorMs = 0): number {
  const d = Math.min(policy.maxMs, policy.baseMs * (policy.factor ?? 2) ** Math.max(0, retry - 1));
  const jittered = policy.jitter === 'none' ? d : policy.jitter === 'equal' ? d / 2 + (random() * d) / 2 : random() * d;
  return Math.min(policy.maxMs, Math.max(Math.floor(jittered), floorMs));
}

export const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A failure worth another try: `true`, or how to wait for it (another policy, a retry-after floor). */
export type RetryVerdict = boolean | { policy?: BackoffPolicy; floorMs?: number };

export interface RetryingOptions {
  /** Delays, and the attempts and total time allowed. */
  policy: BackoffPolicy;
  /** Should this failure be tried again, and how long to wait for it. */
  retryable: (e: unknown) => RetryVerdict;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Called before each wait (logging). */
  onRetry?: (e: unknown, attempt: number, delayMs: number) => void;
}

/**
 * Runs `fn` until it succeeds, fails with something not `retryable`, or the policy's attempts or
 * total time run out; the last error is rethrown as is. `fn` gets the attempt number (1-based).
 */
export async function retrying<T>(fn: (attempt: number) => Promise<T>, o: RetryingOptions): Promise<T> {
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? realSleep;
  const random = o.random ?? Math.random;
  const started = now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      const verdict = o.retryable(e);
      if (verdict === false) throw e;
      const how = verdict === true ? {} : verdict;
      const delay = backoffDelay(how.policy ?? o.policy, attempt, random, how.floorMs ?? 0);
      if (
        attempt >= (o.policy.maxAttempts ?? Number.POSITIVE_INFINITY) ||
        now() + delay - started > (o.policy.maxTotalMs ?? Number.POSITIVE_INFINITY)
      )
        throw e;
      o.onRetry?.(e, attempt, delay);
      await sleep(delay);
    }
  }
}
