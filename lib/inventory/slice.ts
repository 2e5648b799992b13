/**
 * The slice job: one account × region of a scan, run by the scan-region function one stage per
 * invocation (lib/jobs). collect (level 1 + level 2 → staging) → apply (staging → assets and
 * history) → reconcile (unseen → removed; counts), and always `cleanup` (the staging rows go).
 * A slice that fails never reaches reconcile, so nothing of its region is marked removed, and
 * its findings were only staged: the region's inventory is exactly as the last scan left it.
 */
import type { JobState, Workflow } from '../jobs';
import * as T from '../store/tables';
import { applyFindings, dropStaging, reconcileRegion } from './apply';
import {
  collectFromDescribeApis,
  collectFromResourceCenter,
  type CollectOutput,
  type CollectProgress,
  type SliceActs,
} from './collect';
import { accountOf, clientOf, realSleep, type InventoryDeps } from './deps';
import { shownError, type Counts, type RegionSummary, type SliceRecord, zeroCounts } from './model';
import { pacerFor } from './rate';

export const SLICE_KIND = 'scan.slice';

export function sliceWorkflow(deps: InventoryDeps): Workflow<SliceRecord, SliceActs> {
  const applyCtx = (ctx: { nowMs: number; deadlineAtMs: number }, acts: SliceActs) => ({
    store: acts.store,
    realNow: acts.realNow,
    nowMs: ctx.nowMs,
    deadlineAtMs: ctx.deadlineAtMs,
  });
  return {
    kind: SLICE_KIND,
    table: T.scanSlices,
    fn: 'scan-region',
    action: 'scan.region',
    stages: [
      {
        name: 'collect',
        async run(ctx) {
          const acts = await ctx.act();
          const progress = ctx.progress as CollectProgress | undefined;
          return ctx.record.source === 'resource-center'
            ? collectFromResourceCenter(acts, ctx.record, progress, ctx.deadlineAtMs)
            : collectFromDescribeApis(acts, ctx.record, progress, ctx.deadlineAtMs);
        },
      },
      {
        name: 'apply',
        async run(ctx) {
          const acts = await ctx.act();
          return applyFindings(applyCtx(ctx, acts), ctx.record, ctx.progress as { cursor?: string } | undefined);
        },
      },
      {
        name: 'reconcile',
        async run(ctx) {
          const acts = await ctx.act();
          return reconcileRegion(applyCtx(ctx, acts), ctx.record, ctx.progress as never);
        },
      },
    ],
    finally: {
      name: 'cleanup',
      async run(ctx) {
        const acts = await ctx.act();
        await dropStaging(acts.store, ctx.record.id);
        return { done: {} };
      },
    },
    async activities(rec) {
      let client: (() => ReturnType<SliceActs['client']>) | undefined;
      return {
        store: deps.store,
        realNow: () => Date.now(),
        pacer: (api) =>
          pacerFor(
            { store: deps.store, clock: deps.clock, sleep: realSleep, timeScale: deps.config.timeScale },
            api,
            rec.accountId,
            rec.regionId,
          ),
        async client() {
          client ??= clientOf(deps, await accountOf(deps, rec.accountId), rec.regionId);
          return client();
        },
      };
    },
    project: (rec, job) => sliceProjection(rec, job),
  };
}

/** The slice row's view of its job: status, stage, pages, counts, error, end. */
export function sliceProjection(rec: SliceRecord, job: JobState): Partial<SliceRecord> {
  const collect = job.stages.find((s) => s.name === 'collect');
  const out = job.outputs.collect as CollectOutput | undefined;
  const pages = out?.pages ?? (collect?.progress as CollectProgress | undefined)?.pages ?? rec.pages ?? 0;
  const counts = (job.outputs.reconcile as { counts?: Counts } | undefined)?.counts;
  if (job.status === 'running' && !job.ending)
    return { status: 'running', stage: job.stage, pages, ...(counts ? { counts } : {}) };
  const failed = job.status === 'failed' || job.ending?.status === 'failed';
  const error = job.error ?? job.ending?.error;
  return {
    status: failed ? 'failed' : 'succeeded',
    stage: undefined,
    pages,
    counts: counts ?? zeroCounts(),
    ...(failed && error ? { error: shownError(error) } : {}),
    finishedAtMs:
      job.endedAtMs ?? rec.finishedAtMs ?? Math.max(job.startedAtMs, ...job.stages.map((s) => s.endedAtMs ?? 0)),
  };
}

export function sliceSummary(s: SliceRecord): RegionSummary {
  return {
    regionId: s.regionId,
    status: s.status,
    ...(s.stage ? { stage: s.stage } : {}),
    counts: s.counts ?? zeroCounts(),
    pages: s.pages ?? 0,
    ...(s.error ? { error: s.error } : {}),
    ...(s.startedAtMs !== undefined ? { startedAtMs: s.startedAtMs } : {}),
    ...(s.finishedAtMs !== undefined ? { finishedAtMs: s.finishedAtMs } : {}),
  };
}
