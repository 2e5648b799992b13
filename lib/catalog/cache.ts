/**
 * Read-through cache of catalog answers in Tablestore (table `cache`), with one cloud call per key
 * when many requests arrive at once: in-process single-flight, plus a short lease row in `locks`
 * so other warm instances wait for the winner's answer instead of calling the cloud too.
 */
import { BACKOFF, backoffDelay, realSleep } from '../core/backoff';
import type { Clock } from '../core/clock';
import type { Store } from '../store/types';
import * as T from '../store/tables';
import { releaseLock, tryLock, type Lease } from '../store/locks';

export interface CacheRow<V> {
  accountId: string;
  key: string;
  value: V;
  /** The account's credential revision the answer was fetched with: another one is a miss. */
  credentialRev: number;
  fetchedAtMs: number;
  expiresAtMs: number;
}

export interface Cached<V> {
  value: V;
  cached: boolean;
  fetchedAtMs: number;
}

export interface CacheDeps {
  store: Store;
  clock: Clock;
  ttlMs: number;
  /** How long a lease holder may take before others call the cloud themselves (default 5 s). */
  leaseMs?: number;
  /** First poll interval while another instance holds the lease (default 25 ms; doubles up to 250 ms). */
  pollMs?: number;
  /** In-process single-flight table (default: one per process; tests give each simulated instance its own). */
  inflight?: Map<string, Promise<Cached<unknown>>>;
}

const processInflight = new Map<string, Promise<Cached<unknown>>>();

const fresh = <V>(row: CacheRow<V> | undefined, rev: number, now: number): row is CacheRow<V> =>
  !!row && row.credentialRev === rev && row.expiresAtMs > now && row.value !== undefined;

interface LockRow {
  name: string;
  holder: string;
  leaseUntilMs: number;
}

/** Loads under the lease, storing the answer; the lease is released whatever happens. */
async function loadLeased<V>(
  deps: CacheDeps,
  lease: Lease,
  accountId: string,
  key: string,
  rev: number,
  load: () => Promise<V>,
): Promise<Cached<V>> {
  try {
    // Someone may have finished between our cache miss and our lease.
    const again = await deps.store.get<CacheRow<V>>(T.cache, { accountId, key });
    if (fresh(again, rev, deps.clock.now()))
      return { value: again.value, cached: true, fetchedAtMs: again.fetchedAtMs };
    const value = await load();
    const fetchedAtMs = deps.clock.now();
    const row: CacheRow<V> = {
      accountId,
      key,
      value,
      credentialRev: rev,
      fetchedAtMs,
      expiresAtMs: fetchedAtMs + deps.ttlMs,
    };
    await deps.store.put(T.cache, row);
    return { value, cached: false, fetchedAtMs };
  } finally {
    await releaseLock(deps.store, lease).catch(() => undefined);
  }
}

/**
 * One cloud call per key across instances: the lease winner loads; the others poll (backing off)
 * for its answer, and take the lease over once it lapses. The wait is bounded by time (the
 * deps clock, which the lease is stamped with, or real time if that clock stands still): past
 * two leases the caller loads uncached rather than wait on a holder that vanished.
 */
async function loadShared<V>(
  deps: CacheDeps,
  accountId: string,
  key: string,
  rev: number,
  load: () => Promise<V>,
): Promise<Cached<V>> {
  const lockName = `catalog#${accountId}#${key}`;
  const holder = `${process.pid}-${Math.random().toString(36).slice(2)}`;
  const leaseMs = deps.leaseMs ?? 5000;
  const deadline = deps.clock.now() + 2 * leaseMs;
  const realDeadline = performance.now() + 2 * leaseMs;
  const poll = deps.pollMs
    ? { ...BACKOFF.leasePoll, baseMs: deps.pollMs, maxMs: Math.max(BACKOFF.leasePoll.maxMs, deps.pollMs) }
    : BACKOFF.leasePoll;
  let lease = await tryLock(deps.store, lockName, holder, leaseMs, deps.clock.now());
  for (let retry = 1; !lease; retry++) {
    // Another instance is fetching: wait for its answer, or for its lease to lapse.
    await realSleep(backoffDelay(poll, retry, Math.random));
    const row = await deps.store.get<CacheRow<V>>(T.cache, { accountId, key });
    const now = deps.clock.now();
    if (fresh(row, rev, now)) return { value: row.value, cached: true, fetchedAtMs: row.fetchedAtMs };
    const held = await deps.store.get<LockRow>(T.locks, { name: lockName });
    if (!held || held.leaseUntilMs <= now) lease = await tryLock(deps.store, lockName, holder, leaseMs, now);
    else if (now > deadline || performance.now() > realDeadline) {
      // The holder's lease outlives any sane load (e.g. a stopped test clock): answer uncached.
      return { value: await load(), cached: false, fetchedAtMs: deps.clock.now() };
    }
  }
  return loadLeased(deps, lease, accountId, key, rev, load);
}

/**
 * The cached answer for `(accountId, key)`, or one fetched with `load` and stored for `ttlMs`.
 * Concurrent callers for the same key share one `load`.
 */
export async function readThrough<V>(
  deps: CacheDeps,
  accountId: string,
  key: string,
  rev: number,
  load: () => Promise<V>,
  /** The cache row, already being read (the catalog reads it beside the account row). */
  prefetched?: Promise<unknown>,
): Promise<Cached<V>> {
  const row = (await (prefetched ?? deps.store.get<CacheRow<V>>(T.cache, { accountId, key }))) as
    | CacheRow<V>
    | undefined;
  if (fresh(row, rev, deps.clock.now())) return { value: row.value, cached: true, fetchedAtMs: row.fetchedAtMs };
  const inflight = deps.inflight ?? processInflight;
  const flightKey = `${accountId}|${rev}|${key}`;
  let p = inflight.get(flightKey) as Promise<Cached<V>> | undefined;
  if (!p) {
    p = loadShared(deps, accountId, key, rev, load).finally(() => inflight.delete(flightKey));
    inflight.set(flightKey, p as Promise<Cached<unknown>>);
  }
  return p;
}

/** Drops every cached answer of an account (or one region): the next listing asks the cloud. */
export async function clearAccountCache(store: Store, accountId: string, regionId?: string): Promise<number> {
  const keys: { accountId: string; key: string }[] = [];
  const range = regionId ? { eq: { accountId }, prefix: `${regionId}/` } : { eq: { accountId } };
  for await (const row of store.scan<{ accountId: string; key: string }>(T.cache, range)) {
    keys.push({ accountId, key: row.key });
  }
  if (keys.length)
    await store.batchWrite(
      T.cache,
      keys.map((key) => ({ type: 'delete' as const, key })),
    );
  return keys.length;
}
