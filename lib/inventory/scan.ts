/**
 * The scan job (run by scan-region, one stage per invocation):
 * - plan: the account's regions (or the ones asked for; unknown ones fail at once) and the
 *   source, decided once per scan: Resource Center when it is enabled and indexed, else the
 *   Describe APIs — with the reason recorded either way;
 * - slices: one `scan_slices` row per region (created once; a retry finds them);
 * - watch: starts queued slices while fewer than `SLICES_AT_ONCE` run (the account's
 *   concurrency bound), and ends when every slice has: succeeded when all did, partial when some
 *   failed (each failed region says why; its staged findings are dropped), failed when none succeeded. A slice that ends pokes
 *   this stage (`pokeScan`), so the scan does not sit out a whole poll interval.
 */
import { isAppError } from '../core/errors';
import type { Invoker } from '../invoke';
import { startJob, stageOf, taskIdOf, type JobState, type Registry, type StepInput, type Workflow } from '../jobs';
import { isAlreadyExists, isVersionConflict } from '../store/errors';
import * as T from '../store/tables';
import type { Store } from '../store/types';
import type { CloudClient } from '../cloud/types';
import { accountOf, clientOf, type InventoryDeps } from './deps';
import {
  shownError,
  sliceIdOf,
  type RegionSummary,
  type ScanRecord,
  type ScanStatus,
  type SliceRecord,
  type Source,
} from './model';
import { dropStaging } from './apply';
import { sliceSummary, sliceWorkflow } from './slice';

export const SCAN_KIND = 'scan';
/** Slices of one account running at once. */
export const SLICES_AT_ONCE = 5;
/** How often `watch` looks when no slice pokes it (simulated ms). */
const WATCH_POLL_MS = 2000;

export interface PlanOutput {
  regions: string[];
  unknownRegions: string[];
  source: Source;
  sourceReason: string;
}
export interface WatchOutput {
  status: Exclude<ScanStatus, 'running'>;
  regions: RegionSummary[];
}

interface ScanActs {
  store: Store;
  client(): Promise<CloudClient>;
  startSlice(s: SliceRecord & { version: number }): Promise<boolean>;
}

/** Every slice of a scan (a scan has at most a few dozen regions). */
export async function slicesOf(store: Store, scanId: string): Promise<Array<SliceRecord & { version: number }>> {
  const out: Array<SliceRecord & { version: number }> = [];
  for await (const s of store.scan<SliceRecord>(T.scanSlices, { prefix: `${scanId}.` })) out.push(s);
  return out;
}

/** Which source a scan uses, and why (checked once per scan). */
async function chooseSource(cloud: CloudClient): Promise<{ source: Source; sourceReason: string }> {
  try {
    const st = await cloud.resourceCenter.getServiceStatus();
    if (st.enabled && st.initialized)
      return { source: 'resource-center', sourceReason: 'Resource Center is enabled and has indexed the account' };
    return {
      source: 'describe-apis',
      sourceReason: st.enabled
        ? 'Resource Center is still building its first index'
        : 'Resource Center is not enabled for this account',
    };
  } catch (e) {
    if (isAppError(e) && e.retryable) throw e;
    const code = isAppError(e) ? (e.cloud?.code ?? e.code) : 'Internal';
    return { source: 'describe-apis', sourceReason: `Resource Center could not be read (${code})` };
  }
}

export function scanWorkflow(deps: InventoryDeps): Workflow<ScanRecord, ScanActs> {
  const slices = sliceWorkflow(deps);
  return {
    kind: SCAN_KIND,
    table: T.scans,
    fn: 'scan-region',
    action: 'scan.step',
    stages: [
      {
        name: 'plan',
        async run(ctx) {
          const cloud = await (await ctx.act()).client();
          const known = new Set((await cloud.ecs.describeRegions()).map((r) => r.regionId));
          const asked = ctx.record.requestedRegions ?? [...known].sort();
          const out: PlanOutput = {
            regions: asked.filter((r) => known.has(r)),
            unknownRegions: asked.filter((r) => !known.has(r)),
            ...(await chooseSource(cloud)),
          };
          return { done: out };
        },
      },
      {
        name: 'slices',
        async run(ctx) {
          const { store } = await ctx.act();
          const plan = ctx.outputs.plan as PlanOutput;
          const base = { scanId: ctx.record.id, accountId: ctx.record.accountId, source: plan.source };
          const rows: SliceRecord[] = [
            ...plan.regions.map((regionId) => ({
              ...base,
              id: sliceIdOf(ctx.record.id, regionId),
              regionId,
              regionsInScan: plan.regions.length,
              status: 'queued' as const,
              createdAtMs: ctx.nowMs,
            })),
            ...plan.unknownRegions.map((regionId) => ({
              ...base,
              id: sliceIdOf(ctx.record.id, regionId),
              regionId,
              regionsInScan: plan.regions.length,
              status: 'failed' as const,
              error: { code: 'InvalidRegionId.NotFound', message: `the account has no region ${regionId}` },
              createdAtMs: ctx.nowMs,
              finishedAtMs: ctx.nowMs,
            })),
          ];
          for (const row of rows) {
            try {
              await store.create(T.scanSlices, row);
            } catch (e) {
              if (!isAlreadyExists(e)) throw e; // a retry of this stage: made already
            }
          }
          return { done: { slices: rows.length } };
        },
      },
      {
        name: 'watch',
        async run(ctx) {
          const acts = await ctx.act();
          const all = await slicesOf(acts.store, ctx.record.id);
          let running = all.filter((s) => s.status === 'running').length;
          for (const s of all) {
            if (running >= SLICES_AT_ONCE) break;
            if (s.status === 'queued' && (await acts.startSlice(s))) {
              s.status = 'running';
              s.startedAtMs = ctx.nowMs;
              running++;
            }
          }
          const regions = all.map(sliceSummary);
          const ended = regions.filter((r) => r.status === 'succeeded' || r.status === 'failed');
          if (ended.length < regions.length)
            return {
              wait: { ms: WATCH_POLL_MS, why: `${ended.length} of ${regions.length} regions done`, progress: regions },
            };
          // A failed slice never committed: its staged findings go now.
          for (const sl of all) if (sl.status === 'failed') await dropStaging(acts.store, sl.id);
          const ok = regions.filter((r) => r.status === 'succeeded').length;
          const status = ok === regions.length ? 'succeeded' : ok === 0 ? 'failed' : 'partial';
          return { done: { status, regions } satisfies WatchOutput };
        },
      },
    ],
    async activities(rec) {
      let client: (() => Promise<CloudClient>) | undefined;
      return {
        store: deps.store,
        async client() {
          if (!client) {
            const account = await accountOf(deps, rec.accountId);
            client = clientOf(deps, account, account.defaultRegion ?? deps.config.region);
          }
          return client();
        },
        async startSlice(s) {
          try {
            await startJob(deps, slices, `${s.id}.1`, s, async (f) => {
              const version = await deps.store.update<SliceRecord>(T.scanSlices, { id: s.id }, s.version, {
                ...f,
                status: 'running',
                startedAtMs: deps.clock.now(),
              });
              return { ...s, ...f, status: 'running' as const, version };
            });
            return true;
          } catch (e) {
            if (isVersionConflict(e)) return false; // another run of watch started it
            throw e;
          }
        },
      };
    },
    project: (_rec, job) => scanProjection(job),
  };
}

/** The scan row's view of its job. */
export function scanProjection(job: JobState): Partial<ScanRecord> {
  const plan = job.outputs.plan as PlanOutput | undefined;
  const watch = job.outputs.watch as WatchOutput | undefined;
  const live = job.stages.find((s) => s.name === 'watch')?.progress as RegionSummary[] | undefined;
  const regions = watch?.regions ?? live;
  const out: Partial<ScanRecord> = {
    status: job.status === 'running' ? 'running' : job.status === 'failed' ? 'failed' : (watch?.status ?? 'failed'),
    ...(plan ? { source: plan.source, sourceReason: plan.sourceReason } : {}),
    ...(regions ? { regions } : {}),
  };
  if (job.status !== 'running') out.finishedAtMs = job.endedAtMs;
  if (job.error) out.error = shownError(job.error);
  return out;
}

/**
 * A slice ended: run the scan's `watch` now rather than at its next poll. The event names the
 * stage's current attempt, so at most one of it and the scheduled poll runs (the other is a
 * duplicate); if watch is busy, its next poll sees the slice anyway.
 */
export async function pokeScan(
  deps: { store: Store; invoker: Invoker; clock: { now(): number } },
  scanId: string,
  from: string,
): Promise<boolean> {
  const scan = await deps.store.get<ScanRecord>(T.scans, { id: scanId });
  const job = scan?.job;
  if (!scan || job?.status !== 'running' || job.stage !== 'watch') return false;
  if (scan.leaseUntilMs !== undefined && scan.leaseUntilMs > deps.clock.now()) return false;
  const attempt = stageOf(job).attempts;
  const input: StepInput = { table: T.scans.name, id: scanId, stage: 'watch', attempt };
  const taskId = `${taskIdOf(job, 'watch', attempt)}-poke-${from}`.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 128);
  await deps.invoker.invokeAsync('scan-region', { action: 'scan.step', input }, { taskId });
  return true;
}

/** The inventory's workflows (the scan and its slices), for a `Registry` (scan-region, the sweeper). */
export const inventoryWorkflowsOf = (deps: InventoryDeps) => [scanWorkflow(deps), sliceWorkflow(deps)] as const;

/** Adds the inventory's workflows to a registry: `addInventoryWorkflows(new Registry(), deps)`. */
export function addInventoryWorkflows(registry: Registry, deps: InventoryDeps): Registry {
  const [scan, slice] = inventoryWorkflowsOf(deps);
  return registry.add(scan).add(slice);
}
