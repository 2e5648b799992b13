/**
 * Record ⇄ Tablestore row. One top-level field = one attribute column, so an update writes only
 * the fields it changes. Types follow `FieldType` (types.ts): inferred from the JS value unless the
 * table declares the field. Objects, arrays and null live in STRING columns named `<field>Json`;
 * field names ending in `Json` are therefore reserved.
 */
import { AppError } from '../core/errors';
import { isInt64, type Sdk, type SdkRow } from './sdk';
import type { FieldType, Key, PkValue, TableDef } from './types';

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,250}$/;
const JSON_SUFFIX = 'Json';

/** A programming error in what a domain asked the store to write: never the user's fault. */
const bug = (message: string) => new AppError('Internal', message);

/** The SDK's `[{name: value}]` key, in primary-key order. Missing or mistyped parts are bugs. */
export function encodeKey(table: TableDef, key: Key, sdk: Pick<Sdk, 'Long'>): Array<Record<string, unknown>> {
  return table.pk.map((col) => {
    const v = key[col.name];
    if (v === undefined) throw bug(`store: ${table.name} key lacks ${col.name}`);
    return { [col.name]: encodePkValue(table, col.name, v, col.type ?? 'string', sdk) };
  });
}

function encodePkValue(
  table: TableDef,
  name: string,
  v: PkValue,
  type: 'string' | 'int',
  sdk: Pick<Sdk, 'Long'>,
): unknown {
  if (type === 'int') {
    if (typeof v !== 'number' || !Number.isSafeInteger(v))
      throw bug(`store: ${table.name}.${name} must be a safe integer`);
    return sdk.Long.fromNumber(v);
  }
  if (typeof v !== 'string' || v === '') throw bug(`store: ${table.name}.${name} must be a non-empty string`);
  return v;
}

/** The key of a record: its primary-key fields. */
export function keyOf(table: TableDef, record: object): Key {
  const r = record as Record<string, unknown>;
  const key: Key = {};
  for (const col of table.pk) {
    const v = r[col.name];
    if (typeof v !== 'string' && typeof v !== 'number')
      throw bug(`store: ${table.name} record lacks key field ${col.name}`);
    key[col.name] = v;
  }
  return key;
}

const isPk = (table: TableDef, field: string) => table.pk.some((c) => c.name === field);

/** One field → `[columnName, sdkValue]`. `undefined` is not encodable here (see `encodeChanges`). */
export function encodeField(table: TableDef, field: string, value: unknown, sdk: Pick<Sdk, 'Long'>): [string, unknown] {
  if (!NAME.test(field)) throw bug(`store: ${table.name}: "${field}" is not a valid column name`);
  if (field.endsWith(JSON_SUFFIX))
    throw bug(`store: ${table.name}: field names ending in "Json" are reserved (${field})`);
  const declared: FieldType | undefined = table.fields?.[field];
  const where = `${table.name}.${field}`;
  switch (declared) {
    case 'json':
      return [field + JSON_SUFFIX, JSON.stringify(value)];
    case 'int64':
      if (typeof value === 'bigint') return [field, sdk.Long.fromString(value.toString())];
      if (typeof value !== 'string' || !/^-?\d{1,19}$/.test(value))
        throw bug(`store: ${where} must be a decimal int64 string`);
      if (BigInt(value) > 2n ** 63n - 1n || BigInt(value) < -(2n ** 63n)) throw bug(`store: ${where} is outside int64`);
      return [field, sdk.Long.fromString(value)];
    case 'int':
      if (typeof value !== 'number' || !Number.isSafeInteger(value))
        throw bug(`store: ${where} must be a safe integer`);
      return [field, sdk.Long.fromNumber(value)];
    case 'double':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw bug(`store: ${where} must be a finite number`);
      return [field, value];
    case 'string':
      if (typeof value !== 'string') throw bug(`store: ${where} must be a string`);
      return [field, value];
    case 'bool':
      if (typeof value !== 'boolean') throw bug(`store: ${where} must be a boolean`);
      return [field, value];
    case 'binary':
      if (!(value instanceof Uint8Array)) throw bug(`store: ${where} must be bytes`);
      return [field, Buffer.from(value)];
    case undefined:
      break;
  }
  if (typeof value === 'string' || typeof value === 'boolean') return [field, value];
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw bug(`store: ${where} must be a finite number`);
    return [field, Number.isSafeInteger(value) ? sdk.Long.fromNumber(value) : value];
  }
  if (typeof value === 'bigint') return [field, sdk.Long.fromString(value.toString())];
  if (value instanceof Uint8Array) return [field, Buffer.from(value)];
  if (value === null || typeof value === 'object') return [field + JSON_SUFFIX, JSON.stringify(value)];
  throw bug(`store: ${where} has an unstorable ${typeof value}`);
}

/** The other column a field may have lived in (a field that was once JSON and is now a string). */
function alternateColumn(table: TableDef, field: string, column: string): string | undefined {
  if (table.fields?.[field]) return undefined;
  return column === field ? field + JSON_SUFFIX : field;
}

/** PutRow attribute columns of a whole record (primary-key fields excluded, undefined skipped). */
export function encodeRecord(table: TableDef, record: object, sdk: Pick<Sdk, 'Long'>): Array<Record<string, unknown>> {
  const cols: Array<Record<string, unknown>> = [];
  for (const [field, value] of Object.entries(record)) {
    if (value === undefined || isPk(table, field)) continue;
    const [col, v] = encodeField(table, field, value, sdk);
    cols.push({ [col]: v });
  }
  return cols;
}

/**
 * UpdateRow's `updateOfAttributeColumns` for a partial record: defined fields are PUT, undefined
 * ones deleted, and a field's other column (JSON vs plain) is deleted so no stale copy remains.
 */
export function encodeChanges(
  table: TableDef,
  changes: object,
  sdk: Pick<Sdk, 'Long'>,
): Array<Record<string, unknown>> {
  const put: Array<Record<string, unknown>> = [];
  const del: string[] = [];
  for (const [field, value] of Object.entries(changes)) {
    if (isPk(table, field)) {
      throw bug(`store: ${table.name}: primary-key field ${field} cannot change`);
    }
    if (value === undefined) {
      if (!NAME.test(field)) throw bug(`store: ${table.name}: "${field}" is not a valid column name`);
      del.push(field, field + JSON_SUFFIX);
      continue;
    }
    const [col, v] = encodeField(table, field, value, sdk);
    put.push({ [col]: v });
    const alt = alternateColumn(table, field, col);
    if (alt) del.push(alt);
  }
  const out: Array<Record<string, unknown>> = [];
  if (put.length) out.push({ PUT: put });
  if (del.length) out.push({ DELETE_ALL: del });
  return out;
}

function decodeValue(table: TableDef, field: string, v: unknown): unknown {
  if (isInt64(v)) return table.fields?.[field] === 'int64' ? v.toString(10) : v.toNumber();
  return v;
}

/** A row as the SDK returns it → the record (key fields included); undefined for an empty row. */
export function decodeRow<R>(table: TableDef, row: SdkRow | undefined | null): R | undefined {
  if (!row?.primaryKey || row.primaryKey.length === 0) return undefined;
  const out: Record<string, unknown> = {};
  for (const { name, value } of row.primaryKey) out[name] = isInt64(value) ? value.toNumber() : value;
  for (const { columnName, columnValue } of row.attributes ?? []) {
    if (columnName.endsWith(JSON_SUFFIX) && typeof columnValue === 'string') {
      const field = columnName.slice(0, -JSON_SUFFIX.length);
      try {
        out[field] = JSON.parse(columnValue);
      } catch (cause) {
        throw new AppError('Internal', `store: ${table.name}.${columnName} holds invalid JSON`, { cause });
      }
    } else {
      out[columnName] = decodeValue(table, columnName, columnValue);
    }
  }
  return out as R;
}
