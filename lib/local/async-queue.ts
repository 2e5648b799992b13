/**
 * FC's asynchronous invocation, locally: delayed start (`x-fc-async-delay`), idempotent task ids
 * (`x-fc-async-task-id`) and retries of failed calls up to `maxAsyncRetryAttempts`, with
 * back-off. Every wait is multiplied by the sandbox time scale.
 */
import type { LocalFunction } from './syaml';
import type { InvokeOutcome } from './instances';

export type AsyncTaskStatus = 'Enqueued' | 'Running' | 'Succeeded' | 'Failed' | 'Stopped';

export interface AsyncTask {
  taskId: string;
  requestId: string;
  functionName: string;
  /** What queued it: an invoke API call or a timer trigger. */
  source: 'invoke' | 'timer';
  status: AsyncTaskStatus;
  /** Attempts made so far (1 = the first call, 2 = first retry, …). */
  attempts: number;
  maxAttempts: number;
  createdAtMs: number;
  dueAtMs: number;
  finishedAtMs?: number;
  lastError?: { errorType: string; errorMessage: string };
}

export interface AsyncQueueOptions {
  timeScale: number;
  run: (fn: LocalFunction, event: Buffer, task: AsyncTask) => Promise<InvokeOutcome>;
  /** Base back-off between retries before scaling (FC waits seconds to minutes). Default 1000. */
  retryBaseMs?: number;
  /** Wall clock for `createdAtMs`/`dueAtMs`/`finishedAtMs`; default `Date.now` (tests pin it to read exact scheduled delays). */
  now?: () => number;
}

/**
 * What FC may do to an async event and callers must survive (tests only): deliver it more than
 * once (at-least-once delivery), or lose it (a platform failure; the caller's sweeper recovers).
 */
export interface AsyncChaos {
  /** Deliver every invoked (not timer) event a second time, independently of the first. */
  duplicate?: boolean;
  /** Lose this share (0..1) of invoked events: accepted (202), never run. */
  dropRate?: number;
  random?: () => number;
}

const MAX_KEPT = 10_000;

export class AsyncQueue {
  private readonly tasks = new Map<string, AsyncTask>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly idle: Array<() => void> = [];
  private inFlight = 0;
  private closed = false;

  private readonly now: () => number;
  /** See `AsyncChaos`; off unless a test turns it on. */
  chaos: AsyncChaos = {};
  /** Events lost on purpose by `chaos.dropRate`. */
  dropped = 0;

  constructor(private readonly opts: AsyncQueueOptions) {
    this.now = opts.now ?? Date.now;
  }

  get(taskId: string): AsyncTask | undefined {
    return this.tasks.get(taskId);
  }

  list(functionName?: string): AsyncTask[] {
    return [...this.tasks.values()].filter((t) => !functionName || t.functionName === functionName);
  }

  /**
   * Enqueues a call. A task id seen before returns the existing task and runs nothing (`duplicate`).
   */
  submit(
    fn: LocalFunction,
    event: Buffer,
    o: { taskId: string; requestId: string; delayMs: number; source?: 'invoke' | 'timer' },
  ): { task: AsyncTask; duplicate: boolean } {
    const seen = this.tasks.get(o.taskId);
    if (seen) return { task: seen, duplicate: true };
    const now = this.now();
    const delay = Math.max(0, o.delayMs * this.opts.timeScale);
    const task: AsyncTask = {
      taskId: o.taskId,
      requestId: o.requestId,
      functionName: fn.functionName,
      source: o.source ?? 'invoke',
      status: 'Enqueued',
      attempts: 0,
      maxAttempts: 1 + Math.max(0, Math.min(8, fn.maxAsyncRetryAttempts)),
      createdAtMs: now,
      dueAtMs: now + delay,
    };
    this.tasks.set(task.taskId, task);
    if (this.tasks.size > MAX_KEPT) {
      for (const [id, t] of this.tasks) {
        if (this.tasks.size <= MAX_KEPT) break;
        if (t.status === 'Succeeded' || t.status === 'Failed') this.tasks.delete(id);
      }
    }
    const random = this.chaos.random ?? Math.random;
    if (task.source === 'invoke' && this.chaos.dropRate && random() < this.chaos.dropRate) {
      this.dropped++; // accepted, never run: the Enqueued task stays as FC lost it
      return { task, duplicate: false };
    }
    this.schedule(fn, event, task, delay);
    if (task.source === 'invoke' && this.chaos.duplicate) this.deliverAgain(fn, event, task, delay + random() * 5);
    return { task, duplicate: false };
  }

  private schedule(fn: LocalFunction, event: Buffer, task: AsyncTask, delayMs: number) {
    if (this.closed) return;
    this.inFlight++;
    const t = setTimeout(() => {
      this.timers.delete(t);
      void this.attempt(fn, event, task).finally(() => {
        this.inFlight--;
        if (this.inFlight === 0) for (const f of this.idle.splice(0)) f();
      });
    }, delayMs);
    this.timers.add(t);
  }

  /** A second, independent delivery of the same event (its outcome changes nothing on the task). */
  private deliverAgain(fn: LocalFunction, event: Buffer, task: AsyncTask, delayMs: number) {
    if (this.closed) return;
    this.inFlight++;
    const t = setTimeout(() => {
      this.timers.delete(t);
      void this.opts
        .run(fn, event, task)
        .catch(() => undefined)
        .finally(() => {
          this.inFlight--;
          if (this.inFlight === 0) for (const f of this.idle.splice(0)) f();
        });
    }, delayMs);
    this.timers.add(t);
  }

  private async attempt(fn: LocalFunction, event: Buffer, task: AsyncTask) {
    if (this.closed) return;
    task.status = 'Running';
    task.attempts++;
    const outcome = await this.opts.run(fn, event, task);
    if (outcome.ok) {
      task.status = 'Succeeded';
      task.finishedAtMs = this.now();
      delete task.lastError;
      return;
    }
    task.lastError = { errorType: outcome.errorType, errorMessage: outcome.errorMessage };
    if (task.attempts < task.maxAttempts && !this.closed) {
      const backoff =
        Math.min((this.opts.retryBaseMs ?? 1000) * 2 ** (task.attempts - 1), 5 * 60_000) * this.opts.timeScale;
      task.status = 'Enqueued';
      task.dueAtMs = this.now() + backoff;
      this.schedule(fn, event, task, backoff);
    } else {
      task.status = 'Failed';
      task.finishedAtMs = this.now();
    }
  }

  /** Resolves when nothing is scheduled or running (tests). */
  drain(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  close() {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const task of this.tasks.values()) if (task.status === 'Enqueued') task.status = 'Stopped';
    this.inFlight = 0;
    for (const f of this.idle.splice(0)) f();
  }
}
