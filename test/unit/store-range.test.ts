import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../lib/core/clock';
import { CURSOR_TTL_MS, openCursor, queryFingerprint, sealCursor } from '../../lib/store/cursor';
import { loadCursorKey } from '../../lib/store/cursor-key';
import type { Key } from '../../lib/store/types';
import { isVersionConflict, mapStoreError, otsCode, storeConflict } from '../../lib/store/errors';
import { compareKeys, isStartInRange, MAX, MIN, PREFIX_END, rangeBounds } from '../../lib/store/range';
import { accounts, assets, cache, timeOrderedBound, timeOrderedId } from '../../lib/store/tables';

test('whole table: INF_MIN.. to INF_MAX..', () => {
  assert.equal(rangeBounds(assets, {}), { low: [MIN, MIN, MIN, MIN], high: [MAX, MAX, MAX, MAX] });
});

test('eq fixes leading columns; the rest span everything', () => {
  assert.equal(rangeBounds(assets, { eq: { accountId: 'a', regionId: 'r' } }), {
    low: ['a', 'r', MIN, MIN],
    high: ['a', 'r', MAX, MAX],
  });
});

test('prefix bounds the next column; columns after a bounded high end start at INF_MIN', () => {
  assert.equal(rangeBounds(cache, { eq: { accountId: 'a' }, prefix: 'cn-hangzhou/' }), {
    low: ['a', 'cn-hangzhou/'],
    high: ['a', `cn-hangzhou/${PREFIX_END}`],
  });
  assert.equal(rangeBounds(assets, { eq: { accountId: 'a' }, gte: 'cn-a', lt: 'cn-z' }), {
    low: ['a', 'cn-a', MIN, MIN],
    high: ['a', 'cn-z', MIN, MIN],
  });
  assert.equal(rangeBounds(assets, { eq: { accountId: 'a' }, gte: 'cn-a' }), {
    low: ['a', 'cn-a', MIN, MIN],
    high: ['a', MAX, MAX, MAX],
  });
});

test('misuse is refused', () => {
  assert.throws(() => rangeBounds(assets, { eq: { regionId: 'r' } }), /leading key columns/);
  assert.throws(() => rangeBounds(cache, { eq: { accountId: 'a', key: 'k' } }), /use get/);
  assert.throws(() => rangeBounds(cache, { prefix: 'x', gte: 'a' }), /prefix excludes/);
});

const KEY = Buffer.alloc(32, 7);
const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    const err = e as { code?: string; details?: Array<{ path: string; problem: string }> };
    return `${err.code} ${err.details?.[0]?.path}: ${err.details?.[0]?.problem}`;
  }
  return 'accepted';
};

test('a cursor opens only with its key, for its query, unaltered and unexpired', () => {
  const fp = queryFingerprint(['t', { a: 1 }]);
  const c = sealCursor(KEY, fp, ['acc', 5], 1_000);
  assert.match(c, /^[A-Za-z0-9_-]+$/);
  assert.not.ok(Buffer.from(c, 'base64url').includes('acc'), 'the start key is not readable');
  assert.equal(openCursor(KEY, c, fp, 2, 1_000 + CURSOR_TTL_MS), ['acc', 5]);
  assert.match(
    refusal(() => openCursor(KEY, c, fp, 2, 1_001 + CURSOR_TTL_MS)),
    /^ValidationFailed cursor: has expired/,
  );
  const notOurs = /^ValidationFailed cursor: is not a cursor of this listing/;
  assert.match(
    refusal(() => openCursor(KEY, c, queryFingerprint(['t', { a: 2 }]), 2, 1_000)),
    notOurs,
  );
  assert.match(
    refusal(() => openCursor(Buffer.alloc(32, 8), c, fp, 2, 1_000)),
    notOurs,
  );
  const raw = Buffer.from(c, 'base64url');
  for (let i = 0; i < raw.length; i++) {
    const bent = Buffer.from(raw);
    bent[i]! ^= 1;
    assert.match(
      refusal(() => openCursor(KEY, bent.toString('base64url'), fp, 2, 1_000)),
      notOurs,
      `byte ${i}`,
    );
  }
  for (const bad of ['', 'garbage!!', 'AAAA', c.slice(0, -1), c.slice(0, 20), `${c}A`, 'A'.repeat(5000)])
    assert.match(
      refusal(() => openCursor(KEY, bad, fp, 2, 1_000)),
      notOurs,
      bad.slice(0, 12),
    );
  // Sealed for a 2-column key but opened for a 3-column one (another version of the table).
  assert.match(
    refusal(() => openCursor(KEY, c, fp, 3, 1_000)),
    notOurs,
  );
});

test('a start key must be of the key types and inside the query range (forward [low, high), backward (low, high])', () => {
  const b = rangeBounds(cache, { eq: { accountId: 'acc-b' } });
  assert.ok(isStartInRange(cache, ['acc-b', ''], b, false));
  assert.ok(isStartInRange(cache, ['acc-b', 'zz'], b, true));
  assert.ok(isStartInRange(cache, ['acc-b', '\u{10ffff}'], b, true));
  for (const start of [['acc-a', 'x'], ['acc-c', ''], ['acc-b'], ['acc-b', 5], ['acc-b', 'x', 'y'], [1, 'x']]) {
    assert.not.ok(isStartInRange(cache, start, b, false), JSON.stringify(start));
    assert.not.ok(isStartInRange(cache, start, b, true), JSON.stringify(start));
  }
  const p = rangeBounds(cache, { eq: { accountId: 'a' }, prefix: 'cn-hangzhou/' });
  assert.ok(isStartInRange(cache, ['a', 'cn-hangzhou/zones'], p, false));
  assert.not.ok(isStartInRange(cache, ['a', 'cn-hangzhou0'], p, false));
  assert.not.ok(isStartInRange(cache, ['a', 'cn-beijing/zones'], p, true));
  const whole = rangeBounds(accounts, {});
  assert.ok(isStartInRange(accounts, ['acc-x'], whole, false));
  assert.ok(isStartInRange(accounts, ['acc-x'], whole, true));
  // UTF-8 byte order, as Tablestore sorts: U+FFFF sorts before U+10000 (UTF-16 units would say the opposite).
  assert.ok(compareKeys(['\uffff'], ['\u{10000}']) < 0);
});

test("concurrent cold starts agree on one cursor key: the loser of the create reads the winner's", async () => {
  const rows = new Map<string, Record<string, unknown>>();
  let rivalFirst = true;
  const store = {
    async get(_t: unknown, key: Key) {
      return rows.get(String(key.name)) as never;
    },
    async create(_t: unknown, record: object) {
      const rec = record as Record<string, unknown>;
      // The rival instance creates its key between our read and our create.
      if (rivalFirst) {
        rivalFirst = false;
        rows.set('cursor', { name: 'cursor', key: Buffer.alloc(32, 1), createdAtMs: 1, version: 1 });
      }
      if (rows.has(String(rec.name))) throw storeConflict('AlreadyExists', 'exists');
      rows.set(String(rec.name), { ...rec, version: 1 });
      return { ...rec, version: 1 } as never;
    },
  };
  const clock = new ManualClock();
  const mine = await loadCursorKey(store, clock, (n) => Buffer.alloc(n, 2));
  assert.equal(mine, Buffer.alloc(32, 1));
  assert.equal(await loadCursorKey(store, clock, (n) => Buffer.alloc(n, 3)), Buffer.alloc(32, 1));
  rows.set('cursor', { name: 'cursor', key: Buffer.alloc(16), version: 1 });
  assert.match(String(await loadCursorKey(store, clock).catch((e) => e.code)), 'Internal');
});

test('otsCode reads the code from SDK errors of every shape', () => {
  assert.is(
    otsCode({ code: 403, message: '\n\u0015OTSConditionCheckFail\u0012\u001aCondition check failed. requestId:x' }),
    'OTSConditionCheckFail',
  );
  assert.is(otsCode({ code: 'NetworkingError', message: 'connect ECONNREFUSED' }), 'NetworkingError');
  assert.is(otsCode({ code: 'OTSObjectNotExist', message: '' }), 'OTSObjectNotExist');
  assert.is(otsCode(new Error('plain')), undefined);
});

test('mapStoreError: condition → caller conflict, missing table → Internal hint, transient → retryable', () => {
  const c = mapStoreError({ code: 403, message: 'OTSConditionCheckFail' }, 'fleet_x', () =>
    storeConflict('VersionMismatch', 'lost'),
  );
  assert.ok(isVersionConflict(c));
  assert.is(c.status, 409);
  const missing = mapStoreError({ code: 404, message: 'OTSObjectNotExist Requested table does not exist.' }, 'fleet_x');
  assert.equal(
    [missing.code, missing.message],
    ['Internal', 'Tablestore table fleet_x does not exist: run ensureTables'],
  );
  const net = mapStoreError({ code: 'NetworkingError', message: 'ECONNREFUSED' }, 'fleet_x');
  assert.equal([net.code, net.retryable], ['CloudUnavailable', true]);
  const busy = mapStoreError({ code: 503, message: 'OTSServerBusy' }, 'fleet_x');
  assert.equal([busy.code, busy.retryable], ['CloudUnavailable', true]);
  const other = mapStoreError({ code: 400, message: 'OTSParameterInvalid bad' }, 'fleet_x');
  assert.equal([other.code, other.retryable], ['Internal', false]);
  assert.not.ok(isVersionConflict(storeConflict('AlreadyExists', 'dup')));
});

test('timeOrderedId sorts by time as text and the bound is below every id of that ms', () => {
  const a = timeOrderedId('scn', 1_700_000_000_000);
  const b = timeOrderedId('scn', 1_700_000_000_001);
  const c = timeOrderedId('scn', 1_800_000_000_000);
  assert.ok(a < b && b < c);
  assert.match(a, /^scn-[0-9a-z]{17}$/);
  assert.ok(timeOrderedBound('scn', 1_700_000_000_001) > a);
  assert.ok(timeOrderedBound('scn', 1_700_000_000_001) <= b);
});

test.run();
