import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeCursor, encodeCursor, queryFingerprint } from '../../lib/store/cursor';
import { isVersionConflict, mapStoreError, otsCode, storeConflict } from '../../lib/store/errors';
import { MAX, MIN, PREFIX_END, rangeBounds } from '../../lib/store/range';
import { assets, cache, timeOrderedBound, timeOrderedId } from '../../lib/store/tables';

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

test('cursor round-trips and is bound to its query', () => {
  const fp = queryFingerprint(['t', { a: 1 }]);
  const c = encodeCursor(fp, ['acc', 5]);
  assert.match(c, /^[A-Za-z0-9_-]+$/);
  assert.equal(decodeCursor(c, fp, 2), ['acc', 5]);
  const other = queryFingerprint(['t', { a: 2 }]);
  assert.throws(() => decodeCursor(c, other, 2), /not valid for this listing/);
  for (const bad of ['garbage!!', Buffer.from('{"f":1}').toString('base64url'), encodeCursor(fp, ['only-one'])]) {
    try {
      decodeCursor(bad, fp, 2);
      assert.unreachable();
    } catch (e) {
      assert.is((e as { code?: string }).code, 'ValidationFailed');
      assert.is((e as { details?: Array<{ path: string }> }).details![0]!.path, 'cursor');
    }
  }
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
