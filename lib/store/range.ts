/**
 * Range bounds from a `RangeQuery`: pure, so the tricky INF_MIN/INF_MAX placement is unit-tested.
 * Leading columns fixed by `eq`; the next column bounded by `prefix` or `gte`/`lt`; the rest span
 * everything. Tuples use the markers `MIN`/`MAX`; the store swaps in the SDK's INF_MIN/INF_MAX.
 */
import { AppError } from '../core/errors';
import type { PkValue, RangeQuery, TableDef } from './types';

export const MIN = Symbol('INF_MIN');
export const MAX = Symbol('INF_MAX');
export type Bound = PkValue | typeof MIN | typeof MAX;

/** Greater than any ASCII/BMP text: the exclusive end of a string prefix. */
export const PREFIX_END = '\uffff';

export interface RangeBounds {
  /** Lowest key (inclusive). */
  low: Bound[];
  /** Highest key (exclusive). */
  high: Bound[];
}

const bug = (m: string) => new AppError('Internal', m);

/** The `[low, high)` tuple of a query over `table`. */
export function rangeBounds(table: TableDef, q: Pick<RangeQuery, 'eq' | 'prefix' | 'gte' | 'lt'>): RangeBounds {
  const pk = table.pk;
  const eqNames = Object.keys(q.eq ?? {});
  if (eqNames.length >= pk.length) throw bug(`store: range on ${table.name} fixes every key column; use get`);
  eqNames.forEach((name, i) => {
    if (pk[i]?.name !== name)
      throw bug(`store: range on ${table.name}: eq must fix leading key columns in order (got ${eqNames.join(',')})`);
  });
  const low: Bound[] = [];
  const high: Bound[] = [];
  for (const name of eqNames) {
    const v = q.eq![name]!;
    low.push(v);
    high.push(v);
  }
  const n = eqNames.length;
  let lo: Bound = MIN;
  let hi: Bound = MAX;
  if (q.prefix !== undefined) {
    if (q.gte !== undefined || q.lt !== undefined) throw bug(`store: range on ${table.name}: prefix excludes gte/lt`);
    if (q.prefix !== '') {
      lo = q.prefix;
      hi = q.prefix + PREFIX_END;
    }
  }
  if (q.gte !== undefined) lo = q.gte;
  if (q.lt !== undefined) hi = q.lt;
  low.push(lo);
  high.push(hi);
  // Past the bounded column: from the very first (low) to before the very first (high, when
  // the bounded column has a value, so that value itself is excluded) or to the very last.
  for (let i = n + 1; i < pk.length; i++) {
    low.push(MIN);
    high.push(hi === MAX ? MAX : MIN);
  }
  return { low, high };
}

/** Tablestore's order: INF_MIN < values < INF_MAX; strings by their UTF-8 bytes, integers by value. */
function compareBound(a: Bound, b: Bound): number {
  if (a === b) return 0;
  if (a === MIN || b === MAX) return -1;
  if (a === MAX || b === MIN) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  return Buffer.compare(Buffer.from(String(a), 'utf8'), Buffer.from(String(b), 'utf8'));
}

export function compareKeys(a: readonly Bound[], b: readonly Bound[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = compareBound(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/**
 * True when `start` is a key of `table` (each column of its type) inside the query's range:
 * `[low, high)` going forward, `(low, high]` going backward (a backward range starts at its high
 * end). A resume key the store made always is; anything else never reaches Tablestore.
 */
export function isStartInRange(table: TableDef, start: readonly PkValue[], b: RangeBounds, backward: boolean): boolean {
  if (start.length !== table.pk.length) return false;
  const typed = table.pk.every((col, i) => {
    const v = start[i];
    return col.type === 'int' ? Number.isSafeInteger(v) : typeof v === 'string';
  });
  if (!typed) return false;
  return backward
    ? compareKeys(start, b.low) > 0 && compareKeys(start, b.high) <= 0
    : compareKeys(start, b.low) >= 0 && compareKeys(start, b.high) < 0;
}
