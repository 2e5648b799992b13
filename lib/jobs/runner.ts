/**
 * The runner: one stage per invocation. load → drop if ended, stale, duplicate or leased →
 * claim a lease (conditional update on `version`) → run the stage → commit its outcome (a
 * conditional update: a lost race drops the result) → schedule the next invocation through the
 * invoker, now or after the wait, with a task id from record, stage and attempt. Lost events are
 * found again by the sweeper through the due index; ClientTokens make a re-run stage harmless.
 */
import type { Clock } from '../core/clock';
import type { Config } from '../core/config';
import { AppError, isAppError, toAppError } from '../core/errors';
import type { Logger } from '../core/log';
import { isVersionConflict } from '../store/errors';
import type { Store } from '../store/types';
import type { Invoker } from '../invoke';
import { putDue, removeDue } from './due';
import { advance, stageOf, type Outcome } from './advance';
import type { JobFields, JobState, Stage, StageCtx, StepInput, Workflow } from './types';

export interface JobsDeps {
  readonly store: Store;
  readonly invoker: Invoker;
  clock: Clock;
  log: Logger;
  random: () => number;
  config: Pick<Config, 'timeScale' | 'jobLeaseMs' | 'jobOverdueMs'>;
}

/** Workflows by kind, and the tables their records live in. */
export class Registry {
  private readonly byKind = new Map<string, Workflow<JobFields, unknown>>();
  add<R extends JobFields, A>(...wfs: Workflow<R, A>[]): this {
    for (const wf of wfs) this.byKind.set(wf.kind, wf as unknown as Workflow<JobFields, unknown>);
    return this;
  }
  get(kind: string) {
    return this.byKind.get(kind);
  }
  tableOf(name: string) {
    for (const wf of this.byKind.values()) if (wf.table.name === name) return wf.table;
    return undefined;
  }
}

/** Time kept back from the deadline to commit and schedule after a stage. */
const COMMIT_MARGIN_MS = 3000;
/** A lease never shorter than this (a tiny deadline still lets the stage start). */
const MIN_LEASE_MS = 1000;

export type StepResult =
  | { ran: false; why: 'no-job' | 'ended' | 'stale' | 'duplicate' | 'leased' | 'lost-claim' }
  | { ran: true; stage: string; outcome: Outcome['kind']; committed: boolean; next?: string; waitMs?: number };

/** The task id of the invocation that runs `stage` of `job` at `attempt` (FC runs one task per id). */
export const taskIdOf = (job: Pick<JobState, 'id'>, stage: string, attempt: number) =>
  `${job.id}-${stage}-${attempt}`.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 128);

/** When a wait of `ms` (simulated) is due in real time. */
export const dueAt = (deps: Pick<JobsDeps, 'config'>, nowMs: number, ms: number) =>
  nowMs + Math.ceil(ms * deps.config.timeScale);

/** Parses a step event's input: a malformed one is dropped as a bug in the sender, not retried. */
export function parseStep(input: Record<string, unknown>): StepInput {
  const { table, id, stage, attempt } = input;
  if (
    typeof table !== 'string' ||
    typeof id !== 'string' ||
    typeof stage !== 'string' ||
    typeof attempt !== 'number' ||
    !Number.isInteger(attempt) ||
    attempt < 0
  ) {
    throw new AppError('ValidationFailed', 'a step needs {table, id, stage, attempt}');
  }
  return { table, id, stage, attempt };
}

/** Sends the event that runs the job's current stage. A failure is logged: the sweeper resends. */
export async function dispatch(
  deps: JobsDeps,
  wf: Pick<Workflow<JobFields, unknown>, 'fn' | 'action' | 'table'>,
  rec: Pick<JobFields, 'id' | 'job'>,
  delayMs = 0,
): Promise<boolean> {
  const job = rec.job;
  if (job?.status !== 'running') return false;
  const attempt = stageOf(job).attempts;
  const input: StepInput = { table: wf.table.name, id: rec.id, stage: job.stage, attempt };
  try {
    await deps.invoker.invokeAsync(
      wf.fn,
      { action: wf.action, input },
      { delayMs, taskId: taskIdOf(job, job.stage, attempt) },
    );
    return true;
  } catch (e) {
    deps.log.warn('job dispatch failed; the sweeper will resend it', {
      id: rec.id,
      stage: job.stage,
      code: isAppError(e) ? e.code : 'Internal',
    });
    return false;
  }
}

/** Runs one stage of the job `input` names. Store failures throw (FC retries the event). */
export async function runStep(
  input: StepInput,
  registry: Registry,
  deps: JobsDeps,
  inv: { deadlineAtMs: number; requestId: string },
): Promise<StepResult> {
  const table = registry.tableOf(input.table);
  if (!table) throw new AppError('ValidationFailed', `no job table ${input.table}`);
  const rec = await deps.store.get<JobFields>(table, { id: input.id });
  const job = rec?.job;
  if (!rec || !job) return { ran: false, why: 'no-job' };
  const wf = registry.get(job.kind);
  if (!wf) throw new AppError('Internal', `no workflow ${job.kind}`);
  if (job.status !== 'running') return { ran: false, why: 'ended' };
  if (job.stage !== input.stage) return { ran: false, why: 'stale' };
  const st = stageOf(job);
  const now = deps.clock.now();
  if (rec.leaseUntilMs !== undefined && rec.leaseUntilMs > now) return { ran: false, why: 'leased' };
  // The event of this attempt, or the retry of one whose invocation died holding the lease.
  const orphaned = rec.leaseUntilMs !== undefined && input.attempt === st.attempts - 1;
  if (input.attempt !== st.attempts && !orphaned) return { ran: false, why: 'duplicate' };

  // Claim.
  const attempt = st.attempts + 1;
  const leaseMs = Math.max(
    MIN_LEASE_MS,
    Math.min(inv.deadlineAtMs - now - COMMIT_MARGIN_MS, deps.config.jobLeaseMs ?? Number.POSITIVE_INFINITY),
  );
  const claimed: JobState = {
    ...job,
    stages: job.stages.map((s) =>
      s.name === st.name
        ? { ...s, status: 'running', attempts: attempt, startedAtMs: s.startedAtMs ?? now, waitWhy: undefined }
        : s,
    ),
  };
  let version: number;
  try {
    version = await deps.store.update<JobFields>(table, { id: rec.id }, rec.version, {
      job: claimed,
      leaseUntilMs: now + leaseMs,
      leaseHolder: inv.requestId,
    });
  } catch (e) {
    if (isVersionConflict(e)) return { ran: false, why: 'lost-claim' };
    throw e;
  }

  // Run.
  const stage = (wf.finally?.name === st.name ? wf.finally : wf.stages.find((s) => s.name === st.name)) as
    | Stage<JobFields, unknown>
    | undefined;
  if (!stage) throw new AppError('Internal', `workflow ${wf.kind} has no stage ${st.name}`);
  let acts: Promise<unknown> | undefined;
  const ctx: StageCtx<JobFields, unknown> = {
    record: rec,
    job: claimed,
    outputs: claimed.outputs,
    progress: st.progress,
    act: () => (acts ??= wf.activities(rec)),
    token: `${job.id}:${st.name}`,
    attempt,
    nowMs: now,
    deadlineAtMs: inv.deadlineAtMs - COMMIT_MARGIN_MS,
    random: deps.random,
  };
  const started = Date.now();
  const outcome = await settle(stage, ctx, deps.log, rec.id);
  const endNow = deps.clock.now();
  const { job: nextJob, waitMs } = advance(wf, rec, claimed, stage, outcome, endNow, deps.random);

  // Commit: the due row first (a row without its record is harmless), then the record. A job
  // that goes on at once keeps its row: it is already due, and the sweeper measures lateness
  // from the record's `nextRunAtMs`; only a wait moves it (so the sweeper skips waiting jobs).
  const next = nextJob.status === 'running' ? stageOf(nextJob) : undefined;
  const nextRunAtMs = next ? dueAt(deps, endNow, waitMs) : undefined;
  const keepRow = nextRunAtMs !== undefined && waitMs === 0 && rec.dueKey !== undefined;
  const dueKey =
    nextRunAtMs === undefined
      ? undefined
      : keepRow
        ? rec.dueKey
        : await putDue(deps.store, table.name, rec.id, nextRunAtMs, endNow);
  const projected = wf.project ? wf.project({ ...rec, job: nextJob }, nextJob, endNow) : {};
  let committed = true;
  try {
    await deps.store.update<JobFields>(table, { id: rec.id }, version, {
      ...projected,
      job: nextJob,
      leaseUntilMs: undefined,
      leaseHolder: undefined,
      nextRunAtMs,
      dueKey,
    });
  } catch (e) {
    if (!isVersionConflict(e)) throw e;
    committed = false; // our lease lapsed and another invocation took the stage: its result stands
  }
  deps.log.info('job step', {
    table: table.name,
    id: rec.id,
    kind: job.kind,
    stage: st.name,
    attempt,
    outcome: outcome.kind,
    ...(outcome.error ? { code: outcome.error.code } : {}),
    ...(next ? { next: next.name } : { status: nextJob.status }),
    ...(waitMs ? { waitMs } : {}),
    ms: Date.now() - started,
    committed,
  });
  if (!committed) return { ran: true, stage: st.name, outcome: outcome.kind, committed };
  // Both after the commit, side by side: FC bills the handler's wall time.
  await Promise.all([
    rec.dueKey && rec.dueKey !== dueKey ? removeDue(deps.store, rec.dueKey).catch(() => undefined) : undefined,
    next ? dispatch(deps, wf, { id: rec.id, job: nextJob }, waitMs) : undefined,
  ]);
  return {
    ran: true,
    stage: st.name,
    outcome: outcome.kind,
    committed,
    ...(next ? { next: next.name } : {}),
    ...(waitMs ? { waitMs } : {}),
  };
}

/** Runs a stage and folds whatever it answers or throws into one outcome (the one retriability decision). */
async function settle(
  stage: Stage<JobFields, unknown>,
  ctx: StageCtx<JobFields, unknown>,
  log: Logger,
  id: string,
): Promise<Outcome> {
  try {
    const r = await stage.run(ctx);
    if ('done' in r) return { kind: 'done', output: r.done };
    if ('wait' in r)
      return {
        kind: 'wait',
        waitMs: Math.max(0, r.wait.ms),
        why: r.wait.why,
        ...(r.wait.progress !== undefined ? { progress: r.wait.progress } : {}),
      };
    return { kind: 'fail', error: r.fail };
  } catch (e) {
    const err = toAppError(e);
    if (!isAppError(e)) {
      log.error('stage threw', {
        id,
        stage: stage.name,
        error: e instanceof Error ? { name: e.name, message: e.message } : String(e),
        stack: e instanceof Error ? String(e.stack) : undefined,
      });
    }
    return err.retryable ? { kind: 'retry', error: err } : { kind: 'fail', error: err };
  }
}
