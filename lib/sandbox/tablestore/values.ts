/** Cell and primary-key values as the sandbox stores them, their order and their persisted form. */

export type CellValue =
  | { t: 'int'; v: bigint }
  | { t: 'double'; v: number }
  | { t: 'bool'; v: boolean }
  | { t: 'str'; v: string }
  | { t: 'bin'; v: Buffer };

/** Primary-key values; `min`/`max` only in range bounds, `auto` only in writes to auto-increment keys. */
export type PkValue = Extract<CellValue, { t: 'int' | 'str' | 'bin' }> | { t: 'min' } | { t: 'max' } | { t: 'auto' };

export interface PkColumn {
  name: string;
  value: PkValue;
}

/** Schema types as tablestore.proto numbers them (PrimaryKeyType). */
export const PK_TYPE = { INTEGER: 1, STRING: 2, BINARY: 3 } as const;

export function pkTypeName(t: PkValue['t']): string {
  return { int: 'INTEGER', str: 'STRING', bin: 'BINARY', min: 'INF_MIN', max: 'INF_MAX', auto: 'AUTO_INCREMENT' }[t];
}

function cmpStr(a: string, b: string): number {
  // UTF-16 order equals UTF-8 byte order unless surrogates meet chars >= U+E000.
  if (a === b) return 0;
  if (/[\ud800-\uffff]/.test(a) || /[\ud800-\uffff]/.test(b)) return Buffer.compare(Buffer.from(a), Buffer.from(b));
  return a < b ? -1 : 1;
}

/** Orders two primary-key values of one column; INF_MIN/INF_MAX bound everything. */
export function comparePkValue(a: PkValue, b: PkValue): number {
  if (a.t === b.t) {
    switch (a.t) {
      case 'int':
        return a.v < (b as typeof a).v ? -1 : a.v > (b as typeof a).v ? 1 : 0;
      case 'str':
        return cmpStr(a.v, (b as typeof a).v);
      case 'bin':
        return Buffer.compare(a.v, (b as typeof a).v);
      default:
        return 0;
    }
  }
  if (a.t === 'min' || b.t === 'max') return -1;
  if (a.t === 'max' || b.t === 'min') return 1;
  const rank = { int: 0, str: 1, bin: 2, auto: 3 } as Record<string, number>;
  return (rank[a.t] ?? 0) - (rank[b.t] ?? 0);
}

/** Orders two primary keys column by column. */
export function comparePk(a: PkValue[], b: PkValue[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = comparePkValue(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/**
 * Compares two cell values for a column condition: undefined when the types differ (Tablestore
 * then treats the condition as not met), else -1/0/1.
 */
export function compareCell(a: CellValue, b: CellValue): number | undefined {
  if (a.t !== b.t) return undefined;
  switch (a.t) {
    case 'int':
    case 'double': {
      const bv = (b as typeof a).v;
      return a.v < bv ? -1 : a.v > bv ? 1 : 0;
    }
    case 'bool':
      return Number(a.v) - Number((b as typeof a).v);
    case 'str':
      return cmpStr(a.v, (b as typeof a).v);
    case 'bin':
      return Buffer.compare(a.v, (b as typeof a).v);
  }
}

/** JSON-safe persisted form: exact for int64 (decimal string) and double (raw bits). */
export type EncValue = ['i', string] | ['d', string] | ['b', 0 | 1] | ['s', string] | ['x', string];

export function encValue(v: CellValue | PkValue): EncValue {
  switch (v.t) {
    case 'int':
      return ['i', v.v.toString()];
    case 'double': {
      const b = Buffer.alloc(8);
      b.writeDoubleLE(v.v);
      return ['d', b.toString('hex')];
    }
    case 'bool':
      return ['b', v.v ? 1 : 0];
    case 'str':
      return ['s', v.v];
    case 'bin':
      return ['x', v.v.toString('base64')];
    default:
      throw new Error(`cannot persist ${v.t}`);
  }
}

export function decValue(e: EncValue): CellValue {
  switch (e[0]) {
    case 'i':
      return { t: 'int', v: BigInt(e[1]) };
    case 'd':
      return { t: 'double', v: Buffer.from(e[1], 'hex').readDoubleLE(0) };
    case 'b':
      return { t: 'bool', v: e[1] === 1 };
    case 's':
      return { t: 'str', v: e[1] };
    case 'x':
      return { t: 'bin', v: Buffer.from(e[1], 'base64') };
  }
}

/** A stable string key for a primary key (map lookups). */
export function pkKey(pk: PkValue[]): string {
  return JSON.stringify(pk.map(encValue));
}
