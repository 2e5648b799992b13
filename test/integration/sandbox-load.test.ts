/**
 * Per-API rate windows, latency and the clock through the official SDKs: the documented
 * SearchResources limit, admin-set limits per account and region, the typed client backing off
 * by the answer's retry-after (its sleep advances the sandbox clock: no wall-clock waits).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { AppError } from '../../lib/core/errors';
import { clientFor, sandboxClock } from '../helpers/cloud-client';
import { rpcClient, startTestSandbox, type TestSandbox } from '../helpers/sandbox';

let sb: TestSandbox;
let clock: ReturnType<typeof sandboxClock>;
const TIME_SCALE = 0.001;

test.before(async () => {
  sb = await startTestSandbox({ timeScale: TIME_SCALE });
  clock = sandboxClock(sb);
  await clock.freeze();
});
test.after(async () => {
  await sb?.close();
});

const refused = (p: Promise<unknown>): Promise<{ code: string; statusCode: number }> =>
  p.then(
    () => {
      throw new Error('expected Throttling.User');
    },
    (e: { code: string; statusCode: number }) => e,
  );

test('the documented SearchResources limit: 20 calls per second per account; the 21st is Throttling.User (400)', async () => {
  const acct = await sb.createAccount();
  const info = await sb.admin(`/accounts/${acct.accountId}`);
  assert.equal(info.apiRateLimits.SearchResources, { limit: 20, periodSeconds: 1 });
  const raw = rpcClient(sb.endpoint, acct);
  for (let i = 0; i < 20; i++) await raw.call('ResourceCenter', 'SearchResources', { MaxResults: 1 });
  const e = await refused(raw.call('ResourceCenter', 'SearchResources', { MaxResults: 1 }));
  assert.equal([e.code, e.statusCode], ['Throttling.User', 400]);
  await clock.advance(1);
  await raw.call('ResourceCenter', 'SearchResources', { MaxResults: 1 });
});

test('admin limits are per action, per account and per region; the typed client backs off by retry-after', async () => {
  const acct = await sb.createAccount();
  await sb.admin(`/accounts/${acct.accountId}/rate-limits`, { DescribeVpcs: { limit: 1, periodSeconds: 60 } });
  const raw = rpcClient(sb.endpoint, acct);
  await raw.call('Vpc', 'DescribeVpcs', { RegionId: 'cn-hangzhou' });
  const e = await refused(raw.call('Vpc', 'DescribeVpcs', { RegionId: 'cn-hangzhou' }));
  assert.equal(e.code, 'Throttling.User');
  await raw.call('Vpc', 'DescribeVpcs', { RegionId: 'cn-beijing' });
  await raw.call('Ecs', 'DescribeRegions');
  const other = rpcClient(sb.endpoint, await sb.createAccount());
  await other.call('Vpc', 'DescribeVpcs', { RegionId: 'cn-hangzhou' });
  // Without waiting: each back-off sleep moves the sandbox clock by as much (real ms → simulated s).
  const slept: number[] = [];
  const c = clientFor(sb, acct, {
    sleep: async (ms) => {
      slept.push(ms);
      await clock.advance(ms / 1000 / TIME_SCALE);
    },
  });
  assert.equal(await c.vpc.describeVpcs({}), []);
  assert.ok(slept.length >= 1);
  // With no sleep (and so no time passing) the client gives up with RateLimited
  const stuck = clientFor(sb, acct, { maxAttempts: 3 });
  const r = (await stuck.vpc.describeVpcs({}).catch((x) => x)) as AppError;
  assert.equal([r.code, r.cloud?.code], ['RateLimited', 'Throttling.User']);
  // remove the rule: unlimited again
  await sb.admin(`/accounts/${acct.accountId}/rate-limits`, { DescribeVpcs: null });
  for (let i = 0; i < 3; i++) await raw.call('Vpc', 'DescribeVpcs', { RegionId: 'cn-hangzhou' });
});

test('latency: every call of the account waits the set real milliseconds; per action overrides', async () => {
  const acct = await sb.createAccount();
  const raw = rpcClient(sb.endpoint, acct);
  await sb.admin(`/accounts/${acct.accountId}/latency`, { ms: 0, byAction: { DescribeRegions: 150 } });
  const t0 = Date.now();
  await raw.call('Ecs', 'DescribeRegions');
  assert.ok(Date.now() - t0 >= 140, 'the injected 150 ms were waited');
  assert.equal(await sb.admin(`/accounts/${acct.accountId}/latency`), { ms: 0, byAction: { DescribeRegions: 150 } });
  await sb.admin(`/accounts/${acct.accountId}/latency`, { ms: 0 });
  assert.equal(await sb.admin(`/accounts/${acct.accountId}/latency`), { ms: 0 });
});

test('clock: GET shows it; hostile admin input is a 400', async () => {
  const v = await sb.admin('/clock');
  assert.equal([v.frozen, v.timeScale], [true, TIME_SCALE]);
  const acct = await sb.createAccount();
  for (const [path, body] of [
    ['/clock', { advanceSeconds: -5 }],
    [`/accounts/${acct.accountId}/rate-limits`, { SearchResources: { limit: 'many' } }],
    [`/accounts/${acct.accountId}/latency`, { ms: 10_000_000 }],
    [`/accounts/${acct.accountId}/stock`, { zoneId: 'nowhere', inStock: false }],
    [`/accounts/${acct.accountId}/command-outcomes`, { exitCode: 'x' }],
  ] as const) {
    const e = (await sb.admin(path, body).catch((x) => x)) as Error;
    assert.match(e.message, / 400 /, path);
  }
});

test.run();
