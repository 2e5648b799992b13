/**
 * The one store implementation: typed rows on the Tablestore SDK with optimistic concurrency on
 * a `version` column. Every domain writes through `update`/`mutate` so lost races surface as
 * `Conflict {reason: 'VersionMismatch'}` and are retried or reported — never silently lost.
 */
import { BACKOFF, retrying } from '../core/backoff';
import { systemClock, type Clock } from '../core/clock';
import { AppError, notFound } from '../core/errors';
import { decodeRow, encodeChanges, encodeKey, encodeRecord, keyOf } from './codec';
import { badCursor, openCursor, queryFingerprint, sealCursor } from './cursor';
import { loadCursorKey } from './cursor-key';
import { isVersionConflict, mapStoreError, storeConflict } from './errors';
import { isStartInRange, MAX, MIN, rangeBounds, type Bound, type RangeBounds } from './range';
import { isInt64, loadSdk, type Sdk, type SdkClient, type SdkRow } from './sdk';
import type {
  BatchOp,
  BatchResult,
  Key,
  MutateOptions,
  Mutator,
  Page,
  PkValue,
  RangeQuery,
  Store,
  TableDef,
  Versioned,
} from './types';

export interface StoreOptions {
  /** The SDK client, or a function that builds it on first use (lazy: cold starts skip the SDK). */
  client: SdkClient | (() => Promise<SdkClient>);
  /** Physical table name prefix (`config.tablestore.tablePrefix`, e.g. `fleet_`). */
  tablePrefix: string;
  /** Stamps and expires page cursors (default: the system clock). */
  clock?: Clock;
}

/** Where a store built by `createStore` keeps its SDK client (used by `ensureTables(store)`). */
export const STORE_CLIENT = Symbol.for('fleet.store.client');

/** The SDK client and prefix behind a store from `createStore`, or undefined for a test fake. */
export function storeInternals(store: Store): { client: () => Promise<SdkClient>; tablePrefix: string } | undefined {
  return (store as unknown as Record<symbol, { client: () => Promise<SdkClient>; tablePrefix: string } | undefined>)[
    STORE_CLIENT
  ];
}

const BATCH_GET_MAX = 100;
const BATCH_WRITE_MAX = 200;
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

/** Drops `version` and unchanged key fields from a change set; a changed key field is a bug. */
function cleanChanges(table: TableDef, key: Key, changes: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [f, v] of Object.entries(changes)) {
    if (f === 'version') continue;
    if (table.pk.some((c) => c.name === f)) {
      if (v !== key[f]) throw new AppError('Internal', `store: ${table.name}: primary-key field ${f} cannot change`);
      continue;
    }
    out[f] = v;
  }
  return out;
}

function pkValues(row: SdkRow['primaryKey'] | null | undefined): PkValue[] {
  return (row ?? []).map(({ value }) => (isInt64(value) ? value.toNumber() : (value as PkValue)));
}

/** A page as the store sees it: the items and the raw key to resume at. */
interface RawPage<R> {
  items: Array<R & Versioned>;
  next?: PkValue[];
}

/** A `Store` over one Tablestore instance. Cheap to create; the SDK loads on the first call. */
export function createStore(opts: StoreOptions): Store {
  let ready: Promise<{ sdk: Sdk; client: SdkClient }> | undefined;
  const conn = () => {
    ready ??= Promise.all([
      loadSdk(),
      typeof opts.client === 'function' ? opts.client() : Promise.resolve(opts.client),
    ]).then(
      ([sdk, client]) => ({ sdk, client }),
      (e) => {
        ready = undefined;
        throw e;
      },
    );
    return ready;
  };
  const tableName = (t: TableDef) => opts.tablePrefix + t.name;

  const versionCondition = (sdk: Sdk, expected: number | undefined, existence: 'exist' | 'not-exist' | 'ignore') => {
    const rowCond =
      existence === 'exist'
        ? sdk.RowExistenceExpectation.EXPECT_EXIST
        : existence === 'not-exist'
          ? sdk.RowExistenceExpectation.EXPECT_NOT_EXIST
          : sdk.RowExistenceExpectation.IGNORE;
    const colCond =
      expected === undefined
        ? null
        : new sdk.SingleColumnCondition('version', sdk.Long.fromNumber(expected), sdk.ComparatorType.EQUAL, false);
    return new sdk.Condition(rowCond, colCond);
  };

  /** Writes a whole record (create and put differ only in the row condition and what its failure means). */
  const putWholeRow = async (
    table: TableDef,
    full: object,
    existence: 'not-exist' | 'ignore',
    onConditionFail?: (e: unknown) => AppError,
  ) => {
    const { sdk, client } = await conn();
    try {
      await client.putRow({
        tableName: tableName(table),
        condition: versionCondition(sdk, undefined, existence),
        primaryKey: encodeKey(table, keyOf(table, full), sdk),
        attributeColumns: encodeRecord(table, full, sdk),
      });
    } catch (e) {
      throw mapStoreError(e, tableName(table), onConditionFail && (() => onConditionFail(e)));
    }
  };

  const toSdkBound = (sdk: Sdk, table: TableDef, tuple: Bound[]) =>
    table.pk.map((col, i) => {
      const v = tuple[i]!;
      return {
        [col.name]:
          v === MIN ? sdk.INF_MIN : v === MAX ? sdk.INF_MAX : col.type === 'int' ? sdk.Long.fromNumber(v as number) : v,
      };
    });

  const clock = opts.clock ?? systemClock;
  // One read of the cursor key per store (per warm instance), and only when a listing pages.
  let cursorKeyP: Promise<Buffer> | undefined;
  const cursorKey = () => {
    cursorKeyP ??= loadCursorKey(store, clock).catch((e) => {
      cursorKeyP = undefined;
      throw e;
    });
    return cursorKeyP;
  };

  /** One page of a range from `start` (or the query's own start), and the key to resume at. */
  const rangePage = async <R extends object>(
    table: TableDef,
    q: RangeQuery<R>,
    bounds: RangeBounds,
    from: PkValue[] | undefined,
  ): Promise<RawPage<R>> => {
    const { sdk, client } = await conn();
    const limit = Math.min(Math.max(1, Math.floor(q.limit ?? DEFAULT_LIMIT)), MAX_LIMIT);
    const maxScan = q.maxScan ?? 5000;
    const backward = q.direction === 'backward';
    let start: Bound[] = from ?? (backward ? bounds.high : bounds.low);
    const end = backward ? bounds.low : bounds.high;
    const items: Array<R & Versioned> = [];
    let scanned = 0;
    for (;;) {
      const want = q.filter ? MAX_LIMIT : limit - items.length;
      let res: Awaited<ReturnType<typeof client.getRange>>;
      try {
        res = await client.getRange({
          tableName: tableName(table),
          direction: backward ? sdk.Direction.BACKWARD : sdk.Direction.FORWARD,
          inclusiveStartPrimaryKey: toSdkBound(sdk, table, start),
          exclusiveEndPrimaryKey: toSdkBound(sdk, table, end),
          limit: want,
          maxVersions: 1,
        });
      } catch (e) {
        throw mapStoreError(e, tableName(table));
      }
      const rows = res.rows ?? [];
      for (let i = 0; i < rows.length; i++) {
        scanned++;
        const rec = decodeRow<R & Versioned>(table, rows[i]);
        if (rec && (!q.filter || q.filter(rec))) items.push(rec);
        if (items.length >= limit) {
          const next =
            i + 1 < rows.length
              ? pkValues(rows[i + 1]!.primaryKey)
              : res.nextStartPrimaryKey
                ? pkValues(res.nextStartPrimaryKey)
                : undefined;
          return next ? { items, next } : { items };
        }
      }
      if (!res.nextStartPrimaryKey) return { items };
      const next = pkValues(res.nextStartPrimaryKey);
      if (scanned >= maxScan) return { items, next };
      start = next;
    }
  };

  const store: Store = {
    tableName,

    async create<R extends object>(table: TableDef, record: R): Promise<R & Versioned> {
      const full = { ...record, version: 1 } as R & Versioned;
      await putWholeRow(table, full, 'not-exist', (e) =>
        storeConflict('AlreadyExists', `${table.name} row already exists`, e),
      );
      return full;
    },

    async put<R extends object>(table: TableDef, record: R): Promise<void> {
      await putWholeRow(table, { ...record, version: (record as Partial<Versioned>).version ?? 1 }, 'ignore');
    },

    async get<R extends object>(table: TableDef, key: Key): Promise<(R & Versioned) | undefined> {
      const { sdk, client } = await conn();
      try {
        const res = await client.getRow({
          tableName: tableName(table),
          primaryKey: encodeKey(table, key, sdk),
          maxVersions: 1,
        });
        return decodeRow<R & Versioned>(table, res.row);
      } catch (e) {
        throw mapStoreError(e, tableName(table));
      }
    },

    async update<R extends object>(
      table: TableDef,
      key: Key,
      expectedVersion: number,
      changes: Partial<R>,
    ): Promise<number> {
      const { sdk, client } = await conn();
      const next = expectedVersion + 1;
      const cols = encodeChanges(table, { ...cleanChanges(table, key, changes), version: next }, sdk);
      try {
        await client.updateRow({
          tableName: tableName(table),
          condition: versionCondition(sdk, expectedVersion, 'exist'),
          primaryKey: encodeKey(table, key, sdk),
          updateOfAttributeColumns: cols,
        });
      } catch (e) {
        throw mapStoreError(e, tableName(table), () =>
          storeConflict(
            'VersionMismatch',
            `${table.name} row changed since it was read (expected version ${expectedVersion})`,
            e,
          ),
        );
      }
      return next;
    },

    async mutate<R extends object>(
      table: TableDef,
      key: Key,
      fn: Mutator<R>,
      mopts: MutateOptions = {},
    ): Promise<R & Versioned> {
      const policy = { ...BACKOFF.storeConflict, maxAttempts: (mopts.retries ?? 10) + 1 };
      return retrying(
        async () => {
          const cur = await store.get<R>(table, key);
          if (!cur) throw notFound(`${table.name} row`);
          const changes = await fn(cur);
          if (changes === undefined) return cur;
          const clean = cleanChanges(table, key, changes);
          const version = await store.update<R>(table, key, cur.version, clean as Partial<R>);
          const merged: Record<string, unknown> = { ...cur, ...clean, version };
          for (const [f, v] of Object.entries(clean)) if (v === undefined) delete merged[f];
          return merged as R & Versioned;
        },
        { policy, retryable: isVersionConflict },
      );
    },

    async remove(table: TableDef, key: Key, expectedVersion?: number): Promise<void> {
      const { sdk, client } = await conn();
      try {
        await client.deleteRow({
          tableName: tableName(table),
          condition: versionCondition(sdk, expectedVersion, expectedVersion === undefined ? 'ignore' : 'exist'),
          primaryKey: encodeKey(table, key, sdk),
        });
      } catch (e) {
        throw mapStoreError(e, tableName(table), () =>
          storeConflict(
            'VersionMismatch',
            `${table.name} row changed since it was read (expected version ${expectedVersion})`,
            e,
          ),
        );
      }
    },

    async range<R extends object>(table: TableDef, q: RangeQuery<R> = {}): Promise<Page<R & Versioned>> {
      const bounds = rangeBounds(table, q);
      const backward = q.direction === 'backward';
      const fp = queryFingerprint([
        table.name,
        q.eq ?? null,
        q.prefix ?? null,
        q.gte ?? null,
        q.lt ?? null,
        backward,
        // A listing's in-memory filters (`bind`) are part of its query: a cursor reused with others is refused.
        ...(q.bind === undefined ? [] : [q.bind]),
      ]);
      let start: PkValue[] | undefined;
      if (q.cursor !== undefined) {
        start = openCursor(await cursorKey(), q.cursor, fp, table.pk.length, clock.now());
        // Defence in depth: even a cursor that opens may only move within this query's own range.
        if (!isStartInRange(table, start, bounds, backward)) throw badCursor('points outside this listing');
      }
      const page = await rangePage<R>(table, q, bounds, start);
      if (!page.next) return { items: page.items };
      return { items: page.items, nextCursor: sealCursor(await cursorKey(), fp, page.next, clock.now()) };
    },

    async *scan<R extends object>(
      table: TableDef,
      q: Omit<RangeQuery<R>, 'limit' | 'cursor' | 'maxScan'> = {},
    ): AsyncIterable<R & Versioned> {
      // Pages by raw start key: nothing leaves the process, so nothing is sealed.
      const bounds = rangeBounds(table, q);
      let start: PkValue[] | undefined;
      do {
        const page: RawPage<R> = await rangePage<R>(table, { ...q, limit: MAX_LIMIT }, bounds, start);
        yield* page.items;
        start = page.next;
      } while (start);
    },

    async batchGet<R extends object>(table: TableDef, keys: Key[]): Promise<Array<(R & Versioned) | undefined>> {
      const { sdk, client } = await conn();
      const name = tableName(table);
      const unique = new Map<string, Key>();
      for (const k of keys) unique.set(JSON.stringify(table.pk.map((c) => k[c.name])), k);
      const found = new Map<string, R & Versioned>();
      const all = [...unique.entries()];
      for (let i = 0; i < all.length; i += BATCH_GET_MAX) {
        let pending = all.slice(i, i + BATCH_GET_MAX);
        for (let attempt = 0; pending.length > 0; attempt++) {
          let res: Awaited<ReturnType<typeof client.batchGetRow>>;
          try {
            res = await client.batchGetRow({
              tables: [
                { tableName: name, primaryKey: pending.map(([, k]) => encodeKey(table, k, sdk)), maxVersions: 1 },
              ],
            });
          } catch (e) {
            throw mapStoreError(e, name);
          }
          const rows = res.tables[0] ?? [];
          const failed: typeof pending = [];
          pending.forEach(([id], j) => {
            const r = rows[j];
            if (!r?.isOk) {
              failed.push(pending[j]!);
              return;
            }
            const rec = decodeRow<R & Versioned>(table, {
              primaryKey: r.primaryKey ?? [],
              attributes: r.attributes ?? [],
            });
            if (rec) found.set(id, rec);
          });
          if (failed.length && attempt >= 2) {
            const r = rows[pending.indexOf(failed[0]!)];
            throw mapStoreError(
              { code: r?.errorCode ?? 'OTSInternalServerError', message: r?.errorMessage ?? '' },
              name,
            );
          }
          pending = failed;
        }
      }
      return keys.map((k) => found.get(JSON.stringify(table.pk.map((c) => k[c.name]))));
    },

    async batchWrite<R extends object>(table: TableDef, ops: BatchOp<R>[]): Promise<BatchResult[]> {
      const { sdk, client } = await conn();
      const name = tableName(table);
      const results: BatchResult[] = [];
      // Tablestore refuses a batch that touches one row twice: a repeated key starts a new
      // request, so ops still apply in the order given.
      const chunks: BatchOp<R>[][] = [];
      let seenKeys = new Set<string>();
      for (const op of ops) {
        const key = op.type === 'put' || op.type === 'create' ? keyOf(table, op.record) : op.key;
        const id = JSON.stringify(table.pk.map((c) => key[c.name]));
        const last = chunks[chunks.length - 1];
        if (!last || last.length >= BATCH_WRITE_MAX || seenKeys.has(id)) {
          chunks.push([op]);
          seenKeys = new Set([id]);
        } else {
          last.push(op);
          seenKeys.add(id);
        }
      }
      for (const chunk of chunks) {
        const versions: Array<number | undefined> = [];
        const rows = chunk.map((op) => {
          if (op.type === 'put' || op.type === 'create') {
            const v = op.type === 'create' ? 1 : ((op.record as Partial<Versioned>).version ?? 1);
            versions.push(v);
            return {
              type: 'PUT',
              condition: versionCondition(sdk, undefined, op.type === 'create' ? 'not-exist' : 'ignore'),
              primaryKey: encodeKey(table, keyOf(table, op.record), sdk),
              attributeColumns: encodeRecord(table, { ...op.record, version: v }, sdk),
            };
          }
          if (op.type === 'update') {
            const changes = cleanChanges(table, op.key, op.changes);
            const known = op.expectedVersion;
            versions.push(known === undefined ? undefined : known + 1);
            const cols = encodeChanges(table, known === undefined ? changes : { ...changes, version: known + 1 }, sdk);
            if (known === undefined) cols.push({ INCREMENT: [{ version: sdk.Long.fromNumber(1) }] });
            return {
              type: 'UPDATE',
              condition: versionCondition(sdk, known, 'exist'),
              primaryKey: encodeKey(table, op.key, sdk),
              attributeColumns: cols,
            };
          }
          versions.push(undefined);
          return {
            type: 'DELETE',
            condition: versionCondition(sdk, op.expectedVersion, op.expectedVersion === undefined ? 'ignore' : 'exist'),
            primaryKey: encodeKey(table, op.key, sdk),
            attributeColumns: [],
          };
        });
        let res: Awaited<ReturnType<typeof client.batchWriteRow>>;
        try {
          res = await client.batchWriteRow({ tables: [{ tableName: name, rows }] });
        } catch (e) {
          throw mapStoreError(e, name);
        }
        chunk.forEach((_, j) => {
          const r = res.tables[j];
          if (r?.isOk) {
            const v = versions[j];
            results.push(v === undefined ? { ok: true } : { ok: true, version: v });
          } else if (r?.errorCode === 'OTSConditionCheckFail') {
            results.push({ ok: false, code: 'Conflict', message: r.errorMessage ?? 'condition check failed' });
          } else {
            results.push({ ok: false, code: 'Internal', message: r?.errorCode ?? 'no result for this row' });
          }
        });
      }
      return results;
    },
  };
  Object.defineProperty(store, STORE_CLIENT, {
    value: { client: async () => (await conn()).client, tablePrefix: opts.tablePrefix },
    enumerable: false,
  });
  return store;
}
