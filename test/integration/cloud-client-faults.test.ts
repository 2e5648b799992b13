/**
 * The one retry policy and the one classification, against faults the sandbox injects, through
 * the official SDKs: transient errors and throttling are retried, auth/permission/quota never.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox';
import { createCloudFactory, DEFAULT_RETRY_POLICY, type AccountCredential } from '../../lib/cloud/index';
import { systemClock } from '../../lib/core/clock';
import { createLogger } from '../../lib/core/log';
import type { AppError } from '../../lib/core/errors';

let sb: TestSandbox;
let acct: { accountId: string; accessKeyId: string; accessKeySecret: string };
let sleeps: number[] = [];
const lines: string[] = [];

function client(cred?: AccountCredential) {
  const f = createCloudFactory({
    config: { sandboxEndpoint: sb.endpoint, region: 'cn-hangzhou', functionPrefix: 'fleet' },
    clock: systemClock,
    log: createLogger({}, { write: (l) => lines.push(l) }),
    roleCredentials: { accessKeyId: acct.accessKeyId, accessKeySecret: acct.accessKeySecret },
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 0.5,
  });
  return f.forAccount(
    cred ?? { type: 'access_key', accessKeyId: acct.accessKeyId, accessKeySecret: acct.accessKeySecret },
    { regionId: 'cn-hangzhou' },
  );
}
const fault = (body: Record<string, unknown>) => sb.admin(`/accounts/${acct.accountId}/faults`, body);

test.before(async () => {
  sb = await startTestSandbox();
  acct = await sb.createAccount();
});
test.before.each(async () => {
  sleeps = [];
  await sb.admin(`/accounts/${acct.accountId}/faults`, undefined, 'DELETE');
});
test.after(async () => {
  await sb?.close();
});

test('ServiceUnavailable twice → succeeds on the 3rd try, backing off in between', async () => {
  await fault({ action: 'DescribeRegions', code: 'ServiceUnavailable', httpStatus: 503, count: 2 });
  const regions = await client().ecs.describeRegions();
  assert.ok(regions.length >= 3);
  assert.equal(sleeps, [DEFAULT_RETRY_POLICY.baseDelayMs * 0.5, DEFAULT_RETRY_POLICY.baseDelayMs]);
  const retried = lines.filter((l) => l.includes('"cloud call retried"') && l.includes('ServiceUnavailable'));
  assert.is(retried.length >= 2, true);
});

test('a fault that never clears ends as CloudUnavailable (502) with the code and request id', async () => {
  await fault({ action: 'DescribeZones', code: 'InternalError', httpStatus: 500 });
  const e = (await client()
    .ecs.describeZones()
    .catch((x) => x)) as AppError;
  assert.is(e.code, 'CloudUnavailable');
  assert.is(e.status, 502);
  assert.is(e.cloud?.code, 'InternalError');
  assert.is(e.cloud?.httpStatus, 500);
  assert.match(e.cloud?.requestId ?? '', /^[0-9A-F-]{36}$/);
  assert.is(sleeps.length, DEFAULT_RETRY_POLICY.maxAttempts - 1);
});

test('a client may narrow the policy for a latency budget (2 attempts)', async () => {
  await fault({ action: 'DescribeZones', code: 'ServiceUnavailable', httpStatus: 503 });
  const f = createCloudFactory({
    config: { sandboxEndpoint: sb.endpoint, region: 'cn-hangzhou', functionPrefix: 'fleet' },
    clock: systemClock,
    log: createLogger({}, { write: () => {} }),
    roleCredentials: { accessKeyId: acct.accessKeyId, accessKeySecret: acct.accessKeySecret },
    sleep: async (ms) => void sleeps.push(ms),
  });
  const c = f.forAccount(
    { type: 'access_key', accessKeyId: acct.accessKeyId, accessKeySecret: acct.accessKeySecret },
    { regionId: 'cn-hangzhou', retry: { maxAttempts: 2 } },
  );
  const e = (await c.ecs.describeZones().catch((x) => x)) as AppError;
  assert.is(e.code, 'CloudUnavailable');
  assert.is(sleeps.length, 1);
});

test('Throttling.User is retried with the throttling base delay', async () => {
  await fault({ action: 'DescribeKeyPairs', code: 'Throttling.User', httpStatus: 400, count: 1 });
  const kps = await client().ecs.describeKeyPairs();
  assert.ok(kps.length >= 2);
  assert.equal(sleeps, [DEFAULT_RETRY_POLICY.throttledBaseDelayMs * 0.5]);
});

test('the per-key rate limit answers Throttling.User and the client rides it out', async () => {
  await sb.admin(`/accounts/${acct.accountId}/rate-limit`, { perSecond: 2 });
  try {
    // Real waits here: the limiter counts real time.
    const f = createCloudFactory({
      config: { sandboxEndpoint: sb.endpoint, region: 'cn-hangzhou', functionPrefix: 'fleet' },
      clock: systemClock,
      log: createLogger({}, { write: () => {} }),
      roleCredentials: { accessKeyId: acct.accessKeyId, accessKeySecret: acct.accessKeySecret },
      retry: { throttledBaseDelayMs: 400, maxAttempts: 8 },
      random: () => 1 - 1e-9,
    });
    const c = f.forAccount(
      { type: 'access_key', accessKeyId: acct.accessKeyId, accessKeySecret: acct.accessKeySecret },
      { regionId: 'cn-hangzhou' },
    );
    const results = await Promise.all(Array.from({ length: 5 }, () => c.ecs.describeRegions()));
    assert.is(results.length, 5);
    assert.ok(results.every((r) => r.length >= 3));
  } finally {
    await sb.admin(`/accounts/${acct.accountId}/rate-limit`, { perSecond: 0 });
  }
});

test('a slow answer (6 s, within the 15 s read time-out) is waited for once, not cut short and retried', async () => {
  await fault({ action: 'DescribeRegions', latencyMs: 6000, count: 1 });
  const regions = await client().ecs.describeRegions();
  assert.ok(regions.length >= 3);
  assert.equal(sleeps, [], 'no retry: the first attempt was answered');
});

test('Forbidden.RAM on a limited key: not retried, permission, the action in the hint', async () => {
  const key = await sb.admin(`/accounts/${acct.accountId}/access-keys`, { allow: ['ecs:DescribeRegions'] });
  const c = client({ type: 'access_key', accessKeyId: key.accessKeyId, accessKeySecret: key.accessKeySecret });
  assert.ok((await c.ecs.describeRegions()).length >= 3);
  const e = (await c.ecs.describeKeyPairs().catch((x) => x)) as AppError;
  assert.is(e.code, 'CloudRejected');
  assert.is(e.status, 422);
  assert.is(e.cloud?.code, 'Forbidden.RAM');
  assert.is((e.cloud as { kind?: string }).kind, 'permission');
  assert.match(e.cloud?.hint ?? '', 'ecs:DescribeKeyPairs');
  assert.is(e.cloud?.httpStatus, 403);
  assert.equal(sleeps, []);
});

test('unknown AccessKey ID and wrong secret are auth errors with hints, not retried', async () => {
  const unknown = (await client({
    type: 'access_key',
    accessKeyId: 'LTAI5tNoSuchKey0000000',
    accessKeySecret: 'x'.repeat(30),
  })
    .ecs.describeRegions()
    .catch((x) => x)) as AppError;
  assert.is(unknown.cloud?.code, 'InvalidAccessKeyId.NotFound');
  assert.is((unknown.cloud as { kind?: string }).kind, 'auth');
  assert.is(unknown.cloud?.hint, 'the AccessKey ID does not exist');
  const wrongSecret = 'y'.repeat(30);
  const wrong = (await client({ type: 'access_key', accessKeyId: acct.accessKeyId, accessKeySecret: wrongSecret })
    .sts.getCallerIdentity()
    .catch((x) => x)) as AppError;
  assert.is(wrong.code, 'CloudRejected');
  assert.is(wrong.cloud?.code, 'SignatureDoesNotMatch');
  assert.is(wrong.cloud?.hint, 'the AccessKey secret is wrong');
  assert.not.match(JSON.stringify({ m: wrong.message, c: wrong.cloud, cause: wrong.cause }), wrongSecret);
  assert.equal(sleeps, []);
});

test('an injected quota error is not retried', async () => {
  await fault({ action: 'DescribeZones', code: 'QuotaExceeded.Vpc', httpStatus: 400 });
  const e = (await client()
    .ecs.describeZones()
    .catch((x) => x)) as AppError;
  assert.is(e.code, 'CloudRejected');
  assert.is((e.cloud as { kind?: string }).kind, 'quota');
  assert.equal(sleeps, []);
});

test('network failure (nothing listening) is transient and retried, then CloudUnavailable', async () => {
  const f = createCloudFactory({
    config: { sandboxEndpoint: '127.0.0.1:1', region: 'cn-hangzhou', functionPrefix: 'fleet' },
    clock: systemClock,
    log: createLogger({}, { write: () => {} }),
    roleCredentials: { accessKeyId: acct.accessKeyId, accessKeySecret: acct.accessKeySecret },
    sleep: async (ms) => void sleeps.push(ms),
  });
  const e = (await f
    .forAccount(
      { type: 'access_key', accessKeyId: acct.accessKeyId, accessKeySecret: acct.accessKeySecret },
      { regionId: 'cn-hangzhou' },
    )
    .vpc.describeEips()
    .catch((x) => x)) as AppError;
  assert.is(e.code, 'CloudUnavailable');
  assert.is(e.cloud?.code, 'ECONNREFUSED');
  assert.is(sleeps.length, DEFAULT_RETRY_POLICY.maxAttempts - 1);
});

test('no log line of this suite carries a secret it used', () => {
  assert.ok(lines.length > 5);
  const all = lines.join('\n');
  assert.not.match(all, acct.accessKeySecret);
  assert.not.match(all, 'y'.repeat(30));
});

test.run();
