/**
 * The stage engine's vocabulary. A long operation (a server build, a delete, a power action, a
 * scan slice) is a *job* kept on its record in Tablestore: an ordered list of *stages*, each a
 * plain object `{name, run(ctx)}` that does one bounded step and answers `done` (with an output
 * saved on the record and read by later stages, never recomputed), `wait` (poll again later,
 * without paying for the wait) or `fail`. Stages reach the cloud only through the `act`
 * (activities) object the workflow builds; they never touch the store or the invoker.
 */
import type { AppError } from '../core/errors';
import type { TableDef } from '../store/types';

/**
 * `wait.progress` is the stage's own checkpoint (e.g. a page token): committed with the job in the
 * same conditional write, handed back as `ctx.progress` on the stage's next run, dropped once it is done.
 */
export type StageResult =
  | { done: unknown }
  | { wait: { ms: number; why: string; progress?: unknown } }
  | { fail: AppError };

export type StageStatus = 'pending' | 'running' | 'waiting' | 'done' | 'failed' | 'skipped';

/** What a failed stage or job shows: the cloud's code, where, and what to do. */
export interface JobError {
  code: string;
  message: string;
  stage: string;
  retryable: boolean;
  cloudCode?: string;
  cloudRequestId?: string;
  hint?: string;
  /** What the stage knew when it failed (e.g. a script's exit code and output tail). */
  details?: unknown;
}

export interface StageState {
  name: string;
  status: StageStatus;
  /** Invocations that took this stage's lease (each poll of a waiting stage is one). */
  attempts: number;
  /** Retryable failures in a row (reset by progress); past the stage's budget the job fails. */
  failures?: number;
  startedAtMs?: number;
  endedAtMs?: number;
  /** Why it waits (`VPC Pending`), while `waiting`. */
  waitWhy?: string;
  /** What the stage saved when it last waited (kept across retries, dropped when done). */
  progress?: unknown;
  error?: JobError;
}

export type JobStatus = 'running' | 'succeeded' | 'failed';

/** The job on its record (one JSON column). */
export interface JobState {
  /** Unique per operation (`<recordId>.<n>`): ClientTokens and task ids derive from it. */
  id: string;
  /** The workflow's name (`server.create`), which the runner looks up to run it. */
  kind: string;
  status: JobStatus;
  /** The current (or, once ended, the last) stage. */
  stage: string;
  stages: StageState[];
  /** Memoised outputs by stage name. */
  outputs: Record<string, unknown>;
  error?: JobError;
  /** Set when the job has ended but its `finally` stage still runs: the outcome to commit after it. */
  ending?: { status: 'succeeded' | 'failed'; error?: JobError };
  startedAtMs: number;
  /** When `retry` last resumed it. */
  resumedAtMs?: number;
  endedAtMs?: number;
}

/** The fields the engine owns on a job's record. */
export interface JobFields {
  id: string;
  job?: JobState;
  /** Held while an invocation runs a stage: others drop the event. Cleared on commit. */
  leaseUntilMs?: number;
  leaseHolder?: string;
  /** When the job next needs attention (the sweeper's due index row says the same). */
  nextRunAtMs?: number;
  /** Key of the job's row in `job_due`: one row per job that is not finished. */
  dueKey?: string;
}

export interface StageCtx<R, A> {
  /** The record as loaded (read-only). */
  record: Readonly<R>;
  job: Readonly<JobState>;
  /** Outputs of the stages done so far, by name. */
  outputs: Readonly<Record<string, unknown>>;
  /** This stage's checkpoint from its last `wait` (undefined on its first run). */
  progress: unknown;
  /** The activities: every cloud call a stage makes goes through here (built lazily, once). */
  act: () => Promise<A>;
  /** `<job id>:<stage>`: the ClientToken of this stage's creates, the same on every attempt. */
  token: string;
  /** Leases taken by this stage so far, this one included (1 on the first run). */
  attempt: number;
  nowMs: number;
  /** Real-clock epoch ms when this invocation must have committed. */
  deadlineAtMs: number;
  random: () => number;
}

export interface Stage<R, A> {
  name: string;
  /** Evaluated when the stage comes up: false = `skipped` (a route only when asked, a bootstrap only with a script). */
  when?: (ctx: Pick<StageCtx<R, A>, 'record' | 'outputs' | 'job'>) => boolean;
  run(ctx: StageCtx<R, A>): Promise<StageResult>;
  /** Retryable failures in a row before the job fails (default 8). */
  maxFailures?: number;
}

/** A kind of job: where its records live, its stages, and what its progress means for the record. */
export interface Workflow<R extends JobFields, A> {
  kind: string;
  table: TableDef;
  /** The function and action that run one stage (`provision`, `provision.step`). */
  fn: string;
  action: string;
  stages: readonly Stage<R, A>[];
  /**
   * Runs whenever the job reaches its end (succeeded or failed), before the end is committed
   * (e.g. a notification), unless its `when` says no. Retried like a stage; its failure never
   * changes the job's outcome.
   */
  finally?: Stage<R, A>;
  /** The activities of a job (e.g. the account's cloud client for the record's region). */
  activities(record: R): Promise<A>;
  /** Record fields that follow from the job after each commit (status, resources). */
  project?(record: R, job: JobState, nowMs: number): Partial<R>;
}

/** The event that runs one stage: `{action, input: StepInput}`. */
export interface StepInput {
  table: string;
  id: string;
  stage: string;
  /** The stage's `attempts` when this event was sent: an older one is a duplicate. */
  attempt: number;
}
