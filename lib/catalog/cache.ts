/**
 * Read-through cache of catalog answers in Tablestore (table `cache`), with one cloud call per key
 * when many requests arrive at once: in-process single-flight, plus a short lease row in `locks`
 * so other warm instances wait for the winner's answer instead of calling the cloud too.
 */
import { isAppError } from '../core/errors';
import type { Clock } from '../core/clock';
import type { Store } from '../store/types';
import * as T from '../store/tables';

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
  /** Poll interval while another instance holds the lease (default 25 ms). */
  pollMs?: number;
  /** In-process single-flight table (default: one per process; tests give each simulated instance its own). */
  inflight?: Map<string, Promise<Cached<unknown>>>;
}

const processInflight = new Map<string, Promise<Cached<unknown>>>();

const fresh = <V>(row: CacheRow<V> | undefined, rev: number, now: number): row is CacheRow<V> =>
  !!row && row.credentialRev === rev && row.expiresAtMs > now && row.value !== undefined;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function takeLease(deps: CacheDeps, name: string, holder: string): Promise<number | undefined> {
  const now = deps.clock.now();
  const leaseUntilMs = now + (deps.leaseMs ?? 5000);
  try {
    return (await deps.store.create(T.locks, { name, holder, leaseUntilMs })).version;
  } catch (e) {
    if (!isAppError(e) || e.code !== 'Conflict') throw e;
  }
  const cur = await deps.store.get<{ name: string; holder: string; leaseUntilMs: number }>(T.locks, { name });
  if (!cur) return takeLease(deps, name, holder);
  if (cur.leaseUntilMs > now) return undefined;
  try {
    return await deps.store.update(T.locks, { name }, cur.version, { holder, leaseUntilMs });
  } catch (e) {
    if (isAppError(e) && e.code === 'Conflict') return undefined;
    throw e;
  }
}

async function loadShared<V>(deps: CacheDeps, accountId: string, key: string, rev: number, load: () => Promise<V>): Promise<Cached<V>> {
  const pk = { accountId, key };
  const lockName = `catalog#${accountId}#${key}`;
  const holder = `${process.pid}-${Math.random().toString(36).slice(2)}`;
  const leaseMs = deps.leaseMs ?? 5000;
  const pollMs = deps.pollMs ?? 25;
  for (let waitedMs = 0; ; waitedMs += pollMs) {
    const lease = await takeLease(deps, lockName, holder);
    if (lease !== undefined) {
      try {
        // Someone may have finished between our cache miss and our lease.
        const again = await deps.store.get<CacheRow<V>>(T.cache, pk);
        if (fresh(again, rev, deps.clock.now())) return { value: again.value, cached: true, fetchedAtMs: again.fetchedAtMs };
        const value = await load();
        const fetchedAtMs = deps.clock.now();
        const row: CacheRow<V> = { accountId, key, value, credentialRev: rev, fetchedAtMs, expiresAtMs: fetchedAtMs + deps.ttlMs };
        await deps.store.put(T.cache, row);
        return { value, cached: false, fetchedAtMs };
      } finally {
        await deps.store.remove(T.locks, { name: lockName }, lease).catch(() => undefined);
      }
    }
    // Another instance is fetching: wait for its answer, or for its lease to lapse.
    await sleep(pollMs);
    const row = await deps.store.get<CacheRow<V>>(T.cache, pk);
    if (fresh(row, rev, deps.clock.now())) return { value: row.value, cached: true, fetchedAtMs: row.fetchedAtMs };
    if (waitedMs > 2 * leaseMs) {
      // The holder vanished and its lease has not lapsed (e.g. a stopped test clock): answer uncached.
      return { value: await load(), cached: false, fetchedAtMs: deps.clock.now() };
    }
  }
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
  const row = (await (prefetched ?? deps.store.get<CacheRow<V>>(T.cache, { accountId, key }))) as CacheRow<V> | undefined;
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
