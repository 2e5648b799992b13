/**
 * The sweeper's half of the engine: every due-index row that is overdue names a job whose event
 * was lost, failed for good, or whose invocation died holding the lease. The sweeper takes the
 * stage over — one conditional write counts a new attempt, drops the dead lease and re-arms the
 * due time, so the late original event (older attempt) is refused and the new one gets its full
 * delivery time — and sends the event again with the new attempt's task id. Rows whose record
 * moved on are stale and removed.
 */
import { isVersionConflict } from '../store/errors';
import { dueRows, putDue, removeDue, STALE_GRACE_MS } from './due';
import { stageOf } from './advance';
import { dispatch, type JobsDeps, type Registry } from './runner';
import type { JobFields, JobState } from './types';

export interface SweepResult {
  /** Jobs taken over and sent again. */
  resumed: number;
  /** Stale index rows removed. */
  removed: number;
  /** Overdue jobs left alone (a live invocation holds the stage). */
  busy: number;
  scanned: number;
}

export async function sweepJobs(
  deps: JobsDeps,
  registry: Registry,
  opts: { limit?: number } = {},
): Promise<SweepResult> {
  const now = deps.clock.now();
  // Real time: how long FC may take to deliver an event, whatever the sandbox's time scale.
  const cutoff = now - deps.config.jobOverdueMs;
  const rows = await dueRows(deps.store, cutoff, opts.limit ?? 200);
  const out: SweepResult = { resumed: 0, removed: 0, busy: 0, scanned: rows.length };
  for (const row of rows) {
    const table = registry.tableOf(row.table);
    const rec = table ? await deps.store.get<JobFields>(table, { id: row.id }) : undefined;
    const job = rec?.job;
    if (!table || !rec || !job || job.status !== 'running' || rec.dueKey !== row.dueKey) {
      if (row.writtenAtMs < now - STALE_GRACE_MS) {
        await removeDue(deps.store, row.dueKey);
        out.removed++;
      }
      continue;
    }
    if (rec.leaseUntilMs !== undefined && rec.leaseUntilMs > now) {
      out.busy++;
      continue;
    }
    // A job that went on at once keeps an older row: late is measured from when it was due.
    if ((rec.nextRunAtMs ?? row.atMs) > cutoff) continue;
    const wf = registry.get(job.kind);
    if (!wf) continue;
    const st = stageOf(job);
    const takenOver: JobState = {
      ...job,
      stages: job.stages.map((s) => (s.name === st.name ? { ...s, attempts: s.attempts + 1 } : s)),
    };
    // Re-armed at now: the next sweep gives the event sent here its full delivery time before
    // taking the job over again (else a slow platform would see every event overtaken).
    const dueKey = await putDue(deps.store, row.table, rec.id, now, now);
    try {
      await deps.store.update<JobFields>(table, { id: rec.id }, rec.version, {
        job: takenOver,
        leaseUntilMs: undefined,
        leaseHolder: undefined,
        nextRunAtMs: now,
        dueKey,
      });
    } catch (e) {
      if (isVersionConflict(e)) continue; // it moved meanwhile: not lost after all
      throw e;
    }
    if (row.dueKey !== dueKey) await removeDue(deps.store, row.dueKey);
    deps.log.info('job resumed by the sweeper', {
      table: row.table,
      id: rec.id,
      stage: st.name,
      attempt: st.attempts + 1,
      overdueMs: now - row.atMs,
      deadLease: rec.leaseUntilMs !== undefined,
    });
    if (await dispatch(deps, wf, { id: rec.id, job: takenOver })) out.resumed++;
  }
  return out;
}
