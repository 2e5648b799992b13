/**
 * Starting and resuming jobs. The domain writes the record (a create, or a conditional update of
 * an existing one) carrying the job fields this returns; the due row is written before it and
 * the first event sent after it, so a crash at any point leaves either nothing or a record the
 * sweeper will find.
 */
import { AppError } from '../core/errors';
import { putDue } from './due';
import { newJob, resumeJob } from './advance';
import { dispatch, dueAt, type JobsDeps } from './runner';
import type { JobFields, JobState, Workflow } from './types';

export type JobStartFields = Required<Pick<JobFields, 'job' | 'nextRunAtMs' | 'dueKey'>> &
  Pick<JobFields, 'leaseUntilMs' | 'leaseHolder'>;

/**
 * Runs `wf` on `record` (as it is about to be written) as job `jobId`: `write` stores the record
 * with the given fields and returns it as written (it may throw Conflict, and then nothing ran).
 */
export async function startJob<R extends JobFields, A>(
  deps: JobsDeps,
  wf: Workflow<R, A>,
  jobId: string,
  record: R,
  write: (fields: JobStartFields) => Promise<R>,
): Promise<R> {
  const now = deps.clock.now();
  return launch(deps, wf, record.id, newJob(wf, jobId, record, now), write);
}

/** Resumes a failed job at the stage that failed (`retry`), keeping its outputs. */
export async function resumeFailedJob<R extends JobFields, A>(
  deps: JobsDeps,
  wf: Workflow<R, A>,
  record: R,
  write: (fields: JobStartFields) => Promise<R>,
): Promise<R> {
  if (record.job?.status !== 'failed') throw new AppError('Conflict', 'only a failed job can be retried');
  return launch(deps, wf, record.id, resumeJob(record.job, deps.clock.now()), write);
}

async function launch<R extends JobFields, A>(
  deps: JobsDeps,
  wf: Workflow<R, A>,
  id: string,
  job: JobState,
  write: (fields: JobStartFields) => Promise<R>,
): Promise<R> {
  const now = deps.clock.now();
  const nextRunAtMs = dueAt(deps, now, 0);
  const dueKey = await putDue(deps.store, wf.table.name, id, nextRunAtMs, now);
  const written = await write({ job, nextRunAtMs, dueKey, leaseUntilMs: undefined, leaseHolder: undefined });
  if (written.job?.status === 'running') await dispatch(deps, wf as never, written);
  return written;
}
