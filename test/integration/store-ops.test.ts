/** The store layer through the official tablestore SDK against the Tablestore sandbox. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTablestoreServer } from '../../lib/sandbox/tablestore/index';
import { createTablestoreClient } from '../../lib/store/client';
import { ensureTables } from '../../lib/store/ensure';
import { isVersionConflict } from '../../lib/store/errors';
import { createStore } from '../../lib/store/store';
import { ALL_TABLES, accounts, assets, cache, servers, serviceKeys, timeOrderedId } from '../../lib/store/tables';
import { ManualClock } from '../../lib/core/clock';
import { CURSOR_TTL_MS, queryFingerprint, sealCursor } from '../../lib/store/cursor';
import type { Store, TableDef } from '../../lib/store/types';
import { rejection } from '../helpers/rejection';

const dir = mkdtempSync(join(tmpdir(), 'fleet-store-'));
let srv: Awaited<ReturnType<typeof startTablestoreServer>>;
let store: Store;
const PREFIX = 'st_';
const creds = { accessKeyId: 'AKSTORE', accessKeySecret: 'store-secret-123' };
const clientOpts = () => ({ endpoint: srv.endpoint, instance: 'fleet', credentials: creds });

const codeOf = (e: unknown) => (e as { code?: string }).code;

test.before(async () => {
  srv = await startTablestoreServer({ dataDir: dir, keys: { AKSTORE: 'store-secret-123' } });
  store = createStore({ tablePrefix: PREFIX, client: () => createTablestoreClient(clientOpts()) });
});

test.after(async () => {
  await srv?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('missing tables surface as Internal "run ensureTables"', async () => {
  const e = await rejection(store.get(accounts, { id: 'acc-1' }));
  assert.is(codeOf(e), 'Internal');
  assert.match((e as Error).message, 'st_accounts does not exist: run ensureTables');
});

test('ensureTables creates every table once, then only lists', async () => {
  const first = await ensureTables({ client: clientOpts(), tablePrefix: PREFIX });
  assert.is(first.created.length, ALL_TABLES.length);
  assert.ok(first.created.includes('st_accounts'));
  const second = await ensureTables(store);
  assert.equal(second.created, []);
  assert.is(second.existing.length, ALL_TABLES.length);
});

test('wrong secret is not a silent success', async () => {
  const bad = createStore({
    tablePrefix: PREFIX,
    client: () =>
      createTablestoreClient({
        ...clientOpts(),
        credentials: { accessKeyId: 'AKSTORE', accessKeySecret: 'wrong-secret' },
      }),
  });
  const e = await rejection(bad.get(accounts, { id: 'x' }));
  assert.is(codeOf(e), 'Internal');
});

test('create / get / update / remove with versions', async () => {
  const created = await store.create(accounts, {
    id: 'acc-1',
    name: 'prod',
    groups: ['ops'],
    createdAtMs: 1_700_000_000_000,
  });
  assert.is(created.version, 1);
  const got = await store.get<{ id: string; name: string; groups: string[]; createdAtMs: number }>(accounts, {
    id: 'acc-1',
  });
  assert.equal(got, { id: 'acc-1', name: 'prod', groups: ['ops'], createdAtMs: 1_700_000_000_000, version: 1 });

  const dup = await rejection(store.create(accounts, { id: 'acc-1', name: 'again' }));
  assert.is(codeOf(dup), 'Conflict');
  assert.is((dup as { reason?: string }).reason, 'AlreadyExists');

  const v2 = await store.update(accounts, { id: 'acc-1' }, 1, {
    name: 'production',
    groups: undefined,
    note: { a: 1 },
  });
  assert.is(v2, 2);
  assert.equal(await store.get(accounts, { id: 'acc-1' }), {
    id: 'acc-1',
    name: 'production',
    note: { a: 1 },
    createdAtMs: 1_700_000_000_000,
    version: 2,
  });

  const stale = await rejection(store.update(accounts, { id: 'acc-1' }, 1, { name: 'stale' }));
  assert.ok(isVersionConflict(stale));
  assert.is((await store.get<{ name: string }>(accounts, { id: 'acc-1' }))!.name, 'production');

  const missing = await rejection(store.update(accounts, { id: 'acc-none' }, 1, { name: 'x' }));
  assert.ok(isVersionConflict(missing), 'update of a missing row is a lost race too');

  // A field that changes shape (object → string) leaves no stale column behind.
  await store.update(accounts, { id: 'acc-1' }, 2, { note: 'text now' });
  assert.equal((await store.get(accounts, { id: 'acc-1' }))!.note, 'text now');

  const wrongVersion = await rejection(store.remove(accounts, { id: 'acc-1' }, 1));
  assert.ok(isVersionConflict(wrongVersion));
  await store.remove(accounts, { id: 'acc-1' }, 3);
  assert.is(await store.get(accounts, { id: 'acc-1' }), undefined);
  await store.remove(accounts, { id: 'acc-1' }); // unconditional remove of a missing row is fine
});

test('8 parallel updates with the same expected version: exactly one wins', async () => {
  await store.create(servers, { id: 'srv-race', status: 'queued' });
  const results = await Promise.allSettled(
    Array.from({ length: 8 }, (_, i) =>
      store.update(servers, { id: 'srv-race' }, 1, { status: 'provisioning', winner: i }),
    ),
  );
  const ok = results.filter((r) => r.status === 'fulfilled');
  const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  assert.is(ok.length, 1);
  assert.is(lost.length, 7);
  assert.ok(lost.every((r) => isVersionConflict(r.reason)));
  const row = await store.get<{ winner: number; version: number }>(servers, { id: 'srv-race' });
  assert.is(row!.version, 2);
  assert.is(
    row!.winner,
    results.findIndex((r) => r.status === 'fulfilled'),
  );
});

test('mutate under contention: 20 concurrent increments all land', async () => {
  await store.create(servers, { id: 'srv-count', count: 0 });
  const out = await Promise.all(
    Array.from({ length: 20 }, () =>
      store.mutate<{ count: number }>(servers, { id: 'srv-count' }, (cur) => ({ count: cur.count + 1 }), {
        retries: 25,
      }),
    ),
  );
  const row = await store.get<{ count: number }>(servers, { id: 'srv-count' });
  assert.equal([row!.count, row!.version], [20, 21]);
  assert.equal(
    out.map((r) => r.count).sort((a, b) => a - b),
    Array.from({ length: 20 }, (_, i) => i + 1),
  );
});

test('mutate: undefined answer writes nothing; missing row is NotFound; retries run out as Conflict', async () => {
  const same = await store.mutate(servers, { id: 'srv-count' }, () => undefined);
  assert.is(same.version, 21);
  assert.is(codeOf(await rejection(store.mutate(servers, { id: 'srv-nope' }, () => ({ a: 1 })))), 'NotFound');
  // Every attempt loses: another write lands between our read and our write.
  const e = await rejection(
    store.mutate<{ count: number }>(
      servers,
      { id: 'srv-count' },
      async (cur) => {
        await store.update(servers, { id: 'srv-count' }, cur.version, { count: cur.count });
        return { count: -1 };
      },
      { retries: 2 },
    ),
  );
  assert.ok(isVersionConflict(e));
  assert.is((await store.get<{ count: number }>(servers, { id: 'srv-count' }))!.count, 20);
});

test('codecs round-trip every type, including int64 beyond 2^53', async () => {
  const t: TableDef = { name: 'accounts', pk: [{ name: 'id' }], fields: { big: 'int64', ratio: 'double' } };
  const rec = {
    id: 'acc-types',
    s: 'text ✓ 中文',
    empty: '',
    n: 42,
    neg: -7,
    f: Math.PI,
    ratio: 2,
    yes: true,
    no: false,
    big: '9007199254740993', // 2^53 + 1: not representable as a JS number
    bigNeg: '-9223372036854775808',
    obj: { nested: { deep: [1, { x: null }] } },
    arr: [],
    nul: null,
    bin: Buffer.from([0, 255, 128, 7]),
  };
  const t2: TableDef = { ...t, fields: { ...t.fields, bigNeg: 'int64' } };
  await store.create(t2, rec);
  const back = await store.get(t2, { id: 'acc-types' });
  assert.equal(back, { ...rec, version: 1 });
  assert.ok(Buffer.isBuffer(back!.bin));
});

test('range pages 250 rows 100 at a time with cursors, both directions', async () => {
  const ops = Array.from({ length: 250 }, (_, i) => ({
    type: 'put' as const,
    record: {
      accountId: 'acc-r',
      regionId: i % 2 ? 'cn-beijing' : 'cn-hangzhou',
      type: 'ACS::ECS::Instance',
      id: `i-${String(i).padStart(4, '0')}`,
      n: i,
    },
  }));
  const res = await store.batchWrite(assets, ops);
  assert.is(res.filter((r) => r.ok).length, 250);
  // A neighbour account that must never leak into acc-r's pages.
  await store.put(assets, { accountId: 'acc-s', regionId: 'cn-hangzhou', type: 'ACS::ECS::Instance', id: 'i-x' });

  const seen: string[] = [];
  let cursor: string | undefined;
  const sizes: number[] = [];
  do {
    const page = await store.range<{ id: string; regionId: string }>(assets, {
      eq: { accountId: 'acc-r' },
      limit: 100,
      ...(cursor ? { cursor } : {}),
    });
    sizes.push(page.items.length);
    seen.push(...page.items.map((a) => `${a.regionId}/${a.id}`));
    cursor = page.nextCursor;
  } while (cursor);
  assert.equal(sizes, [100, 100, 50]);
  assert.is(new Set(seen).size, 250);
  assert.equal(seen, [...seen].sort());

  const back = await store.range<{ id: string; regionId: string }>(assets, {
    eq: { accountId: 'acc-r' },
    direction: 'backward',
    limit: 100,
  });
  assert.is(back.items[0]!.id, 'i-0248'); // cn-hangzhou sorts last; highest even index first
  const back2 = await store.range<{ id: string }>(assets, {
    eq: { accountId: 'acc-r' },
    direction: 'backward',
    limit: 200,
    cursor: back.nextCursor!,
  });
  assert.is(back2.items.length, 150);
  assert.not.ok(back2.nextCursor);

  const region = await store.range<{ id: string }>(assets, {
    eq: { accountId: 'acc-r', regionId: 'cn-beijing' },
    limit: 1000,
  });
  assert.is(region.items.length, 125);

  const filtered = await store.range<{ n: number }>(assets, {
    eq: { accountId: 'acc-r' },
    filter: (a) => a.n % 10 === 0,
    limit: 10,
  });
  assert.is(filtered.items.length, 10);
  assert.ok(filtered.items.every((a) => a.n % 10 === 0));
  const rest = await store.range<{ n: number }>(assets, {
    eq: { accountId: 'acc-r' },
    filter: (a) => a.n % 10 === 0,
    limit: 100,
    cursor: filtered.nextCursor!,
  });
  assert.is(rest.items.length, 15);

  const foreign = await rejection(store.range(assets, { eq: { accountId: 'acc-s' }, cursor: filtered.nextCursor! }));
  assert.is(codeOf(foreign), 'ValidationFailed');

  let count = 0;
  for await (const _ of store.scan(assets, { eq: { accountId: 'acc-r' } })) count++;
  assert.is(count, 250);
});

test('cursors: one key per deployment made once, sealed in range, bounded to the query, expiring', async () => {
  // Two fresh instances start at once: both page, each cursor opens on the other.
  const clock = new ManualClock(1_000_000);
  const [a, b] = [0, 1].map(() =>
    createStore({ tablePrefix: PREFIX, clock, client: () => createTablestoreClient(clientOpts()) }),
  );
  await store.remove(serviceKeys, { name: 'cursor' });
  const q = { eq: { accountId: 'acc-r' }, limit: 5 };
  const [pa, pb] = await Promise.all([a!.range(assets, q), b!.range(assets, q)]);
  const row = await store.get<{ key: Buffer }>(serviceKeys, { name: 'cursor' });
  assert.ok(Buffer.isBuffer(row?.key) && row.key.length === 32);
  assert.is((await b!.range(assets, { ...q, cursor: pa.nextCursor! })).items.length, 5);
  assert.is((await a!.range(assets, { ...q, cursor: pb.nextCursor! })).items.length, 5);

  // Sealed with the real key for acc-r's query, but starting in acc-s: refused before Tablestore.
  const fp = queryFingerprint(['assets', { accountId: 'acc-r' }, null, null, null, false]);
  for (const start of [
    ['acc-s', 'cn-hangzhou', 'ACS::ECS::Instance', 'i-x'],
    ['acc-r', 'cn-hangzhou', 'ACS::ECS::Instance', 5],
  ]) {
    const forged = sealCursor(row!.key, fp, start, clock.now());
    const e = await rejection(a!.range(assets, { ...q, cursor: forged }));
    assert.is(codeOf(e), 'ValidationFailed', JSON.stringify(start));
    assert.match((e as { details: Array<{ problem: string }> }).details[0]!.problem, 'outside this listing');
  }

  clock.advance(CURSOR_TTL_MS + 1);
  const expired = await rejection(a!.range(assets, { ...q, cursor: pa.nextCursor! }));
  assert.is(codeOf(expired), 'ValidationFailed');
  assert.match((expired as { details: Array<{ problem: string }> }).details[0]!.problem, 'expired');
});

test('prefix ranges (cache clear by region)', async () => {
  for (const key of [
    '_global/regions',
    'cn-hangzhou/zones',
    'cn-hangzhou/images?owner=system',
    'cn-hangzhou2/zones',
    'cn-beijing/zones',
  ]) {
    await store.put(cache, { accountId: 'acc-c', key, expiresAtMs: 1 });
  }
  const hz = await store.range<{ key: string }>(cache, { eq: { accountId: 'acc-c' }, prefix: 'cn-hangzhou/' });
  assert.equal(
    hz.items.map((r) => r.key),
    ['cn-hangzhou/images?owner=system', 'cn-hangzhou/zones'],
  );
});

test('batchGet keeps the order asked, with holes, across chunks of 100', async () => {
  const keys = Array.from({ length: 130 }, (_, i) => ({
    accountId: 'acc-r',
    regionId: i % 2 ? 'cn-beijing' : 'cn-hangzhou',
    type: 'ACS::ECS::Instance',
    id: `i-${String(i).padStart(4, '0')}`,
  }));
  keys.splice(5, 0, { accountId: 'acc-r', regionId: 'cn-hangzhou', type: 'ACS::ECS::Instance', id: 'i-missing' });
  keys.push(keys[0]!); // duplicates are fine
  const rows = await store.batchGet<{ n: number }>(assets, keys);
  assert.is(rows.length, 132);
  assert.is(rows[5], undefined);
  assert.is(rows[6]!.n, 5);
  assert.is(rows[131]!.n, 0);
  assert.is(rows.filter(Boolean).length, 131);
});

test('batchWrite reports per-row outcomes: conditional update, create conflict, delete', async () => {
  await store.create(servers, { id: 'srv-b1', status: 'a' });
  await store.create(servers, { id: 'srv-b2', status: 'a' });
  const countBefore = (await store.get(servers, { id: 'srv-count' }))!.version;
  const res = await store.batchWrite<Record<string, unknown>>(servers, [
    { type: 'update', key: { id: 'srv-b1' }, expectedVersion: 1, changes: { status: 'b' } },
    { type: 'update', key: { id: 'srv-b2' }, expectedVersion: 5, changes: { status: 'b' } },
    { type: 'create', record: { id: 'srv-b1', status: 'dup' } },
    { type: 'update', key: { id: 'srv-count' }, changes: { touched: true } },
    { type: 'delete', key: { id: 'srv-race' } },
  ]);
  assert.equal(
    res.map((r) => [r.ok, r.code, r.version]),
    [
      [true, undefined, 2],
      [false, 'Conflict', undefined],
      [false, 'Conflict', undefined],
      [true, undefined, undefined],
      [true, undefined, undefined],
    ],
  );
  assert.is((await store.get<{ status: string }>(servers, { id: 'srv-b1' }))!.status, 'b');
  assert.is(
    (await store.get(servers, { id: 'srv-count' }))!.version,
    countBefore + 1,
    'version incremented without a known version',
  );
  assert.is(await store.get(servers, { id: 'srv-race' }), undefined);
});

test('time-ordered ids list newest first backward', async () => {
  const ids = [1000, 2000, 3000].map((ms) => timeOrderedId('scn', 1_700_000_000_000 + ms));
  for (const id of ids) await store.create(servers, { id, kind: 'order-test' });
  const page = await store.range<{ id: string }>(servers, { prefix: 'scn-', direction: 'backward' });
  assert.equal(
    page.items.map((r) => r.id),
    [...ids].reverse(),
  );
});

test.run();
