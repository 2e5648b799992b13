import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { harness, type Harness } from '../../lib/sandbox/cloud/test-context';
import { advance, fails, R } from '../helpers/cloud-sim';
import { cloudModule } from '../../lib/sandbox/cloud/index';

const IMAGE = 'ubuntu_22_04_x64_20G_alibase_20250722.vhd';

/** VPC + VSwitch in `zoneIndex` + security group, all Available. */
async function network(h: Harness, zoneIndex = 1, cidr = '172.16.0.0/12') {
  const zones = (await h.call('Ecs', 'DescribeZones', R)).Zones.Zone.map((z: any) => z.ZoneId);
  const vpc = await h.call('Vpc', 'CreateVpc', { ...R, CidrBlock: cidr });
  advance(h, 5_000);
  const vsw = await h.call('Vpc', 'CreateVSwitch', {
    ...R,
    VpcId: vpc.VpcId,
    ZoneId: zones[zoneIndex],
    CidrBlock: cidr.replace(/\/\d+$/, '/24'),
  });
  advance(h, 3_000);
  const sg = await h.call('Ecs', 'CreateSecurityGroup', { ...R, VpcId: vpc.VpcId, SecurityGroupName: 'web' });
  return {
    zones,
    vpcId: vpc.VpcId as string,
    vSwitchId: vsw.VSwitchId as string,
    sgId: sg.SecurityGroupId as string,
    routeTableId: vpc.RouteTableId as string,
  };
}

const run = (
  h: Harness,
  n: Awaited<ReturnType<typeof network>>,
  extra: Record<string, string | number | boolean> = {},
) =>
  h.call('Ecs', 'RunInstances', {
    ...R,
    ImageId: IMAGE,
    InstanceType: 'ecs.g7.large',
    SecurityGroupId: n.sgId,
    VSwitchId: n.vSwitchId,
    KeyPairName: 'sandbox-cn-hangzhou-1',
    ...extra,
  });

test('RunInstances: Pending → Starting → Running, private IP from the VSwitch, public IP, system disk, tags', async () => {
  const h = harness({ timeScale: 0.01 });
  const n = await network(h);
  const r = await run(h, n, {
    InternetMaxBandwidthOut: 5,
    InstanceName: 'web-1',
    'Tag.1.Key': 'fleet',
    'Tag.1.Value': 'srv-1',
    'SystemDisk.Category': 'cloud_essd',
    'SystemDisk.Size': 40,
  });
  const id = r.InstanceIdSets.InstanceIdSet[0];
  assert.match(id, /^i-bp1[0-9a-z]{17}$/);
  const statuses: string[] = [];
  for (const wait of [0, 7_000, 12_000]) {
    advance(h, wait);
    statuses.push((await h.call('Ecs', 'DescribeInstanceStatus', R)).InstanceStatuses.InstanceStatus[0].Status);
  }
  assert.equal(statuses, ['Pending', 'Starting', 'Running']);
  const inst = (await h.call('Ecs', 'DescribeInstances', { ...R, InstanceIds: JSON.stringify([id]) })).Instances
    .Instance[0];
  assert.is(inst.Status, 'Running');
  assert.is(inst.InstanceName, 'web-1');
  assert.is(inst.Cpu, 2);
  assert.is(inst.Memory, 8192);
  assert.is(inst.ZoneId, n.zones[1]);
  assert.is(inst.VpcAttributes.VpcId, n.vpcId);
  assert.is(inst.VpcAttributes.VSwitchId, n.vSwitchId);
  assert.equal(inst.VpcAttributes.PrivateIpAddress.IpAddress, ['172.16.0.1']);
  assert.match(inst.PublicIpAddress.IpAddress[0], /^47\.\d+\.\d+\.\d+$/);
  assert.equal(inst.SecurityGroupIds.SecurityGroupId, [n.sgId]);
  assert.equal(inst.Tags.Tag, [{ TagValue: 'srv-1', TagKey: 'fleet' }]);
  assert.is(inst.KeyPairName, 'sandbox-cn-hangzhou-1');
  assert.is(inst.OSType, 'linux');
  const disks = (await h.call('Ecs', 'DescribeDisks', { ...R, InstanceId: id })).Disks.Disk;
  assert.equal(
    disks.map((d: any) => [d.Type, d.Category, d.Size, d.Status, d.InstanceId, d.DeleteWithInstance]),
    [['system', 'cloud_essd', 40, 'In_use', id, true]],
  );
  assert.match(disks[0].DiskId, /^d-bp1[0-9a-z]{17}$/);
  const vsw = (await h.call('Vpc', 'DescribeVSwitches', { ...R, VSwitchId: n.vSwitchId })).VSwitches.VSwitch[0];
  assert.is(vsw.AvailableIpAddressCount, 251);
});

test('same ClientToken → same instance; other parameters → IdempotentParameterMismatch; DryRun creates nothing', async () => {
  const h = harness({ timeScale: 0.01 });
  const n = await network(h);
  const e = await fails(run(h, n, { ClientToken: 'tok-run-1', DryRun: true }), 'DryRunOperation');
  assert.is(e.httpStatus, 400);
  assert.is((await h.call('Ecs', 'DescribeInstances', R)).TotalCount, 0);
  const a = await run(h, n, { ClientToken: 'tok-run-1' });
  const b = await run(h, n, { ClientToken: 'tok-run-1' });
  assert.equal(b.InstanceIdSets, a.InstanceIdSets);
  assert.is((await h.call('Ecs', 'DescribeInstances', R)).TotalCount, 1);
  await fails(run(h, n, { ClientToken: 'tok-run-1', InstanceName: 'other' }), 'IdempotentParameterMismatch');
  await fails(run(h, n, { DryRun: true, ImageId: 'm-nope' }), 'InvalidImageId.NotFound');
  await fails(run(h, n, { ClientToken: 'x'.repeat(65) }), 'InvalidClientToken.ValueNotSupported');
});

test('stock: g7 is sold out in the first zone (OperationDenied.NoStock), fine in the second', async () => {
  const h = harness({ timeScale: 0.01 });
  const first = await network(h, 0, '10.0.0.0/16');
  const e = await fails(run(h, first), 'OperationDenied.NoStock');
  assert.is(e.httpStatus, 403);
  const ok = await run(h, first, { InstanceType: 'ecs.g6.large' });
  assert.is(ok.InstanceIdSets.InstanceIdSet.length, 1);
  const second = await network(h, 1, '192.168.0.0/16');
  assert.is((await run(h, second)).InstanceIdSets.InstanceIdSet.length, 1);
});

test('RunInstances validations: mismatch of SG and VSwitch VPCs, unknown ids, pending VSwitch, disk size', async () => {
  const h = harness({ timeScale: 0.01 });
  const a = await network(h, 1, '10.0.0.0/16');
  const b = await network(h, 1, '192.168.0.0/16');
  await fails(run(h, a, { SecurityGroupId: b.sgId }), 'InvalidParameter.Mismatch');
  await fails(run(h, a, { VSwitchId: 'vsw-bp1nothere' }), 'InvalidVSwitchId.NotFound');
  await fails(run(h, a, { SecurityGroupId: 'sg-bp1nothere' }), 'InvalidSecurityGroupId.NotFound');
  await fails(run(h, a, { ImageId: 'nope.vhd' }), 'InvalidImageId.NotFound');
  await fails(run(h, a, { InstanceType: 'ecs.nope.large' }), 'InvalidInstanceType.ValueNotSupported');
  await fails(run(h, a, { KeyPairName: 'nope' }), 'InvalidKeyPairName.NotFound');
  await fails(run(h, a, { 'SystemDisk.Size': 10 }), 'InvalidSystemDiskSize.LessThanImageSize');
  await fails(run(h, a, { ZoneId: a.zones[0] }), 'InvalidParameter.Mismatch');
  const w = await h.call('Vpc', 'CreateVSwitch', {
    ...R,
    VpcId: a.vpcId,
    ZoneId: a.zones[1],
    CidrBlock: '10.0.9.0/24',
  });
  await fails(run(h, a, { VSwitchId: w.VSwitchId }), 'IncorrectVSwitchStatus');
  const three = await run(h, a, { Amount: 3 });
  assert.is(three.InstanceIdSets.InstanceIdSet.length, 3);
});

test('DescribeInstances: JSON id list (unknown ids → empty), > 100 ids refused, NextToken/MaxResults ≤ 100', async () => {
  const h = harness({ timeScale: 0.01 });
  const n = await network(h);
  const ids = (await run(h, n, { Amount: 25 })).InstanceIdSets.InstanceIdSet as string[];
  const some = await h.call('Ecs', 'DescribeInstances', {
    ...R,
    InstanceIds: JSON.stringify([ids[3], 'i-bp1doesnotexist000', ids[7]]),
  });
  assert.equal(some.Instances.Instance.map((i: any) => i.InstanceId).sort(), [ids[3], ids[7]].sort());
  const none = await h.call('Ecs', 'DescribeInstances', {
    ...R,
    InstanceIds: JSON.stringify(['i-bp1doesnotexist000']),
  });
  assert.equal([none.TotalCount, none.Instances.Instance], [0, []]);
  const many = JSON.stringify(Array.from({ length: 101 }, (_, i) => `i-x${i}`));
  const tooMany = await fails(
    h.call('Ecs', 'DescribeInstances', { ...R, InstanceIds: many }),
    'InvalidParameter.TooManyInstanceIds',
  );
  assert.is(tooMany.httpStatus, 403);
  const hundred = JSON.stringify(Array.from({ length: 100 }, (_, i) => `i-x${i}`));
  assert.is((await h.call('Ecs', 'DescribeInstances', { ...R, InstanceIds: hundred })).TotalCount, 0);
  await fails(h.call('Ecs', 'DescribeInstances', { ...R, InstanceIds: 'i-notjson' }), 'InvalidInstanceIds.Malformed');
  await fails(h.call('Ecs', 'DescribeInstances', { ...R, MaxResults: 101 }), 'InvalidParameter');
  const seen: string[] = [];
  let token: string | undefined;
  let calls = 0;
  do {
    const r = await h.call('Ecs', 'DescribeInstances', {
      ...R,
      MaxResults: 10,
      ...(token ? { NextToken: token } : {}),
    });
    seen.push(...r.Instances.Instance.map((i: any) => i.InstanceId));
    token = r.NextToken || undefined;
    calls++;
  } while (token);
  assert.is(calls, 3);
  assert.equal(seen.sort(), [...ids].sort());
  await fails(h.call('Ecs', 'DescribeInstances', { ...R, NextToken: 'garbage' }), 'InvalidParameter.NextToken');
});

test('dependencies: SG and VSwitch with instances → DependencyViolation; DeleteInstance rules; gone after a while', async () => {
  const h = harness({ timeScale: 0.01 });
  const n = await network(h);
  const id = (await run(h, n)).InstanceIdSets.InstanceIdSet[0];
  await fails(h.call('Ecs', 'DeleteInstance', { InstanceId: id, Force: true }), 'IncorrectInstanceStatus.Initializing');
  advance(h, 20_000);
  await fails(h.call('Ecs', 'DeleteInstance', { InstanceId: id }), 'IncorrectInstanceStatus');
  const e = await fails(h.call('Ecs', 'DeleteSecurityGroup', { ...R, SecurityGroupId: n.sgId }), 'DependencyViolation');
  assert.is(e.httpStatus, 403);
  await fails(h.call('Vpc', 'DeleteVSwitch', { ...R, VSwitchId: n.vSwitchId }), 'DependencyViolation');
  await fails(h.call('Ecs', 'DeleteInstance', { InstanceId: id, Force: true, DryRun: true }), 'DryRunOperation');
  await h.call('Ecs', 'DeleteInstance', { InstanceId: id, Force: true });
  assert.is((await h.call('Ecs', 'DescribeInstances', R)).Instances.Instance[0].Status, 'Stopping');
  await fails(h.call('Ecs', 'DeleteSecurityGroup', { ...R, SecurityGroupId: n.sgId }), 'DependencyViolation');
  advance(h, 6_000);
  assert.is((await h.call('Ecs', 'DescribeInstances', R)).TotalCount, 0);
  assert.is((await h.call('Ecs', 'DescribeDisks', R)).TotalCount, 0);
  await fails(h.call('Ecs', 'DeleteInstance', { InstanceId: id, Force: true }), 'InvalidInstanceId.NotFound');
  await h.call('Ecs', 'DeleteSecurityGroup', { ...R, SecurityGroupId: n.sgId });
  await h.call('Vpc', 'DeleteVSwitch', { ...R, VSwitchId: n.vSwitchId });
  assert.equal(Object.keys(cloudModule.listResources(h.account, h.clock.ms, h.timeScale)).sort(), [
    'ACS::ECS::KeyPair',
    'ACS::VPC::RouteTable',
    'ACS::VPC::VPC',
    'ACS::VPC::VSwitch',
  ]);
});

test('StopInstance / StartInstance and AllocatePublicIpAddress', async () => {
  const h = harness({ timeScale: 0.01 });
  const n = await network(h);
  const id = (await run(h, n)).InstanceIdSets.InstanceIdSet[0];
  const withIp = (await run(h, n, { InternetMaxBandwidthOut: 10 })).InstanceIdSets.InstanceIdSet[0];
  await fails(h.call('Ecs', 'AllocatePublicIpAddress', { InstanceId: id }), 'IncorrectInstanceStatus');
  advance(h, 20_000);
  await fails(h.call('Ecs', 'AllocatePublicIpAddress', { InstanceId: id }), 'AllocateIpInvalidInstanceBandwidth');
  await fails(h.call('Ecs', 'AllocatePublicIpAddress', { InstanceId: withIp }), 'AllocatedAlready');
  await h.call('Ecs', 'StopInstance', { InstanceId: id });
  assert.is(
    (await h.call('Ecs', 'DescribeInstances', { ...R, InstanceIds: JSON.stringify([id]) })).Instances.Instance[0]
      .Status,
    'Stopping',
  );
  advance(h, 6_000);
  assert.is((await h.call('Ecs', 'DescribeInstances', { ...R, Status: 'Stopped' })).TotalCount, 1);
  await h.call('Ecs', 'DeleteInstance', { InstanceId: id });
  advance(h, 3_000);
  await fails(h.call('Ecs', 'StopInstance', { InstanceId: id }), 'InvalidInstanceId.NotFound');
});

test.run();
