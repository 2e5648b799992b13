/** A server's status, from the job that runs (or ran) on it. */
import type { JobState } from '../jobs';
import type { ServerRecord, ServerStatus } from './model';

/**
 * The server's status for its job. A job that ended but still runs its `notify` stage is not
 * over yet: the server is `ready` (or `deleted`, `failed`) once the notification went out, so a
 * client that sees it can start the next operation at once.
 */
export function statusOf(r: Pick<ServerRecord, 'status'>, job: JobState, status = job.status): ServerStatus {
  if (job.kind === 'server.create') {
    if (status === 'succeeded') return 'ready';
    if (status === 'failed') return 'failed';
    return job.stages.some((s) => s.attempts > 0) ? 'provisioning' : 'queued';
  }
  if (job.kind === 'server.delete') {
    if (status === 'succeeded') return 'deleted';
    return status === 'failed' ? 'failed' : 'deleting';
  }
  return r.status; // a power action leaves the server ready (or whatever it was)
}
