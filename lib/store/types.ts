/**
 * The store contract every domain codes against. One `Store` per warm FC instance (built by
 * `lib/fc/deps`); tests build their own with `createStore`. Records are plain objects: every
 * top-level field becomes one Tablestore attribute column (see `codec.ts`), primary-key fields
 * become the row key, and every row carries a `version` for optimistic concurrency.
 */

/**
 * How a field is stored when inference is not enough. Without a declaration a field is stored by
 * its JS type: string → STRING, boolean → BOOLEAN, safe integer → INTEGER, other number → DOUBLE,
 * Buffer/Uint8Array → BINARY, object/array/null → STRING column `<field>Json` holding JSON.
 * - `double`: always DOUBLE (a ratio that happens to be whole).
 * - `int`: always INTEGER; a non-integer is a bug and throws.
 * - `int64`: a decimal string in JS, INTEGER in Tablestore: exact beyond 2^53.
 * - `json`: always `<field>Json`, even for a string value.
 */
export type FieldType = 'string' | 'int' | 'double' | 'bool' | 'json' | 'int64' | 'binary';

export interface PkColumn {
  name: string;
  /** STRING (default) or INTEGER. */
  type?: 'string' | 'int';
}

/** A table: its logical name (the store adds the configured prefix), row key and field overrides. */
export interface TableDef {
  /** Logical name, snake_case: `accounts` → physical `fleet_accounts`. */
  name: string;
  /** Primary-key columns in order (1–4). Their values come from the record's same-named fields. */
  pk: readonly PkColumn[];
  /** Per-field storage overrides; everything else is inferred. */
  fields?: Readonly<Record<string, FieldType>>;
}

/** Values a primary-key column can take. */
export type PkValue = string | number;

/** A row key: the table's primary-key fields by name. */
export type Key = Record<string, PkValue>;

/** Every stored row carries the version its last write gave it (1 after `create`). */
export interface Versioned {
  version: number;
}

/** A range over the primary key. Leading columns fixed by `eq`; the next one bounded or prefixed. */
export interface RangeQuery<R = Record<string, unknown>> {
  /** Values of the leading primary-key columns, in order (e.g. `{accountId}` on assets). */
  eq?: Key;
  /**
   * Bounds on the first primary-key column after `eq` (string prefix, or `gte`/`lt`).
   * Columns after that span everything.
   */
  prefix?: string;
  gte?: PkValue;
  lt?: PkValue;
  /** `forward` (ascending, default) or `backward` (newest first with time-ordered ids). */
  direction?: 'forward' | 'backward';
  /** Most items to return (default 100, at most 1000). */
  limit?: number;
  /** `nextCursor` of the previous page of the same query. */
  cursor?: string;
  /**
   * What else the listing's cursors are bound to (the in-memory filters, the caller's scope): a
   * cursor of the same range with other filters is refused like one of another range.
   */
  bind?: unknown;
  /** In-memory filter applied while paging; `limit` counts items that pass. */
  filter?: (record: R & Versioned) => boolean;
  /** Stop after reading this many rows even if fewer than `limit` passed the filter (default 5000). */
  maxScan?: number;
}

export interface Page<T> {
  items: T[];
  /** Opaque (base64url); absent when there is nothing more. */
  nextCursor?: string;
}

/** One row of a batch write. `update` and `delete` may carry an expected version. */
export type BatchOp<R = Record<string, unknown>> =
  | { type: 'put'; record: R }
  | { type: 'create'; record: R }
  | { type: 'update'; key: Key; expectedVersion?: number; changes: Partial<R> }
  | { type: 'delete'; key: Key; expectedVersion?: number };

export interface BatchResult {
  ok: boolean;
  /** Present when !ok: `Conflict` (condition failed) or `Internal`. */
  code?: 'Conflict' | 'Internal';
  message?: string;
  /** The row's version after a successful put/create/update. */
  version?: number;
}

export interface MutateOptions {
  /** How many times to re-read and retry after losing a race (default 10). */
  retries?: number;
}

/** What `mutate`'s function may answer: the changes to write, or `undefined` to write nothing. */
export type Mutator<R> = (current: R & Versioned) => Partial<R> | undefined | Promise<Partial<R> | undefined>;

export interface Store {
  /** Physical Tablestore name of a table (prefix + name). */
  tableName(table: TableDef): string;
  /** Inserts a new row with version 1. Existing row → `Conflict` with detail `{reason: 'AlreadyExists'}`. */
  create<R extends object>(table: TableDef, record: R): Promise<R & Versioned>;
  /** Unconditional overwrite (cache rows, idempotent upserts). Version = record.version ?? 1. */
  put<R extends object>(table: TableDef, record: R): Promise<void>;
  get<R extends object = Record<string, unknown>>(table: TableDef, key: Key): Promise<(R & Versioned) | undefined>;
  /**
   * Writes `changes` (undefined fields are deleted) only if the row's version is
   * `expectedVersion`; returns the new version. Lost race or missing row → `Conflict` with
   * detail `{reason: 'VersionMismatch'}`.
   */
  update<R extends object>(table: TableDef, key: Key, expectedVersion: number, changes: Partial<R>): Promise<number>;
  /** Read-modify-write that retries on version conflicts; returns the row as written. Missing row → `NotFound`. */
  mutate<R extends object>(table: TableDef, key: Key, fn: Mutator<R>, opts?: MutateOptions): Promise<R & Versioned>;
  /** Deletes a row; with `expectedVersion`, only that version (else `Conflict` VersionMismatch). Missing row is fine without it. */
  remove(table: TableDef, key: Key, expectedVersion?: number): Promise<void>;
  /** One page of a primary-key range. */
  range<R extends object = Record<string, unknown>>(
    table: TableDef,
    query?: RangeQuery<R>,
  ): Promise<Page<R & Versioned>>;
  /** Every row of a range, page by page (sweeper, cache clear). */
  scan<R extends object = Record<string, unknown>>(
    table: TableDef,
    query?: Omit<RangeQuery<R>, 'limit' | 'cursor' | 'maxScan'>,
  ): AsyncIterable<R & Versioned>;
  /** Rows by key, in the order asked; `undefined` where missing. Any number of keys. */
  batchGet<R extends object = Record<string, unknown>>(
    table: TableDef,
    keys: Key[],
  ): Promise<Array<(R & Versioned) | undefined>>;
  /** Many writes, per-row results in order (not atomic across rows). Any number of ops; a key may repeat (applied in order). */
  batchWrite<R extends object>(table: TableDef, ops: BatchOp<R>[]): Promise<BatchResult[]>;
}
