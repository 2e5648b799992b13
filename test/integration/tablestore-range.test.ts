/**
 * The official `tablestore` SDK against the sandbox: GetRange paging both ways over 1,000 rows,
 * INF_MIN/INF_MAX bounds, filters, BatchWriteRow and BatchGetRow with per-row results.
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
const dir = mkdtempSync(join(tmpdir(), 'ts-range-'));
let srv: Awaited<ReturnType<typeof startTablestoreServer>>;
let client: any; // eslint-disable-line @typescript-eslint/no-explicit-any
const ignore = () => new TS.Condition(TS.RowExistenceExpectation.IGNORE, null);
const N = 1000;

type PkCol = { name: string; value: unknown };
/** The SDK returns `[{name, value}]`; requests want `[{name: value}]`. */
const toRequestPk = (pk: PkCol[]) => pk.map((c) => ({ [c.name]: c.value }));
const seqOf = (row: { primaryKey: PkCol[] }) => Number(String(row.primaryKey[1]!.value));

async function scan(
  direction: 'FORWARD' | 'BACKWARD',
  start: object[],
  end: object[],
  limit: number,
  extra: object = {},
) {
  const pages: number[] = [];
  const rows: { primaryKey: PkCol[]; attributes: { columnName: string; columnValue: unknown }[] }[] = [];
  let next: object[] | null = start;
  while (next) {
    const res: any = await client.getRange({
      // eslint-disable-line @typescript-eslint/no-explicit-any
      tableName: 'events',
      direction: TS.Direction[direction],
      inclusiveStartPrimaryKey: next,
      exclusiveEndPrimaryKey: end,
      limit,
      ...extra,
    });
    pages.push(res.rows.length);
    rows.push(...res.rows);
    next = res.nextStartPrimaryKey ? toRequestPk(res.nextStartPrimaryKey) : null;
  }
  return { pages, rows };
}

test.before(async () => {
  srv = await startTablestoreServer({ dataDir: dir, keys: { AKRANGE: 'range-secret' } });
  client = new TS.Client({
    accessKeyId: 'AKRANGE',
    secretAccessKey: 'range-secret',
    endpoint: srv.endpoint,
    instancename: 'fleet',
    maxRetries: 0,
  });
  for (const name of ['events', 'other']) {
    await client.createTable({
      tableMeta: {
        tableName: name,
        primaryKey: [
          { name: 'shard', type: 'STRING' },
          { name: 'seq', type: 'INTEGER' },
        ],
      },
      reservedThroughput: { capacityUnit: { read: 0, write: 0 } },
      tableOptions: { timeToLive: -1, maxVersions: 1 },
    });
  }
  // 1,000 rows in shard "s1" (written in batches of 200, in a shuffled order) plus neighbours.
  const order = Array.from({ length: N }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = (i * 7919) % (i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  for (let b = 0; b < N; b += 200) {
    const res = await client.batchWriteRow({
      tables: [
        {
          tableName: 'events',
          rows: order.slice(b, b + 200).map((i) => ({
            type: 'PUT',
            condition: ignore(),
            primaryKey: [{ shard: 's1' }, { seq: Long.fromNumber(i) }],
            attributeColumns: [{ n: Long.fromNumber(i) }, { even: i % 2 === 0 }],
          })),
        },
      ],
    });
    assert.is(res.tables.length, 200);
    assert.ok(res.tables.every((r: { isOk: boolean }) => r.isOk));
  }
  await client.batchWriteRow({
    tables: [
      {
        tableName: 'events',
        rows: ['s0', 's2'].map((shard) => ({
          type: 'PUT',
          condition: ignore(),
          primaryKey: [{ shard }, { seq: Long.fromNumber(0) }],
          attributeColumns: [{ n: Long.fromNumber(-1) }],
        })),
      },
    ],
  });
});

test.after(async () => {
  await srv.close();
  rmSync(dir, { recursive: true, force: true });
});

test('pages a 1,000-row range forward, 100 at a time', async () => {
  const { pages, rows } = await scan(
    'FORWARD',
    [{ shard: 's1' }, { seq: TS.INF_MIN }],
    [{ shard: 's1' }, { seq: TS.INF_MAX }],
    100,
  );
  assert.equal(pages, Array(10).fill(100));
  assert.equal(
    rows.map(seqOf),
    Array.from({ length: N }, (_, i) => i),
  );
  assert.is(String(rows[999]!.attributes.find((a) => a.columnName === 'n')!.columnValue), '999');
});

test('pages the same range backward, 100 at a time', async () => {
  const { pages, rows } = await scan(
    'BACKWARD',
    [{ shard: 's1' }, { seq: TS.INF_MAX }],
    [{ shard: 's1' }, { seq: TS.INF_MIN }],
    100,
  );
  assert.equal(pages, Array(10).fill(100));
  assert.equal(
    rows.map(seqOf),
    Array.from({ length: N }, (_, i) => N - 1 - i),
  );
});

test('bounds: inclusive start, exclusive end, INF_MIN/INF_MAX across all rows, limit larger than the range', async () => {
  const mid = await scan(
    'FORWARD',
    [{ shard: 's1' }, { seq: Long.fromNumber(10) }],
    [{ shard: 's1' }, { seq: Long.fromNumber(20) }],
    50,
  );
  assert.equal(mid.rows.map(seqOf), [10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
  assert.equal(mid.pages, [10]);
  const back = await scan(
    'BACKWARD',
    [{ shard: 's1' }, { seq: Long.fromNumber(20) }],
    [{ shard: 's1' }, { seq: Long.fromNumber(10) }],
    50,
  );
  assert.equal(back.rows.map(seqOf), [20, 19, 18, 17, 16, 15, 14, 13, 12, 11]);
  const all = await scan(
    'FORWARD',
    [{ shard: TS.INF_MIN }, { seq: TS.INF_MIN }],
    [{ shard: TS.INF_MAX }, { seq: TS.INF_MAX }],
    5000,
  );
  assert.is(all.rows.length, N + 2);
  assert.is(all.rows[0]!.primaryKey[0]!.value, 's0');
  assert.is(all.rows[N + 1]!.primaryKey[0]!.value, 's2');
  const wrongWay = await client
    .getRange({
      tableName: 'events',
      direction: TS.Direction.FORWARD,
      inclusiveStartPrimaryKey: [{ shard: 's2' }, { seq: TS.INF_MIN }],
      exclusiveEndPrimaryKey: [{ shard: 's1' }, { seq: TS.INF_MIN }],
      limit: 10,
    })
    .catch((e: Error) => e);
  assert.match(String((wrongWay as Error).message), 'OTSParameterInvalid');
});

test('columnsToGet and a column filter apply to every row of a range', async () => {
  const { rows } = await scan(
    'FORWARD',
    [{ shard: 's1' }, { seq: Long.fromNumber(0) }],
    [{ shard: 's1' }, { seq: Long.fromNumber(10) }],
    100,
    {
      columnFilter: new TS.SingleColumnCondition('even', true, TS.ComparatorType.EQUAL, false),
      columnsToGet: ['n'],
    },
  );
  assert.equal(
    rows.map((r) => String(r.attributes[0]!.columnValue)),
    ['0', '2', '4', '6', '8'],
  );
  assert.ok(rows.every((r) => r.attributes.length === 1 && r.primaryKey.length === 0));
});

test('batchWriteRow: several tables, PUT / UPDATE / DELETE, per-row condition failures and errors', async () => {
  const res = await client.batchWriteRow({
    tables: [
      {
        tableName: 'other',
        rows: [
          {
            type: 'PUT',
            condition: ignore(),
            primaryKey: [{ shard: 'a' }, { seq: Long.fromNumber(1) }],
            attributeColumns: [{ v: 'one' }],
          },
          {
            type: 'PUT',
            condition: new TS.Condition(TS.RowExistenceExpectation.EXPECT_EXIST, null),
            primaryKey: [{ shard: 'a' }, { seq: Long.fromNumber(2) }],
            attributeColumns: [{ v: 'two' }],
          },
        ],
      },
      {
        tableName: 'events',
        rows: [
          {
            type: 'UPDATE',
            condition: ignore(),
            primaryKey: [{ shard: 's1' }, { seq: Long.fromNumber(5) }],
            attributeColumns: [{ PUT: [{ tag: 'x' }] }],
          },
          { type: 'DELETE', condition: ignore(), primaryKey: [{ shard: 's0' }, { seq: Long.fromNumber(0) }] },
          { type: 'PUT', condition: ignore(), primaryKey: [{ shard: 's9' }], attributeColumns: [{ v: 'bad pk' }] },
        ],
      },
      {
        tableName: 'missing',
        rows: [
          {
            type: 'PUT',
            condition: ignore(),
            primaryKey: [{ shard: 'a' }, { seq: Long.fromNumber(1) }],
            attributeColumns: [{ v: 1 }],
          },
        ],
      },
    ],
  });
  const summary = res.tables.map(
    (r: { tableName: string; isOk: boolean; errorCode: string | null }) =>
      `${r.tableName}:${r.isOk ? 'ok' : r.errorCode}`,
  );
  assert.equal(summary, [
    'other:ok',
    'other:OTSConditionCheckFail',
    'events:ok',
    'events:ok',
    'events:OTSParameterInvalid',
    'missing:OTSObjectNotExist',
  ]);
  const got = await client.batchGetRow({
    tables: [
      {
        tableName: 'other',
        primaryKey: [
          [{ shard: 'a' }, { seq: Long.fromNumber(1) }],
          [{ shard: 'a' }, { seq: Long.fromNumber(2) }],
        ],
      },
      {
        tableName: 'events',
        primaryKey: [
          [{ shard: 's1' }, { seq: Long.fromNumber(5) }],
          [{ shard: 's0' }, { seq: Long.fromNumber(0) }],
        ],
        columnsToGet: ['tag'],
      },
      { tableName: 'missing', primaryKey: [[{ shard: 'a' }, { seq: Long.fromNumber(1) }]] },
    ],
  });
  const [other, events, missing] = got.tables;
  assert.is(other[0].isOk, true);
  assert.equal(
    other[0].attributes.map((a: { columnValue: unknown }) => a.columnValue),
    ['one'],
  );
  assert.is(other[1].isOk, true);
  assert.is(other[1].primaryKey, null, 'row written with a failed condition is absent');
  assert.equal(
    events[0].attributes.map((a: { columnValue: unknown }) => a.columnValue),
    ['x'],
  );
  assert.is(events[1].primaryKey, null, 'deleted row is absent');
  assert.is(missing[0].isOk, false);
  assert.is(missing[0].errorCode, 'OTSObjectNotExist');
});

test('a batch naming a row twice is refused as a whole', async () => {
  const row = {
    type: 'PUT',
    condition: ignore(),
    primaryKey: [{ shard: 'dup' }, { seq: Long.fromNumber(1) }],
    attributeColumns: [{ v: 1 }],
  };
  const err = await client.batchWriteRow({ tables: [{ tableName: 'other', rows: [row, row] }] }).catch((e: Error) => e);
  assert.match(String((err as Error).message), 'OTSParameterInvalid');
  const got = await client.getRow({ tableName: 'other', primaryKey: [{ shard: 'dup' }, { seq: Long.fromNumber(1) }] });
  assert.equal(got.row, {});
  const readErr = await client
    .batchGetRow({
      tables: [
        {
          tableName: 'other',
          primaryKey: [
            [{ shard: 'a' }, { seq: Long.fromNumber(1) }],
            [{ shard: 'a' }, { seq: Long.fromNumber(1) }],
          ],
        },
      ],
    })
    .catch((e: Error) => e);
  assert.match(String((readErr as Error).message), 'OTSParameterInvalid');
});

test('a page also ends at about 4 MB of data, with a next key to continue', async () => {
  const blob = 'b'.repeat(400 * 1024);
  for (let i = 0; i < 14; i++) {
    await client.putRow({
      tableName: 'other',
      condition: ignore(),
      primaryKey: [{ shard: 'big' }, { seq: Long.fromNumber(i) }],
      attributeColumns: [{ blob }],
    });
  }
  const first = await client.getRange({
    tableName: 'other',
    direction: TS.Direction.FORWARD,
    inclusiveStartPrimaryKey: [{ shard: 'big' }, { seq: TS.INF_MIN }],
    exclusiveEndPrimaryKey: [{ shard: 'big' }, { seq: TS.INF_MAX }],
  });
  assert.ok(first.rows.length > 0 && first.rows.length < 14, `first page has ${first.rows.length} rows`);
  assert.is(Number(String(first.nextStartPrimaryKey[1].value)), first.rows.length);
  const rest = await client.getRange({
    tableName: 'other',
    direction: TS.Direction.FORWARD,
    inclusiveStartPrimaryKey: toRequestPk(first.nextStartPrimaryKey),
    exclusiveEndPrimaryKey: [{ shard: 'big' }, { seq: TS.INF_MAX }],
  });
  assert.is(first.rows.length + rest.rows.length, 14);
  assert.is(rest.nextStartPrimaryKey, null);
  assert.is(rest.rows[0].attributes[0].columnValue.length, blob.length);
});

test('batch limits: more than 200 writes or 100 reads is OTSParameterInvalid', async () => {
  const tooMany = await client
    .batchWriteRow({
      tables: [
        {
          tableName: 'other',
          rows: Array.from({ length: 201 }, (_, i) => ({
            type: 'PUT',
            condition: ignore(),
            primaryKey: [{ shard: 'z' }, { seq: Long.fromNumber(i) }],
            attributeColumns: [{ v: 1 }],
          })),
        },
      ],
    })
    .catch((e: Error) => e);
  assert.match(String((tooMany as Error).message), 'OTSParameterInvalid');
  const tooManyReads = await client
    .batchGetRow({
      tables: [
        {
          tableName: 'other',
          primaryKey: Array.from({ length: 101 }, (_, i) => [{ shard: 'z' }, { seq: Long.fromNumber(i) }]),
        },
      ],
    })
    .catch((e: Error) => e);
  assert.match(String((tooManyReads as Error).message), 'OTSParameterInvalid');
});

test.run();
