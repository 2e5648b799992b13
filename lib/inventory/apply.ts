/**
 * A slice's `apply` and `reconcile` stages: the staged findings become the inventory.
 *
 * apply — the staged rows in key order, a batch at a time: a new asset is added, a known one gets
 * `lastSeenAt` and, only when a property, tag, name, zone or status differs, a change row (old →
 * new). The history row is written before the asset (same key on a retry), and an asset already
 * touched by this scan is skipped, so a run that crashed half way and runs again records
 * nothing twice. Checkpoint: the staging range's cursor.
 *
 * reconcile — runs only after collect and apply finished without error: every asset of the
 * region this scan did not see is marked removed (kept, with its history). Counts are read off
 * the assets' `*ScanId` marks, so a retried run counts each asset once.
 */
import { AppError } from '../core/errors';
import type { StageResult } from '../jobs';
import * as T from '../store/tables';
import type { BatchOp, Store } from '../store/types';
import {
  assetRef,
  type AssetEvent,
  type AssetRecord,
  type Counts,
  type FieldChange,
  type Finding,
  type ItemRecord,
  zeroCounts,
} from './model';
import { Budget } from './collect';

export interface ApplyCtx {
  store: Store;
  realNow(): number;
  /** Clock time written into `firstSeenAt`, `lastSeenAt`, `deletedAt` and the history. */
  nowMs: number;
  deadlineAtMs: number;
}

export interface SliceKey {
  id: string;
  scanId: string;
  accountId: string;
  regionId: string;
}

const APPLY_BATCH = 200;
const RECONCILE_PAGE = 500;

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** What differs between the inventory and a finding: `{name|status|zoneId|tags.<k>|properties.<k>: {from, to}}`. */
export function diffAsset(prev: Finding, next: Finding): Record<string, FieldChange> {
  const out: Record<string, FieldChange> = {};
  for (const f of ['name', 'status', 'zoneId'] as const)
    if (!same(prev[f], next[f])) out[f] = { from: prev[f], to: next[f] };
  for (const [group, a, b] of [
    ['tags', prev.tags, next.tags],
    ['properties', prev.properties, next.properties],
  ] as const) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      const from = (a as Record<string, unknown>)[k] ?? null;
      const to = (b as Record<string, unknown>)[k] ?? null;
      if (!same(from, to)) out[`${group}.${k}`] = { from, to };
    }
  }
  return out;
}

const findingOf = (i: ItemRecord): Finding => ({
  type: i.type,
  id: i.id,
  regionId: i.regionId,
  zoneId: i.zoneId,
  name: i.name,
  status: i.status,
  tags: i.tags,
  properties: i.properties,
});

const mustAllSucceed = (res: { ok: boolean }[], what: string) => {
  // A lost race or a busy table: the stage runs the batch again (everything here is idempotent).
  if (res.some((r) => !r.ok)) throw new AppError('Conflict', `${what}: a row changed meanwhile`, { retryable: true });
};

/** One run of `apply`. */
export async function applyFindings(
  ctx: ApplyCtx,
  slice: SliceKey,
  progress: { cursor?: string } | undefined,
): Promise<StageResult> {
  const budget = new Budget(ctx.deadlineAtMs, ctx.realNow);
  let cursor = progress?.cursor;
  for (;;) {
    const page = await ctx.store.range<ItemRecord>(T.scanItems, {
      eq: { sliceId: slice.id },
      limit: APPLY_BATCH,
      ...(cursor ? { cursor } : {}),
    });
    await applyBatch(ctx, slice, page.items);
    cursor = page.nextCursor;
    budget.lap();
    if (!cursor) return { done: {} };
    if (budget.nearlyOut()) return { wait: { ms: 0, why: 'checkpoint', progress: { cursor } } };
  }
}

async function applyBatch(ctx: ApplyCtx, slice: SliceKey, items: ItemRecord[]): Promise<void> {
  if (!items.length) return;
  const { accountId, scanId } = slice;
  const keys = items.map((i) => ({ accountId, regionId: i.regionId, type: i.type, id: i.id }));
  const existing = await ctx.store.batchGet<AssetRecord>(T.assets, keys);
  const events: AssetEvent[] = [];
  const writes: BatchOp<AssetRecord>[] = [];
  items.forEach((item, n) => {
    const prev = existing[n];
    const f = findingOf(item);
    const event = (kind: AssetEvent['kind'], changes?: Record<string, FieldChange>): AssetEvent => ({
      accountId,
      asset: assetRef(f.type, f.id),
      scanId,
      regionId: f.regionId,
      kind,
      ...(changes ? { changes } : {}),
      atMs: ctx.nowMs,
    });
    if (!prev) {
      events.push(event('added'));
      writes.push({
        type: 'create',
        record: {
          ...f,
          accountId,
          firstSeenAtMs: ctx.nowMs,
          lastSeenAtMs: ctx.nowMs,
          lastScanId: scanId,
          addedScanId: scanId,
        },
      });
      return;
    }
    if (prev.lastScanId === scanId) return; // applied by an earlier run of this stage
    const back = prev.deletedAtMs !== undefined;
    const changes = diffAsset(prev, f);
    const changed = Object.keys(changes).length > 0;
    if (back) events.push(event('added', changed ? changes : undefined));
    else if (changed) events.push(event('changed', changes));
    writes.push({
      type: 'update',
      key: { accountId, regionId: f.regionId, type: f.type, id: f.id },
      expectedVersion: prev.version,
      changes: {
        ...f,
        lastSeenAtMs: ctx.nowMs,
        lastScanId: scanId,
        ...(back ? { addedScanId: scanId, deletedAtMs: undefined, removedScanId: undefined } : {}),
        ...(changed && !back ? { changedScanId: scanId } : {}),
      },
    });
  });
  if (events.length)
    mustAllSucceed(
      await ctx.store.batchWrite<AssetEvent>(
        T.assetEvents,
        events.map((e) => ({ type: 'put', record: e })),
      ),
      'history',
    );
  if (writes.length) mustAllSucceed(await ctx.store.batchWrite<AssetRecord>(T.assets, writes), 'assets');
}

export interface ReconcileProgress {
  cursor?: string;
  counts: Counts;
}

/** One run of `reconcile`. */
export async function reconcileRegion(
  ctx: ApplyCtx,
  slice: SliceKey,
  progress: ReconcileProgress | undefined,
): Promise<StageResult> {
  const budget = new Budget(ctx.deadlineAtMs, ctx.realNow);
  const { accountId, regionId, scanId } = slice;
  let cursor = progress?.cursor;
  const counts = { ...(progress?.counts ?? zeroCounts()) };
  for (;;) {
    const page = await ctx.store.range<AssetRecord>(T.assets, {
      eq: { accountId, regionId },
      limit: RECONCILE_PAGE,
      ...(cursor ? { cursor } : {}),
    });
    const events: AssetEvent[] = [];
    const writes: BatchOp<AssetRecord>[] = [];
    for (const a of page.items) {
      if (a.removedScanId === scanId) counts.removed++;
      else if (a.lastScanId === scanId) {
        counts.found++;
        if (a.addedScanId === scanId) counts.added++;
        if (a.changedScanId === scanId) counts.changed++;
      } else if (a.deletedAtMs === undefined) {
        counts.removed++;
        events.push({
          accountId,
          asset: assetRef(a.type, a.id),
          scanId,
          regionId,
          kind: 'removed',
          atMs: ctx.nowMs,
        });
        writes.push({
          type: 'update',
          key: { accountId, regionId, type: a.type, id: a.id },
          expectedVersion: a.version,
          changes: { deletedAtMs: ctx.nowMs, removedScanId: scanId },
        });
      }
    }
    if (events.length)
      mustAllSucceed(
        await ctx.store.batchWrite<AssetEvent>(
          T.assetEvents,
          events.map((e) => ({ type: 'put', record: e })),
        ),
        'history',
      );
    if (writes.length) mustAllSucceed(await ctx.store.batchWrite<AssetRecord>(T.assets, writes), 'assets');
    cursor = page.nextCursor;
    budget.lap();
    if (!cursor) return { done: { counts } };
    if (budget.nearlyOut()) return { wait: { ms: 0, why: 'checkpoint', progress: { cursor, counts } } };
  }
}

/** The `finally` of a slice: its staging rows go, whatever the outcome. */
export async function dropStaging(store: Store, sliceId: string): Promise<void> {
  for (;;) {
    const page = await store.range<ItemRecord>(T.scanItems, { eq: { sliceId }, limit: 1000 });
    if (!page.items.length) return;
    await store.batchWrite(
      T.scanItems,
      page.items.map((i) => ({ type: 'delete' as const, key: { sliceId, type: i.type, id: i.id } })),
    );
    if (!page.nextCursor) return;
  }
}
