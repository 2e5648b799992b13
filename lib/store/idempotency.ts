/**
 * Idempotency keys (`Idempotency-Key` on POST /v1/servers): the first request claims the key for
 * the object it is about to create; a repeat learns that object's id and starts nothing new.
 */
import { BACKOFF, retrying } from '../core/backoff';
import { AppError, hasReason } from '../core/errors';
import { isAlreadyExists, isVersionConflict } from './errors';
import { idempotency } from './tables';
import type { Store } from './types';

export interface IdempotencyClaim {
  /** Who asks (token id, or `invoke`) and for what (`servers.create`): keys are per scope. */
  scope: string;
  key: string;
  /** The id the caller will create if it wins. */
  objectId: string;
  /** Hash of the request body: a repeat with another body is refused. */
  fingerprint?: string;
  nowMs: number;
  /** How long the key is remembered (default 24 h). */
  ttlMs?: number;
}

interface Row {
  scope: string;
  key: string;
  objectId: string;
  fingerprint?: string;
  expiresAtMs: number;
}

const mismatch = () =>
  new AppError('Conflict', 'this Idempotency-Key was already used with a different request', {
    reason: 'IdempotencyKeyReused',
  });

/** Another request is claiming the same expired key right now: retryable. */
const busy = () =>
  new AppError('Conflict', 'this Idempotency-Key is being claimed by a concurrent request; retry', {
    retryable: true,
    reason: 'IdempotencyKeyBusy',
  });

/**
 * Claims the key. `created: true` = the caller won and should create `objectId`; `false` = an
 * earlier request owns the key and `objectId` is that request's object.
 */
export async function claimIdempotencyKey(
  store: Store,
  c: IdempotencyClaim,
): Promise<{ objectId: string; created: boolean }> {
  const expiresAtMs = c.nowMs + (c.ttlMs ?? 24 * 3600_000);
  const row: Row = {
    scope: c.scope,
    key: c.key,
    objectId: c.objectId,
    expiresAtMs,
    ...(c.fingerprint ? { fingerprint: c.fingerprint } : {}),
  };
  return retrying(
    async () => {
      try {
        await store.create(idempotency, row);
        return { objectId: c.objectId, created: true };
      } catch (e) {
        if (!isAlreadyExists(e)) throw e;
      }
      const cur = await store.get<Row>(idempotency, { scope: c.scope, key: c.key });
      if (!cur) throw busy(); // expired and removed meanwhile: claim again
      if (cur.expiresAtMs > c.nowMs) {
        if (c.fingerprint && cur.fingerprint && cur.fingerprint !== c.fingerprint) throw mismatch();
        return { objectId: cur.objectId, created: false };
      }
      try {
        await store.update(idempotency, { scope: c.scope, key: c.key }, cur.version, {
          objectId: c.objectId,
          expiresAtMs,
          fingerprint: c.fingerprint,
        });
        return { objectId: c.objectId, created: true };
      } catch (e) {
        throw isVersionConflict(e) ? busy() : e;
      }
    },
    { policy: BACKOFF.claimRace, retryable: (e) => hasReason(e, 'Conflict', 'IdempotencyKeyBusy') },
  );
}
