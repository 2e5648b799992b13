/**
 * Column conditions and filters (tablestore_filter.proto): parsed once from the request bytes,
 * then evaluated against a stored row. Used for write conditions and read filters alike.
 */
import { ots } from './errors';
import { readColumnValue } from './plain-buffer';
import { asBuffer, pbFilter } from './proto';
import { compareCell, type CellValue } from './values';

export type Comparator = 1 | 2 | 3 | 4 | 5 | 6; // EQUAL, NOT_EQUAL, GT, GE, LT, LE

export type ColumnFilter =
  | {
      kind: 'single';
      column: string;
      comparator: Comparator;
      value: CellValue;
      filterIfMissing: boolean;
      latestVersionOnly: boolean;
    }
  | { kind: 'composite'; op: 1 | 2 | 3; subs: ColumnFilter[] } // NOT, AND, OR
  | { kind: 'pagination'; offset: number; limit: number };

/** Versions of one column, newest first, as the engine stores them. */
export type ColumnVersions = { ts: number; value: CellValue }[];
/** What a filter needs from a row: column lookup by name (undefined = no such column / no row). */
export type RowView = (column: string) => ColumnVersions | undefined;

// biome-ignore lint/suspicious/noExplicitAny: a decoded protobuf message of any type
function decode(typeName: string, bytes: Buffer): any {
  try {
    return pbFilter[typeName]!.decode(bytes);
  } catch (e) {
    throw ots.parameterInvalid(`Invalid filter: ${(e as Error).message}`);
  }
}

/** Parses a serialised `Filter` message. */
export function parseFilter(bytes: Uint8Array): ColumnFilter {
  return fromFilterMsg(decode('Filter', asBuffer(bytes)));
}

function fromFilterMsg(f: { type: number; filter: Uint8Array }): ColumnFilter {
  const inner = asBuffer(f.filter);
  switch (f.type) {
    case 1: {
      const s = decode('SingleColumnValueFilter', inner);
      if (!(s.comparator >= 1 && s.comparator <= 6)) throw ots.parameterInvalid('Invalid comparator.');
      return {
        kind: 'single',
        column: s.columnName,
        comparator: s.comparator,
        value: readColumnValue(asBuffer(s.columnValue)),
        filterIfMissing: !!s.filterIfMissing,
        latestVersionOnly: !!s.latestVersionOnly,
      };
    }
    case 2: {
      const c = decode('CompositeColumnValueFilter', inner);
      const subs: ColumnFilter[] = (c.subFilters ?? []).map(fromFilterMsg);
      if (c.combinator === 1 && subs.length !== 1)
        throw ots.parameterInvalid('NOT condition must have exactly one sub condition.');
      if ((c.combinator === 2 || c.combinator === 3) && subs.length < 2) {
        throw ots.parameterInvalid('AND/OR condition must have at least two sub conditions.');
      }
      if (![1, 2, 3].includes(c.combinator)) throw ots.parameterInvalid('Invalid logical operator.');
      return { kind: 'composite', op: c.combinator, subs };
    }
    case 3: {
      const p = decode('ColumnPaginationFilter', inner);
      return { kind: 'pagination', offset: p.offset ?? 0, limit: p.limit ?? 0 };
    }
    default:
      throw ots.parameterInvalid(`Invalid filter type ${f.type}.`);
  }
}

function relationHolds(cmp: Comparator, a: CellValue, b: CellValue): boolean {
  const c = compareCell(a, b);
  if (c === undefined) return false;
  switch (cmp) {
    case 1:
      return c === 0;
    case 2:
      return c !== 0;
    case 3:
      return c > 0;
    case 4:
      return c >= 0;
    case 5:
      return c < 0;
    case 6:
      return c <= 0;
  }
}

/** True when the row (possibly absent: every column missing) satisfies the filter. */
export function evaluate(f: ColumnFilter, row: RowView): boolean {
  switch (f.kind) {
    case 'single': {
      const versions = row(f.column);
      if (!versions || versions.length === 0) return !f.filterIfMissing;
      const candidates = f.latestVersionOnly ? versions.slice(0, 1) : versions;
      return candidates.some((v) => relationHolds(f.comparator, v.value, f.value));
    }
    case 'composite':
      if (f.op === 1) return !evaluate(f.subs[0]!, row);
      if (f.op === 2) return f.subs.every((s) => evaluate(s, row));
      return f.subs.some((s) => evaluate(s, row));
    case 'pagination':
      return true;
  }
}
