/**
 * A listing whose filters run in memory binds its cursors to them (`RangeQuery.bind`): the same
 * range with other filters refuses the cursor (400), the same filters accept it, and a range
 * without `bind` keeps the cursors it always had.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTablestoreServer } from '../../lib/sandbox/tablestore/index';
import { createTablestoreClient } from '../../lib/store/client';
import { ensureTables } from '../../lib/store/ensure';
import { createStore } from '../../lib/store/store';
import { assets } from '../../lib/store/tables';
import type { Store } from '../../lib/store/types';
import { rejection } from '../helpers/rejection';

const dir = mkdtempSync(join(tmpdir(), 'fleet-store-bind-'));
let srv: Awaited<ReturnType<typeof startTablestoreServer>>;
let store: Store;

test.before(async () => {
  srv = await startTablestoreServer({ dataDir: dir, keys: { AKBIND: 'bind-secret-1234' } });
  store = createStore({
    tablePrefix: 'sb_',
    client: () =>
      createTablestoreClient({
        endpoint: srv.endpoint,
        instance: 'fleet',
        credentials: { accessKeyId: 'AKBIND', accessKeySecret: 'bind-secret-1234' },
      }),
  });
  await ensureTables(store);
  const ops = Array.from({ length: 30 }, (_, n) => ({
    type: 'put' as const,
    record: { accountId: 'acc-b', regionId: 'cn-hangzhou', type: 'T', id: `r-${String(n).padStart(2, '0')}`, n },
  }));
  await store.batchWrite(assets, ops);
});

test.after(async () => {
  await srv?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a cursor works only with the filters it was made with', async () => {
  const even = (q: string) => ({
    eq: { accountId: 'acc-b' },
    filter: (a: { n: number }) => a.n % 2 === 0,
    bind: { q },
    limit: 5,
  });
  const first = await store.range<{ n: number }>(assets, even('x'));
  assert.equal(
    first.items.map((a) => a.n),
    [0, 2, 4, 6, 8],
  );
  const next = await store.range<{ n: number }>(assets, { ...even('x'), cursor: first.nextCursor! });
  assert.equal(
    next.items.map((a) => a.n),
    [10, 12, 14, 16, 18],
  );
  const other = await rejection(store.range(assets, { ...even('y'), cursor: first.nextCursor! }));
  assert.is((other as { code?: string }).code, 'ValidationFailed');
  const unbound = await rejection(store.range(assets, { eq: { accountId: 'acc-b' }, cursor: first.nextCursor! }));
  assert.is((unbound as { code?: string }).code, 'ValidationFailed');
  const plain = await store.range(assets, { eq: { accountId: 'acc-b' }, limit: 10 });
  const plainNext = await store.range(assets, { eq: { accountId: 'acc-b' }, limit: 10, cursor: plain.nextCursor! });
  assert.is(plainNext.items.length, 10);
});

test.run();
