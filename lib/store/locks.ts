/**
 * Leases on the `locks` table: one holder at a time per name, expiring on their own so a crashed
 * holder never blocks for long (route changes per VPC, shared-VPC creation, catalog refresh).
 * Built only from `create` / `update` on `version`, so exactly one contender wins.
 */
import { BACKOFF, retrying } from '../core/backoff';
import { isAlreadyExists, isVersionConflict } from './errors';
import { locks } from './tables';
import type { Store } from './types';

/** A claim that raced with a release: worth another try. */
const RELEASED = Symbol('released');

export interface Lease {
  name: string;
  holder: string;
  leaseUntilMs: number;
  version: number;
}

/**
 * Takes `name` for `holder` until `nowMs + ttlMs` if it is free, expired, or already this
 * holder's (re-entrant: a retried invocation gets its own lock back). Undefined = held by another.
 */
export async function tryLock(
  store: Store,
  name: string,
  holder: string,
  ttlMs: number,
  nowMs: number,
): Promise<Lease | undefined> {
  const leaseUntilMs = nowMs + ttlMs;
  return retrying(
    async () => {
      try {
        const rec = await store.create(locks, { name, holder, leaseUntilMs });
        return { name, holder, leaseUntilMs, version: rec.version };
      } catch (e) {
        if (!isAlreadyExists(e)) throw e;
      }
      const cur = await store.get<Omit<Lease, 'version'>>(locks, { name });
      if (!cur) throw RELEASED; // released between our create and get: try again
      if (cur.holder !== holder && cur.leaseUntilMs > nowMs) return undefined;
      try {
        const version = await store.update(locks, { name }, cur.version, { holder, leaseUntilMs });
        return { name, holder, leaseUntilMs, version };
      } catch (e) {
        if (isVersionConflict(e)) return undefined; // another contender took it first
        throw e;
      }
    },
    { policy: BACKOFF.claimRace, retryable: (e) => e === RELEASED },
  ).catch((e) => {
    if (e === RELEASED) return undefined; // it kept changing hands: someone else has it
    throw e;
  });
}

/** Extends a held lease; `Conflict` (VersionMismatch) when it was lost meanwhile. */
export async function renewLock(store: Store, lease: Lease, ttlMs: number, nowMs: number): Promise<Lease> {
  const leaseUntilMs = nowMs + ttlMs;
  const version = await store.update(locks, { name: lease.name }, lease.version, { leaseUntilMs });
  return { ...lease, leaseUntilMs, version };
}

/** Gives a lease back. Losing it meanwhile is fine: then it is someone else's and stays. */
export async function releaseLock(store: Store, lease: Lease): Promise<boolean> {
  try {
    await store.remove(locks, { name: lease.name }, lease.version);
    return true;
  } catch (e) {
    if (isVersionConflict(e)) return false;
    throw e;
  }
}
