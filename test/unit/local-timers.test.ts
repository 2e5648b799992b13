/**
 * Timer triggers on the scaled clock and the async queue (delay, task ids, retries, close),
 * driven with a recording `fire`/`run` instead of function processes.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AsyncQueue } from '../../lib/local/async-queue';
import type { InvokeOutcome } from '../../lib/local/instances';
import type { LocalFunction } from '../../lib/local/syaml';
import { startTimers } from '../../lib/local/timers';

const fn = (over: Partial<LocalFunction> = {}): LocalFunction => ({
  resource: 'f',
  functionName: 'fleet-f',
  code: '.',
  handler: 'index.handler',
  memorySize: 128,
  timeoutSec: 3,
  environment: {},
  http: false,
  timers: [],
  maxAsyncRetryAttempts: 3,
  asyncTask: false,
  ...over,
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `cond` holds; the bound only turns a timer that never fires into a failure. */
async function until(what: string, cond: () => boolean, ms = 60_000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

test('a scaled @every timer fires repeatedly, no more often than its due times, and stop() stops it', async () => {
  const fires: number[] = [];
  const events: Array<{ triggerName: string; payload: string; triggerTime: string }> = [];
  const started = Date.now();
  const stop = startTimers(
    [fn({ timers: [{ name: 'tick', cronExpression: '@every 1m', payload: '{"k":1}', enable: true }] })],
    {
      timeScale: 0.001, // 1 min → 60 ms
      minIntervalMs: 1,
      fire: (_f, _t, event) => {
        fires.push(Date.now());
        events.push(JSON.parse(event.toString()));
      },
    },
  );
  await until('5 firings', () => fires.length >= 5);
  stop();
  const n = fires.length;
  // One firing per due time at most: due times are 60 ms apart from the start (1 ms for timer rounding).
  assert.ok(n <= Math.floor((fires[n - 1]! + 1 - started) / 60) + 1, `${n} firings by ${fires[n - 1]! - started} ms`);
  await sleep(150);
  assert.is(fires.length, n, 'stop() stops it');
  assert.equal(events[0]!.triggerName, 'tick');
  assert.is(events[0]!.payload, '{"k":1}');
  assert.match(events[0]!.triggerTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
});

test('the floor between firings holds when the clock is very fast; a disabled timer does not fire', async () => {
  const fired: Array<{ name: string; at: number }> = [];
  const stop = startTimers(
    [
      fn({
        timers: [
          { name: 'fast', cronExpression: '* * * * * *', payload: '', enable: true },
          { name: 'off', cronExpression: '* * * * * *', payload: '', enable: false },
        ],
      }),
    ],
    { timeScale: 0.0001, minIntervalMs: 100, fire: (_f, t) => fired.push({ name: t.name, at: Date.now() }) },
  );
  await until('4 firings', () => fired.length >= 4);
  stop();
  // Every 0.1 ms of real time is due, yet firings are at least the 100 ms floor apart (1 ms for timer rounding).
  const gaps = fired.slice(1).map((f, i) => f.at - fired[i]!.at);
  assert.ok(
    gaps.every((g) => g >= 99),
    `gaps ${gaps}`,
  );
  assert.equal(
    fired.map((f) => f.name),
    fired.map(() => 'fast'),
  );
});

test('a bad cron expression is reported, not thrown', () => {
  const errors: string[] = [];
  const stop = startTimers([fn({ timers: [{ name: 'bad', cronExpression: '* * *', payload: '', enable: true }] })], {
    timeScale: 1,
    fire: () => undefined,
    onError: (_f, t, e) => errors.push(`${t.name}: ${e.message}`),
  });
  stop();
  assert.equal(errors.length, 1);
  assert.match(errors[0]!, /^bad: cron/);
});

const ok: InvokeOutcome = { ok: true, kind: 'empty', durationMs: 0 };
const fail = (m: string): InvokeOutcome => ({ ok: false, errorType: 'Error', errorMessage: m, durationMs: 0 });

test('async queue: delays are scaled, task ids dedupe, failures retry with back-off then fail', async () => {
  // The queue's clock is pinned, so `dueAtMs - PINNED` is exactly the delay it scheduled for each
  // attempt: back-off is checked on those numbers, not on wall-time gaps a loaded machine stretches.
  const PINNED = 1_000_000;
  const runs: Array<{ taskId: string; at: number; attempt: number; scheduledMs: number }> = [];
  const plan = new Map<string, number>([
    ['flaky', 2],
    ['doomed', 99],
  ]);
  const q = new AsyncQueue({
    timeScale: 0.01,
    retryBaseMs: 1000, // 10 ms, 20 ms, … after scaling
    now: () => PINNED,
    run: async (_f, _e, task) => {
      runs.push({ taskId: task.taskId, at: Date.now(), attempt: task.attempts, scheduledMs: task.dueAtMs - PINNED });
      const failures = plan.get(task.taskId) ?? 0;
      return task.attempts <= failures ? fail(`attempt ${task.attempts}`) : ok;
    },
  });
  const t0 = Date.now();
  const a = q.submit(fn(), Buffer.from('{}'), { taskId: 'delayed', requestId: 'r1', delayMs: 5000 });
  const again = q.submit(fn(), Buffer.from('{}'), { taskId: 'delayed', requestId: 'r2', delayMs: 0 });
  assert.is(again.duplicate, true);
  assert.is(again.task, a.task);
  q.submit(fn(), Buffer.from('{}'), { taskId: 'flaky', requestId: 'r3', delayMs: 0 });
  q.submit(fn({ maxAsyncRetryAttempts: 2 }), Buffer.from('{}'), { taskId: 'doomed', requestId: 'r4', delayMs: 0 });
  await q.drain();
  const delayed = runs.filter((r) => r.taskId === 'delayed');
  assert.is(delayed.length, 1);
  assert.ok(delayed[0]!.at - t0 >= 45, `ran after ${delayed[0]!.at - t0} ms (5 s × 0.01)`);
  assert.equal(
    runs.filter((r) => r.taskId === 'flaky').map((r) => r.attempt),
    [1, 2, 3],
  );
  assert.is(q.get('flaky')!.status, 'Succeeded');
  const doomed = q.get('doomed')!;
  assert.equal([doomed.status, doomed.attempts, doomed.lastError?.errorMessage], ['Failed', 3, 'attempt 3']);
  const flakyRuns = runs.filter((r) => r.taskId === 'flaky');
  assert.equal(
    flakyRuns.map((r) => r.scheduledMs),
    [0, 10, 20],
    'back-off grows: 1 s then 2 s, scaled by 0.01',
  );
  assert.equal(
    runs.filter((r) => r.taskId === 'doomed').map((r) => r.scheduledMs),
    [0, 10, 20],
  );
  // Timers never fire before their delay (a slow machine only makes gaps longer): 1 ms for timer rounding.
  for (const i of [1, 2]) {
    const gap = flakyRuns[i]!.at - flakyRuns[i - 1]!.at;
    assert.ok(
      gap >= flakyRuns[i]!.scheduledMs - 1,
      `retry ${i} ran ${gap} ms after the previous attempt, scheduled ${flakyRuns[i]!.scheduledMs} ms`,
    );
  }
});

test('async queue: close() stops what is waiting', async () => {
  const runs: string[] = [];
  const q = new AsyncQueue({ timeScale: 1, run: async (_f, _e, t) => (runs.push(t.taskId), ok) });
  q.submit(fn(), Buffer.alloc(0), { taskId: 'later', requestId: 'r', delayMs: 60_000 });
  q.close();
  await q.drain();
  assert.equal(runs, []);
  assert.is(q.get('later')!.status, 'Stopped');
});

test.run();
