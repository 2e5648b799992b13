/**
 * The official `tablestore` SDK against the sandbox: single-row operations, value types,
 * versions, UpdateRow cell operations, ReturnContent and every kind of condition.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import TableStore from 'tablestore';
import { startTablestoreServer } from '../../lib/sandbox/tablestore/index';

const TS = TableStore;
const Long = TS.Long;
const dir = mkdtempSync(join(tmpdir(), 'ts-rows-'));
let srv: Awaited<ReturnType<typeof startTablestoreServer>>;
let client: any; // eslint-disable-line @typescript-eslint/no-explicit-any

const cond = (e: 'IGNORE' | 'EXPECT_EXIST' | 'EXPECT_NOT_EXIST', column: unknown = null) =>
  new TS.Condition(TS.RowExistenceExpectation[e], column);
const pk = (id: string) => [{ id }];
const attrs = (row: any): Record<string, unknown> =>
  // eslint-disable-line @typescript-eslint/no-explicit-any
  Object.fromEntries((row.attributes ?? []).map((a: any) => [a.columnName, a.columnValue])); // eslint-disable-line @typescript-eslint/no-explicit-any

/** Runs an SDK call that must fail; returns the HTTP status and the OTS code in the message. */
async function failure(p: Promise<unknown>): Promise<{ status: number; code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    const err = e as { code: number; message: string };
    const code = /OTS[A-Za-z]+/.exec(err.message)?.[0] ?? '';
    return { status: err.code, code, message: err.message };
  }
  throw new Error('expected the call to fail');
}

async function put(id: string, columns: object[], c = cond('IGNORE')) {
  return client.putRow({ tableName: 'rows', condition: c, primaryKey: pk(id), attributeColumns: columns });
}
async function get(id: string, extra: object = {}) {
  return (await client.getRow({ tableName: 'rows', primaryKey: pk(id), ...extra })).row;
}

test.before(async () => {
  srv = await startTablestoreServer({ dataDir: dir, keys: { AKROWS: 'rows-secret' } });
  client = new TS.Client({
    accessKeyId: 'AKROWS',
    secretAccessKey: 'rows-secret',
    endpoint: srv.endpoint,
    instancename: 'fleet',
    maxRetries: 0,
  });
  await client.createTable({
    tableMeta: { tableName: 'rows', primaryKey: [{ name: 'id', type: 'STRING' }] },
    reservedThroughput: { capacityUnit: { read: 0, write: 0 } },
    tableOptions: { timeToLive: -1, maxVersions: 3 },
  });
});

test.after(async () => {
  await srv.close();
  rmSync(dir, { recursive: true, force: true });
});

test('every value type round-trips exactly, int64 beyond 2^53 included', async () => {
  const big = '9223372036854775807';
  const neg = '-9007199254740993';
  const bin = Buffer.from([0, 255, 1, 128, 7]);
  await put('types', [
    { s: 'héllo ✓ 世界' },
    { d: -0.1 },
    { t: true },
    { f: false },
    { big: Long.fromString(big) },
    { neg: Long.fromString(neg) },
    { bin },
    { empty: '' },
  ]);
  const row = await get('types');
  assert.equal(row.primaryKey, [{ name: 'id', value: 'types' }]);
  const a = attrs(row);
  assert.is(a.s, 'héllo ✓ 世界');
  assert.is(a.d, -0.1);
  assert.is(a.t, true);
  assert.is(a.f, false);
  assert.is(String(a.big), big);
  assert.is(String(a.neg), neg);
  assert.ok(Buffer.isBuffer(a.bin));
  assert.is((a.bin as Buffer).toString('hex'), bin.toString('hex'));
  assert.is(a.empty, '');
  const ts = Number(String(row.attributes[0].timestamp));
  assert.ok(Math.abs(ts - Date.now()) < 60_000, `timestamp ${ts} is epoch ms now`);
});

test('getRow of a missing row resolves with an empty row', async () => {
  assert.equal(await get('nobody'), {});
});

test('putRow replaces the whole row; columnsToGet projects (primary key only when asked)', async () => {
  await put('p', [{ a: 'one' }, { b: 'two' }]);
  await put('p', [{ c: 'three' }]);
  assert.equal(attrs(await get('p')), { c: 'three' });
  await put('p', [{ a: 'one' }, { b: 'two' }, { c: 'three' }]);
  const only = await get('p', { columnsToGet: ['a', 'c'] });
  assert.equal(attrs(only), { a: 'one', c: 'three' });
  assert.equal(only.primaryKey, []);
  const withPk = await get('p', { columnsToGet: ['id', 'b'] });
  assert.equal(withPk.primaryKey, [{ name: 'id', value: 'p' }]);
  assert.equal(attrs(withPk), { b: 'two' });
  assert.equal(await get('p', { columnsToGet: ['nope'] }), {});
});

test('versions: explicit timestamps, maxVersions on read, table maxVersions kept', async () => {
  const now = Date.now();
  await put('v', [{ x: 'v1', timestamp: now - 3000 }]);
  for (const [i, ts] of [
    [2, now - 2000],
    [3, now - 1000],
    [4, now],
  ] as const) {
    await client.updateRow({
      tableName: 'rows',
      condition: cond('EXPECT_EXIST'),
      primaryKey: pk('v'),
      updateOfAttributeColumns: [{ PUT: [{ x: `v${i}`, timestamp: ts }] }],
    });
  }
  const latest = await get('v');
  assert.equal(
    latest.attributes.map((a: any) => a.columnValue),
    ['v4'],
  ); // eslint-disable-line @typescript-eslint/no-explicit-any
  assert.is(Number(String(latest.attributes[0].timestamp)), now);
  const all = await get('v', { maxVersions: 10 });
  assert.equal(
    all.attributes.map((a: any) => a.columnValue),
    ['v4', 'v3', 'v2'],
  ); // eslint-disable-line @typescript-eslint/no-explicit-any
  // DELETE removes exactly one version.
  await client.updateRow({
    tableName: 'rows',
    condition: cond('IGNORE'),
    primaryKey: pk('v'),
    updateOfAttributeColumns: [{ DELETE: [{ x: Long.fromNumber(now) }] }],
  });
  const after = await get('v', { maxVersions: 10 });
  assert.equal(
    after.attributes.map((a: any) => a.columnValue),
    ['v3', 'v2'],
  ); // eslint-disable-line @typescript-eslint/no-explicit-any
});

test('updateRow PUT / DELETE_ALL / INCREMENT, and ReturnContent', async () => {
  await put('u', [{ keep: 'k' }, { gone: 'g' }, { n: Long.fromNumber(40) }]);
  const res = await client.updateRow({
    tableName: 'rows',
    condition: cond('EXPECT_EXIST'),
    primaryKey: pk('u'),
    updateOfAttributeColumns: [
      { PUT: [{ added: 1.25 }] },
      { DELETE_ALL: ['gone'] },
      { INCREMENT: [{ n: Long.fromNumber(2) }] },
    ],
    returnContent: { returnType: TS.ReturnType.AfterModify, returnColumns: ['n'] },
  });
  assert.is(String(attrs(res.row).n), '42');
  const a = attrs(await get('u'));
  assert.equal(Object.keys(a).sort(), ['added', 'keep', 'n']);
  assert.is(a.added, 1.25);
  assert.is(String(a.n), '42');
  // INCREMENT of a missing column starts from 0; beyond 2^53 stays exact.
  await client.updateRow({
    tableName: 'rows',
    condition: cond('IGNORE'),
    primaryKey: pk('u'),
    updateOfAttributeColumns: [{ INCREMENT: [{ c: Long.fromString('9007199254740993') }] }],
  });
  assert.is(String(attrs(await get('u')).c), '9007199254740993');
  // INCREMENT of a non-integer column is refused.
  const bad = await failure(
    client.updateRow({
      tableName: 'rows',
      condition: cond('IGNORE'),
      primaryKey: pk('u'),
      updateOfAttributeColumns: [{ INCREMENT: [{ keep: Long.fromNumber(1) }] }],
    }),
  );
  assert.is(bad.code, 'OTSParameterInvalid');
  // RT_PK returns the primary key.
  const pkRes = await client.putRow({
    tableName: 'rows',
    condition: cond('IGNORE'),
    primaryKey: pk('rk'),
    attributeColumns: [{ a: 'x' }],
    returnContent: { returnType: TS.ReturnType.Primarykey },
  });
  assert.equal(pkRes.row.primaryKey, [{ name: 'id', value: 'rk' }]);
  // updateRow inserts a missing row; deleting its last column leaves the row (only DeleteRow removes it).
  await client.updateRow({
    tableName: 'rows',
    condition: cond('IGNORE'),
    primaryKey: pk('tmp'),
    updateOfAttributeColumns: [{ PUT: [{ a: 'x' }] }],
  });
  assert.equal(attrs(await get('tmp')), { a: 'x' });
  await client.updateRow({
    tableName: 'rows',
    condition: cond('IGNORE'),
    primaryKey: pk('tmp'),
    updateOfAttributeColumns: [{ DELETE_ALL: ['a'] }],
  });
  assert.equal(await get('tmp'), { primaryKey: [{ name: 'id', value: 'tmp' }], attributes: [] });
  await client.updateRow({
    tableName: 'rows',
    condition: cond('EXPECT_EXIST'),
    primaryKey: pk('tmp'),
    updateOfAttributeColumns: [{ PUT: [{ b: 'y' }] }],
  });
  assert.equal(attrs(await get('tmp')), { b: 'y' });
});

test('deleteRow, and row existence conditions', async () => {
  await put('e', [{ a: 'x' }]);
  const dup = await failure(put('e', [{ a: 'y' }], cond('EXPECT_NOT_EXIST')));
  assert.is(dup.status, 403);
  assert.is(dup.code, 'OTSConditionCheckFail');
  assert.equal(attrs(await get('e')), { a: 'x' });
  await client.deleteRow({ tableName: 'rows', condition: cond('EXPECT_EXIST'), primaryKey: pk('e') });
  assert.equal(await get('e'), {});
  const missing = await failure(
    client.deleteRow({ tableName: 'rows', condition: cond('EXPECT_EXIST'), primaryKey: pk('e') }),
  );
  assert.is(missing.code, 'OTSConditionCheckFail');
  const upd = await failure(
    client.updateRow({
      tableName: 'rows',
      condition: cond('EXPECT_EXIST'),
      primaryKey: pk('e'),
      updateOfAttributeColumns: [{ PUT: [{ a: 'z' }] }],
    }),
  );
  assert.is(upd.code, 'OTSConditionCheckFail');
  assert.equal(await get('e'), {});
  await put('e', [{ a: 'new' }], cond('EXPECT_NOT_EXIST'));
  assert.equal(attrs(await get('e')), { a: 'new' });
  // IGNORE on a missing row: delete succeeds and changes nothing.
  await client.deleteRow({ tableName: 'rows', condition: cond('IGNORE'), primaryKey: pk('never') });
});

test('single-column conditions: every relation, pass_if_missing, latest_version_only', async () => {
  await put('c', [{ n: Long.fromNumber(5) }, { s: 'm' }]);
  const C = TS.ComparatorType;
  const check = async (col: string, value: unknown, cmp: number, passIfMissing = true, latestOnly = true) => {
    try {
      await client.updateRow({
        tableName: 'rows',
        primaryKey: pk('c'),
        updateOfAttributeColumns: [{ PUT: [{ touched: true }] }],
        condition: cond('EXPECT_EXIST', new TS.SingleColumnCondition(col, value, cmp, passIfMissing, latestOnly)),
      });
      return true;
    } catch (e) {
      assert.match((e as Error).message, 'OTSConditionCheckFail');
      return false;
    }
  };
  const five = Long.fromNumber(5);
  assert.is(await check('n', five, C.EQUAL), true);
  assert.is(await check('n', Long.fromNumber(6), C.EQUAL), false);
  assert.is(await check('n', Long.fromNumber(6), C.NOT_EQUAL), true);
  assert.is(await check('n', five, C.NOT_EQUAL), false);
  assert.is(await check('n', Long.fromNumber(4), C.GREATER_THAN), true);
  assert.is(await check('n', five, C.GREATER_THAN), false);
  assert.is(await check('n', five, C.GREATER_EQUAL), true);
  assert.is(await check('n', Long.fromNumber(6), C.GREATER_EQUAL), false);
  assert.is(await check('n', Long.fromNumber(6), C.LESS_THAN), true);
  assert.is(await check('n', five, C.LESS_THAN), false);
  assert.is(await check('n', five, C.LESS_EQUAL), true);
  assert.is(await check('n', Long.fromNumber(4), C.LESS_EQUAL), false);
  assert.is(await check('s', 'a', C.GREATER_THAN), true);
  assert.is(await check('s', 'z', C.GREATER_THAN), false);
  // A different type never matches (5.0 double vs 5 integer).
  assert.is(await check('n', 5, C.EQUAL), false);
  // Missing column: pass_if_missing decides.
  assert.is(await check('absent', 'x', C.EQUAL, true), true);
  assert.is(await check('absent', 'x', C.EQUAL, false), false);
  // latest_version_only=false passes when any kept version matches.
  await client.updateRow({
    tableName: 'rows',
    condition: cond('IGNORE'),
    primaryKey: pk('c'),
    updateOfAttributeColumns: [{ PUT: [{ h: 'old', timestamp: Date.now() - 5000 }] }],
  });
  await client.updateRow({
    tableName: 'rows',
    condition: cond('IGNORE'),
    primaryKey: pk('c'),
    updateOfAttributeColumns: [{ PUT: [{ h: 'new' }] }],
  });
  assert.is(await check('h', 'old', C.EQUAL, false, true), false);
  assert.is(await check('h', 'old', C.EQUAL, false, false), true);
  // Primary-key columns can be compared too.
  assert.is(await check('id', 'c', C.EQUAL, false), true);
  assert.is(await check('id', 'd', C.EQUAL, false), false);
  // A column condition with IGNORE on a missing row sees every column as missing.
  const r = await failure(
    client.putRow({
      tableName: 'rows',
      primaryKey: pk('ghost'),
      attributeColumns: [{ a: 'x' }],
      condition: cond('IGNORE', new TS.SingleColumnCondition('a', 'x', C.EQUAL, false)),
    }),
  );
  assert.is(r.code, 'OTSConditionCheckFail');
  assert.equal(await get('ghost'), {});
});

test('composite conditions AND / OR / NOT (nested)', async () => {
  await put('k', [{ n: Long.fromNumber(10) }, { state: 'running' }]);
  const C = TS.ComparatorType;
  const L = TS.LogicalOperator;
  const single = (c: string, v: unknown, cmp: number) => new TS.SingleColumnCondition(c, v, cmp, false);
  const comp = (op: number, ...subs: unknown[]) => {
    const cc = new TS.CompositeCondition(op);
    for (const s of subs) cc.addSubCondition(s);
    return cc;
  };
  const passes = async (column: unknown) => {
    try {
      await client.updateRow({
        tableName: 'rows',
        primaryKey: pk('k'),
        condition: cond('EXPECT_EXIST', column),
        updateOfAttributeColumns: [{ PUT: [{ z: 1 }] }],
      });
      return true;
    } catch (e) {
      assert.match((e as Error).message, 'OTSConditionCheckFail');
      return false;
    }
  };
  const nIs10 = single('n', Long.fromNumber(10), C.EQUAL);
  const nIs11 = single('n', Long.fromNumber(11), C.EQUAL);
  const running = single('state', 'running', C.EQUAL);
  assert.is(await passes(comp(L.AND, nIs10, running)), true);
  assert.is(await passes(comp(L.AND, nIs11, running)), false);
  assert.is(await passes(comp(L.OR, nIs11, running)), true);
  assert.is(await passes(comp(L.OR, nIs11, single('state', 'stopped', C.EQUAL))), false);
  assert.is(await passes(comp(L.NOT, nIs11)), true);
  assert.is(await passes(comp(L.NOT, nIs10)), false);
  assert.is(await passes(comp(L.AND, comp(L.OR, nIs11, running), comp(L.NOT, nIs11))), true);
});

test('concurrent conditional updates on a version column: exactly one writer wins', async () => {
  await put('lock', [{ version: Long.fromNumber(7) }, { owner: 'none' }]);
  const writers = Array.from({ length: 10 }, (_, i) =>
    client
      .updateRow({
        tableName: 'rows',
        primaryKey: pk('lock'),
        condition: cond(
          'EXPECT_EXIST',
          new TS.SingleColumnCondition('version', Long.fromNumber(7), TS.ComparatorType.EQUAL, false),
        ),
        updateOfAttributeColumns: [{ PUT: [{ version: Long.fromNumber(8) }, { owner: `w${i}` }] }],
      })
      .then(
        () => `w${i}`,
        (e: { code: number; message: string }) => `fail:${e.code}:${/OTS\w+/.exec(e.message)?.[0]}`,
      ),
  );
  const results = await Promise.all(writers);
  const winners = results.filter((r) => !r.startsWith('fail'));
  assert.is(winners.length, 1, results.join(','));
  assert.equal(
    results.filter((r) => r.startsWith('fail')),
    Array(9).fill('fail:403:OTSConditionCheckFail'),
  );
  const a = attrs(await get('lock'));
  assert.is(String(a.version), '8');
  assert.is(a.owner, winners[0]);
});

test('read filters on getRow: a row failing the column filter reads as absent; column pagination', async () => {
  await put('f', [{ a: 'x' }, { b: 'y' }, { c: 'z' }, { state: 'on' }]);
  const on = new TS.SingleColumnCondition('state', 'on', TS.ComparatorType.EQUAL, false);
  const off = new TS.SingleColumnCondition('state', 'off', TS.ComparatorType.EQUAL, false);
  assert.is(attrs(await get('f', { columnFilter: on })).a, 'x');
  assert.equal(await get('f', { columnFilter: off }), {});
  const page = await get('f', { columnFilter: new TS.ColumnPaginationFilter(2, 1) });
  assert.equal(Object.keys(attrs(page)), ['b', 'c']);
});

test('time to live: cells older than the TTL are invisible and the row counts as absent', async () => {
  await client.createTable({
    tableMeta: { tableName: 'ttl', primaryKey: [{ name: 'id', type: 'STRING' }] },
    reservedThroughput: { capacityUnit: { read: 0, write: 0 } },
    tableOptions: { timeToLive: 60, maxVersions: 1 },
  });
  const row = (id: string, ts?: number) => ({
    tableName: 'ttl',
    condition: cond('EXPECT_NOT_EXIST'),
    primaryKey: pk(id),
    attributeColumns: [ts === undefined ? { v: id } : { v: id, timestamp: ts }],
  });
  await client.putRow(row('old', Date.now() - 120_000));
  await client.putRow(row('fresh'));
  assert.equal((await client.getRow({ tableName: 'ttl', primaryKey: pk('old') })).row, {});
  assert.is(attrs((await client.getRow({ tableName: 'ttl', primaryKey: pk('fresh') })).row).v, 'fresh');
  await client.putRow(row('old')); // EXPECT_NOT_EXIST holds: the expired row is gone
  assert.is(attrs((await client.getRow({ tableName: 'ttl', primaryKey: pk('old') })).row).v, 'old');
});

test('primary key validated against the schema; unknown table is OTSObjectNotExist', async () => {
  const wrongType = await failure(client.getRow({ tableName: 'rows', primaryKey: [{ id: Long.fromNumber(1) }] }));
  assert.is(wrongType.status, 400);
  assert.is(wrongType.code, 'OTSParameterInvalid');
  const wrongName = await failure(
    put('x', []).then(() =>
      client.putRow({
        tableName: 'rows',
        condition: cond('IGNORE'),
        primaryKey: [{ other: 'x' }],
        attributeColumns: [],
      }),
    ),
  );
  assert.is(wrongName.code, 'OTSParameterInvalid');
  const tooMany = await failure(client.getRow({ tableName: 'rows', primaryKey: [{ id: 'a' }, { b: 'c' }] }));
  assert.is(tooMany.code, 'OTSParameterInvalid');
  const missing = await failure(
    client.putRow({
      tableName: 'nosuch',
      condition: cond('IGNORE'),
      primaryKey: pk('a'),
      attributeColumns: [{ a: 1 }],
    }),
  );
  assert.is(missing.status, 404);
  assert.is(missing.code, 'OTSObjectNotExist');
});

test.run();
