import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { harness } from '../../lib/sandbox/cloud/test-context';
import { fails } from '../helpers/cloud-sim';
import { cloudModule } from '../../lib/sandbox/cloud/index';

test('DescribeRegions lists the account regions with endpoints and sample field names', async () => {
  const h = harness();
  const r = await h.call('Ecs', 'DescribeRegions');
  assert.equal(r.Regions.Region.map((x: any) => x.RegionId).sort(), ['ap-southeast-1', 'cn-beijing', 'cn-hangzhou']);
  const hz = r.Regions.Region.find((x: any) => x.RegionId === 'cn-hangzhou');
  assert.equal(hz, {
    Status: 'available',
    RegionEndpoint: 'ecs-cn-hangzhou.aliyuncs.com',
    LocalName: 'China (Hangzhou)',
    RegionId: 'cn-hangzhou',
  });
});

test('DescribeZones lists zones with in-stock instance types; unknown region refused', async () => {
  const h = harness();
  const r = await h.call('Ecs', 'DescribeZones', { RegionId: 'cn-hangzhou' });
  const zones = r.Zones.Zone.map((z: any) => z.ZoneId);
  assert.ok(zones.length >= 2);
  assert.equal(zones, [...zones].sort());
  const first = r.Zones.Zone[0];
  assert.not.ok(first.AvailableInstanceTypes.InstanceTypes.includes('ecs.g7.large'), 'first zone sold out of g7');
  assert.ok(r.Zones.Zone[1].AvailableInstanceTypes.InstanceTypes.includes('ecs.g7.large'));
  await fails(h.call('Ecs', 'DescribeZones', { RegionId: 'us-east-1' }), 'InvalidRegionId.NotFound');
});

test('DescribeAvailableResource reports SoldOut in the first zone and Available elsewhere', async () => {
  const h = harness();
  const r = await h.call('Ecs', 'DescribeAvailableResource', {
    RegionId: 'cn-hangzhou',
    DestinationResource: 'InstanceType',
    InstanceType: 'ecs.g7.large',
    IoOptimized: 'optimized',
  });
  const zs = r.AvailableZones.AvailableZone;
  assert.is(zs[0].Status, 'SoldOut');
  assert.is(zs[0].StatusCategory, 'WithoutStock');
  assert.is(zs[0].AvailableResources.AvailableResource[0].SupportedResources.SupportedResource[0].Status, 'SoldOut');
  assert.is(zs[1].Status, 'Available');
  assert.equal(zs[1].AvailableResources.AvailableResource[0].SupportedResources.SupportedResource[0], {
    Value: 'ecs.g7.large',
    Status: 'Available',
    StatusCategory: 'WithStock',
  });
  await fails(h.call('Ecs', 'DescribeAvailableResource', { RegionId: 'cn-hangzhou' }), 'Invalid.Param');
});

test('DescribeImages and DescribeInstanceTypes come from the seed', async () => {
  const h = harness();
  const img = await h.call('Ecs', 'DescribeImages', {
    RegionId: 'cn-hangzhou',
    ImageOwnerAlias: 'system',
    PageSize: 100,
  });
  assert.ok(img.TotalCount >= 8);
  const u = img.Images.Image.find((i: any) => i.ImageId === 'ubuntu_22_04_x64_20G_alibase_20250722.vhd');
  assert.is(u.OSType, 'linux');
  assert.is(u.Status, 'Available');
  await fails(h.call('Ecs', 'DescribeImages', { RegionId: 'cn-hangzhou', PageSize: 101 }), 'InvalidParameter');
  const none = await h.call('Ecs', 'DescribeImages', { RegionId: 'cn-hangzhou', ImageId: 'm-nope' });
  assert.is(none.TotalCount, 0);
  const t = await h.call('Ecs', 'DescribeInstanceTypes', { 'InstanceTypes.1': 'ecs.g7.large' });
  assert.equal(
    t.InstanceTypes.InstanceType.map((x: any) => [x.InstanceTypeId, x.CpuCoreCount, x.MemorySize]),
    [['ecs.g7.large', 2, 8]],
  );
});

test('seedAccount: two key pairs per region with fingerprints and unique names', async () => {
  const h = harness();
  const all = cloudModule.listResources(h.account, h.clock.ms, 1)['ACS::ECS::KeyPair'] as any[];
  assert.is(all.length, 6);
  assert.is(new Set(all.map((k) => k.id)).size, 6);
  const r = await h.call('Ecs', 'DescribeKeyPairs', { RegionId: 'cn-beijing' });
  assert.is(r.TotalCount, 2);
  assert.match(r.KeyPairs.KeyPair[0].KeyPairFingerPrint, /^([0-9a-f]{2}:){15}[0-9a-f]{2}$/);
  assert.ok(JSON.parse(JSON.stringify(h.account.cloud)), 'state is JSON');
});

test.run();
