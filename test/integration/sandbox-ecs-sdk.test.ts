import { test } from 'uvu';
import * as assert from 'uvu/assert';
import EcsModule, * as $Ecs from '@alicloud/ecs20140526';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { SDK_TIMEOUTS, startTestSandbox, type TestSandbox } from '../helpers/sandbox';

const Ecs = ((EcsModule as unknown as { default?: typeof EcsModule }).default ?? EcsModule) as typeof EcsModule;

let t: TestSandbox;
let k: { accountId: string; accessKeyId: string; accessKeySecret: string };

const ecsClient = (creds: { accessKeyId: string; accessKeySecret: string }, extra: Record<string, unknown> = {}) =>
  new Ecs(
    new $OpenApiUtil.Config({
      ...creds,
      endpoint: t.endpoint,
      protocol: 'http',
      regionId: 'cn-hangzhou',
      ...SDK_TIMEOUTS,
      ...extra,
    }),
  );

test.before(async () => {
  t = await startTestSandbox();
  k = await t.createAccount({ regions: ['cn-hangzhou', 'cn-shanghai', 'ap-southeast-1'] });
});
test.after(async () => {
  await t.close();
});

test('the official ECS client talks to the sandbox unchanged: DescribeRegions (V3 and V1)', async () => {
  assert.ok(t.sandbox.cloud, 'lib/sandbox/cloud is mounted');
  for (const extra of [{}, { signatureAlgorithm: 'v2' }]) {
    const res = await ecsClient(k, extra).describeRegions(new $Ecs.DescribeRegionsRequest({}));
    assert.is(res.statusCode, 200);
    const ids = (res.body?.regions?.region ?? []).map((r) => r.regionId);
    assert.equal([...ids].sort(), ['ap-southeast-1', 'cn-hangzhou', 'cn-shanghai']);
    assert.match(res.body?.requestId ?? '', /^[0-9A-F-]{36}$/);
  }
});

test('DescribeKeyPairs sees the two seeded key pairs of the region', async () => {
  const res = await ecsClient(k).describeKeyPairs(new $Ecs.DescribeKeyPairsRequest({ regionId: 'cn-shanghai' }));
  assert.is(res.body?.totalCount, 2);
});

test('a key limited to ecs:Describe* can describe but gets Forbidden.RAM on ImportKeyPair', async () => {
  const limited = await t.admin(`/accounts/${k.accountId}/access-keys`, { allow: ['ecs:Describe*'] });
  const ecs = ecsClient(limited);
  const res = await ecs.describeRegions(new $Ecs.DescribeRegionsRequest({}));
  assert.ok((res.body?.regions?.region ?? []).length >= 3);
  try {
    await ecs.importKeyPair(
      new $Ecs.ImportKeyPairRequest({ regionId: 'cn-hangzhou', keyPairName: 'x', publicKeyBody: 'ssh-ed25519 AAAA' }),
    );
    assert.unreachable('RAM denies the write');
  } catch (e: any) {
    assert.is(e.code, 'Forbidden.RAM');
    assert.is(e.statusCode, 403);
    assert.is(e.accessDeniedDetail.AuthAction, 'ecs:ImportKeyPair');
    assert.is(e.accessDeniedDetail.NoPermissionType, 'ImplicitDeny');
  }
});

test('admin resource dump and Resource Center toggle', async () => {
  const resources = await t.admin(`/accounts/${k.accountId}/resources`);
  assert.type(resources, 'object');
  assert.equal(await t.admin(`/accounts/${k.accountId}/resource-center`, { enabled: false }), { enabled: false });
  assert.is((await t.admin(`/accounts/${k.accountId}`)).resourceCenterEnabled, false);
  assert.is(t.sandbox.core.state.accounts[k.accountId]!.account.resourceCenterEnabled, false);
});

test.run();
