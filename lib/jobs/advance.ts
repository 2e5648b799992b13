/**
 * What a stage's outcome makes of the job: pure, so every transition is unit-tested. done →
 * the next stage whose `when` holds (the others `skipped`), or the end; wait → the same stage
 * later; retry → the same stage after a back-off, until its failure budget is spent; fail → the
 * end, failed. A workflow's `finally` stage runs at the end either way and cannot change it.
 */
import { BACKOFF, backoffDelay } from '../core/backoff';
import type { AppError } from '../core/errors';
import type { JobError, JobFields, JobState, Stage, StageState, Workflow } from './types';

export type Outcome =
  | { kind: 'done'; output: unknown; waitMs?: undefined; error?: undefined }
  | { kind: 'wait'; waitMs: number; why: string; progress?: unknown; error?: undefined }
  | { kind: 'retry'; error: AppError; waitMs?: undefined }
  | { kind: 'fail'; error: AppError; waitMs?: undefined };

const DEFAULT_MAX_FAILURES = 8;

/** The state of the job's current stage. */
export function stageOf(job: JobState): StageState {
  const st = job.stages.find((s) => s.name === job.stage);
  if (!st) throw new Error(`job ${job.id}: no stage state for ${job.stage}`);
  return st;
}

/** What a failed stage shows: the cloud's code first (what users search for), the hint. */
export function jobError(e: AppError, stage: string, retryable = e.retryable): JobError {
  return {
    code: e.cloud?.code ?? e.code,
    message: e.message,
    stage,
    retryable,
    ...(e.cloud?.code ? { cloudCode: e.cloud.code } : {}),
    ...(e.cloud?.requestId ? { cloudRequestId: e.cloud.requestId } : {}),
    ...(e.cloud?.hint ? { hint: e.cloud.hint } : {}),
    ...(e.details !== undefined ? { details: e.details } : {}),
  };
}

/** A fresh job at its first stage (stages whose `when` is false are skipped as they come up). */
export function newJob<R extends JobFields, A>(wf: Workflow<R, A>, id: string, record: R, nowMs: number): JobState {
  const job: JobState = {
    id,
    kind: wf.kind,
    status: 'running',
    stage: '',
    stages: wf.stages.map((s) => ({ name: s.name, status: 'pending', attempts: 0 })),
    outputs: {},
    startedAtMs: nowMs,
  };
  return moveTo(wf, record, job, 0, nowMs);
}

/** The job with the stage at `from` or the first later one that applies made current; or ended. */
function moveTo<R extends JobFields, A>(wf: Workflow<R, A>, record: R, job: JobState, from: number, now: number) {
  const stages = [...job.stages];
  for (let i = from; i < wf.stages.length; i++) {
    const s = wf.stages[i]!;
    if (!s.when || s.when({ record, outputs: job.outputs, job })) {
      stages[i] = { ...stages[i]!, status: 'pending' };
      return { ...job, stages, stage: s.name };
    }
    stages[i] = { ...stages[i]!, status: 'skipped', endedAtMs: now };
  }
  return end({ ...job, stages }, wf, record, { status: 'succeeded' }, now);
}

/** Ends the job, through its `finally` stage when it has one and has not run it for this ending. */
function end<R extends JobFields, A>(
  job: JobState,
  wf: Workflow<R, A>,
  record: R,
  ending: NonNullable<JobState['ending']>,
  now: number,
): JobState {
  const fin = wf.finally;
  if (fin && !job.ending && (!fin.when || fin.when({ record, outputs: job.outputs, job }))) {
    const name = fin.name;
    const stages = job.stages.some((s) => s.name === name)
      ? job.stages.map((s) => (s.name === name ? { name, status: 'pending' as const, attempts: s.attempts } : s))
      : [...job.stages, { name, status: 'pending' as const, attempts: 0 }];
    return { ...job, stages, stage: name, ending };
  }
  const { ending: _, ...rest } = job;
  return {
    ...rest,
    status: ending.status,
    ...(ending.error ? { error: ending.error } : {}),
    endedAtMs: now,
  };
}

/** The job after `stage` (the current one) came out with `outcome`, and how long to wait before its next run. */
export function advance<R extends JobFields, A>(
  wf: Workflow<R, A>,
  record: R,
  job: JobState,
  stage: Stage<R, A>,
  outcome: Outcome,
  now: number,
  random: () => number,
): { job: JobState; waitMs: number } {
  const next = step(wf, record, job, stage, outcome, now);
  if (next.job.status !== 'running' || next.job.stage !== stage.name) return { job: next.job, waitMs: 0 };
  if (outcome.kind === 'wait') return { job: next.job, waitMs: outcome.waitMs };
  if (outcome.kind === 'retry')
    return { job: next.job, waitMs: backoffDelay(BACKOFF.stageRetry, next.failures, random) };
  return { job: next.job, waitMs: 0 };
}

function step<R extends JobFields, A>(
  wf: Workflow<R, A>,
  record: R,
  job: JobState,
  stage: Stage<R, A>,
  outcome: Outcome,
  now: number,
): { job: JobState; failures: number } {
  const i = job.stages.findIndex((s) => s.name === stage.name);
  const cur = job.stages[i]!;
  const put = (s: StageState) => job.stages.map((x, j) => (j === i ? s : x));
  const isFinally = wf.finally?.name === stage.name;
  const { error: _e, waitWhy: _w, progress: _p, ...clean } = cur;

  if (outcome.kind === 'done') {
    const done: JobState = {
      ...job,
      stages: put({ ...clean, status: 'done', endedAtMs: now, failures: 0 }),
      outputs: { ...job.outputs, [stage.name]: outcome.output ?? null },
    };
    if (isFinally) return { job: end(done, wf, record, job.ending ?? { status: 'succeeded' }, now), failures: 0 };
    const idx = wf.stages.findIndex((s) => s.name === stage.name);
    return { job: moveTo(wf, record, done, idx + 1, now), failures: 0 };
  }
  if (outcome.kind === 'wait') {
    return {
      job: {
        ...job,
        stages: put({
          ...clean,
          status: 'waiting',
          waitWhy: outcome.why,
          failures: 0,
          ...(outcome.progress !== undefined ? { progress: outcome.progress } : {}),
        }),
      },
      failures: 0,
    };
  }
  const failures = (cur.failures ?? 0) + 1;
  const error = jobError(outcome.error, stage.name);
  if (outcome.kind === 'retry' && failures <= (stage.maxFailures ?? DEFAULT_MAX_FAILURES)) {
    const waiting = put({
      ...clean,
      status: 'waiting',
      failures,
      error,
      waitWhy: `retrying after ${error.code}`,
      ...(cur.progress !== undefined ? { progress: cur.progress } : {}),
    });
    return { job: { ...job, stages: waiting }, failures };
  }
  const failed: JobState = {
    ...job,
    stages: put({ ...clean, status: 'failed', failures, error, endedAtMs: now }),
  };
  if (isFinally) return { job: end(failed, wf, record, job.ending ?? { status: 'succeeded' }, now), failures };
  return { job: end(failed, wf, record, { status: 'failed', error }, now), failures };
}

/** A failed job resumed at the stage that failed (its outputs kept), e.g. after the cause was fixed. */
export function resumeJob(job: JobState, now: number): JobState {
  const at = job.error?.stage ?? job.stage;
  const { error: _e, endedAtMs: _x, ending: _n, ...rest } = job;
  return {
    ...rest,
    status: 'running',
    stage: at,
    stages: job.stages.map((s) => {
      if (s.name !== at) return s;
      const { error: _se, endedAtMs: _se2, waitWhy: _w, ...st } = s;
      return { ...st, status: 'pending', failures: 0 };
    }),
    resumedAtMs: now,
  };
}
