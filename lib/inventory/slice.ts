/**
 * The slice job: one account × region of a scan, run by the scan-region function one stage per
 * invocation (lib/jobs): collect (level 1 + level 2, held in memory or staged), then commit
 * (findings → assets and history, unseen → removed, counts, staging dropped) — in collect's own
 * run when the region fit in it, else as the `commit` stage. A slice whose collect fails never
 * commits: the region's inventory is exactly as the last scan left it (its scan drops whatever
 * the slice staged when it ends).
 */
import type { JobState, Workflow } from '../jobs';
import * as T from '../store/tables';
import { commitFindings, commitInMemory, type CommitProgress } from './apply';
import {
  collectFromDescribeApis,
  collectFromResourceCenter,
  type CollectOutput,
  type CollectProgress,
  type CommitInRun,
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
          const inRun: CommitInRun = (findings) => commitInMemory(applyCtx(ctx, acts), ctx.record, findings);
          return ctx.record.source === 'resource-center'
            ? collectFromResourceCenter(acts, ctx.record, progress, ctx.deadlineAtMs, inRun)
            : collectFromDescribeApis(acts, ctx.record, progress, ctx.deadlineAtMs, inRun);
        },
      },
      {
        name: 'commit',
        // Skipped when collect committed the region itself.
        when: ({ outputs }) => (outputs.collect as CollectOutput | undefined)?.counts === undefined,
        async run(ctx) {
          const acts = await ctx.act();
          return commitFindings(applyCtx(ctx, acts), ctx.record, ctx.progress as CommitProgress | undefined);
        },
      },
    ],
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
  const counts = (job.outputs.commit as { counts?: Counts } | undefined)?.counts ?? out?.counts;
  if (job.status === 'running') return { status: 'running', stage: job.stage, pages, ...(counts ? { counts } : {}) };
  return {
    status: job.status,
    stage: undefined,
    pages,
    counts: counts ?? zeroCounts(),
    ...(job.status === 'failed' && job.error ? { error: shownError(job.error) } : {}),
    finishedAtMs: job.endedAtMs ?? rec.finishedAtMs ?? job.startedAtMs,
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
