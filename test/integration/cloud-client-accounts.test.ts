/**
 * lib/cloud against the sandbox with the real SDKs: access_key and ram_role accounts, the STS
 * cache (reuse, refresh, recovery from a token the cloud says expired), KMS, and the endpoint guard.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, type Server } from 'node:http';
import { startTestSandbox, virtualClock, type TestSandbox } from '../helpers/sandbox';
import { createCloudFactory, type CloudFactoryOptions } from '../../lib/cloud/index';
import { ManualClock, systemClock } from '../../lib/core/clock';
import { createLogger } from '../../lib/core/log';
import type { AppError } from '../../lib/core/errors';

let sb: TestSandbox;
let deployer: { accountId: string; accessKeyId: string; accessKeySecret: string };
let customer: { accountId: string; accessKeyId: string; accessKeySecret: string };
let roleArn: string;
const quiet = createLogger({}, { write: () => {} });

function factory(over: Partial<CloudFactoryOptions> = {}) {
  return createCloudFactory({
    config: { sandboxEndpoint: sb.endpoint, region: 'cn-hangzhou', functionPrefix: 'fleet' },
    clock: systemClock,
    log: quiet,
    roleCredentials: { accessKeyId: deployer.accessKeyId, accessKeySecret: deployer.accessKeySecret },
    sleep: async () => {},
    ...over,
  });
}

test.before(async () => {
  sb = await startTestSandbox({ stsTimeScale: 1 });
  // Root keys cannot assume roles: the function's role is a RAM identity of the deploying account.
  const root = await sb.createAccount();
  deployer = await sb.admin(`/accounts/${root.accountId}/access-keys`, { allow: ['sts:AssumeRole', 'kms:*'] });
  customer = await sb.createAccount();
  const role = await sb.admin(`/accounts/${customer.accountId}/roles`, {
    name: 'fleet-operator',
    trustedAccountIds: [deployer.accountId],
  });
  roleArn = role.arn;
});
test.after(async () => {
  await sb?.close();
});

test('access_key account: identity and regions through the official SDKs', async () => {
  const c = factory().forAccount(
    { type: 'access_key', accessKeyId: customer.accessKeyId, accessKeySecret: customer.accessKeySecret },
    { regionId: 'cn-hangzhou' },
  );
  const id = await c.sts.getCallerIdentity();
  assert.is(id.accountId, customer.accountId);
  assert.is(id.arn, `acs:ram::${customer.accountId}:root`);
  const regions = await c.ecs.describeRegions();
  assert.ok(regions.length >= 3);
  assert.ok(regions.some((r) => r.regionId === 'cn-hangzhou' && r.regionEndpoint === 'ecs-cn-hangzhou.aliyuncs.com'));
});

test('ram_role account: AssumeRole from the function role, one AssumeRole for many calls', async () => {
  const f = factory();
  const c = f.forAccount({ type: 'ram_role', roleArn }, { regionId: 'cn-hangzhou' });
  const [id, regions, zones] = await Promise.all([
    c.sts.getCallerIdentity(),
    c.ecs.describeRegions(),
    c.ecs.describeZones(),
  ]);
  assert.is(id.accountId, customer.accountId);
  assert.match(id.arn, `acs:ram::${customer.accountId}:assumed-role/fleet-operator/`);
  assert.ok(regions.length >= 3);
  assert.ok(zones.length >= 2);
  // Another client of the same role (another region) shares the cache.
  const other = f.forAccount({ type: 'ram_role', roleArn }, { regionId: 'cn-shanghai' });
  for (let i = 0; i < 5; i++) await other.ecs.describeZones();
  assert.is(f.stsCache.assumeCount, 1);
});

test('ram_role: credentials are refreshed ~5 minutes before they expire', async () => {
  const clock = new ManualClock(Date.now());
  const lines: string[] = [];
  const f = factory({ clock, log: createLogger({}, { write: (l) => lines.push(l) }) });
  const c = f.forAccount({ type: 'ram_role', roleArn }, { regionId: 'cn-hangzhou' });
  await c.ecs.describeRegions();
  clock.advance(50 * 60_000);
  await c.ecs.describeRegions();
  assert.is(f.stsCache.assumeCount, 1);
  clock.advance(6 * 60_000); // 56 min: within 5 min of the 60 min expiry
  assert.is((await c.sts.getCallerIdentity()).accountId, customer.accountId);
  assert.is(f.stsCache.assumeCount, 2);
  assert.is(lines.filter((l) => l.includes('"assumed role"')).length, 2);
  for (const l of lines) assert.not.match(l, customer.accessKeySecret);
});

test('ram_role: a token the cloud calls expired is dropped and replaced once', async () => {
  // The sandbox's clock moves only when the test moves it: the token expires exactly then.
  const cloudClock = virtualClock();
  const fast = await startTestSandbox({ stsTimeScale: 0.001, clock: cloudClock });
  try {
    const aRoot = await fast.createAccount();
    const a = await fast.admin(`/accounts/${aRoot.accountId}/access-keys`, { allow: ['sts:AssumeRole'] });
    const b = await fast.createAccount();
    const role = await fast.admin(`/accounts/${b.accountId}/roles`, { name: 'r1', trustedAccountIds: [a.accountId] });
    // Our clock stands still, so only the cloud knows the 900 s (0.9 s here) token expired.
    const f = createCloudFactory({
      config: { sandboxEndpoint: fast.endpoint, region: 'cn-hangzhou', functionPrefix: 'fleet' },
      clock: new ManualClock(1_000),
      log: quiet,
      roleCredentials: { accessKeyId: a.accessKeyId, accessKeySecret: a.accessKeySecret },
      sleep: async () => {},
      sts: { durationSeconds: 900 },
    });
    const c = f.forAccount({ type: 'ram_role', roleArn: role.arn }, { regionId: 'cn-hangzhou' });
    assert.is((await c.sts.getCallerIdentity()).accountId, b.accountId);
    cloudClock.advance(900);
    assert.is((await c.sts.getCallerIdentity()).accountId, b.accountId);
    assert.is(f.stsCache.assumeCount, 2);
  } finally {
    await fast.close();
  }
});

test('ram_role: an untrusted role is a permission error with a trust-policy hint, not retried', async () => {
  const sleeps: number[] = [];
  const strangerRoot = await sb.createAccount();
  const stranger = await sb.admin(`/accounts/${strangerRoot.accountId}/access-keys`, { allow: ['sts:AssumeRole'] });
  const f = factory({
    roleCredentials: { accessKeyId: stranger.accessKeyId, accessKeySecret: stranger.accessKeySecret },
    sleep: async (ms) => void sleeps.push(ms),
  });
  const e = (await f
    .forAccount({ type: 'ram_role', roleArn }, { regionId: 'cn-hangzhou' })
    .ecs.describeRegions()
    .catch((x) => x)) as AppError;
  assert.is(e.code, 'CloudRejected');
  assert.is(e.cloud?.code, 'NoPermission');
  assert.match(e.cloud?.hint ?? '', 'trust policy');
  assert.equal(sleeps, []);
  const missing = (await f
    .forAccount({ type: 'ram_role', roleArn: `acs:ram::${customer.accountId}:role/nope` }, { regionId: 'cn-hangzhou' })
    .sts.getCallerIdentity()
    .catch((x) => x)) as AppError;
  assert.is(missing.cloud?.code, 'EntityNotExist.Role');
});

test('KMS as the function: a data key round-trips through GenerateDataKey and Decrypt', async () => {
  const kms = factory().forFunction().kms;
  const dk = await kms.generateDataKey({ keyId: 'alias/fleet' });
  assert.is(dk.plaintext.length, 32);
  assert.ok(dk.ciphertextBlob.length > 40);
  assert.ok(dk.keyId.length > 0);
  const back = await kms.decrypt({ ciphertextBlob: dk.ciphertextBlob });
  assert.ok(back.plaintext.equals(dk.plaintext));
  assert.is(back.keyId, dk.keyId);
});

test('guard: a foreign endpoint, the sandbox outside sandbox mode and a host hidden in a region id are refused; the trap server gets no request', async () => {
  let hits = 0;
  const trap: Server = createServer((_req, res) => {
    hits++;
    res.end('{}');
  });
  await new Promise<void>((r) => trap.listen(0, '127.0.0.1', r));
  const trapEp = `127.0.0.1:${(trap.address() as { port: number }).port}`;
  try {
    const cred = {
      type: 'access_key' as const,
      accessKeyId: customer.accessKeyId,
      accessKeySecret: customer.accessKeySecret,
    };
    const code = (fn: () => unknown) => {
      try {
        fn();
        return 'built';
      } catch (e) {
        return (e as AppError).code;
      }
    };
    // Sandbox mode: another host:port is refused, the configured one works.
    assert.is(
      code(() => factory().forAccount(cred, { regionId: 'cn-hangzhou', endpoint: trapEp })),
      'ValidationFailed',
    );
    const ok = factory().forAccount(cred, { regionId: 'cn-hangzhou', endpoint: sb.endpoint });
    assert.is((await ok.sts.getCallerIdentity()).accountId, customer.accountId);
    // Production mode: the sandbox endpoint itself is refused.
    const prod = createCloudFactory({
      config: { region: 'cn-hangzhou', functionPrefix: 'fleet' },
      clock: systemClock,
      log: quiet,
      roleCredentials: { accessKeyId: deployer.accessKeyId, accessKeySecret: deployer.accessKeySecret },
    });
    assert.is(
      code(() => prod.forAccount(cred, { regionId: 'cn-hangzhou', endpoint: sb.endpoint })),
      'ValidationFailed',
    );
    assert.is(
      code(() => prod.forAccount(cred, { regionId: 'cn-hangzhou', endpoint: trapEp })),
      'ValidationFailed',
    );
    assert.is(
      code(() => prod.forAccount(cred, { regionId: `cn-hangzhou.${trapEp}` })),
      'ValidationFailed',
    );
    assert.is(hits, 0);
  } finally {
    await new Promise((r) => trap.close(r));
  }
});

test.run();
