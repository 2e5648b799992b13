/** Leases and idempotency keys on the store, against the Tablestore sandbox. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTablestoreServer } from '../../lib/sandbox/tablestore/index';
import { createTablestoreClient } from '../../lib/store/client';
import { ensureTables } from '../../lib/store/ensure';
import { isVersionConflict } from '../../lib/store/errors';
import { claimIdempotencyKey } from '../../lib/store/idempotency';
import { releaseLock, renewLock, tryLock } from '../../lib/store/locks';
import { createStore } from '../../lib/store/store';
import { locks } from '../../lib/store/tables';
import type { Store } from '../../lib/store/types';

const dir = mkdtempSync(join(tmpdir(), 'fleet-locks-'));
let srv: Awaited<ReturnType<typeof startTablestoreServer>>;
let store: Store;
const T0 = 1_700_000_000_000;

test.before(async () => {
  srv = await startTablestoreServer({ dataDir: dir, keys: { AKL: 'locks-secret-1' } });
  store = createStore({
    tablePrefix: 'lk_',
    client: () =>
      createTablestoreClient({
        endpoint: srv.endpoint,
        instance: 'fleet',
        credentials: { accessKeyId: 'AKL', accessKeySecret: 'locks-secret-1' },
      }),
  });
  await ensureTables(store);
});

test.after(async () => {
  await srv?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('8 contenders for a free lock: exactly one holds it', async () => {
  const got = await Promise.all(
    Array.from({ length: 8 }, (_, i) => tryLock(store, 'route#vpc-1', `h${i}`, 30_000, T0)),
  );
  const winners = got.filter(Boolean);
  assert.is(winners.length, 1);
  const row = await store.get<{ holder: string; leaseUntilMs: number }>(locks, { name: 'route#vpc-1' });
  assert.equal([row!.holder, row!.leaseUntilMs], [winners[0]!.holder, T0 + 30_000]);
});

test('held lock: others are refused, the holder re-enters, expiry lets a new holder in', async () => {
  const a = await tryLock(store, 'l2', 'A', 10_000, T0);
  assert.ok(a);
  assert.is(await tryLock(store, 'l2', 'B', 10_000, T0 + 5_000), undefined);
  const again = await tryLock(store, 'l2', 'A', 10_000, T0 + 5_000);
  assert.equal([again!.holder, again!.leaseUntilMs], ['A', T0 + 15_000]);
  const b = await tryLock(store, 'l2', 'B', 10_000, T0 + 15_000);
  assert.equal([b!.holder, b!.leaseUntilMs], ['B', T0 + 25_000]);
  // A's old lease is gone: renewing it is a lost race, releasing it does not free B's lock.
  assert.ok(
    isVersionConflict(
      await renewLock(store, again!, 10_000, T0 + 16_000).then(
        () => null,
        (e) => e,
      ),
    ),
  );
  assert.is(await releaseLock(store, again!), false);
  assert.is((await store.get<{ holder: string }>(locks, { name: 'l2' }))!.holder, 'B');
  const renewed = await renewLock(store, b!, 10_000, T0 + 20_000);
  assert.is(renewed.leaseUntilMs, T0 + 30_000);
  assert.is(await releaseLock(store, renewed), true);
  assert.is(await store.get(locks, { name: 'l2' }), undefined);
});

test('idempotency: concurrent claims of one key agree on one object', async () => {
  const out = await Promise.all(
    Array.from({ length: 6 }, (_, i) =>
      claimIdempotencyKey(store, {
        scope: 'tok-1:servers.create',
        key: 'k-1',
        objectId: `srv-${i}`,
        fingerprint: 'f1',
        nowMs: T0,
      }),
    ),
  );
  assert.is(out.filter((o) => o.created).length, 1);
  const winner = out.find((o) => o.created)!.objectId;
  assert.ok(out.every((o) => o.objectId === winner));
  // Same key, other scope: independent.
  const other = await claimIdempotencyKey(store, {
    scope: 'tok-2:servers.create',
    key: 'k-1',
    objectId: 'srv-x',
    nowMs: T0,
  });
  assert.equal(other, { objectId: 'srv-x', created: true });
});

test('idempotency: different body is refused; expired keys are reclaimed', async () => {
  const e = await claimIdempotencyKey(store, {
    scope: 'tok-1:servers.create',
    key: 'k-1',
    objectId: 'srv-9',
    fingerprint: 'f2',
    nowMs: T0 + 1,
  }).then(
    () => null,
    (err) => err,
  );
  assert.is(e?.code, 'Conflict');
  assert.is(e?.reason, 'IdempotencyKeyReused');
  const later = await claimIdempotencyKey(store, {
    scope: 'tok-1:servers.create',
    key: 'k-1',
    objectId: 'srv-new',
    fingerprint: 'f2',
    nowMs: T0 + 25 * 3600_000,
  });
  assert.equal(later, { objectId: 'srv-new', created: true });
});

test.run();
