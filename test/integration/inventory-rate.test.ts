/**
 * The shared rate window on the real store: three "instances" racing for SearchResources slots
 * get exactly 20 in a window; the rest wait for the next window and then go. The clock is manual
 * and the waits are held by the test, so the outcome does not depend on timing.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../lib/core/clock';
import { pacerFor } from '../../lib/inventory/rate';
import { startTablestoreServer } from '../../lib/sandbox/tablestore/index';
import { createStore, createTablestoreClient, ensureTables, tables as T, type Store } from '../../lib/store';

const dir = mkdtempSync(join(tmpdir(), 'fleet-rate-'));
let srv: Awaited<ReturnType<typeof startTablestoreServer>>;
let store: Store;

test.before(async () => {
  srv = await startTablestoreServer({ dataDir: dir, keys: { AKRATE: 'rate-secret-123' } });
  store = createStore({
    tablePrefix: 'rt_',
    client: () =>
      createTablestoreClient({
        endpoint: srv.endpoint,
        instance: 'fleet',
        credentials: { accessKeyId: 'AKRATE', accessKeySecret: 'rate-secret-123' },
      }),
  });
  await ensureTables(store);
});
test.after(async () => {
  await srv?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('30 concurrent takes from 3 instances: 20 now, 10 after the window turns', async () => {
  const clock = new ManualClock(1_000_000);
  const held: Array<() => void> = [];
  const deps = { store, clock, timeScale: 1, sleep: () => new Promise<void>((r) => held.push(r)) };
  const pacers = [0, 1, 2].map(() => pacerFor(deps, 'SearchResources', 'acc-rate', 'cn-hangzhou'));
  let done = 0;
  const all = Array.from({ length: 30 }, (_, i) => pacers[i % 3]!.take().then(() => done++));
  for (let i = 0; i < 500 && held.length < 10; i++) await new Promise((r) => setTimeout(r, 10));
  assert.is(held.length, 10, 'ten callers wait for the next window');
  assert.is(done, 20);
  const row = await store.get<{ window: number; count: number }>(T.rateWindows, { key: 'acc-rate/SearchResources' });
  assert.equal([row?.window, row?.count], [1000, 20]);
  clock.advance(1000);
  for (const r of held.splice(0)) r();
  await Promise.all(all);
  assert.is(done, 30);
  const next = await store.get<{ window: number; count: number }>(T.rateWindows, { key: 'acc-rate/SearchResources' });
  assert.equal([next?.window, next?.count], [1001, 10]);
});

test('a per-region limit keys by region; windows shrink with the time scale', async () => {
  const clock = new ManualClock(60_000);
  const deps = { store, clock, timeScale: 0.001, sleep: async () => {} };
  await pacerFor(deps, 'DescribeEipAddresses', 'acc-rate', 'cn-beijing').take();
  const row = await store.get<{ window: number; count: number }>(T.rateWindows, {
    key: 'acc-rate/DescribeEipAddresses/cn-beijing',
  });
  assert.equal([row?.window, row?.count], [1000, 1]); // 60 s × 0.001 = 60 ms windows
});

test.run();
