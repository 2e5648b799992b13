/**
 * The catalog cache (in-process, with the cloud calls counted) against the sandbox's Tablestore
 * and ECS: many concurrent requests make ONE cloud call per key (in-process single-flight, and the
 * Tablestore lease across instances), `readThrough`'s TTL expires answers, and DELETE cache makes
 * the next listing ask again. That the deployed functions use FLEET_CATALOG_TTL_MS as that TTL is
 * test/e2e/catalog-ttl.test.ts.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock, systemClock } from '../../lib/core/clock';
import type { CloudFactory } from '../../lib/cloud/types';
import { readThrough } from '../../lib/catalog';
import * as T from '../../lib/store/tables';
import { akCredential, startDomain, type Domain } from '../helpers/domain';

const calls = new Map<string, number>();
const count = (k: string) => calls.set(k, (calls.get(k) ?? 0) + 1);

/** Counts the ECS calls the catalog makes; the calls themselves go to the sandbox unchanged. */
const counting = (f: CloudFactory): CloudFactory => ({
  ...f,
  forAccount(cred, o) {
    const c = f.forAccount(cred, o);
    const ecs = { ...c.ecs };
    ecs.describeKeyPairs = (i) => (count(`keyPairs:${o.regionId}`), c.ecs.describeKeyPairs(i));
    ecs.describeRegions = (i) => (count('regions'), c.ecs.describeRegions(i));
    return { ...c, ecs };
  },
  forFunction: (o) => f.forFunction(o),
  forgetRole: (a, e) => f.forgetRole(a, e),
});

let d: Domain;
let id = '';
let keys: { accountId: string; accessKeyId: string; accessKeySecret: string };

test.before(async () => {
  d = await startDomain({ via: 'inprocess', wrapCloud: counting });
  keys = await d.createSandboxAccount();
  id = (
    await d.call('POST', '/v1/accounts', { token: d.adminToken, json: { name: 'c', credential: akCredential(keys) } })
  ).body.id;
});
test.after(async () => {
  await d?.close();
});

const get = (path: string) => d.call('GET', path, { token: d.adminToken });

test('50 concurrent key-pair listings → one DescribeKeyPairs, all the same answer', async () => {
  calls.clear();
  const answers = await Promise.all(
    Array.from({ length: 50 }, () => get(`/v1/catalog/${id}/regions/cn-shanghai/key-pairs`)),
  );
  assert.ok(answers.every((a) => a.status === 200));
  assert.is(calls.get('keyPairs:cn-shanghai'), 1);
  assert.is(calls.get('regions'), 1, 'the region check is cached and single-flight too');
  const first = JSON.stringify(answers[0]!.body.items);
  assert.ok(answers.every((a) => JSON.stringify(a.body.items) === first));
});

test('two instances (separate single-flight tables) share one cloud call through the lease row', async () => {
  let loads = 0;
  const load = async () => {
    loads++;
    await new Promise((r) => setTimeout(r, 150));
    return ['answer'];
  };
  // A lease far longer than the load: the waiting instance never takes it over, however slow the machine.
  const mk = () => ({ store: d.store, clock: systemClock, ttlMs: 60_000, leaseMs: 600_000, inflight: new Map() });
  const a = mk();
  const b = mk();
  const results = await Promise.all([
    ...Array.from({ length: 10 }, () => readThrough(a, 'acc-leasetest000000', 'cn-hangzhou/x', 1, load)),
    ...Array.from({ length: 10 }, () => readThrough(b, 'acc-leasetest000000', 'cn-hangzhou/x', 1, load)),
  ]);
  assert.is(loads, 1);
  assert.ok(results.every((r) => JSON.stringify(r.value) === '["answer"]'));
  assert.is(
    results.filter((r) => !r.cached).length,
    10,
    'the winning instance answers fresh, the other from the cache',
  );
  const lock = await d.store.get(T.locks, { name: 'catalog#acc-leasetest000000#cn-hangzhou/x' });
  assert.is(lock, undefined, 'the lease is released');
});

test('a lease holder that vanished: others wait, then take over once its lease lapses', async () => {
  const clock = new ManualClock(1_900_000_000_000);
  const name = 'catalog#acc-leasetest000000#cn-hangzhou/z';
  await d.store.put(T.locks, { name, holder: 'dead-instance', leaseUntilMs: clock.now() + 5000 });
  let loads = 0;
  const p = readThrough(
    // Our own lease would last 10 minutes: only the dead holder's lapsing (by the test clock) frees the row.
    { store: d.store, clock, ttlMs: 60_000, leaseMs: 600_000, pollMs: 5, inflight: new Map() },
    'acc-leasetest000000',
    'cn-hangzhou/z',
    1,
    async () => (++loads, ['mine']),
  );
  await new Promise((r) => setTimeout(r, 100));
  assert.is(loads, 0, 'waits while the lease is held');
  clock.advance(5001);
  const r = await p;
  assert.is(loads, 1);
  assert.equal(r.value, ['mine']);
  assert.is(await d.store.get(T.locks, { name }), undefined);
});

test('waiting on a lease that never lapses gives up after two leases of real time (not before), and polls back off', async () => {
  const clock = new ManualClock(1_950_000_000_000); // stands still: the lease never lapses by it
  const name = 'catalog#acc-leasetest000000#cn-hangzhou/w';
  await d.store.put(T.locks, { name, holder: 'stuck-instance', leaseUntilMs: clock.now() + 60_000 });
  let ops = 0;
  const store = { ...d.store };
  for (const m of ['get', 'create', 'update', 'put', 'remove'] as const) {
    const f = d.store[m] as (...a: unknown[]) => unknown;
    (store as Record<string, unknown>)[m] = (...a: unknown[]) => (ops++, f(...a));
  }
  const started = performance.now();
  const r = await readThrough(
    { store, clock, ttlMs: 60_000, leaseMs: 500, inflight: new Map() },
    'acc-leasetest000000',
    'cn-hangzhou/w',
    1,
    async () => ['late'],
  );
  const tookMs = performance.now() - started;
  assert.equal([r.value, r.cached], [['late'], false]);
  assert.ok(tookMs >= 950, `gave up after ${tookMs} ms, before two leases of real time`);
  // Polls back off (25 ms doubling to 250 ms): a loaded machine only makes fewer of them.
  assert.ok(ops <= 30, `${ops} Tablestore operations while waiting ~1 s (a 25 ms poll would make ~120)`);
  await d.store.remove(T.locks, { name });
});

test('a failed load is not cached and releases the lease', async () => {
  let n = 0;
  const deps = { store: d.store, clock: systemClock, ttlMs: 60_000, inflight: new Map() };
  const failing = async () => {
    n++;
    throw new Error('boom');
  };
  await readThrough(deps, 'acc-leasetest000000', 'cn-hangzhou/y', 1, failing).catch(() => undefined);
  const ok = await readThrough(deps, 'acc-leasetest000000', 'cn-hangzhou/y', 1, async () => (n++, ['ok']));
  assert.is(n, 2);
  assert.equal(ok.value, ['ok']);
});

test('readThrough: an answer is cached until ttlMs has passed, then fetched again; another credential revision is a miss', async () => {
  const clock = new ManualClock(1_800_000_000_000);
  const deps = { store: d.store, clock, ttlMs: 15 * 60_000, inflight: new Map() };
  let n = 0;
  const load = async () => [`answer-${++n}`];
  const a = await readThrough(deps, 'acc-ttltest000000000', '_global/regions', 1, load);
  clock.advance(15 * 60_000 - 1);
  const b = await readThrough(deps, 'acc-ttltest000000000', '_global/regions', 1, load);
  clock.advance(2);
  const c = await readThrough(deps, 'acc-ttltest000000000', '_global/regions', 1, load);
  assert.equal([a.cached, b.cached, c.cached], [false, true, false]);
  assert.equal([a.value, b.value, c.value], [['answer-1'], ['answer-1'], ['answer-2']]);
  assert.is(c.fetchedAtMs, 1_800_000_000_000 + 15 * 60_000 + 1);
  // another credential revision is a miss too
  const e = await readThrough(deps, 'acc-ttltest000000000', '_global/regions', 2, load);
  assert.equal([e.cached, e.value], [false, ['answer-3']]);
});

test('DELETE cache of one region keeps the others; of the account, all', async () => {
  await get(`/v1/catalog/${id}/regions/cn-hangzhou/key-pairs`);
  await get(`/v1/catalog/${id}/regions/cn-beijing/key-pairs`);
  const rows = async () =>
    (await d.store.range<{ key: string }>(T.cache, { eq: { accountId: id } })).items.map((r) => r.key).sort();
  assert.ok((await rows()).includes('cn-beijing/key-pairs'));
  assert.is(
    (await d.call('DELETE', `/v1/catalog/${id}/cache`, { token: d.adminToken, query: { regionId: 'cn-hangzhou' } }))
      .status,
    204,
  );
  const left = await rows();
  assert.not.ok(left.some((k) => k.startsWith('cn-hangzhou/')));
  assert.ok(left.includes('cn-beijing/key-pairs'));
  assert.is((await d.call('DELETE', `/v1/catalog/${id}/cache`, { token: d.adminToken })).status, 204);
  assert.equal(await rows(), []);
});

test.run();
