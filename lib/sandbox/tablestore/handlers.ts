/**
 * One function per Tablestore operation: decode the protobuf request (rows inside in
 * PlainBuffer), run it on the engine, encode the protobuf response the SDK decodes.
 */
import { parseFilter } from './conditions';
import type { Condition, Engine, ReadSpec, ReturnSpec, TableOptions } from './engine';
import { OtsError, ots } from './errors';
import { readRow, writeRow, writeRows, type OutRow } from './plain-buffer';
import { asBuffer, encodeMsg, longToNumber, msgType } from './proto';
import { pkKey } from './values';

// biome-ignore lint/suspicious/noExplicitAny: protobuf messages are decoded without generated types
type Msg = any;
export type OperationHandler = (engine: Engine, instance: string, body: Buffer) => Buffer;

const BATCH_GET_MAX = 100;
const BATCH_WRITE_MAX = 200;
const consumed = (read: number, write: number) => ({ capacityUnit: { read, write } });

function decode(name: string, body: Buffer): Msg {
  try {
    return msgType(name).decode(body);
  } catch (e) {
    throw ots.parameterInvalid(`Failed to parse ${name}: ${(e as Error).message}`);
  }
}

const has = (m: Msg, field: string): boolean => Object.hasOwn(m, field) && m[field] !== null;

function readSpec(m: Msg): ReadSpec {
  const spec: ReadSpec = { columnsToGet: m.columnsToGet ?? [] };
  if (has(m, 'maxVersions')) spec.maxVersions = m.maxVersions;
  if (has(m, 'timeRange')) {
    const tr = m.timeRange;
    spec.timeRange = {
      start: has(tr, 'startTime') ? longToNumber(tr.startTime) : undefined,
      end: has(tr, 'endTime') ? longToNumber(tr.endTime) : undefined,
      specific: has(tr, 'specificTime') ? longToNumber(tr.specificTime) : undefined,
    };
  }
  if (has(m, 'filter') && m.filter.length > 0) spec.filter = parseFilter(m.filter);
  if (has(m, 'startColumn')) spec.startColumn = m.startColumn;
  if (has(m, 'endColumn')) spec.endColumn = m.endColumn;
  return spec;
}

function condition(m: Msg): Condition {
  const c = m.condition;
  if (!c) throw ots.parameterInvalid('Missing condition.');
  const cond: Condition = { existence: c.rowExistence ?? 0 };
  if (![0, 1, 2].includes(cond.existence)) throw ots.parameterInvalid('Invalid row existence expectation.');
  if (has(c, 'columnCondition') && c.columnCondition.length > 0) cond.column = parseFilter(c.columnCondition);
  return cond;
}

function returnSpec(m: Msg): ReturnSpec | undefined {
  const r = m.returnContent;
  if (!r?.returnType) return undefined;
  return { type: r.returnType, columns: r.returnColumnNames ?? [] };
}

function tableOptions(o: Msg | undefined): Partial<TableOptions> {
  if (!o) return {};
  return {
    timeToLive: has(o, 'timeToLive') ? o.timeToLive : undefined,
    maxVersions: has(o, 'maxVersions') ? o.maxVersions : undefined,
    deviationCellVersionInSec: has(o, 'deviationCellVersionInSec')
      ? longToNumber(o.deviationCellVersionInSec)
      : undefined,
    allowUpdate: has(o, 'allowUpdate') ? o.allowUpdate : undefined,
  };
}

function describeTableOptions(o: TableOptions): object {
  return {
    timeToLive: o.timeToLive,
    maxVersions: o.maxVersions,
    deviationCellVersionInSec: o.deviationCellVersionInSec,
    allowUpdate: o.allowUpdate,
  };
}

function tableError(e: unknown): { isOk: false; error: { code: string; message: string } } {
  if (!(e instanceof OtsError)) throw e;
  return { isOk: false, error: { code: e.code, message: e.message } };
}

function writeOne(
  engine: Engine,
  instance: string,
  table: string,
  type: number,
  rowChange: Buffer,
  m: Msg,
): OutRow | undefined {
  const row = readRow(rowChange);
  const cond = condition(m);
  const ret = returnSpec(m);
  switch (type) {
    case 1:
      return engine.putRow(instance, table, row.pk, row.cells, cond, ret);
    case 2:
      return engine.updateRow(instance, table, row.pk, row.cells, cond, ret);
    case 3:
      return engine.deleteRow(instance, table, row.pk, cond, ret);
    default:
      throw ots.parameterInvalid(`Invalid operation type ${type}.`);
  }
}

/** Tablestore refuses a batch naming one table twice or one row twice. */
function rejectDuplicates(tables: { table: string; rows: Uint8Array[] }[]): void {
  const names = new Set<string>();
  for (const t of tables) {
    if (names.has(t.table)) throw ots.parameterInvalid(`Duplicated table name: '${t.table}'.`);
    names.add(t.table);
    const keys = new Set<string>();
    for (const bytes of t.rows) {
      let key: string;
      try {
        key = pkKey(readRow(asBuffer(bytes)).pk.map((c) => c.value));
      } catch {
        continue; // reported on the row itself
      }
      if (keys.has(key)) throw ots.parameterInvalid(`Duplicated primary key in table '${t.table}'.`);
      keys.add(key);
    }
  }
}

export const operations: Record<string, OperationHandler> = {
  CreateTable(engine, instance, body) {
    const m = decode('CreateTableRequest', body);
    const o = tableOptions(m.tableOptions);
    engine.createTable(instance, {
      name: m.tableMeta.tableName,
      pk: (m.tableMeta.primaryKey ?? []).map((p: Msg) => ({
        name: p.name,
        type: p.type,
        ...(has(p, 'option') && p.option === 1 ? { autoIncrement: true } : {}),
      })),
      defined: (m.tableMeta.definedColumn ?? []).map((d: Msg) => ({ name: d.name, type: d.type })),
      options: {
        timeToLive: o.timeToLive ?? -1,
        maxVersions: o.maxVersions ?? 1,
        deviationCellVersionInSec: o.deviationCellVersionInSec ?? 86400,
        allowUpdate: o.allowUpdate ?? true,
      },
      reserved: {
        read: m.reservedThroughput?.capacityUnit?.read ?? 0,
        write: m.reservedThroughput?.capacityUnit?.write ?? 0,
      },
    });
    return encodeMsg('CreateTableResponse', {});
  },

  ListTable(engine, instance, body) {
    decode('ListTableRequest', body);
    return encodeMsg('ListTableResponse', { tableNames: engine.listTables(instance) });
  },

  DescribeTable(engine, instance, body) {
    const m = decode('DescribeTableRequest', body);
    const t = engine.table(instance, m.tableName);
    return encodeMsg('DescribeTableResponse', {
      tableMeta: {
        tableName: t.name,
        primaryKey: t.pk.map((p) => ({ name: p.name, type: p.type, ...(p.autoIncrement ? { option: 1 } : {}) })),
        definedColumn: t.defined,
      },
      reservedThroughputDetails: { capacityUnit: t.reserved, lastIncreaseTime: Math.floor(t.createdAtMs / 1000) },
      tableOptions: describeTableOptions(t.options),
      tableStatus: 1,
    });
  },

  DeleteTable(engine, instance, body) {
    const m = decode('DeleteTableRequest', body);
    engine.deleteTable(instance, m.tableName);
    return encodeMsg('DeleteTableResponse', {});
  },

  UpdateTable(engine, instance, body) {
    const m = decode('UpdateTableRequest', body);
    const cu = m.reservedThroughput?.capacityUnit;
    const t = engine.updateTable(
      instance,
      m.tableName,
      tableOptions(m.tableOptions),
      cu ? { read: cu.read, write: cu.write } : undefined,
    );
    return encodeMsg('UpdateTableResponse', {
      reservedThroughputDetails: { capacityUnit: t.reserved, lastIncreaseTime: Math.floor(t.createdAtMs / 1000) },
      tableOptions: describeTableOptions(t.options),
    });
  },

  GetRow(engine, instance, body) {
    const m = decode('GetRowRequest', body);
    const pk = readRow(asBuffer(m.primaryKey)).pk;
    const row = engine.getRow(instance, m.tableName, pk, readSpec(m));
    return encodeMsg('GetRowResponse', { consumed: consumed(1, 0), row: writeRow(row) });
  },

  PutRow(engine, instance, body) {
    const m = decode('PutRowRequest', body);
    const out = writeOne(engine, instance, m.tableName, 1, asBuffer(m.row), m);
    return encodeMsg('PutRowResponse', { consumed: consumed(0, 1), row: writeRow(out) });
  },

  UpdateRow(engine, instance, body) {
    const m = decode('UpdateRowRequest', body);
    const out = writeOne(engine, instance, m.tableName, 2, asBuffer(m.rowChange), m);
    return encodeMsg('UpdateRowResponse', { consumed: consumed(0, 1), row: writeRow(out) });
  },

  DeleteRow(engine, instance, body) {
    const m = decode('DeleteRowRequest', body);
    const out = writeOne(engine, instance, m.tableName, 3, asBuffer(m.primaryKey), m);
    return encodeMsg('DeleteRowResponse', { consumed: consumed(0, 1), row: writeRow(out) });
  },

  GetRange(engine, instance, body) {
    const m = decode('GetRangeRequest', body);
    const res = engine.getRange(instance, m.tableName, {
      start: readRow(asBuffer(m.inclusiveStartPrimaryKey)).pk,
      end: readRow(asBuffer(m.exclusiveEndPrimaryKey)).pk,
      backward: m.direction === 1,
      limit: has(m, 'limit') ? m.limit : undefined,
      read: readSpec(m),
    });
    return encodeMsg('GetRangeResponse', {
      consumed: consumed(Math.max(1, res.rows.length), 0),
      rows: writeRows(res.rows),
      ...(res.next ? { nextStartPrimaryKey: writeRow({ pk: res.next, cells: [] }) } : {}),
    });
  },

  BatchGetRow(engine, instance, body) {
    const m = decode('BatchGetRowRequest', body);
    const tables: Msg[] = m.tables ?? [];
    const count = tables.reduce((n, t) => n + (t.primaryKey?.length ?? 0), 0);
    if (count > BATCH_GET_MAX) throw ots.parameterInvalid(`Rows count exceeds the upper limit: ${BATCH_GET_MAX}.`);
    rejectDuplicates(tables.map((t) => ({ table: t.tableName, rows: (t.primaryKey ?? []) as Uint8Array[] })));
    return encodeMsg('BatchGetRowResponse', {
      tables: tables.map((t) => {
        const spec = readSpec(t);
        return {
          tableName: t.tableName,
          rows: (t.primaryKey ?? []).map((pkBytes: Uint8Array) => {
            try {
              const row = engine.getRow(instance, t.tableName, readRow(asBuffer(pkBytes)).pk, spec);
              return { isOk: true, consumed: consumed(1, 0), row: writeRow(row) };
            } catch (e) {
              return tableError(e);
            }
          }),
        };
      }),
    });
  },

  BatchWriteRow(engine, instance, body) {
    const m = decode('BatchWriteRowRequest', body);
    const tables: Msg[] = m.tables ?? [];
    const count = tables.reduce((n, t) => n + (t.rows?.length ?? 0), 0);
    if (count > BATCH_WRITE_MAX) throw ots.parameterInvalid(`Rows count exceeds the upper limit: ${BATCH_WRITE_MAX}.`);
    if (count === 0) throw ots.parameterInvalid('No row specified in the request of BatchWriteRow.');
    rejectDuplicates(
      tables.map((t) => ({ table: t.tableName, rows: (t.rows ?? []).map((r: Msg) => r.rowChange as Uint8Array) })),
    );
    return encodeMsg('BatchWriteRowResponse', {
      tables: tables.map((t) => ({
        tableName: t.tableName,
        rows: (t.rows ?? []).map((r: Msg) => {
          try {
            const out = writeOne(engine, instance, t.tableName, r.type, asBuffer(r.rowChange), r);
            return { isOk: true, consumed: consumed(0, 1), ...(out ? { row: writeRow(out) } : {}) };
          } catch (e) {
            return tableError(e);
          }
        }),
      })),
    });
  },
};
