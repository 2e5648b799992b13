/** The sandbox clock and its per-API rate windows, and the admin inputs that set them (pure logic). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { clockInput, updateLatency, updateRateLimits } from '../../lib/sandbox/admin-load';
import { SandboxClock } from '../../lib/sandbox/openapi/clock';
import { ApiRateLimiter, DOCUMENTED_RATE_LIMITS, latencyOf, rateLimitsOf } from '../../lib/sandbox/openapi/load';
import type { AccountRecord } from '../../lib/sandbox/openapi/state';
import { AdminError, type SandboxApiError } from '../../lib/sandbox/openapi/types';

const account = (): AccountRecord =>
  ({ account: { accountId: '1234567890123456' }, roles: {}, kms: { keys: {}, aliases: {} }, faults: [] }) as never;

function throttled(f: () => void): SandboxApiError & { headers?: Record<string, string> } {
  try {
    f();
  } catch (e) {
    return e as SandboxApiError;
  }
  throw new Error('expected Throttling.User');
}

test('clock: frozen time stands still, advance moves it by simulated seconds × scale, unfreezing continues from there', () => {
  let real = 1_000_000;
  const c = new SandboxClock(() => real, 0.01);
  c.freeze(true);
  real += 5_000;
  assert.is(c.now(), 1_000_000);
  c.advance(60); // 60 simulated s at 0.01 = 600 real ms
  assert.is(c.now(), 1_000_600);
  c.freeze(false);
  real += 100;
  assert.is(c.now(), 1_000_700);
  assert.is(c.real(), 1_005_100);
  assert.equal(c.view().frozen, false);
  assert.is(c.currentOffsetMs(), -4_400);
});

test('rate windows: the documented SearchResources 20 per second per account and region, fixed windows of sandbox time', () => {
  const rec = account();
  const lim = new ApiRateLimiter();
  const t0 = 10_000_000; // a window start at scale 1 (1 s windows)
  for (let i = 0; i < 20; i++) lim.take(rec, '', 'SearchResources', t0 + i, 1);
  const e = throttled(() => lim.take(rec, '', 'SearchResources', t0 + 500, 1));
  assert.equal(
    [e.code, e.httpStatus, e.message],
    ['Throttling.User', 400, 'Request was denied due to user flow control.'],
  );
  assert.is(e.headers?.['x-acs-retry-after'], '500');
  lim.take(rec, 'cn-beijing', 'SearchResources', t0 + 500, 1); // another region: its own window
  lim.take(rec, '', 'DescribeInstances', t0 + 500, 1); // no documented limit
  lim.take(rec, '', 'SearchResources', t0 + 1_000, 1); // next window
  // at time scale 0.001 a simulated second is 1 real ms
  const fast = new ApiRateLimiter();
  for (let i = 0; i < 20; i++) fast.take(rec, '', 'SearchResources', t0, 0.001);
  throttled(() => fast.take(rec, '', 'SearchResources', t0, 0.001));
  fast.take(rec, '', 'SearchResources', t0 + 1, 0.001);
});

test('admin rate-limits: set, remove, reset to the documented table; hostile input refused', () => {
  const rec = account();
  assert.equal(rateLimitsOf(rec), { ...DOCUMENTED_RATE_LIMITS });
  updateRateLimits(rec, { DescribeInstances: { limit: 2, periodSeconds: 60 }, SearchResources: null });
  assert.equal(rateLimitsOf(rec).DescribeInstances, { limit: 2, periodSeconds: 60 });
  assert.is(rateLimitsOf(rec).SearchResources, undefined);
  const lim = new ApiRateLimiter();
  lim.take(rec, 'cn-hangzhou', 'DescribeInstances', 0, 1);
  lim.take(rec, 'cn-hangzhou', 'DescribeInstances', 1, 1);
  throttled(() => lim.take(rec, 'cn-hangzhou', 'DescribeInstances', 59_999, 1));
  updateRateLimits(rec, { reset: true });
  assert.equal(rateLimitsOf(rec), { ...DOCUMENTED_RATE_LIMITS });
  for (const bad of [
    { 'bad action': { limit: 1 } },
    { X1: { limit: -1 } },
    { X1: { limit: 1.5 } },
    { X1: { limit: 1, periodSeconds: 0 } },
    { X1: 'fast' },
  ])
    assert.throws(
      () => updateRateLimits(rec, bad),
      (e: unknown) => e instanceof AdminError && e.status === 400,
    );
});

test('admin latency and clock inputs', () => {
  const rec = account();
  updateLatency(rec, { ms: 20, byAction: { SearchResources: 80 } });
  assert.equal([latencyOf(rec, 'DescribeVpcs'), latencyOf(rec, 'SearchResources')], [20, 80]);
  updateLatency(rec, { ms: 0 });
  assert.is(latencyOf(rec, 'SearchResources'), 0);
  for (const bad of [{ ms: -1 }, { ms: 1e9 }, { ms: 5, byAction: [] }, { ms: 5, byAction: { x: 1 } }])
    assert.throws(
      () => updateLatency(rec, bad),
      (e: unknown) => e instanceof AdminError,
    );
  assert.equal(clockInput({ advanceSeconds: 30, frozen: true }), { advanceSeconds: 30, frozen: true });
  for (const bad of [{ advanceSeconds: -1 }, { advanceSeconds: 'soon' }, { frozen: 1 }])
    assert.throws(
      () => clockInput(bad),
      (e: unknown) => e instanceof AdminError,
    );
});

test.run();
