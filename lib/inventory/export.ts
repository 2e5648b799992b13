/**
 * GET /v1/assets/export?accountId=&format=ndjson|csv: every asset of the account. An FC answer is
 * one body, so the export is a sequence of bounded chunks: each holds whole rows up to
 * ~3 MiB, read page by page from the account's range (memory stays bounded whatever the account
 * holds); `x-next-cursor` (and `nextCursor` by direct invocation) carries on. Concatenated, the
 * chunks are one file: the CSV header comes only with the first.
 */
import type { RawHttpResponse } from '../core/action';
import type { Principal } from '../core/principal';
import * as T from '../store/tables';
import type { Store } from '../store/types';
import { loadAccount } from '../accounts/read';
import { CURSOR, parseFields } from './input';
import { assetView, type AssetRecord, type AssetView } from './model';
import { ACCOUNT_ID } from './query';

const EXPORT = {
  accountId: ACCOUNT_ID,
  format: { kind: 'string', re: /^(ndjson|csv)$/, max: 6, problem: 'format is "ndjson" or "csv"', optional: true },
  includeDeleted: { kind: 'bool', problem: 'includeDeleted is true or false', optional: true },
  cursor: CURSOR,
} as const;

/** A chunk ends once it holds this much (a page of rows may go a little past it). */
export const CHUNK_BYTES = 3 * 1024 * 1024;
const PAGE = 500;

export const CSV_COLUMNS = [
  'accountId',
  'regionId',
  'zoneId',
  'type',
  'id',
  'name',
  'status',
  'managedBy',
  'tags',
  'properties',
  'firstSeenAt',
  'lastSeenAt',
  'deletedAt',
] as const;

/**
 * One CSV cell: quoted when it holds a quote, comma or line break; a cell a spreadsheet would run
 * as a formula (names and tags are anyone's text) is prefixed with `'`.
 */
export function csvCell(v: unknown): string {
  let s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const csvRow = (a: AssetView) =>
  `${CSV_COLUMNS.map((c) => csvCell((a as unknown as Record<string, unknown>)[c])).join(',')}\r\n`;

export async function exportAssets(store: Store, input: unknown, p: Principal, http: boolean) {
  const q = parseFields(EXPORT, input);
  await loadAccount(store, q.accountId, p, { access: 'read', doing: 'export assets' });
  const format = q.format ?? 'ndjson';
  const parts: string[] = [];
  let bytes = 0;
  if (format === 'csv' && !q.cursor) parts.push(`${CSV_COLUMNS.join(',')}\r\n`);
  let cursor = q.cursor;
  let rows = 0;
  do {
    const page = await store.range<AssetRecord>(T.assets, {
      eq: { accountId: q.accountId },
      limit: PAGE,
      ...(q.includeDeleted ? {} : { filter: (a: AssetRecord) => a.deletedAtMs === undefined }),
      bind: { export: true, d: q.includeDeleted === true },
      ...(cursor ? { cursor } : {}),
    });
    for (const a of page.items) {
      const line = format === 'csv' ? csvRow(assetView(a)) : `${JSON.stringify(assetView(a))}\n`;
      parts.push(line);
      bytes += line.length;
    }
    rows += page.items.length;
    cursor = page.nextCursor;
  } while (cursor && bytes < CHUNK_BYTES);
  const body = parts.join('');
  const contentType = format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8';
  if (!http) return { format, contentType, rows, data: body, ...(cursor ? { nextCursor: cursor } : {}) };
  const res: RawHttpResponse = {
    rawHttp: true,
    statusCode: 200,
    headers: {
      'content-type': contentType,
      'content-disposition': `attachment; filename="assets-${q.accountId}.${format}"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'x-export-rows': String(rows),
      ...(cursor ? { 'x-next-cursor': cursor } : {}),
    },
    body,
  };
  return res;
}
