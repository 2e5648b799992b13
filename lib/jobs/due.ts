/**
 * The due index (`job_due`): one row per unfinished job, keyed by when it next needs attention,
 * so the sweeper finds lost or stalled work with one range read instead of scanning job tables.
 * The record is the truth: a row whose job names another key (or is gone) is stale and removed.
 */
import * as T from '../store/tables';
import type { Store } from '../store/types';

/** One shard is plenty at this scale; the key leaves room to spread rows over more later. */
const SHARD = 'due';
/** A row younger than this may belong to a record still being written: never stale. */
export const STALE_GRACE_MS = 60_000;

export interface DueRow {
  shard: string;
  dueKey: string;
  /** Logical table of the job's record (`servers`, `scan_slices`). */
  table: string;
  id: string;
  atMs: number;
  writtenAtMs: number;
}

/** `<13-digit ms>#<table>#<id>`: sorts by time; the same job at the same time is one row. */
export const dueKeyOf = (atMs: number, table: string, id: string) =>
  `${Math.max(0, Math.floor(atMs)).toString().padStart(13, '0')}#${table}#${id}`;

/** Writes the row a record is about to name. Idempotent. */
export async function putDue(store: Store, table: string, id: string, atMs: number, nowMs: number): Promise<string> {
  const dueKey = dueKeyOf(atMs, table, id);
  const row: DueRow = { shard: SHARD, dueKey, table, id, atMs, writtenAtMs: nowMs };
  await store.put(T.jobDue, row);
  return dueKey;
}

/** Removes a row (missing is fine). */
export async function removeDue(store: Store, dueKey: string | undefined): Promise<void> {
  if (dueKey) await store.remove(T.jobDue, { shard: SHARD, dueKey });
}

/** Rows due at or before `nowMs`, oldest first, at most `limit`. */
export async function dueRows(store: Store, nowMs: number, limit: number): Promise<DueRow[]> {
  const page = await store.range<DueRow>(T.jobDue, {
    eq: { shard: SHARD },
    lt: dueKeyOf(nowMs + 1, '', ''),
    limit,
  });
  return page.items;
}
