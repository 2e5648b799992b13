/** The one back-off: delays per policy and jitter, and `retrying`'s attempts, time budget and verdicts. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BACKOFF, backoffDelay, retrying, type BackoffPolicy } from '../../lib/core/backoff';

const P: BackoffPolicy = { baseMs: 100, maxMs: 1000, jitter: 'none', maxAttempts: 4 };

test('delays grow by the factor, are capped, and honour a retry-after floor', () => {
  assert.equal(
    [1, 2, 3, 4, 5].map((r) => backoffDelay(P, r, Math.random)),
    [100, 200, 400, 800, 1000],
  );
  assert.is(backoffDelay({ ...P, factor: 3 }, 3, Math.random), 900);
  assert.is(backoffDelay(P, 1, Math.random, 650), 650);
  assert.is(backoffDelay(P, 1, Math.random, 60_000), 1000, 'the floor is capped too');
});

test('full jitter spans [0, d); equal jitter spans [d/2, d)', () => {
  const full = { ...P, jitter: 'full' } as const;
  const equal = { ...P, jitter: 'equal' } as const;
  assert.is(
    backoffDelay(full, 3, () => 0),
    0,
  );
  assert.is(
    backoffDelay(full, 3, () => 0.999),
    399,
  );
  assert.is(
    backoffDelay(equal, 3, () => 0),
    200,
  );
  assert.is(
    backoffDelay(equal, 3, () => 0.999),
    399,
  );
});

test('every named policy has a positive base and a cap at least as large', () => {
  for (const [name, p] of Object.entries(BACKOFF)) {
    assert.ok(p.baseMs > 0 && p.maxMs >= p.baseMs, name);
  }
});

function harness() {
  let now = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    opts: {
      now: () => now,
      sleep: async (ms: number) => {
        sleeps.push(ms);
        now += ms;
      },
      random: () => 0.5,
    },
  };
}

test('retrying: retries what is retryable until it succeeds', async () => {
  const h = harness();
  let calls = 0;
  const out = await retrying(
    async (attempt) => {
      calls++;
      if (attempt < 3) throw new Error('flaky');
      return `ok after ${attempt}`;
    },
    { policy: P, retryable: () => true, ...h.opts },
  );
  assert.is(out, 'ok after 3');
  assert.is(calls, 3);
  assert.equal(h.sleeps, [100, 200]);
});

test('retrying: stops at once on a non-retryable error and after maxAttempts otherwise', async () => {
  const h = harness();
  const fatal = new Error('fatal');
  let calls = 0;
  const e1 = await retrying(
    async () => {
      calls++;
      throw fatal;
    },
    { policy: P, retryable: (e) => e !== fatal, ...h.opts },
  ).catch((e) => e);
  assert.is(e1, fatal);
  assert.is(calls, 1);
  calls = 0;
  const last = await retrying(
    async (attempt) => {
      calls++;
      throw new Error(`try ${attempt}`);
    },
    { policy: P, retryable: () => true, ...h.opts },
  ).catch((e) => e);
  assert.is(calls, 4);
  assert.is((last as Error).message, 'try 4', 'the last error is rethrown');
});

test('retrying: no new try starts past maxTotalMs; a verdict may pick the policy and a floor', async () => {
  const h = harness();
  let calls = 0;
  await retrying(
    async () => {
      calls++;
      throw new Error('x');
    },
    { policy: { ...P, maxAttempts: 100, maxTotalMs: 650 }, retryable: () => true, ...h.opts },
  ).catch(() => undefined);
  assert.equal(h.sleeps, [100, 200], 'a third wait (400) would end past 650 ms');
  assert.is(calls, 3);

  const h2 = harness();
  const slow: BackoffPolicy = { baseMs: 500, maxMs: 5000, jitter: 'none' };
  await retrying(
    async (attempt) => {
      if (attempt < 3) throw new Error(attempt === 1 ? 'throttled' : 'retry-after');
      return 1;
    },
    {
      policy: P,
      retryable: (e) => ((e as Error).message === 'throttled' ? { policy: slow } : { floorMs: 3000 }),
      ...h2.opts,
    },
  );
  assert.equal(h2.sleeps, [500, 1000], 'retry 1 on the slow policy; retry 2 floored at 3000 then capped by P');
});

test.run();
