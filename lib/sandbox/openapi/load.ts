/**
 * Load shaping for benches and back-off tests: per-API call limits per account and region in
 * fixed windows of sandbox time (ECS: "throttled in minute T, allowed again at T+1"), answering
 * `Throttling.User`, and a fixed latency added to every call. Both are set per account through
 * the admin API; the documented limits below apply until an account changes them.
 */
import { Errors } from './errors';
import type { AccountRecord, ApiRateLimit } from './state';
import type { SandboxApiError } from './types';

/** Alibaba's published per-account limits of operations the sandbox serves (sources: sandbox README, Fidelity). */
export const DOCUMENTED_RATE_LIMITS: Readonly<Record<string, ApiRateLimit>> = Object.freeze({
  SearchResources: { limit: 20, periodSeconds: 1 },
  AllocateEipAddress: { limit: 120, periodSeconds: 60 },
  AssociateEipAddress: { limit: 120, periodSeconds: 60 },
  UnassociateEipAddress: { limit: 120, periodSeconds: 60 },
  DescribeEipAddresses: { limit: 600, periodSeconds: 60 },
  ReleaseEipAddress: { limit: 600, periodSeconds: 60 },
  CreateVSwitch: { limit: 300, periodSeconds: 60 },
});

/** The limits in force for an account: its own table, or the documented defaults. */
export const rateLimitsOf = (rec: AccountRecord): Record<string, ApiRateLimit> =>
  rec.apiRateLimits ?? { ...DOCUMENTED_RATE_LIMITS };

const MAX_WINDOWS = 10_000;

/** Counts calls per (account, region, action) in the current window; in memory only. */
export class ApiRateLimiter {
  private readonly windows = new Map<string, { index: number; count: number; endsAtMs: number }>();

  /** Throws `Throttling.User` (with `x-acs-retry-after`, real ms) when this call is over the action's limit. */
  take(rec: AccountRecord, regionId: string, action: string, now: number, timeScale: number): void {
    const rule = rateLimitsOf(rec)[action];
    if (!rule || rule.limit <= 0) return;
    const periodMs = rule.periodSeconds * 1000 * timeScale;
    const index = Math.floor(now / periodMs);
    const key = `${rec.account.accountId}\0${regionId}\0${action}`;
    const w = this.windows.get(key);
    const cur = w && w.index === index ? w : { index, count: 0, endsAtMs: (index + 1) * periodMs };
    if (cur.count >= rule.limit) {
      // The SDK reads x-acs-retry-after (ms) into ThrottlingError.retryAfter: the rest of this window.
      const e = Errors.throttlingUser() as SandboxApiError & { headers?: Record<string, string> };
      e.headers = { 'x-acs-retry-after': String(Math.max(1, Math.ceil(cur.endsAtMs - now))) };
      throw e;
    }
    cur.count += 1;
    this.windows.set(key, cur);
    if (this.windows.size > MAX_WINDOWS) this.prune(now);
  }

  private prune(now: number) {
    for (const [k, w] of this.windows) if (w.endsAtMs <= now) this.windows.delete(k);
    if (this.windows.size > MAX_WINDOWS) this.windows.clear();
  }
}

/** Real milliseconds to wait before answering `action` (0 when no latency is set). */
export function latencyOf(rec: AccountRecord, action: string): number {
  const l = rec.latency;
  if (!l) return 0;
  return l.byAction?.[action] ?? l.ms;
}
