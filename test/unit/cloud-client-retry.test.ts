import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backoffMs, DEFAULT_RETRY_POLICY, withRetry, type RetryPolicy } from '../../lib/cloud/retry';
import { callCloud, DRY_RUN_OK } from '../../lib/cloud/call';
import { ManualClock } from '../../lib/core/clock';
import { isAppError, type AppError } from '../../lib/core/errors';
import type { Transport } from '../../lib/cloud/transport';

const err = (code: string, statusCode: number) =>
  Object.assign(new Error(code), { name: 'ClientError', code, statusCode, requestId: 'R', data: { Code: code } });

function harness(random = () => 0.5) {
  const clock = new ManualClock(1_000_000);
  const sleeps: number[] = [];
  const deps = {
    clock,
    random,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      clock.advance(ms);
    },
  };
  return { clock, sleeps, deps };
}

/** Fails with the given errors in order, then succeeds; records every call's arguments. */
function flaky(errors: unknown[], result = 'ok') {
  const calls: number[] = [];
  return {
    calls,
    fn: async (attempt: number) => {
      calls.push(attempt);
      const e = errors.shift();
      if (e) throw e;
      return result;
    },
  };
}

test('full jitter: delay is random() × min(cap, base·2^(n-1)); throttling uses the longer base', () => {
  const p: RetryPolicy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, throttledBaseDelayMs: 1000, maxDelayMs: 3000 };
  assert.is(
    backoffMs(p, { kind: 'transient' }, 1, () => 0.5),
    50,
  );
  assert.is(
    backoffMs(p, { kind: 'transient' }, 3, () => 0.5),
    200,
  );
  assert.is(
    backoffMs(p, { kind: 'transient' }, 10, () => 0.999),
    2997,
  );
  assert.is(
    backoffMs(p, { kind: 'throttled' }, 1, () => 0.5),
    500,
  );
  assert.is(
    backoffMs(p, { kind: 'throttled' }, 3, () => 0.5),
    1500,
  );
  assert.is(
    backoffMs(p, { kind: 'transient' }, 2, () => 0),
    0,
  );
  // A retry-after from the cloud is a floor, still capped.
  assert.is(
    backoffMs(p, { kind: 'throttled', retryAfterMs: 1200 }, 1, () => 0.1),
    1200,
  );
  assert.is(
    backoffMs(p, { kind: 'throttled', retryAfterMs: 60_000 }, 1, () => 0.1),
    3000,
  );
});

test('transient errors are retried until success', async () => {
  const h = harness();
  const f = flaky([err('ServiceUnavailable', 503), err('ServiceUnavailable', 503)]);
  const r = await withRetry('Ecs:DescribeRegions', f.fn, DEFAULT_RETRY_POLICY, h.deps);
  assert.is(r, 'ok');
  assert.equal(f.calls, [1, 2, 3]);
  assert.equal(h.sleeps, [100, 200]);
});

test('throttling is retried with the longer base', async () => {
  const h = harness();
  const f = flaky([err('Throttling.User', 400)]);
  assert.is(await withRetry('Ecs:DescribeKeyPairs', f.fn, DEFAULT_RETRY_POLICY, h.deps), 'ok');
  assert.equal(h.sleeps, [500]);
});

for (const [code, status, appCode] of [
  ['InvalidAccessKeyId.NotFound', 404, 'CloudRejected'],
  ['SignatureDoesNotMatch', 400, 'CloudRejected'],
  ['Forbidden.RAM', 403, 'CloudRejected'],
  ['QuotaExceeded.Vpc', 400, 'CloudRejected'],
  ['OperationDenied.NoStock', 400, 'CloudRejected'],
  ['IdempotentParameterMismatch', 400, 'CloudRejected'],
] as const) {
  test(`${code} is never retried`, async () => {
    const h = harness();
    const f = flaky([err(code, status)]);
    const e = (await withRetry('Vpc:CreateVpc', f.fn, DEFAULT_RETRY_POLICY, h.deps).catch((x) => x)) as AppError;
    assert.ok(isAppError(e));
    assert.is(e.code, appCode);
    assert.is(e.cloud?.code, code);
    assert.equal(f.calls, [1]);
    assert.equal(h.sleeps, []);
  });
}

test('bounded attempts: a persistent transient error ends as CloudUnavailable after maxAttempts', async () => {
  const h = harness();
  const f = flaky(Array.from({ length: 10 }, () => err('InternalError', 500)));
  const e = (await withRetry('Ecs:RunInstances', f.fn, { ...DEFAULT_RETRY_POLICY, maxAttempts: 4 }, h.deps).catch(
    (x) => x,
  )) as AppError;
  assert.is(e.code, 'CloudUnavailable');
  assert.is(e.status, 502);
  assert.ok(e.retryable);
  assert.equal(f.calls, [1, 2, 3, 4]);
  assert.is(h.sleeps.length, 3);
});

test('bounded total time: no attempt starts after maxTotalMs', async () => {
  const h = harness(() => 0.999);
  const f = flaky(Array.from({ length: 10 }, () => err('Throttling.User', 400)));
  const p = {
    ...DEFAULT_RETRY_POLICY,
    maxAttempts: 100,
    throttledBaseDelayMs: 1000,
    maxDelayMs: 8000,
    maxTotalMs: 5000,
  };
  const e = (await withRetry('Ecs:DescribeKeyPairs', f.fn, p, h.deps).catch((x) => x)) as AppError;
  assert.is(e.code, 'RateLimited');
  assert.ok(h.clock.now() - 1_000_000 <= 5000, `waited ${h.clock.now() - 1_000_000} ms`);
  assert.ok(f.calls.length >= 2 && f.calls.length <= 4, `calls ${f.calls.length}`);
});

test('busy codes are retried; a programming error is rethrown untouched', async () => {
  const h = harness();
  const f = flaky([
    err('TaskConflict', 400),
    err('IncorrectRouteEntryStatus', 400),
    err('DependencyViolation.RouteEntry', 400),
  ]);
  assert.is(await withRetry('Vpc:CreateRouteEntry', f.fn, DEFAULT_RETRY_POLICY, h.deps), 'ok');
  assert.equal(f.calls, [1, 2, 3, 4]);
  const bug = new TypeError('cannot read x');
  const e = await withRetry(
    'Ecs:X',
    async () => {
      throw bug;
    },
    DEFAULT_RETRY_POLICY,
    h.deps,
  ).catch((x) => x);
  assert.is(e, bug);
});

/** A transport whose rpc records the params of each attempt. */
function recordingTransport(
  errors: unknown[],
  invalidate?: () => void,
): { t: Transport; seen: Record<string, unknown>[] } {
  const seen: Record<string, unknown>[] = [];
  const t = {
    regionId: 'cn-hangzhou',
    credentials: {
      get: async () => ({ accessKeyId: 'a', accessKeySecret: 'b' }),
      ...(invalidate ? { invalidate } : {}),
    },
    rpc: async (_p: string, _a: string, params: Record<string, unknown>) => {
      seen.push({ ...params });
      const e = errors.shift();
      if (e) throw e;
      return { VpcId: 'vpc-1' };
    },
    ecs: async () => {
      throw new Error('no ecs');
    },
  } as unknown as Transport;
  return { t, seen };
}

test('the same ClientToken is sent on every retry', async () => {
  const h = harness();
  const { t, seen } = recordingTransport([err('ServiceUnavailable', 503), err('TaskConflict', 400)]);
  const { createVpcApi } = await import('../../lib/cloud/vpc');
  const vpc = createVpcApi({ transport: t, policy: DEFAULT_RETRY_POLICY, deps: h.deps });
  const r = await vpc.createVpc({ cidrBlock: '10.0.0.0/16', clientToken: 'tok-srv1-vpc' });
  assert.equal(r, { vpcId: 'vpc-1', vRouterId: '', routeTableId: '' });
  assert.is(seen.length, 3);
  for (const s of seen) assert.is(s.ClientToken, 'tok-srv1-vpc');
});

test('DryRunOperation becomes {wouldSucceed: true}; other DryRun refusals are classified', async () => {
  const h = harness();
  const { t, seen } = recordingTransport([err('DryRunOperation', 400)]);
  const { createVpcApi } = await import('../../lib/cloud/vpc');
  const vpc = createVpcApi({ transport: t, policy: DEFAULT_RETRY_POLICY, deps: h.deps });
  assert.equal(await vpc.createVpc({ cidrBlock: '10.0.0.0/16', dryRun: true }), DRY_RUN_OK);
  assert.is(seen[0]?.DryRun, true);
  const denied = recordingTransport([err('Forbidden.RAM', 403)]);
  const vpc2 = createVpcApi({ transport: denied.t, policy: DEFAULT_RETRY_POLICY, deps: h.deps });
  const e = (await vpc2.createVpc({ cidrBlock: '10.0.0.0/16', dryRun: true }).catch((x) => x)) as AppError;
  assert.is(e.cloud?.code, 'Forbidden.RAM');
  assert.match(e.cloud?.hint ?? '', 'vpc:CreateVpc');
});

test('an expired STS token invalidates the cached credentials once and retries at once', async () => {
  const h = harness();
  let invalidated = 0;
  const { t, seen } = recordingTransport([err('InvalidSecurityToken.Expired', 400)], () => invalidated++);
  const r = await callCloud({ transport: t, policy: DEFAULT_RETRY_POLICY, deps: h.deps }, 'Vpc:DescribeVpcs', () =>
    t.rpc('Vpc', 'DescribeVpcs', {}),
  );
  assert.equal(r, { VpcId: 'vpc-1' });
  assert.is(invalidated, 1);
  assert.is(seen.length, 2);
  assert.equal(h.sleeps, []);
  const twice = recordingTransport(
    [err('InvalidSecurityToken.Expired', 400), err('InvalidSecurityToken.Expired', 400)],
    () => invalidated++,
  );
  const e = (await callCloud(
    { transport: twice.t, policy: DEFAULT_RETRY_POLICY, deps: h.deps },
    'Vpc:DescribeVpcs',
    () => twice.t.rpc('Vpc', 'DescribeVpcs', {}),
  ).catch((x) => x)) as AppError;
  assert.is(e.cloud?.code, 'InvalidSecurityToken.Expired');
  assert.is(twice.seen.length, 2);
});

test.run();
