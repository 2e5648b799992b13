/**
 * The slice of the `tablestore` SDK the store uses, typed, and loaded on first use: requiring the
 * SDK costs ~90 ms here, which a function that never touches the store (console, /healthz)
 * should not pay at cold start. esbuild keeps `import()` of a CommonJS package lazy in a bundle.
 */

/** int64-buffer's Int64LE as the SDK writes and returns INTEGER values. */
export interface Int64 {
  toNumber(): number;
  toString(radix?: number): string;
  toBuffer(): Buffer;
}

export interface SdkRow {
  primaryKey?: Array<{ name: string; value: unknown }>;
  attributes?: Array<{ columnName: string; columnValue: unknown; timestamp?: unknown }>;
}

export type SdkCallback = (err: unknown, data: unknown) => void;

/** The client operations the store calls (each returns a promise when no callback is given). */
export interface SdkClient {
  listTable(params: object): Promise<{ tableNames: string[] }>;
  createTable(params: object): Promise<unknown>;
  deleteTable(params: object): Promise<unknown>;
  getRow(params: object): Promise<{ row: SdkRow }>;
  putRow(params: object): Promise<{ row: SdkRow }>;
  updateRow(params: object): Promise<{ row: SdkRow }>;
  deleteRow(params: object): Promise<unknown>;
  getRange(
    params: object,
  ): Promise<{ rows: SdkRow[]; nextStartPrimaryKey: Array<{ name: string; value: unknown }> | null }>;
  batchGetRow(params: object): Promise<{
    tables: Array<
      Array<{
        isOk: boolean;
        errorCode: string | null;
        errorMessage: string | null;
        primaryKey: SdkRow['primaryKey'] | null;
        attributes: SdkRow['attributes'] | null;
      }>
    >;
  }>;
  batchWriteRow(
    params: object,
  ): Promise<{ tables: Array<{ isOk: boolean; errorCode: string | null; errorMessage: string | null }> }>;
}

export interface Sdk {
  Client: new (options: Record<string, unknown>) => SdkClient;
  Long: { fromNumber(n: number): Int64; fromString(s: string): Int64 };
  Condition: new (rowExistence: number, columnCondition: unknown) => unknown;
  SingleColumnCondition: new (
    name: string,
    value: unknown,
    comparator: number,
    passIfMissing?: boolean,
    latestVersionOnly?: boolean,
  ) => unknown;
  RowExistenceExpectation: { IGNORE: number; EXPECT_EXIST: number; EXPECT_NOT_EXIST: number };
  ComparatorType: { EQUAL: number };
  Direction: { FORWARD: string; BACKWARD: string };
  INF_MIN: object;
  INF_MAX: object;
}

let loading: Promise<Sdk> | undefined;

/** The SDK module, loaded once per process. */
export function loadSdk(): Promise<Sdk> {
  loading ??= import('tablestore').then((m: { default?: unknown }) => (m.default ?? m) as Sdk);
  return loading;
}

/** True for the SDK's INTEGER values (an int64-buffer Int64LE). */
export function isInt64(v: unknown): v is Int64 {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as Int64).toNumber === 'function' &&
    typeof (v as Int64).toBuffer === 'function' &&
    !Buffer.isBuffer(v)
  );
}
