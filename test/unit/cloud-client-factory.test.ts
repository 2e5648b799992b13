import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { alibabaEndpoint, resolveEndpoint } from '../../lib/cloud/endpoints';
import { createStsCache, sanitizeSessionName } from '../../lib/cloud/credentials';
import { checkCredential, createCloudFactory } from '../../lib/cloud/factory';
import { flattenParams } from '../../lib/cloud/transport';
import { filterParams, mapResource } from '../../lib/cloud/resource-center';
import { mapAvailableZones, mapInstance } from '../../lib/cloud/ecs';
import { mapVpc, mapRouteEntry, mapEip } from '../../lib/cloud/vpc';
import { list } from '../../lib/cloud/call';
import { clientToken } from '../../lib/cloud/client-token';
import { ManualClock } from '../../lib/core/clock';
import { createLogger } from '../../lib/core/log';
import type { AppError } from '../../lib/core/errors';

const prod = { sandboxEndpoint: undefined };
const sandbox = { sandboxEndpoint: '127.0.0.1:9100' };

test('Alibaba endpoints per product and region', () => {
  assert.is(alibabaEndpoint('Ecs', 'cn-hangzhou'), 'ecs-cn-hangzhou.aliyuncs.com');
  assert.is(alibabaEndpoint('Ecs', 'ap-southeast-1'), 'ecs.ap-southeast-1.aliyuncs.com');
  assert.is(alibabaEndpoint('Vpc', 'cn-beijing'), 'vpc.cn-beijing.aliyuncs.com');
  assert.is(alibabaEndpoint('Kms', 'eu-central-1'), 'kms.eu-central-1.aliyuncs.com');
  assert.is(alibabaEndpoint('Sts', 'cn-beijing'), 'sts.aliyuncs.com');
  assert.is(alibabaEndpoint('ResourceCenter', 'cn-beijing'), 'resourcecenter.aliyuncs.com');
  assert.equal(resolveEndpoint('Vpc', 'cn-shanghai', prod), {
    host: 'vpc.cn-shanghai.aliyuncs.com',
    protocol: 'https',
  });
  assert.equal(resolveEndpoint('Vpc', 'cn-shanghai', sandbox), { host: '127.0.0.1:9100', protocol: 'http' });
});

test("guard: malformed region ids and stored endpoints other than Alibaba's (the sandbox's, in sandbox mode) are refused", () => {
  for (const bad of ['evil.com#', 'cn-hangzhou.evil.com', 'cn-hangzhou/x', '', 'CN-HANGZHOU', '127.0.0.1:80']) {
    const e = (() => {
      try {
        resolveEndpoint('Ecs', bad, prod);
      } catch (x) {
        return x as AppError;
      }
    })();
    assert.is(e?.code, 'ValidationFailed', bad);
  }
  const refused = (ep: string, cfg: { sandboxEndpoint?: string }) => {
    try {
      resolveEndpoint('Ecs', 'cn-hangzhou', cfg, ep);
      return false;
    } catch (x) {
      return (x as AppError).code === 'ValidationFailed';
    }
  };
  // Not in sandbox mode: only Alibaba hosts.
  assert.ok(refused('127.0.0.1:9100', prod));
  assert.ok(refused('attacker.example.com', prod));
  assert.ok(refused('ecs.cn-hangzhou.aliyuncs.com.evil.com', prod));
  assert.equal(resolveEndpoint('Ecs', 'cn-hangzhou', prod, 'ecs.cn-hangzhou.aliyuncs.com'), {
    host: 'ecs.cn-hangzhou.aliyuncs.com',
    protocol: 'https',
  });
  // Sandbox mode: only the configured sandbox.
  assert.ok(refused('127.0.0.1:9101', sandbox));
  assert.ok(refused('ecs.cn-hangzhou.aliyuncs.com', sandbox));
  assert.equal(resolveEndpoint('Ecs', 'cn-hangzhou', sandbox, '127.0.0.1:9100'), {
    host: '127.0.0.1:9100',
    protocol: 'http',
  });
});

test('factory rejects malformed credentials and endpoints before signing anything', () => {
  const f = createCloudFactory({
    config: { region: 'cn-hangzhou', functionPrefix: 'fleet' },
    clock: new ManualClock(),
    log: createLogger({}, { write: () => {} }),
    roleCredentials: { accessKeyId: 'LTAIrole0000', accessKeySecret: 'rolesecret000' },
  });
  const code = (fn: () => unknown) => {
    try {
      fn();
      return 'ok';
    } catch (e) {
      return (e as AppError).code;
    }
  };
  assert.is(
    code(() =>
      f.forAccount(
        { type: 'access_key', accessKeyId: 'LTAI5tAbCdEf', accessKeySecret: 'x'.repeat(30) },
        { regionId: 'cn-hangzhou' },
      ),
    ),
    'ok',
  );
  assert.is(
    code(() =>
      f.forAccount(
        { type: 'access_key', accessKeyId: 'LTAI5tAbCdEf', accessKeySecret: 'x'.repeat(30) },
        { regionId: 'cn-hangzhou', endpoint: '10.0.0.1:80' },
      ),
    ),
    'ValidationFailed',
  );
  assert.is(
    code(() =>
      f.forAccount(
        { type: 'access_key', accessKeyId: 'bad id!', accessKeySecret: 'x'.repeat(30) },
        { regionId: 'cn-hangzhou' },
      ),
    ),
    'ValidationFailed',
  );
  assert.is(
    code(() => f.forAccount({ type: 'ram_role', roleArn: 'arn:aws:iam::1:role/x' }, { regionId: 'cn-hangzhou' })),
    'ValidationFailed',
  );
  assert.is(
    code(() =>
      f.forAccount(
        { type: 'ram_role', roleArn: 'acs:ram::1234567890123456:role/fleet-ops' },
        { regionId: 'cn-hangzhou' },
      ),
    ),
    'ok',
  );
  assert.is(
    code(() =>
      f.forAccount({ type: 'ram_role', roleArn: 'acs:ram::1234567890123456:role/fleet-ops' }, { regionId: 'x.evil' }),
    ),
    'ValidationFailed',
  );
  assert.is(
    code(() => checkCredential({ type: 'other' } as never)),
    'ValidationFailed',
  );
});

test('forAccount reuses clients per credential and region (bounded, least recently used dropped)', () => {
  const f = createCloudFactory({
    config: { region: 'cn-hangzhou', functionPrefix: 'fleet' },
    clock: new ManualClock(),
    log: createLogger({}, { write: () => {} }),
    roleCredentials: { accessKeyId: 'LTAIrole0000', accessKeySecret: 'rolesecret000' },
    maxCachedClients: 3,
  });
  const ak = (secret: string) => ({
    type: 'access_key' as const,
    accessKeyId: 'LTAI5tAbCdEf',
    accessKeySecret: secret.repeat(30),
  });
  const hz = { regionId: 'cn-hangzhou' };
  const a = f.forAccount(ak('a'), hz);
  assert.ok(f.forAccount(ak('a'), hz) === a, 'same credential and region: the same client');
  assert.ok(f.forAccount(ak('a'), { regionId: 'cn-beijing' }) !== a, 'another region: another client');
  assert.ok(f.forAccount(ak('b'), hz) !== a, 'same key id, another secret: another client');
  assert.ok(f.forAccount(ak('a'), { ...hz, retry: { maxAttempts: 1 } }) !== a, 'other options: another client');
  // bound 3: a was used before the three others, so it was dropped
  assert.ok(f.forAccount(ak('a'), hz) !== a);
  const role = { type: 'ram_role' as const, roleArn: 'acs:ram::1234567890123456:role/fleet-ops' };
  const r = f.forAccount(role, hz);
  assert.ok(f.forAccount(role, hz) === r);
  assert.ok(f.forAccount({ ...role, externalId: 'x' }, hz) !== r);
});

test('STS cache: one AssumeRole for many callers, refresh 5 minutes before expiry, per (arn, externalId)', async () => {
  const clock = new ManualClock(1_000_000);
  const calls: Record<string, unknown>[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const cache = createStsCache({
    clock,
    assumeRole: async (input) => {
      calls.push(input);
      await gate;
      return {
        accessKeyId: `STS.${calls.length}`,
        accessKeySecret: `sec${calls.length}xxxx`,
        securityToken: `tok${calls.length}xxxx`,
        expirationAtMs: clock.now() + 3600_000,
      };
    },
  });
  const src = cache.source('acs:ram::1:role/a');
  const pending = Promise.all(Array.from({ length: 10 }, () => src.get()));
  release();
  const got = await pending;
  assert.is(cache.assumeCount, 1);
  assert.ok(got.every((c) => c.accessKeyId === 'STS.1' && c.securityToken === 'tok1xxxx'));
  assert.equal(calls[0], { roleArn: 'acs:ram::1:role/a', roleSessionName: 'alicloud-fleet', durationSeconds: 3600 });
  clock.advance(3600_000 - 5 * 60_000 - 1);
  assert.is((await src.get()).accessKeyId, 'STS.1');
  clock.advance(2);
  assert.is((await src.get()).accessKeyId, 'STS.2');
  assert.is(cache.assumeCount, 2);
  await cache.source('acs:ram::1:role/a', 'ext-1').get();
  assert.is(cache.assumeCount, 3);
  assert.is(calls[2]?.externalId, 'ext-1');
  src.invalidate!();
  assert.is((await src.get()).accessKeyId, 'STS.4');
  cache.forget('acs:ram::1:role/a');
  await src.get();
  assert.is(cache.assumeCount, 5);
});

test('STS cache: a failed AssumeRole is not cached', async () => {
  const clock = new ManualClock();
  let n = 0;
  const cache = createStsCache({
    clock,
    assumeRole: async () => {
      n++;
      if (n === 1) throw new Error('boom');
      return {
        accessKeyId: 'STS.x',
        accessKeySecret: 'sssssss',
        securityToken: 'ttttttt',
        expirationAtMs: clock.now() + 3600_000,
      };
    },
  });
  const src = cache.source('acs:ram::1:role/a');
  await src.get().then(
    () => assert.unreachable(),
    (e) => assert.is((e as Error).message, 'boom'),
  );
  assert.is((await src.get()).accessKeyId, 'STS.x');
  assert.is(sanitizeSessionName('fleet prod/settings'), 'fleet-prod-settings');
  assert.is(sanitizeSessionName('x'), 'fleet');
});

test('RPC params: repeat lists and nested objects flatten like the SDK does', () => {
  assert.equal(flattenParams({ Tag: [{ Key: 'a', Value: 'b' }], X: 1, Y: undefined }), {
    'Tag.1.Key': 'a',
    'Tag.1.Value': 'b',
    X: '1',
  });
  assert.equal(
    filterParams([
      { key: 'RegionId', values: ['cn-hangzhou'] },
      { key: 'ResourceType', matchType: 'Equals', values: ['ACS::ECS::Instance', 'ACS::ECS::Disk'] },
    ]),
    {
      'Filter.1.Key': 'RegionId',
      'Filter.1.MatchType': 'Equals',
      'Filter.1.Value.1': 'cn-hangzhou',
      'Filter.2.Key': 'ResourceType',
      'Filter.2.MatchType': 'Equals',
      'Filter.2.Value.1': 'ACS::ECS::Instance',
      'Filter.2.Value.2': 'ACS::ECS::Disk',
    },
  );
});

test('zones with stock: sorted, Available zone AND Available type only', () => {
  const z = (zoneId: string, status: string, typeStatus: string, value = 'ecs.g6.large') => ({
    zoneId,
    status,
    statusCategory: status === 'Available' ? 'WithStock' : 'WithoutStock',
    availableResources: {
      availableResource: [
        { type: 'InstanceType', supportedResources: { supportedResource: [{ value, status: typeStatus }] } },
      ],
    },
  });
  const out = mapAvailableZones(
    [
      z('cn-hangzhou-k', 'Available', 'Available'),
      z('cn-hangzhou-b', 'Available', 'SoldOut'),
      z('cn-hangzhou-a', 'SoldOut', 'Available'),
      z('cn-hangzhou-c', 'Available', 'Available', 'ecs.c6.large'),
    ],
    'ecs.g6.large',
  );
  assert.equal(
    out.map((x) => [x.zoneId, x.inStock]),
    [
      ['cn-hangzhou-a', false],
      ['cn-hangzhou-b', false],
      ['cn-hangzhou-c', false],
      ['cn-hangzhou-k', true],
    ],
  );
});

test('response mapping keeps Alibaba ids and the quirky list names', () => {
  const inst = mapInstance(
    {
      instanceId: 'i-bp1',
      OSName: 'Alibaba Cloud Linux',
      memory: 8192,
      vpcAttributes: { vpcId: 'vpc-1', vSwitchId: 'vsw-1', privateIpAddress: { ipAddress: ['172.16.0.5'] } },
      publicIpAddress: { ipAddress: [] },
      eipAddress: { allocationId: '', ipAddress: '' },
      securityGroupIds: { securityGroupId: ['sg-1'] },
      tags: { tag: [{ tagKey: 'fleet', tagValue: 'srv-1' }] },
    },
    'cn-hangzhou',
  );
  assert.is(inst.memoryMiB, 8192);
  assert.is(inst.vpcId, 'vpc-1');
  assert.equal(inst.privateIpAddresses, ['172.16.0.5']);
  assert.is(inst.eip, undefined);
  assert.equal(inst.tags, [{ key: 'fleet', value: 'srv-1' }]);
  const vpc = mapVpc({
    VpcId: 'vpc-1',
    Status: 'Available',
    RouterTableIds: { RouterTableIds: ['vtb-1'] },
    VSwitchIds: { VSwitchId: ['vsw-1'] },
    IsDefault: false,
    Tags: { Tag: [{ Key: 'k', Value: 'v' }] },
  });
  assert.equal(vpc.routeTableIds, ['vtb-1']);
  assert.equal(vpc.tags, [{ key: 'k', value: 'v' }]);
  const routes = list(
    {
      RouteEntrys: {
        RouteEntry: [
          {
            RouteEntryId: 'rte-1',
            DestinationCidrBlock: '10.0.0.0/24',
            Type: 'Custom',
            Status: 'Pending',
            NextHops: { NextHop: [{ NextHopType: 'Instance', NextHopId: 'i-1' }] },
          },
        ],
      },
    },
    'RouteEntrys',
    'RouteEntry',
  ).map(mapRouteEntry);
  assert.equal(routes[0]?.nextHops, [{ nextHopType: 'Instance', nextHopId: 'i-1' }]);
  assert.is(mapEip({ AllocationId: 'eip-1', Bandwidth: '5', Status: 'InUse', InstanceId: 'i-1' }).bandwidthMbps, 5);
  const res = mapResource({
    ResourceId: 'i-1',
    ResourceType: 'ACS::ECS::Instance',
    Tags: [{ Key: 'a', Value: 'b' }],
    IpAddresses: ['1.2.3.4'],
    IpAddressAttributes: [{ IpAddress: '1.2.3.4', NetworkType: 'Public', Version: 'Ipv4' }],
    ZoneId: 'cn-hangzhou-k',
  });
  assert.equal(res.ipAddressAttributes, [{ ipAddress: '1.2.3.4', networkType: 'Public', version: 'Ipv4' }]);
  assert.is(res.zoneId, 'cn-hangzhou-k');
});

test('ClientTokens are stable per step, distinct across steps, and within Alibaba limits', () => {
  const a = clientToken('srv-abc', 'vpc');
  assert.is(a, clientToken('srv-abc', 'vpc'));
  assert.is.not(a, clientToken('srv-abc', 'vswitch'));
  assert.is.not(clientToken('ab', 'c'), clientToken('a', 'bc'));
  assert.ok(a.length <= 64 && /^[\x21-\x7e]+$/.test(a));
  assert.throws(() => clientToken());
  assert.throws(() => clientToken('srv', ''));
});

test.run();
