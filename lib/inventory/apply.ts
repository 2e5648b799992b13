/**
 * A slice's `commit` stage: the staged findings become the inventory, in three phases that one
 * run goes through as far as its time allows (the phase and its cursor are the checkpoint).
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
 *
 * cleanup — the slice's staging rows go (a failed slice's are dropped when its scan ends).
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

/** The apply phase from `cursor`: true when every staged row is applied. */
async function applyPhase(ctx: ApplyCtx, slice: SliceKey, p: CommitProgress, budget: Budget): Promise<boolean> {
  for (;;) {
    const page = await ctx.store.range<ItemRecord>(T.scanItems, {
      eq: { sliceId: slice.id },
      limit: APPLY_BATCH,
      ...(p.cursor ? { cursor: p.cursor } : {}),
    });
    await applyBatch(ctx, slice, page.items);
    budget.lap();
    if (!page.nextCursor) return true;
    p.cursor = page.nextCursor;
    if (budget.nearlyOut()) return false;
  }
}

/** Events and asset writes of one pass, written in batches: the history row before its asset. */
class Writer {
  private events: AssetEvent[] = [];
  private writes: BatchOp<AssetRecord>[] = [];
  constructor(private readonly store: Store) {}
  add(w: { event?: AssetEvent; write?: BatchOp<AssetRecord> }) {
    if (w.event) this.events.push(w.event);
    if (w.write) this.writes.push(w.write);
  }
  get size() {
    return this.writes.length;
  }
  async flush(): Promise<void> {
    const [events, writes] = [this.events, this.writes];
    this.events = [];
    this.writes = [];
    if (events.length)
      mustAllSucceed(
        await this.store.batchWrite<AssetEvent>(
          T.assetEvents,
          events.map((e) => ({ type: 'put', record: e })),
        ),
        'history',
      );
    if (writes.length) mustAllSucceed(await this.store.batchWrite<AssetRecord>(T.assets, writes), 'assets');
  }
}

/** What a finding does to the asset it matches (`prev`, if any): its history row and its write. */
function upsert(ctx: ApplyCtx, slice: SliceKey, f: Finding, prev: (AssetRecord & { version: number }) | undefined) {
  const { accountId, scanId } = slice;
  const event = (kind: AssetEvent['kind'], changes?: Record<string, FieldChange>): AssetEvent => ({
    accountId,
    asset: assetRef(f.type, f.id),
    scanId,
    regionId: f.regionId,
    kind,
    ...(changes ? { changes } : {}),
    atMs: ctx.nowMs,
  });
  if (!prev)
    return {
      kind: 'added' as const,
      event: event('added'),
      write: {
        type: 'create' as const,
        record: {
          ...f,
          accountId,
          firstSeenAtMs: ctx.nowMs,
          lastSeenAtMs: ctx.nowMs,
          lastScanId: scanId,
          addedScanId: scanId,
        },
      },
    };
  const back = prev.deletedAtMs !== undefined;
  const changes = diffAsset(prev, f);
  const changed = Object.keys(changes).length > 0;
  return {
    kind: back ? ('added' as const) : changed ? ('changed' as const) : ('seen' as const),
    ...(back
      ? { event: event('added', changed ? changes : undefined) }
      : changed
        ? { event: event('changed', changes) }
        : {}),
    write: {
      type: 'update' as const,
      key: { accountId, regionId: f.regionId, type: f.type, id: f.id },
      expectedVersion: prev.version,
      changes: {
        ...f,
        lastSeenAtMs: ctx.nowMs,
        lastScanId: scanId,
        ...(back ? { addedScanId: scanId, deletedAtMs: undefined, removedScanId: undefined } : {}),
        ...(changed && !back ? { changedScanId: scanId } : {}),
      },
    },
  };
}

/** An asset this scan did not see: marked removed, kept, with a history row. */
function removal(ctx: ApplyCtx, slice: SliceKey, a: AssetRecord & { version: number }) {
  const { accountId, regionId, scanId } = slice;
  return {
    event: { accountId, asset: assetRef(a.type, a.id), scanId, regionId, kind: 'removed' as const, atMs: ctx.nowMs },
    write: {
      type: 'update' as const,
      key: { accountId, regionId, type: a.type, id: a.id },
      expectedVersion: a.version,
      changes: { deletedAtMs: ctx.nowMs, removedScanId: scanId },
    },
  };
}

/** Counts an asset an earlier run of this scan already wrote, from its marks. */
function countMarked(counts: Counts, a: AssetRecord, scanId: string) {
  if (a.removedScanId === scanId) {
    counts.removed++;
    return;
  }
  counts.found++;
  if (a.addedScanId === scanId) counts.added++;
  if (a.changedScanId === scanId) counts.changed++;
}

async function applyBatch(ctx: ApplyCtx, slice: SliceKey, items: ItemRecord[]): Promise<void> {
  if (!items.length) return;
  const keys = items.map((i) => ({ accountId: slice.accountId, regionId: i.regionId, type: i.type, id: i.id }));
  const existing = await ctx.store.batchGet<AssetRecord>(T.assets, keys);
  const out = new Writer(ctx.store);
  items.forEach((item, n) => {
    const prev = existing[n];
    if (prev?.lastScanId === slice.scanId) return; // applied by an earlier run of this stage
    out.add(upsert(ctx, slice, findingOf(item), prev));
  });
  await out.flush();
}

export interface CommitProgress {
  phase: 'apply' | 'reconcile' | 'cleanup';
  cursor?: string;
  counts?: Counts;
}

/** The reconcile phase from `cursor`: true when every asset of the region was looked at. */
async function reconcilePhase(ctx: ApplyCtx, slice: SliceKey, p: CommitProgress, budget: Budget): Promise<boolean> {
  const { accountId, regionId, scanId } = slice;
  const counts = (p.counts ??= zeroCounts());
  for (;;) {
    const page = await ctx.store.range<AssetRecord>(T.assets, {
      eq: { accountId, regionId },
      limit: RECONCILE_PAGE,
      ...(p.cursor ? { cursor: p.cursor } : {}),
    });
    const out = new Writer(ctx.store);
    for (const a of page.items) {
      if (a.removedScanId === scanId || a.lastScanId === scanId) countMarked(counts, a, scanId);
      else if (a.deletedAtMs === undefined) {
        counts.removed++;
        out.add(removal(ctx, slice, a));
      }
    }
    await out.flush();
    budget.lap();
    if (!page.nextCursor) return true;
    p.cursor = page.nextCursor;
    if (budget.nearlyOut()) return false;
  }
}

/** One run of `commit`: as many phases as fit; done with the region's counts. */
export async function commitFindings(
  ctx: ApplyCtx,
  slice: SliceKey,
  progress: CommitProgress | undefined,
): Promise<StageResult> {
  const budget = new Budget(ctx.deadlineAtMs, ctx.realNow);
  const p: CommitProgress = structuredClone(progress ?? { phase: 'apply' });
  const checkpoint = (): StageResult => ({ wait: { ms: 0, why: `checkpoint in ${p.phase}`, progress: p } });
  if (p.phase === 'apply') {
    if (!(await applyPhase(ctx, slice, p, budget))) return checkpoint();
    Object.assign(p, { phase: 'reconcile', cursor: undefined });
    if (budget.nearlyOut()) return checkpoint();
  }
  if (p.phase === 'reconcile') {
    if (!(await reconcilePhase(ctx, slice, p, budget))) return checkpoint();
    Object.assign(p, { phase: 'cleanup', cursor: undefined });
  }
  await dropStaging(ctx.store, slice.id);
  return { done: { counts: p.counts ?? zeroCounts() } };
}

/**
 * A whole region's findings, still in memory, committed in the run that read them: one pass over
 * the region's assets (no lookup per finding) — a matched asset is compared and updated, an
 * unmatched one marked removed — then the findings left over are added. Memory: the findings
 * (at most `IN_MEMORY_MAX`) and one page of assets.
 */
export async function commitInMemory(ctx: ApplyCtx, slice: SliceKey, findings: Finding[]): Promise<Counts> {
  const { accountId, regionId, scanId } = slice;
  const left = new Map(findings.map((f) => [`${f.type}/${f.id}`, f]));
  const counts = zeroCounts();
  const out = new Writer(ctx.store);
  let cursor: string | undefined;
  do {
    const page = await ctx.store.range<AssetRecord>(T.assets, {
      eq: { accountId, regionId },
      limit: RECONCILE_PAGE,
      ...(cursor ? { cursor } : {}),
    });
    for (const a of page.items) {
      const key = `${a.type}/${a.id}`;
      const f = left.get(key);
      left.delete(key);
      if (a.lastScanId === scanId || a.removedScanId === scanId) {
        countMarked(counts, a, scanId); // an earlier run of this stage wrote it
        continue;
      }
      if (f) {
        const u = upsert(ctx, slice, f, a);
        counts.found++;
        if (u.kind === 'added') counts.added++;
        if (u.kind === 'changed') counts.changed++;
        out.add(u);
      } else if (a.deletedAtMs === undefined) {
        counts.removed++;
        out.add(removal(ctx, slice, a));
      }
      if (out.size >= APPLY_BATCH) await out.flush();
    }
    cursor = page.nextCursor;
  } while (cursor);
  for (const f of left.values()) {
    counts.found++;
    counts.added++;
    out.add(upsert(ctx, slice, f, undefined));
    if (out.size >= APPLY_BATCH) await out.flush();
  }
  await out.flush();
  return counts;
}

/** A slice's staging rows go. */
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
