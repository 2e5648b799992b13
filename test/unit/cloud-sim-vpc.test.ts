import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { harness } from '../../lib/sandbox/cloud/test-context';
import { advance, fails, R } from '../helpers/cloud-sim';

test('CreateVpc returns VPC, VRouter and route table ids of Alibaba shape; Pending then Available on the scaled clock', async () => {
  const h = harness({ timeScale: 0.01 });
  const r = await h.call('Vpc', 'CreateVpc', {
    ...R,
    CidrBlock: '192.168.0.0/16',
    VpcName: 'v1',
    'Tag.1.Key': 'env',
    'Tag.1.Value': 'test',
  });
  assert.match(r.VpcId, /^vpc-bp1[0-9a-z]{18}$/);
  assert.match(r.VRouterId, /^vrt-bp1[0-9a-z]{18}$/);
  assert.match(r.RouteTableId, /^vtb-bp1[0-9a-z]{18}$/);
  assert.match(r.ResourceGroupId, /^rg-acfm/);
  let d = await h.call('Vpc', 'DescribeVpcs', { ...R, VpcId: r.VpcId });
  assert.is(d.Vpcs.Vpc[0].Status, 'Pending');
  advance(h, 3_000);
  d = await h.call('Vpc', 'DescribeVpcs', { ...R, VpcId: r.VpcId });
  assert.is(d.Vpcs.Vpc[0].Status, 'Pending');
  advance(h, 1_500);
  d = await h.call('Vpc', 'DescribeVpcs', { ...R, VpcId: r.VpcId });
  const v = d.Vpcs.Vpc[0];
  assert.is(v.Status, 'Available');
  assert.is(v.CidrBlock, '192.168.0.0/16');
  assert.equal(v.RouterTableIds.RouterTableIds, [r.RouteTableId]);
  assert.equal(v.Tags.Tag, [{ Key: 'env', Value: 'test' }]);
  assert.equal(v.VSwitchIds.VSwitchId, []);
});

test('the 11th VPC of a region is refused with QuotaExceeded.Vpc; quota is per account and per region', async () => {
  const h = harness();
  for (let i = 0; i < 10; i++) await h.call('Vpc', 'CreateVpc', { ...R, CidrBlock: `10.${i}.0.0/16` });
  await fails(h.call('Vpc', 'CreateVpc', { ...R, CidrBlock: '10.99.0.0/16' }), 'QuotaExceeded.Vpc');
  const other = await h.call('Vpc', 'CreateVpc', { RegionId: 'cn-beijing', CidrBlock: '10.0.0.0/8' });
  assert.match(other.VpcId, /^vpc-2ze/);
  const small = harness({ quotas: { vpcsPerRegion: 2 } });
  await small.call('Vpc', 'CreateVpc', R);
  await small.call('Vpc', 'CreateVpc', R);
  await fails(small.call('Vpc', 'CreateVpc', R), 'QuotaExceeded.Vpc');
});

test('DescribeVpcs: up to 20 comma-separated ids, PageSize <= 50, unknown ids give an empty list', async () => {
  const h = harness();
  const a = await h.call('Vpc', 'CreateVpc', R);
  const b = await h.call('Vpc', 'CreateVpc', R);
  const both = await h.call('Vpc', 'DescribeVpcs', { ...R, VpcId: `${a.VpcId},${b.VpcId}` });
  assert.is(both.TotalCount, 2);
  const ids = Array.from({ length: 21 }, (_, i) => `vpc-x${i}`).join(',');
  await fails(h.call('Vpc', 'DescribeVpcs', { ...R, VpcId: ids }), 'InvalidVpcIdNumber.NotSupported');
  await fails(h.call('Vpc', 'DescribeVpcs', { ...R, PageSize: 51 }), 'InvalidParameter');
  const none = await h.call('Vpc', 'DescribeVpcs', { ...R, VpcId: 'vpc-bp1nothere' });
  assert.equal([none.TotalCount, none.Vpcs.Vpc], [0, []]);
  await fails(h.call('Vpc', 'CreateVpc', { ...R, CidrBlock: '8.8.0.0/16' }), 'InvalidParameter');
  await fails(h.call('Vpc', 'CreateVpc', { RegionId: 'eu-west-1' }), 'InvalidRegionId.NotFound');
});

test('one VSwitch creation at a time per VPC; VSwitch needs an Available VPC; CIDR rules', async () => {
  const h = harness({ timeScale: 0.01 });
  const vpc = await h.call('Vpc', 'CreateVpc', { ...R, CidrBlock: '172.16.0.0/12' });
  await fails(
    h.call('Vpc', 'CreateVSwitch', { ...R, VpcId: vpc.VpcId, ZoneId: 'cn-hangzhou-h', CidrBlock: '172.16.1.0/24' }),
    'IncorrectVpcStatus',
  );
  advance(h, 5_000);
  const zones = (await h.call('Ecs', 'DescribeZones', R)).Zones.Zone.map((z: any) => z.ZoneId);
  const a = await h.call('Vpc', 'CreateVSwitch', {
    ...R,
    VpcId: vpc.VpcId,
    ZoneId: zones[1],
    CidrBlock: '172.16.1.0/24',
    VSwitchName: 'a',
  });
  assert.match(a.VSwitchId, /^vsw-bp1[0-9a-z]{18}$/);
  const e = await fails(
    h.call('Vpc', 'CreateVSwitch', { ...R, VpcId: vpc.VpcId, ZoneId: zones[1], CidrBlock: '172.16.2.0/24' }),
    'IncorrectVSwitchStatus',
  );
  assert.is(e.httpStatus, 400);
  let d = await h.call('Vpc', 'DescribeVSwitches', { ...R, VpcId: vpc.VpcId });
  assert.is(d.VSwitches.VSwitch[0].Status, 'Pending');
  advance(h, 3_000);
  d = await h.call('Vpc', 'DescribeVSwitches', { ...R, VpcId: vpc.VpcId });
  assert.is(d.VSwitches.VSwitch[0].Status, 'Available');
  assert.is(d.VSwitches.VSwitch[0].AvailableIpAddressCount, 252);
  assert.is(d.VSwitches.VSwitch[0].ZoneId, zones[1]);
  await fails(
    h.call('Vpc', 'CreateVSwitch', { ...R, VpcId: vpc.VpcId, ZoneId: zones[1], CidrBlock: '172.16.1.128/25' }),
    'InvalidCidrBlock.Overlapped',
  );
  await fails(
    h.call('Vpc', 'CreateVSwitch', { ...R, VpcId: vpc.VpcId, ZoneId: zones[1], CidrBlock: '10.0.0.0/24' }),
    'InvalidParameter',
  );
  await fails(
    h.call('Vpc', 'CreateVSwitch', { ...R, VpcId: vpc.VpcId, ZoneId: 'cn-beijing-c', CidrBlock: '172.16.3.0/24' }),
    'InvalidZoneId.NotFound',
  );
  await fails(
    h.call('Vpc', 'CreateVSwitch', { ...R, VpcId: 'vpc-bp1nope', ZoneId: zones[1], CidrBlock: '172.16.3.0/24' }),
    'InvalidVpcId.NotFound',
  );
  const b = await h.call('Vpc', 'CreateVSwitch', {
    ...R,
    VpcId: vpc.VpcId,
    ZoneId: zones[0],
    CidrBlock: '172.16.2.0/24',
  });
  assert.ok(b.VSwitchId);
  const v = (await h.call('Vpc', 'DescribeVpcs', { ...R, VpcId: vpc.VpcId })).Vpcs.Vpc[0];
  assert.equal(v.VSwitchIds.VSwitchId.sort(), [a.VSwitchId, b.VSwitchId].sort());
});

test('DeleteVpc: only from Available, DependencyViolation.VSwitch while VSwitches remain, gone after a while', async () => {
  const h = harness({ timeScale: 0.01 });
  const vpc = await h.call('Vpc', 'CreateVpc', R);
  await fails(h.call('Vpc', 'DeleteVpc', { ...R, VpcId: vpc.VpcId }), 'IncorrectVpcStatus');
  advance(h, 5_000);
  const zones = (await h.call('Ecs', 'DescribeZones', R)).Zones.Zone.map((z: any) => z.ZoneId);
  const w = await h.call('Vpc', 'CreateVSwitch', {
    ...R,
    VpcId: vpc.VpcId,
    ZoneId: zones[1],
    CidrBlock: '172.16.0.0/24',
  });
  await fails(h.call('Vpc', 'DeleteVpc', { ...R, VpcId: vpc.VpcId }), 'DependencyViolation.VSwitch');
  await fails(h.call('Vpc', 'DeleteVSwitch', { ...R, VSwitchId: w.VSwitchId }), 'IncorrectVSwitchStatus');
  advance(h, 3_000);
  const sg = await h.call('Ecs', 'CreateSecurityGroup', { ...R, VpcId: vpc.VpcId });
  await h.call('Vpc', 'DeleteVSwitch', { ...R, VSwitchId: w.VSwitchId });
  advance(h, 2_000);
  await fails(h.call('Vpc', 'DeleteVpc', { ...R, VpcId: vpc.VpcId }), 'DependencyViolation.SecurityGroup');
  await h.call('Ecs', 'DeleteSecurityGroup', { ...R, SecurityGroupId: sg.SecurityGroupId });
  await fails(h.call('Vpc', 'DeleteVpc', { ...R, VpcId: vpc.VpcId, DryRun: true }), 'DryRunOperation');
  await h.call('Vpc', 'DeleteVpc', { ...R, VpcId: vpc.VpcId });
  assert.is(
    (await h.call('Vpc', 'DescribeVpcs', { ...R, VpcId: vpc.VpcId })).TotalCount,
    1,
    'still there while deleting',
  );
  advance(h, 2_500);
  assert.is((await h.call('Vpc', 'DescribeVpcs', { ...R, VpcId: vpc.VpcId })).TotalCount, 0);
  await fails(h.call('Vpc', 'DeleteVpc', { ...R, VpcId: vpc.VpcId }), 'InvalidVpcId.NotFound');
});

test('CreateVpc: ClientToken returns the same VPC; other parameters → IdempotentParameterMismatch; DryRun creates nothing', async () => {
  const h = harness();
  const a = await h.call('Vpc', 'CreateVpc', { ...R, CidrBlock: '10.0.0.0/16', ClientToken: 'tok-1' });
  const b = await h.call('Vpc', 'CreateVpc', { ...R, CidrBlock: '10.0.0.0/16', ClientToken: 'tok-1' });
  assert.equal(b, a);
  await fails(
    h.call('Vpc', 'CreateVpc', { ...R, CidrBlock: '10.1.0.0/16', ClientToken: 'tok-1' }),
    'IdempotentParameterMismatch',
  );
  const e = await fails(
    h.call('Vpc', 'CreateVpc', { ...R, CidrBlock: '10.2.0.0/16', DryRun: true }),
    'DryRunOperation',
  );
  assert.is(e.httpStatus, 400);
  await fails(h.call('Vpc', 'CreateVpc', { ...R, CidrBlock: '1.2.3.4/33', DryRun: true }), 'InvalidParameter');
  assert.is((await h.call('Vpc', 'DescribeVpcs', R)).TotalCount, 1);
});

test.run();
