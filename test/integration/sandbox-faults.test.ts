/**
 * Injected faults and the per-key rate limit through the SDK. The sandbox's clock moves only when
 * the test moves it, so the token bucket holds exactly what the test says however long a burst takes.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rpcClient, useTestSandbox, virtualClock, type TestSandbox } from '../helpers/sandbox';
import type { SandboxKeys } from '../../lib/sandbox/server';
import { WAIT_MS } from '../../lib/sandbox/cloud/lifecycle';

const clock = virtualClock();
let t: TestSandbox;
let k: SandboxKeys;
useTestSandbox(
  test,
  async (sb) => {
    t = sb;
    k = await t.createAccount();
  },
  { timeScale: 1, clock },
);
test.before.each(async () => {
  await t.admin(`/accounts/${k.accountId}/faults`, undefined, 'DELETE');
  await t.admin(`/accounts/${k.accountId}/rate-limit`, { perSecond: 0 });
});

async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return `${(e as { code: string }).code}/${(e as { statusCode: number }).statusCode}`;
  }
}

test('count: the first N matching calls fail with the injected code, rendered like a real error', async () => {
  await t.admin(`/accounts/${k.accountId}/faults`, {
    action: 'GetCallerIdentity',
    code: 'ServiceUnavailable',
    httpStatus: 503,
    count: 2,
  });
  const c = rpcClient(t.endpoint, k);
  const results = [];
  for (let i = 0; i < 3; i++) results.push(await outcome(c.call('Sts', 'GetCallerIdentity')));
  assert.equal(results, ['ServiceUnavailable/503', 'ServiceUnavailable/503', 'ok']);
  assert.is(await outcome(c.call('Sts', 'GetCallerIdentity')), 'ok', 'the fault is used up');
  assert.equal((await t.admin(`/accounts/${k.accountId}/faults`)).faults, [], 'a used-up fault is removed');
});

test('rate=1 on one action: each call of it fails (4 tried) with the real error shape, another action is untouched', async () => {
  await t.admin(`/accounts/${k.accountId}/faults`, {
    action: 'GenerateDataKey',
    code: 'Throttling',
    httpStatus: 400,
    rate: 1,
  });
  const c = rpcClient(t.endpoint, k);
  for (let i = 0; i < 3; i++)
    assert.is(await outcome(c.call('Kms', 'GenerateDataKey', { KeyId: 'alias/fleet' })), 'Throttling/400');
  assert.is(await outcome(c.call('Sts', 'GetCallerIdentity')), 'ok');
  try {
    await c.call('Kms', 'GenerateDataKey', { KeyId: 'alias/fleet' });
    assert.unreachable('the fault fires');
  } catch (e: any) {
    assert.is(e.name, 'ThrottlingError', 'the SDK classifies it as throttling');
    assert.equal(Object.keys(e.data).sort(), ['Code', 'HostId', 'Message', 'Recommend', 'RequestId']);
    assert.is(e.data.HostId, 'kms.aliyuncs.com');
  }
});

test('rate=0 does not fire; a fault without an action hits STS and KMS calls alike', async () => {
  await t.admin(`/accounts/${k.accountId}/faults`, { code: 'InternalError', httpStatus: 500, rate: 0 });
  const c = rpcClient(t.endpoint, k);
  assert.is(await outcome(c.call('Sts', 'GetCallerIdentity')), 'ok');
  await t.admin(`/accounts/${k.accountId}/faults`, { code: 'InternalError', httpStatus: 500, count: 2 });
  assert.is(await outcome(c.call('Sts', 'GetCallerIdentity')), 'InternalError/500');
  assert.is(await outcome(c.call('Kms', 'DescribeKey', { KeyId: 'alias/fleet' })), 'InternalError/500');
  assert.is(await outcome(c.call('Sts', 'GetCallerIdentity')), 'ok');
});

test('latencyMs delays matching calls (at least that long, real time)', async () => {
  const c = rpcClient(t.endpoint, k);
  await t.admin(`/accounts/${k.accountId}/faults`, { action: 'GetCallerIdentity', latencyMs: 300 });
  const t1 = performance.now();
  const body = await c.call('Sts', 'GetCallerIdentity');
  const slow = performance.now() - t1;
  assert.is(body.AccountId, k.accountId, 'latency alone does not fail the call');
  assert.ok(slow >= 300, `took ${slow} ms`);
});

test('per-key rate limit: a burst of perSecond, then Throttling.User (SDK ThrottlingError) until a token refills', async () => {
  await t.admin(`/accounts/${k.accountId}/rate-limit`, { perSecond: 5 });
  const c = rpcClient(t.endpoint, k);
  const results = await Promise.all(Array.from({ length: 12 }, () => outcome(c.call('Sts', 'GetCallerIdentity'))));
  assert.is(results.filter((r) => r === 'ok').length, 5, results.join(','));
  assert.is(results.filter((r) => r === 'Throttling.User/400').length, 7, results.join(','));
  const refused = (await c.call('Sts', 'GetCallerIdentity').catch((e) => e)) as { name: string; retryAfter: number };
  assert.is(refused.name, 'ThrottlingError');
  assert.is(refused.retryAfter, 200, 'x-acs-retry-after: one token of 5 per second');
  // another key of the same account has its own bucket
  const other = await t.admin(`/accounts/${k.accountId}/access-keys`, { allow: ['*'] });
  assert.is(await outcome(rpcClient(t.endpoint, other).call('Sts', 'GetCallerIdentity')), 'ok');
  clock.advance(199);
  assert.is(await outcome(c.call('Sts', 'GetCallerIdentity')), 'Throttling.User/400', 'not refilled before retryAfter');
  clock.advance(1);
  assert.is(await outcome(c.call('Sts', 'GetCallerIdentity')), 'ok', 'a token refills after retryAfter');
});

test('faults are validated', async () => {
  for (const bad of [{}, { code: 'X', rate: 2 }, { code: 'X', httpStatus: 200 }, { code: 'X', count: 0 }]) {
    const res = await fetch(`${t.url}/__sandbox/accounts/${k.accountId}/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(bad),
    });
    assert.is(res.status, 400, JSON.stringify(bad));
  }
});

test('balance flag: RunInstances answers InvalidAccountStatus.NotEnoughBalance (403), AllocateEipAddress InsufficientBalance (400), until enough again', async () => {
  const c = rpcClient(t.endpoint, k);
  assert.equal(await t.admin(`/accounts/${k.accountId}/balance`, { enough: false }), { enough: false });
  assert.is((await t.admin(`/accounts/${k.accountId}`)).balanceEnough, false);
  const run = {
    RegionId: 'cn-hangzhou',
    ImageId: 'aliyun_3_x64_20G_alibase_20210425.vhd',
    InstanceType: 'ecs.c6.large',
    VSwitchId: 'vsw-none',
    SecurityGroupId: 'sg-none',
  };
  assert.is(
    await outcome(c.call('Ecs', 'RunInstances', run)),
    'InvalidVSwitchId.NotFound/404',
    'parameter checks come first',
  );
  const vpc = await c.call('Vpc', 'CreateVpc', { RegionId: 'cn-hangzhou', CidrBlock: '10.0.0.0/16' });
  clock.advance(WAIT_MS.vpcCreate);
  const zone = (await c.call('Ecs', 'DescribeZones', { RegionId: 'cn-hangzhou' })).Zones.Zone[1].ZoneId;
  const vsw = await c.call('Vpc', 'CreateVSwitch', {
    RegionId: 'cn-hangzhou',
    VpcId: vpc.VpcId,
    ZoneId: zone,
    CidrBlock: '10.0.1.0/24',
  });
  clock.advance(WAIT_MS.vSwitchCreate);
  const sg = await c.call('Ecs', 'CreateSecurityGroup', { RegionId: 'cn-hangzhou', VpcId: vpc.VpcId });
  const ready = { ...run, VSwitchId: vsw.VSwitchId, SecurityGroupId: sg.SecurityGroupId };
  assert.is(await outcome(c.call('Ecs', 'RunInstances', ready)), 'InvalidAccountStatus.NotEnoughBalance/403');
  assert.is(await outcome(c.call('Vpc', 'AllocateEipAddress', { RegionId: 'cn-hangzhou' })), 'InsufficientBalance/400');
  await t.admin(`/accounts/${k.accountId}/balance`, { enough: true });
  assert.is((await c.call('Ecs', 'RunInstances', ready)).InstanceIdSets.InstanceIdSet.length, 1);
});

test.run();
