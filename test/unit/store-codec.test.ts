import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeRow, encodeChanges, encodeKey, encodeRecord, keyOf } from '../../lib/store/codec';
import { isInt64, loadSdk, type Sdk } from '../../lib/store/sdk';
import type { TableDef } from '../../lib/store/types';

let sdk: Sdk;
test.before(async () => {
  sdk = await loadSdk();
});

const t: TableDef = {
  name: 'things',
  pk: [{ name: 'accountId' }, { name: 'seq', type: 'int' }],
  fields: { ratio: 'double', big: 'int64', note: 'json', count: 'int' },
};

/** What the SDK's reader hands back for the columns we wrote (Int64 stays Int64). */
function asRow(key: Array<Record<string, unknown>>, cols: Array<Record<string, unknown>>) {
  return {
    primaryKey: key.map((k) => ({ name: Object.keys(k)[0]!, value: Object.values(k)[0] })),
    attributes: cols.map((c) => ({ columnName: Object.keys(c)[0]!, columnValue: Object.values(c)[0], timestamp: 1 })),
  };
}

test('encodeKey orders primary-key columns and types integers', () => {
  const k = encodeKey(t, { seq: 7, accountId: 'acc-1' }, sdk);
  assert.equal(Object.keys(k[0]!), ['accountId']);
  assert.is(k[0]!.accountId, 'acc-1');
  assert.ok(isInt64(k[1]!.seq));
  assert.is((k[1]!.seq as { toNumber(): number }).toNumber(), 7);
  assert.throws(() => encodeKey(t, { accountId: 'a' }, sdk), /lacks seq/);
  assert.throws(() => encodeKey(t, { accountId: '', seq: 1 }, sdk), /non-empty string/);
  assert.throws(() => encodeKey(t, { accountId: 'a', seq: 1.5 }, sdk), /safe integer/);
});

test('every type round-trips through encodeRecord/decodeRow', () => {
  const rec = {
    accountId: 'acc-1',
    seq: 3,
    name: 'web-1',
    enabled: false,
    attempts: 4,
    price: 0.25,
    ratio: 2, // declared double: stays a number even though whole
    big: '9223372036854775807', // int64 beyond 2^53, exact
    neg: -42,
    spec: { cpu: 2, tags: { a: 'b' }, list: [1, 'x', null] },
    list: ['a', 'b'],
    nothing: null,
    note: 'plain string stored as JSON',
    bytes: Buffer.from([0, 1, 2, 255]),
    version: 1,
  };
  const cols = encodeRecord(t, rec, sdk);
  const byName = Object.fromEntries(cols.map((c) => [Object.keys(c)[0], Object.values(c)[0]]));
  assert.not.ok('accountId' in byName, 'key fields are not attributes');
  assert.ok(isInt64(byName.attempts), 'integers are INTEGER');
  assert.is(typeof byName.price, 'number');
  assert.is(typeof byName.ratio, 'number', 'declared double stays DOUBLE');
  assert.ok(isInt64(byName.big));
  assert.is(byName.specJson, JSON.stringify(rec.spec));
  assert.is(byName.nothingJson, 'null');
  assert.is(byName.noteJson, JSON.stringify(rec.note));
  const back = decodeRow<typeof rec>(t, asRow(encodeKey(t, keyOf(t, rec), sdk), cols));
  assert.equal(back, rec);
});

test('undefined fields are skipped on put', () => {
  const cols = encodeRecord(t, { accountId: 'a', seq: 1, gone: undefined, x: 'y' }, sdk);
  assert.equal(cols, [{ x: 'y' }]);
});

test('numbers: non-safe integers become DOUBLE, NaN is refused, declared int refuses fractions', () => {
  const cols = encodeRecord(t, { accountId: 'a', seq: 1, huge: 2 ** 60, frac: 1.5 }, sdk);
  assert.equal(cols, [{ huge: 2 ** 60 }, { frac: 1.5 }]);
  assert.throws(() => encodeRecord(t, { accountId: 'a', seq: 1, n: NaN }, sdk), /finite/);
  assert.throws(() => encodeRecord(t, { accountId: 'a', seq: 1, count: 1.5 }, sdk), /safe integer/);
  assert.throws(() => encodeRecord(t, { accountId: 'a', seq: 1, big: '1e5' }, sdk), /int64/);
  assert.throws(() => encodeRecord(t, { accountId: 'a', seq: 1, big: '9223372036854775808' }, sdk), /outside int64/);
});

test('reserved and invalid field names are refused', () => {
  assert.throws(() => encodeRecord(t, { accountId: 'a', seq: 1, specJson: '{}' }, sdk), /reserved/);
  assert.throws(() => encodeRecord(t, { accountId: 'a', seq: 1, 'bad-name': 1 }, sdk), /valid column name/);
});

test('encodeChanges: PUT defined, DELETE_ALL undefined and the stale alternate column', () => {
  const ops = encodeChanges(t, { name: 'x', spec: { a: 1 }, gone: undefined }, sdk);
  assert.equal(ops, [
    { PUT: [{ name: 'x' }, { specJson: '{"a":1}' }] },
    { DELETE_ALL: ['nameJson', 'spec', 'gone', 'goneJson'] },
  ]);
  assert.throws(() => encodeChanges(t, { accountId: 'b' }, sdk), /cannot change/);
});

test('declared fields do not delete an alternate column', () => {
  const ops = encodeChanges(t, { note: 'n' }, sdk);
  assert.equal(ops, [{ PUT: [{ noteJson: '"n"' }] }]);
});

test('keyOf picks the key fields; decodeRow of an empty row is undefined', () => {
  assert.equal(keyOf(t, { accountId: 'a', seq: 2, other: 1 }), { accountId: 'a', seq: 2 });
  assert.throws(() => keyOf(t, { accountId: 'a' }), /lacks key field seq/);
  assert.is(decodeRow(t, {}), undefined);
  assert.is(decodeRow(t, { primaryKey: [], attributes: [] }), undefined);
});

test('invalid JSON in a Json column is an Internal error, not a crash', () => {
  try {
    decodeRow(t, {
      primaryKey: [{ name: 'accountId', value: 'a' }],
      attributes: [{ columnName: 'specJson', columnValue: '{' }],
    });
    assert.unreachable();
  } catch (e) {
    assert.is((e as { code?: string }).code, 'Internal');
  }
});

test.run();
