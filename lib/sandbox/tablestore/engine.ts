/**
 * The table engine: instances → tables → rows kept sorted by primary key, with cell versions,
 * conditions, reads with projections and ranges. Every mutation is persisted (a `Rec`) before it
 * is installed in memory, so what a client saw acknowledged is what a restart replays.
 */
import { evaluate, type ColumnFilter, type ColumnVersions, type RowView } from './conditions';
import { ots } from './errors';
import { CELL_OP, type OutRow, type ParsedCell } from './plain-buffer';
import {
  comparePk,
  decValue,
  encValue,
  pkKey,
  pkTypeName,
  PK_TYPE,
  type CellValue,
  type EncValue,
  type PkColumn,
  type PkValue,
} from './values';

export interface PkSchema {
  name: string;
  type: number;
  autoIncrement?: boolean;
}
export interface DefinedColumn {
  name: string;
  type: number;
}
export interface TableOptions {
  timeToLive: number;
  maxVersions: number;
  deviationCellVersionInSec: number;
  allowUpdate: boolean;
}

export interface Row {
  pk: PkValue[];
  cols: Map<string, ColumnVersions>;
}

export interface Table {
  name: string;
  pk: PkSchema[];
  defined: DefinedColumn[];
  options: TableOptions;
  reserved: { read: number; write: number };
  createdAtMs: number;
  rows: Row[];
  byKey: Map<string, Row>;
  autoSeq: bigint;
}

/** Persisted records: table create / update / delete, and a row's full state (null = deleted). */
export type Rec =
  | {
      k: 'ct';
      i: string;
      t: string;
      pk: PkSchema[];
      d: DefinedColumn[];
      o: TableOptions;
      r: { read: number; write: number };
      at: number;
    }
  | { k: 'ut'; i: string; t: string; o: TableOptions; r: { read: number; write: number } }
  | { k: 'dt'; i: string; t: string }
  | { k: 'r'; i: string; t: string; pk: EncValue[]; c: [string, [number, EncValue][]][] | null };

export interface Condition {
  existence: number;
  column?: ColumnFilter;
}
export interface ReadSpec {
  columnsToGet: string[];
  maxVersions?: number;
  timeRange?: { start?: number; end?: number; specific?: number };
  filter?: ColumnFilter;
  startColumn?: string;
  endColumn?: string;
}
/** ReturnContent: 1 = RT_PK, 2 = RT_AFTER_MODIFY (with column names). */
export interface ReturnSpec {
  type: number;
  columns: string[];
}

const RANGE_MAX_ROWS = 5000;
/** Tablestore also ends a GetRange page at about 4 MB of row data. */
const RANGE_MAX_BYTES = 4 * 1024 * 1024;

function approxSize(row: OutRow): number {
  let n = 16;
  for (const c of [...(row.pk ?? []), ...row.cells]) {
    const v = c.value;
    n += c.name.length + 16 + (v.t === 'str' ? Buffer.byteLength(v.v) : v.t === 'bin' ? v.v.length : 8);
  }
  return n;
}

export class Engine {
  private readonly instances = new Map<string, Map<string, Table>>();

  constructor(
    private readonly persist: (rec: Rec) => void,
    private readonly now: () => number = Date.now,
  ) {}

  // ---------------------------------------------------------------- tables

  private tables(instance: string): Map<string, Table> {
    let m = this.instances.get(instance);
    if (!m) this.instances.set(instance, (m = new Map()));
    return m;
  }

  table(instance: string, name: string): Table {
    const t = this.instances.get(instance)?.get(name);
    if (!t) throw ots.objectNotExist();
    return t;
  }

  createTable(
    instance: string,
    spec: {
      name: string;
      pk: PkSchema[];
      defined: DefinedColumn[];
      options: TableOptions;
      reserved: { read: number; write: number };
    },
  ): void {
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,254}$/.test(spec.name))
      throw ots.parameterInvalid(`Invalid table name: '${spec.name}'.`);
    if (spec.pk.length < 1 || spec.pk.length > 4) {
      throw ots.parameterInvalid(
        `The number of primary key columns must be in range: [1, 4]. Input: ${spec.pk.length}.`,
      );
    }
    const seen = new Set<string>();
    for (const c of spec.pk) {
      if (!/^[A-Za-z_][A-Za-z0-9_]{0,254}$/.test(c.name))
        throw ots.parameterInvalid(`Invalid column name: '${c.name}'.`);
      if (seen.has(c.name)) throw ots.parameterInvalid(`Duplicated primary key name: '${c.name}'.`);
      if (![PK_TYPE.INTEGER, PK_TYPE.STRING, PK_TYPE.BINARY].includes(c.type as 1))
        throw ots.parameterInvalid(`Invalid primary key type of '${c.name}'.`);
      if (c.autoIncrement && c.type !== PK_TYPE.INTEGER)
        throw ots.parameterInvalid('AUTO_INCREMENT primary key must be INTEGER.');
      seen.add(c.name);
    }
    if (spec.pk[0]?.autoIncrement)
      throw ots.parameterInvalid('The first primary key column can not be AUTO_INCREMENT.');
    if (spec.options.maxVersions < 1) throw ots.parameterInvalid('max_versions must be greater than 0.');
    if (this.tables(instance).has(spec.name)) throw ots.objectAlreadyExist();
    const rec: Rec = {
      k: 'ct',
      i: instance,
      t: spec.name,
      pk: spec.pk,
      d: spec.defined,
      o: spec.options,
      r: spec.reserved,
      at: this.now(),
    };
    this.persist(rec);
    this.apply(rec);
  }

  listTables(instance: string): string[] {
    return [...(this.instances.get(instance)?.keys() ?? [])].sort();
  }

  deleteTable(instance: string, name: string): void {
    this.table(instance, name);
    const rec: Rec = { k: 'dt', i: instance, t: name };
    this.persist(rec);
    this.apply(rec);
  }

  updateTable(
    instance: string,
    name: string,
    options: Partial<TableOptions>,
    reserved?: Partial<{ read: number; write: number }>,
  ): Table {
    const t = this.table(instance, name);
    const o: TableOptions = { ...t.options };
    for (const [k, v] of Object.entries(options))
      if (v !== undefined && v !== null) (o as unknown as Record<string, unknown>)[k] = v;
    if (o.maxVersions < 1) throw ots.parameterInvalid('max_versions must be greater than 0.');
    const r = { read: reserved?.read ?? t.reserved.read, write: reserved?.write ?? t.reserved.write };
    const rec: Rec = { k: 'ut', i: instance, t: name, o, r };
    this.persist(rec);
    this.apply(rec);
    return t;
  }

  // ---------------------------------------------------------------- persistence

  /** Installs one persisted record (live mutation and replay alike). */
  apply(rec: Rec): void {
    const tables = this.tables(rec.i);
    switch (rec.k) {
      case 'ct':
        tables.set(rec.t, {
          name: rec.t,
          pk: rec.pk,
          defined: rec.d,
          options: rec.o,
          reserved: rec.r,
          createdAtMs: rec.at,
          rows: [],
          byKey: new Map(),
          autoSeq: 0n,
        });
        return;
      case 'ut': {
        const t = tables.get(rec.t);
        if (t) {
          t.options = rec.o;
          t.reserved = rec.r;
        }
        return;
      }
      case 'dt':
        tables.delete(rec.t);
        return;
      case 'r': {
        const t = tables.get(rec.t);
        if (!t) return;
        const pk = rec.pk.map(decValue) as PkValue[];
        const row = rec.c
          ? { pk, cols: new Map(rec.c.map(([n, vs]) => [n, vs.map(([ts, v]) => ({ ts, value: decValue(v) }))])) }
          : null;
        this.install(t, pk, row);
      }
    }
  }

  /** Every record needed to rebuild the current state (snapshot content). */
  *dump(): Generator<Rec> {
    for (const [i, tables] of this.instances) {
      for (const t of tables.values()) {
        yield { k: 'ct', i, t: t.name, pk: t.pk, d: t.defined, o: t.options, r: t.reserved, at: t.createdAtMs };
        for (const row of t.rows) yield rowRec(i, t.name, row.pk, row);
      }
    }
  }

  private install(t: Table, pk: PkValue[], row: Row | null): void {
    const key = pkKey(pk);
    const existing = t.byKey.get(key);
    const auto = t.pk.findIndex((c) => c.autoIncrement);
    if (auto >= 0 && row) {
      const v = pk[auto];
      if (v?.t === 'int' && v.v > t.autoSeq) t.autoSeq = v.v;
    }
    if (row) {
      if (existing) {
        existing.cols = row.cols;
        return;
      }
      t.rows.splice(lowerBound(t.rows, pk), 0, row);
      t.byKey.set(key, row);
    } else if (existing) {
      const idx = lowerBound(t.rows, pk);
      if (t.rows[idx] === existing) t.rows.splice(idx, 1);
      else t.rows.splice(t.rows.indexOf(existing), 1);
      t.byKey.delete(key);
    }
  }

  private commit(instance: string, t: Table, pk: PkValue[], row: Row | null): void {
    this.persist(rowRec(instance, t.name, pk, row));
    this.install(t, pk, row);
  }

  // ---------------------------------------------------------------- keys

  /** Validates a written or read primary key against the schema (auto-increment allowed on puts). */
  checkPk(t: Table, pk: PkColumn[], mode: 'read' | 'put' | 'write' | 'range'): PkValue[] {
    if (pk.length !== t.pk.length)
      throw ots.parameterInvalid(`Validate PK size fail. Input: ${pk.length}, Meta: ${t.pk.length}.`);
    return pk.map((c, i) => {
      const s = t.pk[i]!;
      if (c.name !== s.name) throw ots.parameterInvalid(`Validate PK name fail. Input: ${c.name}, Meta: ${s.name}.`);
      const v = c.value;
      if (v.t === 'min' || v.t === 'max') {
        if (mode !== 'range')
          throw ots.parameterInvalid(`INF_MIN or INF_MAX is not allowed in primary key of this operation: ${c.name}.`);
        return v;
      }
      if (v.t === 'auto') {
        if (mode !== 'put' || !s.autoIncrement)
          throw ots.parameterInvalid(`Validate PK type fail. Input: AUTO_INCREMENT, Meta: ${schemaTypeName(s.type)}.`);
        return v;
      }
      const want = s.type === PK_TYPE.INTEGER ? 'int' : s.type === PK_TYPE.STRING ? 'str' : 'bin';
      if (v.t !== want)
        throw ots.parameterInvalid(
          `Validate PK type fail. Input: ${pkTypeName(v.t)}, Meta: ${schemaTypeName(s.type)}.`,
        );
      return v;
    });
  }

  // ---------------------------------------------------------------- views

  /** Live versions of a column (TTL applied), newest first. */
  private versions(t: Table, row: Row | undefined, name: string): ColumnVersions | undefined {
    const vs = row?.cols.get(name);
    if (!vs || t.options.timeToLive <= 0) return vs;
    const cutoff = this.now() - t.options.timeToLive * 1000;
    const live = vs.filter((v) => v.ts >= cutoff);
    return live.length ? live : undefined;
  }

  /** Column lookup for conditions and filters; primary-key columns can be compared too. */
  private view(t: Table, row: Row | undefined): RowView {
    return (name) => {
      const k = row ? t.pk.findIndex((c) => c.name === name) : -1;
      if (k >= 0) return [{ ts: 0, value: row!.pk[k] as CellValue }];
      return this.versions(t, row, name);
    };
  }

  /** A stored row whose every cell outlived the table's TTL reads as absent. */
  private live(t: Table, row: Row | undefined): Row | undefined {
    if (!row || t.options.timeToLive <= 0 || row.cols.size === 0) return row;
    for (const name of row.cols.keys()) if (this.versions(t, row, name)) return row;
    return undefined;
  }

  private check(t: Table, stored: Row | undefined, cond: Condition): void {
    const row = this.live(t, stored);
    if (cond.existence === 1 && !row) throw ots.conditionCheckFail();
    if (cond.existence === 2 && row) throw ots.conditionCheckFail();
    if (cond.column && !evaluate(cond.column, this.view(t, row))) throw ots.conditionCheckFail();
  }

  private pkColumns(t: Table, pk: PkValue[]): PkColumn[] {
    return pk.map((value, i) => ({ name: t.pk[i]!.name, value }));
  }

  /** Projects a stored row for a read; undefined when the filter rejects it or nothing is left. */
  private project(t: Table, row: Row, spec: ReadSpec): OutRow | undefined {
    if (!this.live(t, row)) return undefined;
    if (spec.filter && spec.filter.kind !== 'pagination' && !evaluate(spec.filter, this.view(t, row))) return undefined;
    const wanted = spec.columnsToGet.length ? new Set(spec.columnsToGet) : undefined;
    const tr = spec.timeRange;
    const max = spec.maxVersions && spec.maxVersions > 0 ? spec.maxVersions : tr ? Infinity : 1;
    let names = [...row.cols.keys()].sort();
    if (wanted) names = names.filter((n) => wanted.has(n));
    if (spec.startColumn !== undefined) names = names.filter((n) => n >= spec.startColumn!);
    if (spec.endColumn !== undefined) names = names.filter((n) => n < spec.endColumn!);
    const cells: OutRow['cells'] = [];
    const perColumn: OutRow['cells'][] = [];
    for (const name of names) {
      let vs = this.versions(t, row, name) ?? [];
      if (tr?.specific !== undefined) vs = vs.filter((v) => v.ts === tr.specific);
      else if (tr)
        vs = vs.filter((v) => (tr.start === undefined || v.ts >= tr.start) && (tr.end === undefined || v.ts < tr.end));
      if (vs.length) perColumn.push(vs.slice(0, max).map((v) => ({ name, value: v.value, ts: v.ts })));
    }
    const page =
      spec.filter?.kind === 'pagination'
        ? perColumn.slice(spec.filter.offset, spec.filter.offset + spec.filter.limit)
        : perColumn;
    for (const c of page) cells.push(...c);
    const pk = wanted ? this.pkColumns(t, row.pk).filter((c) => wanted.has(c.name)) : this.pkColumns(t, row.pk);
    if (wanted && pk.length === 0 && cells.length === 0) return undefined;
    return { pk, cells };
  }

  private returned(t: Table, pk: PkValue[], row: Row | null, ret: ReturnSpec | undefined): OutRow | undefined {
    if (!ret?.type) return undefined;
    const out: OutRow = { pk: this.pkColumns(t, pk), cells: [] };
    if (ret.type === 2 && row) {
      for (const name of ret.columns) {
        const v = row.cols.get(name)?.[0];
        if (v) out.cells.push({ name, value: v.value, ts: v.ts });
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- rows

  getRow(instance: string, table: string, pk: PkColumn[], spec: ReadSpec): OutRow | undefined {
    const t = this.table(instance, table);
    const key = this.checkPk(t, pk, 'read');
    const row = t.byKey.get(pkKey(key));
    return row ? this.project(t, row, spec) : undefined;
  }

  private stamp(t: Table, ts: number | undefined, now: number): number {
    if (ts === undefined) return now;
    const dev = (t.options.deviationCellVersionInSec || 86400) * 1000;
    if (ts < 0 || Math.abs(ts - now) > dev) {
      throw ots.parameterInvalid(`The timestamp of cell is out of range of max_time_deviation. Timestamp: ${ts}.`);
    }
    return ts;
  }

  private addVersion(t: Table, vs: ColumnVersions, ts: number, value: CellValue): ColumnVersions {
    const out = vs.filter((v) => v.ts !== ts);
    out.push({ ts, value });
    out.sort((a, b) => b.ts - a.ts);
    return out.slice(0, t.options.maxVersions);
  }

  private resolveAuto(t: Table, pk: PkValue[]): PkValue[] {
    if (!pk.some((v) => v.t === 'auto')) return pk;
    const next = BigInt(this.now()) * 1000n;
    t.autoSeq = next > t.autoSeq ? next : t.autoSeq + 1n;
    return pk.map((v) => (v.t === 'auto' ? { t: 'int', v: t.autoSeq } : v));
  }

  putRow(
    instance: string,
    table: string,
    pkIn: PkColumn[],
    cells: ParsedCell[],
    cond: Condition,
    ret?: ReturnSpec,
  ): OutRow | undefined {
    const t = this.table(instance, table);
    const pk = this.resolveAuto(t, this.checkPk(t, pkIn, 'put'));
    const existing = t.byKey.get(pkKey(pk));
    this.check(t, existing, cond);
    const now = this.now();
    const cols = new Map<string, ColumnVersions>();
    for (const c of cells) {
      if (c.op !== undefined || !c.value) throw ots.parameterInvalid(`Invalid cell of column ${c.name} in PutRow.`);
      if (t.pk.some((p) => p.name === c.name))
        throw ots.parameterInvalid(`Attribute column name conflicts with primary key: ${c.name}.`);
      cols.set(c.name, this.addVersion(t, cols.get(c.name) ?? [], this.stamp(t, c.ts, now), c.value));
    }
    const row: Row = { pk, cols };
    this.commit(instance, t, pk, row);
    return this.returned(t, pk, row, ret);
  }

  updateRow(
    instance: string,
    table: string,
    pkIn: PkColumn[],
    cells: ParsedCell[],
    cond: Condition,
    ret?: ReturnSpec,
  ): OutRow | undefined {
    const t = this.table(instance, table);
    const pk = this.checkPk(t, pkIn, 'write');
    const existing = t.byKey.get(pkKey(pk));
    this.check(t, existing, cond);
    const now = this.now();
    const cols = new Map(existing?.cols ?? []);
    for (const c of cells) {
      if (t.pk.some((p) => p.name === c.name))
        throw ots.parameterInvalid(`Attribute column name conflicts with primary key: ${c.name}.`);
      switch (c.op) {
        case undefined:
          if (!c.value) throw ots.parameterInvalid(`Missing value of column ${c.name}.`);
          cols.set(c.name, this.addVersion(t, cols.get(c.name) ?? [], this.stamp(t, c.ts, now), c.value));
          break;
        case CELL_OP.DELETE_ALL_VERSION:
          cols.delete(c.name);
          break;
        case CELL_OP.DELETE_ONE_VERSION: {
          if (c.ts === undefined)
            throw ots.parameterInvalid(`Timestamp is required to delete one version of ${c.name}.`);
          const vs = (cols.get(c.name) ?? []).filter((v) => v.ts !== c.ts);
          if (vs.length) cols.set(c.name, vs);
          else cols.delete(c.name);
          break;
        }
        case CELL_OP.INCREMENT: {
          if (c.value?.t !== 'int')
            throw ots.parameterInvalid(`The increment value of column ${c.name} must be INTEGER.`);
          const latest = this.versions(t, existing, c.name)?.[0];
          if (latest && latest.value.t !== 'int')
            throw ots.parameterInvalid(`The type of column ${c.name} is not INTEGER.`);
          const base = latest?.value.t === 'int' ? latest.value.v : 0n;
          const sum = BigInt.asIntN(64, base + c.value.v);
          cols.set(c.name, this.addVersion(t, cols.get(c.name) ?? [], now, { t: 'int', v: sum }));
          break;
        }
        default:
          throw ots.parameterInvalid(`Invalid cell type ${c.op} of column ${c.name}.`);
      }
    }
    // The row exists afterwards even with no attribute column left (only DeleteRow removes it).
    const row: Row = { pk, cols };
    this.commit(instance, t, pk, row);
    return this.returned(t, pk, row, ret);
  }

  deleteRow(instance: string, table: string, pkIn: PkColumn[], cond: Condition, ret?: ReturnSpec): OutRow | undefined {
    const t = this.table(instance, table);
    const pk = this.checkPk(t, pkIn, 'write');
    const existing = t.byKey.get(pkKey(pk));
    this.check(t, existing, cond);
    if (existing) this.commit(instance, t, pk, null);
    return this.returned(t, pk, null, ret);
  }

  getRange(
    instance: string,
    table: string,
    req: { start: PkColumn[]; end: PkColumn[]; backward: boolean; limit?: number; read: ReadSpec },
  ): { rows: OutRow[]; next?: PkColumn[] } {
    const t = this.table(instance, table);
    const start = this.checkPk(t, req.start, 'range');
    const end = this.checkPk(t, req.end, 'range');
    const c = comparePk(start, end);
    if (!req.backward && c > 0) throw ots.parameterInvalid('Begin key must less than end key in FORWARD');
    if (req.backward && c < 0) throw ots.parameterInvalid('Begin key must more than end key in BACKWARD');
    if (req.limit !== undefined && req.limit < 0) throw ots.parameterInvalid('The limit must be greater than 0.');
    const limit = Math.min(req.limit && req.limit > 0 ? req.limit : RANGE_MAX_ROWS, RANGE_MAX_ROWS);
    const rows: OutRow[] = [];
    const step = req.backward ? -1 : 1;
    let bytes = 0;
    let i = req.backward ? upperBound(t.rows, start) - 1 : lowerBound(t.rows, start);
    const inRange = (r: Row): boolean => (req.backward ? comparePk(r.pk, end) > 0 : comparePk(r.pk, end) < 0);
    for (; i >= 0 && i < t.rows.length; i += step) {
      const row = t.rows[i]!;
      if (!inRange(row)) return { rows };
      if (rows.length >= limit || bytes >= RANGE_MAX_BYTES) return { rows, next: this.pkColumns(t, row.pk) };
      const out = this.project(t, row, req.read);
      if (out) {
        rows.push(out);
        bytes += approxSize(out);
      }
    }
    return { rows };
  }

  /** Number of rows in a table (tests, diagnostics). */
  rowCount(instance: string, table: string): number {
    return this.table(instance, table).rows.length;
  }
}

function schemaTypeName(type: number): string {
  return type === PK_TYPE.INTEGER ? 'INTEGER' : type === PK_TYPE.STRING ? 'STRING' : 'BINARY';
}

function rowRec(i: string, t: string, pk: PkValue[], row: Row | null): Rec {
  return {
    k: 'r',
    i,
    t,
    pk: pk.map(encValue),
    c: row ? [...row.cols].map(([n, vs]) => [n, vs.map((v) => [v.ts, encValue(v.value)] as [number, EncValue])]) : null,
  };
}

/** First index whose row key is >= pk. */
function lowerBound(rows: Row[], pk: PkValue[]): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (comparePk(rows[mid]!.pk, pk) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose row key is > pk. */
function upperBound(rows: Row[], pk: PkValue[]): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (comparePk(rows[mid]!.pk, pk) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
