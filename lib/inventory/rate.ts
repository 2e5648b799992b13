/**
 * Per-account API rate limits shared by every function instance of a scan. Alibaba counts calls
 * per account (and region) and API in fixed windows ("throttled in second T, allowed again at
 * T+1"); concurrent slices run in different instances, so each call first takes a slot in a
 * `rate_windows` row with a conditional update: together they never exceed the limit, and none
 * of them spends a call on `Throttling`. A full window is waited out in process (at most one
 * window, a second for SearchResources): short enough that no invocation is paid for nothing.
 */
import type { Clock } from '../core/clock';
import { AppError } from '../core/errors';
import { isAlreadyExists, isVersionConflict } from '../store/errors';
import * as T from '../store/tables';
import type { Store } from '../store/types';

/** The documented limits the scan paces (reference §6; the README lists them). */
export const DOCUMENTED_LIMITS = {
  /** 20/1 s, dimension regionId (of the Resource Center endpoint), API, account. */
  SearchResources: { limit: 20, periodMs: 1000, perRegion: false },
  /** 600/60 s per region. */
  DescribeEipAddresses: { limit: 600, periodMs: 60_000, perRegion: true },
} as const;
export type PacedApi = keyof typeof DOCUMENTED_LIMITS;

export interface Pacer {
  /** Resolves when a call may be sent (a slot of the current window is taken). */
  take(): Promise<void>;
}

interface WindowRow {
  key: string;
  window: number;
  count: number;
}

export interface PacerDeps {
  store: Store;
  clock: Clock;
  sleep: (ms: number) => Promise<void>;
  /** Simulated time scale (sandbox): windows shrink with it, as the sandbox's do. */
  timeScale: number;
}

/** A slot-taking pacer of `api` for an account (and region, when the limit is per region). */
export function pacerFor(deps: PacerDeps, api: PacedApi, accountId: string, regionId: string): Pacer {
  const rule = DOCUMENTED_LIMITS[api];
  const key = rule.perRegion ? `${accountId}/${api}/${regionId}` : `${accountId}/${api}`;
  const periodMs = Math.max(1, rule.periodMs * deps.timeScale);
  return {
    async take() {
      for (let attempt = 0; attempt < 1000; attempt++) {
        const now = deps.clock.now();
        const window = Math.floor(now / periodMs);
        const row = await deps.store.get<WindowRow>(T.rateWindows, { key });
        try {
          if (!row) {
            await deps.store.create<WindowRow>(T.rateWindows, { key, window, count: 1 });
            return;
          }
          if (row.window !== window) {
            // A window in the past (or a clock that went back): this one starts now.
            await deps.store.update<WindowRow>(T.rateWindows, { key }, row.version, { window, count: 1 });
            return;
          }
          if (row.count < rule.limit) {
            await deps.store.update<WindowRow>(T.rateWindows, { key }, row.version, { count: row.count + 1 });
            return;
          }
        } catch (e) {
          const raced = isVersionConflict(e) || isAlreadyExists(e);
          if (!raced) throw e;
          continue; // another instance took a slot meanwhile: look again
        }
        await deps.sleep(Math.max(1, (window + 1) * periodMs - now));
      }
      throw new AppError('RateLimited', `could not get a ${api} slot`, { retryable: true });
    },
  };
}
