import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { harness, type Harness } from '../../lib/sandbox/cloud/test-context';
import { advance, fails } from '../helpers/cloud-sim';

async function fleet(h: Harness) {
  const R = { RegionId: 'cn-hangzhou' };
  const zones = (await h.call('Ecs', 'DescribeZones', R)).Zones.Zone.map((z: any) => z.ZoneId);
  const vpc = await h.call('Vpc', 'CreateVpc', {
    ...R,
    CidrBlock: '172.16.0.0/12',
    VpcName: 'prod-net',
    'Tag.1.Key': 'team',
    'Tag.1.Value': 'blue',
  });
  advance(h, 5_000);
  const vsw = await h.call('Vpc', 'CreateVSwitch', {
    ...R,
    VpcId: vpc.VpcId,
    ZoneId: zones[1],
    CidrBlock: '172.16.0.0/24',
  });
  advance(h, 3_000);
  const sg = await h.call('Ecs', 'CreateSecurityGroup', { ...R, VpcId: vpc.VpcId });
  const ids = (
    await h.call('Ecs', 'RunInstances', {
      ...R,
      ImageId: 'aliyun_3_x64_20G_alibase_20210425.vhd',
      InstanceType: 'ecs.c6.large',
      SecurityGroupId: sg.SecurityGroupId,
      VSwitchId: vsw.VSwitchId,
      Amount: 3,
      InternetMaxBandwidthOut: 1,
      'Tag.1.Key': 'team',
      'Tag.1.Value': 'red',
    })
  ).InstanceIdSets.InstanceIdSet as string[];
  const eip = await h.call('Vpc', 'AllocateEipAddress', { RegionId: 'cn-beijing' });
  await h.call('Vpc', 'CreateVpc', { RegionId: 'cn-beijing' });
  return { vpcId: vpc.VpcId, vSwitchId: vsw.VSwitchId, ids, eip };
}

const filters = (list: { Key: string; MatchType?: string; Values: string[] }[]) => {
  const out: Record<string, string> = {};
  list.forEach((f, i) => {
    out[`Filter.${i + 1}.Key`] = f.Key;
    if (f.MatchType) out[`Filter.${i + 1}.MatchType`] = f.MatchType;
    f.Values.forEach((v, j) => {
      out[`Filter.${i + 1}.Value.${j + 1}`] = v;
    });
  });
  return out;
};

test('GetResourceCenterServiceStatus and ServiceNotEnabled when Resource Center is off', async () => {
  const h = harness({ resourceCenterEnabled: false });
  assert.equal(await h.call('ResourceCenter', 'GetResourceCenterServiceStatus'), {
    ServiceStatus: 'Disabled',
    InitialStatus: 'Pending',
  });
  await fails(h.call('ResourceCenter', 'SearchResources'), 'ServiceNotEnabled');
  h.account.resourceCenterEnabled = true;
  assert.equal(await h.call('ResourceCenter', 'GetResourceCenterServiceStatus'), {
    ServiceStatus: 'Enabled',
    InitialStatus: 'Finished',
  });
  assert.ok((await h.call('ResourceCenter', 'SearchResources')).Resources.length > 0);
});

test('SearchResources: every resource type, AND between filters, OR within values, tags, IPs', async () => {
  const h = harness({ timeScale: 0.01 });
  const f = await fleet(h);
  const byType = await h.call('ResourceCenter', 'SearchResources', {
    MaxResults: 100,
    ...filters([{ Key: 'RegionId', Values: ['cn-hangzhou'] }]),
  });
  const types = [...new Set(byType.Resources.map((r: any) => r.ResourceType))].sort();
  assert.equal(types, [
    'ACS::ECS::Disk',
    'ACS::ECS::Instance',
    'ACS::ECS::KeyPair',
    'ACS::ECS::NetworkInterface',
    'ACS::ECS::SecurityGroup',
    'ACS::VPC::RouteTable',
    'ACS::VPC::VPC',
    'ACS::VPC::VSwitch',
  ]);
  const inst = await h.call(
    'ResourceCenter',
    'SearchResources',
    filters([
      { Key: 'ResourceType', Values: ['ACS::ECS::Instance', 'ACS::ECS::Disk'] },
      { Key: 'Tag', Values: [JSON.stringify({ key: 'team', value: 'red' })] },
    ]),
  );
  assert.is(inst.Resources.length, 6);
  const enis = await h.call(
    'ResourceCenter',
    'SearchResources',
    filters([
      { Key: 'ResourceType', Values: ['ACS::ECS::NetworkInterface'] },
      { Key: 'VSwitchId', Values: [f.vSwitchId] },
    ]),
  );
  assert.equal(enis.Resources.map((r: any) => r.ResourceId).sort(), f.ids.map((id) => `eni-${id.slice(2)}`).sort());
  const one = inst.Resources.find((r: any) => r.ResourceId === f.ids[0]);
  assert.equal(
    [one.AccountId, one.RegionId, one.ZoneId, one.Tags],
    ['1234567890123456', 'cn-hangzhou', one.ZoneId, [{ Key: 'team', Value: 'red' }]],
  );
  assert.match(one.CreateTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(one.IpAddressAttributes.map((a: any) => a.NetworkType).sort(), ['Private', 'Public']);
  const ip = one.IpAddresses[0];
  const byIp = await h.call('ResourceCenter', 'SearchResources', filters([{ Key: 'IpAddress', Values: [ip] }]));
  assert.equal(byIp.Resources.map((r: any) => r.ResourceId).sort(), [f.ids[0], `eni-${f.ids[0]!.slice(2)}`].sort());
  const blue = await h.call(
    'ResourceCenter',
    'SearchResources',
    filters([
      { Key: 'Tag', Values: ['team'] },
      { Key: 'ResourceType', Values: ['ACS::VPC::VPC'] },
    ]),
  );
  assert.equal(
    blue.Resources.map((r: any) => r.ResourceName),
    ['prod-net'],
  );
  const eips = await h.call(
    'ResourceCenter',
    'SearchResources',
    filters([{ Key: 'ResourceType', Values: ['ACS::EIP::EipAddress'] }]),
  );
  assert.equal(
    eips.Resources.map((r: any) => [r.ResourceId, r.RegionId, r.IpAddresses[0]]),
    [[f.eip.AllocationId, 'cn-beijing', f.eip.EipAddress]],
  );
  const prefix = await h.call(
    'ResourceCenter',
    'SearchResources',
    filters([{ Key: 'ResourceId', MatchType: 'Prefix', Values: ['vsw-'] }]),
  );
  assert.equal(
    prefix.Resources.map((r: any) => r.ResourceId),
    [f.vSwitchId],
  );
  const inVpc = await h.call(
    'ResourceCenter',
    'SearchResources',
    filters([
      { Key: 'VpcId', Values: [f.vpcId] },
      { Key: 'ResourceType', MatchType: 'NotEquals', Values: ['ACS::ECS::Instance', 'ACS::ECS::NetworkInterface'] },
    ]),
  );
  assert.equal(inVpc.Resources.map((r: any) => r.ResourceType).sort(), [
    'ACS::ECS::SecurityGroup',
    'ACS::VPC::RouteTable',
    'ACS::VPC::VPC',
    'ACS::VPC::VSwitch',
  ]);
  assert.equal(inst.Filters[0], {
    Key: 'ResourceType',
    MatchType: 'Equals',
    Values: ['ACS::ECS::Instance', 'ACS::ECS::Disk'],
  });
});

test('SearchResources paging: MaxResults 1..100 (default 20), NextToken absent when done', async () => {
  const h = harness({ timeScale: 0.01 });
  await fleet(h);
  for (let i = 0; i < 4; i++) await h.call('Vpc', 'CreateVpc', { RegionId: 'ap-southeast-1' });
  const total = (await h.call('ResourceCenter', 'SearchResources', { MaxResults: 100 })).Resources.length;
  assert.ok(total > 20);
  const first = await h.call('ResourceCenter', 'SearchResources');
  assert.is(first.Resources.length, 20);
  assert.is(first.MaxResults, 20);
  const seen = new Set<string>();
  let token: string | undefined;
  let pages = 0;
  do {
    const r = await h.call('ResourceCenter', 'SearchResources', {
      MaxResults: 7,
      ...(token ? { NextToken: token } : {}),
    });
    for (const x of r.Resources as any[]) seen.add(x.ResourceId);
    token = r.NextToken;
    pages++;
    if (!token) assert.not.ok('NextToken' in r);
  } while (token);
  assert.is(seen.size, total);
  assert.is(pages, Math.ceil(total / 7));
  // 1..100: the official SDK model's range (the metadata's schema maximum of 500 is not what the service takes).
  const over = await fails(
    h.call('ResourceCenter', 'SearchResources', { MaxResults: 101 }),
    'InvalidParameter.MaxResults',
  );
  assert.equal([over.httpStatus, over.message], [400, 'The specified parameter MaxResults is not valid.']);
  await fails(h.call('ResourceCenter', 'SearchResources', { MaxResults: 0 }), 'InvalidParameter.MaxResults');
  await fails(
    h.call('ResourceCenter', 'SearchResources', filters([{ Key: 'Colour', Values: ['x'] }])),
    'InvalidParameter',
  );
  const eleven = filters(Array.from({ length: 11 }, () => ({ Key: 'RegionId', Values: ['cn-hangzhou'] })));
  await fails(h.call('ResourceCenter', 'SearchResources', eleven), 'ExceedLimit.Filter');
  const sorted = await h.call('ResourceCenter', 'SearchResources', {
    MaxResults: 100,
    'SortCriterion.Key': 'CreateTime',
    'SortCriterion.Order': 'ASC',
  });
  const times = sorted.Resources.map((r: any) => r.CreateTime);
  assert.equal(times, [...times].sort());
});

test.run();
