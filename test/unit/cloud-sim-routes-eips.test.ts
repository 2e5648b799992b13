import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { harness, type Harness } from '../../lib/sandbox/cloud/test-context';
import { advance, fails, R } from '../helpers/cloud-sim';

async function runningInstance(h: Harness) {
  const zones = (await h.call('Ecs', 'DescribeZones', R)).Zones.Zone.map((z: any) => z.ZoneId);
  const vpc = await h.call('Vpc', 'CreateVpc', { ...R, CidrBlock: '172.16.0.0/12' });
  advance(h, 5_000);
  const vsw = await h.call('Vpc', 'CreateVSwitch', {
    ...R,
    VpcId: vpc.VpcId,
    ZoneId: zones[1],
    CidrBlock: '172.16.0.0/24',
  });
  advance(h, 3_000);
  const sg = await h.call('Ecs', 'CreateSecurityGroup', { ...R, VpcId: vpc.VpcId });
  const id = (
    await h.call('Ecs', 'RunInstances', {
      ...R,
      ImageId: 'aliyun_3_x64_20G_alibase_20210425.vhd',
      InstanceType: 'ecs.c6.large',
      SecurityGroupId: sg.SecurityGroupId,
      VSwitchId: vsw.VSwitchId,
    })
  ).InstanceIdSets.InstanceIdSet[0] as string;
  advance(h, 20_000);
  return {
    vpcId: vpc.VpcId as string,
    routeTableId: vpc.RouteTableId as string,
    vSwitchId: vsw.VSwitchId as string,
    instanceId: id,
  };
}

test('routes: Pending → Available, one change at a time per VPC, duplicates, system entries, DependencyViolation.RouteEntry', async () => {
  const h = harness({ timeScale: 0.01 });
  const n = await runningInstance(h);
  const tables = await h.call('Vpc', 'DescribeRouteTableList', { ...R, VpcId: n.vpcId });
  assert.equal(
    tables.RouterTableList.RouterTableListType.map((t: any) => [t.RouteTableId, t.RouteTableType, t.VpcId]),
    [[n.routeTableId, 'System', n.vpcId]],
  );
  const r1 = await h.call('Vpc', 'CreateRouteEntry', {
    ...R,
    RouteTableId: n.routeTableId,
    DestinationCidrBlock: '10.1.0.0/16',
    NextHopType: 'Instance',
    NextHopId: n.instanceId,
    ClientToken: 'rt-1',
  });
  assert.match(r1.RouteEntryId, /^rte-bp1/);
  assert.equal(
    await h.call('Vpc', 'CreateRouteEntry', {
      ...R,
      RouteTableId: n.routeTableId,
      DestinationCidrBlock: '10.1.0.0/16',
      NextHopType: 'Instance',
      NextHopId: n.instanceId,
      ClientToken: 'rt-1',
    }),
    r1,
  );
  await fails(
    h.call('Vpc', 'CreateRouteEntry', {
      ...R,
      RouteTableId: n.routeTableId,
      DestinationCidrBlock: '10.2.0.0/16',
      NextHopType: 'Instance',
      NextHopId: n.instanceId,
    }),
    'IncorrectRouteEntryStatus',
  );
  await fails(h.call('Vpc', 'DeleteRouteEntry', { ...R, RouteEntryId: r1.RouteEntryId }), 'IncorrectRouteEntryStatus');
  let list = await h.call('Vpc', 'DescribeRouteEntryList', {
    ...R,
    RouteTableId: n.routeTableId,
    RouteEntryType: 'Custom',
  });
  assert.is(list.RouteEntrys.RouteEntry[0].Status, 'Pending');
  advance(h, 2_000);
  list = await h.call('Vpc', 'DescribeRouteEntryList', {
    ...R,
    RouteTableId: n.routeTableId,
    RouteEntryType: 'Custom',
  });
  const e = list.RouteEntrys.RouteEntry[0];
  assert.equal(
    [e.Status, e.Type, e.DestinationCidrBlock, e.NextHops.NextHop[0].NextHopId, e.NextHops.NextHop[0].NextHopType],
    ['Available', 'Custom', '10.1.0.0/16', n.instanceId, 'Instance'],
  );
  await fails(
    h.call('Vpc', 'CreateRouteEntry', {
      ...R,
      RouteTableId: n.routeTableId,
      DestinationCidrBlock: '10.1.0.0/16',
      NextHopId: n.instanceId,
    }),
    'InvalidCIDRBlock.Duplicate',
  );
  await fails(
    h.call('Vpc', 'CreateRouteEntry', {
      ...R,
      RouteTableId: n.routeTableId,
      DestinationCidrBlock: '10.3.0.0/16',
      NextHopId: 'i-bp1nothere',
    }),
    'InvalidNextHopId.NotFound',
  );
  await fails(
    h.call('Vpc', 'CreateRouteEntry', {
      ...R,
      RouteTableId: 'vtb-bp1nothere',
      DestinationCidrBlock: '10.3.0.0/16',
      NextHopId: n.instanceId,
    }),
    'InvalidRouteTableId.NotFound',
  );
  const all = await h.call('Vpc', 'DescribeRouteEntryList', { ...R, RouteTableId: n.routeTableId });
  assert.equal(all.RouteEntrys.RouteEntry.map((x: any) => x.Type).sort(), ['Custom', 'System', 'System']);
  const sys = all.RouteEntrys.RouteEntry.find((x: any) => x.Type === 'System');
  await fails(h.call('Vpc', 'DeleteRouteEntry', { ...R, RouteEntryId: sys.RouteEntryId }), 'OperationDenied');
  await fails(
    h.call('Ecs', 'DeleteInstance', { InstanceId: n.instanceId, Force: true }),
    'DependencyViolation.RouteEntry',
  );
  await fails(h.call('Vpc', 'DeleteVpc', { ...R, VpcId: n.vpcId }), 'DependencyViolation.VSwitch');
  await h.call('Vpc', 'DeleteRouteEntry', { ...R, RouteEntryId: r1.RouteEntryId });
  assert.is(
    (
      await h.call('Vpc', 'DescribeRouteEntryList', {
        ...R,
        RouteTableId: n.routeTableId,
        RouteEntryId: r1.RouteEntryId,
      })
    ).RouteEntrys.RouteEntry[0].Status,
    'Modifying',
  );
  await fails(
    h.call('Vpc', 'CreateRouteEntry', {
      ...R,
      RouteTableId: n.routeTableId,
      DestinationCidrBlock: '10.2.0.0/16',
      NextHopId: n.instanceId,
    }),
    'IncorrectRouteEntryStatus',
  );
  advance(h, 2_000);
  assert.is(
    (await h.call('Vpc', 'DescribeRouteEntryList', { ...R, RouteTableId: n.routeTableId, RouteEntryType: 'Custom' }))
      .RouteEntrys.RouteEntry.length,
    0,
  );
  await h.call('Ecs', 'DeleteInstance', { InstanceId: n.instanceId, Force: true });
});

test('routes: TaskConflict while a VSwitch is being created; route table quota; MaxResult (singular) 20..100 with NextToken', async () => {
  const h = harness({ timeScale: 0.01, quotas: { routesPerTable: 22 } });
  const n = await runningInstance(h);
  const zones = (await h.call('Ecs', 'DescribeZones', R)).Zones.Zone.map((z: any) => z.ZoneId);
  await h.call('Vpc', 'CreateVSwitch', { ...R, VpcId: n.vpcId, ZoneId: zones[1], CidrBlock: '172.16.1.0/24' });
  await fails(
    h.call('Vpc', 'CreateRouteEntry', {
      ...R,
      RouteTableId: n.routeTableId,
      DestinationCidrBlock: '10.0.0.0/24',
      NextHopId: n.instanceId,
    }),
    'TaskConflict',
  );
  advance(h, 3_000);
  for (let i = 0; i < 22; i++) {
    await h.call('Vpc', 'CreateRouteEntry', {
      ...R,
      RouteTableId: n.routeTableId,
      DestinationCidrBlock: `10.0.${i}.0/24`,
      NextHopId: n.instanceId,
    });
    advance(h, 2_000);
  }
  await fails(
    h.call('Vpc', 'CreateRouteEntry', {
      ...R,
      RouteTableId: n.routeTableId,
      DestinationCidrBlock: '10.0.99.0/24',
      NextHopId: n.instanceId,
    }),
    'QuotaExceeded',
  );
  await fails(
    h.call('Vpc', 'DescribeRouteEntryList', { ...R, RouteTableId: n.routeTableId, MaxResult: 101 }),
    'InvalidParameter',
  );
  await fails(
    h.call('Vpc', 'DescribeRouteEntryList', { ...R, RouteTableId: n.routeTableId, MaxResult: 19 }),
    'InvalidParameter',
  );
  const p1 = await h.call('Vpc', 'DescribeRouteEntryList', { ...R, RouteTableId: n.routeTableId, MaxResult: 20 });
  assert.is(p1.RouteEntrys.RouteEntry.length, 20);
  assert.ok(p1.NextToken);
  const p2 = await h.call('Vpc', 'DescribeRouteEntryList', {
    ...R,
    RouteTableId: n.routeTableId,
    MaxResult: 20,
    NextToken: p1.NextToken,
  });
  assert.is(p2.RouteEntrys.RouteEntry.length, 5, '22 custom + 3 system entries');
  assert.is(p2.NextToken, '');
  assert.is(
    (await h.call('Vpc', 'DescribeRouteEntryList', { ...R, RouteTableId: n.routeTableId })).RouteEntrys.RouteEntry
      .length,
    25,
    'default page of 50',
  );
});

test('EIP: allocate, Associating → InUse, shown on the instance, conflicts, unassociate, release; bandwidth quota', async () => {
  const h = harness({ timeScale: 0.01, quotas: { eipBandwidthMbps: 100 } });
  const n = await runningInstance(h);
  await fails(h.call('Vpc', 'AllocateEipAddress', { ...R, Bandwidth: 101 }), 'InvalidParameter');
  const a = await h.call('Vpc', 'AllocateEipAddress', {
    ...R,
    Bandwidth: 100,
    InternetChargeType: 'PayByTraffic',
    ClientToken: 'eip-1',
  });
  assert.match(a.AllocationId, /^eip-bp1[0-9a-z]{18}$/);
  assert.equal(
    await h.call('Vpc', 'AllocateEipAddress', {
      ...R,
      Bandwidth: 100,
      InternetChargeType: 'PayByTraffic',
      ClientToken: 'eip-1',
    }),
    a,
  );
  const b = await h.call('Vpc', 'AllocateEipAddress', R);
  let d = await h.call('Vpc', 'DescribeEipAddresses', { ...R, AllocationId: a.AllocationId });
  assert.equal(
    [
      d.EipAddresses.EipAddress[0].Status,
      d.EipAddresses.EipAddress[0].IpAddress,
      d.EipAddresses.EipAddress[0].Bandwidth,
    ],
    ['Available', a.EipAddress, '100'],
  );
  await fails(
    h.call('Vpc', 'AssociateEipAddress', { ...R, AllocationId: a.AllocationId, InstanceId: 'i-bp1nothere' }),
    'InvalidInstanceId.NotFound',
  );
  await h.call('Vpc', 'AssociateEipAddress', {
    ...R,
    AllocationId: a.AllocationId,
    InstanceId: n.instanceId,
    InstanceType: 'EcsInstance',
  });
  d = await h.call('Vpc', 'DescribeEipAddresses', { ...R, AllocationId: a.AllocationId });
  assert.is(d.EipAddresses.EipAddress[0].Status, 'Associating');
  await fails(
    h.call('Vpc', 'AssociateEipAddress', { ...R, AllocationId: a.AllocationId, InstanceId: n.instanceId }),
    'IncorrectEipStatus',
  );
  await fails(
    h.call('Vpc', 'AssociateEipAddress', { ...R, AllocationId: b.AllocationId, InstanceId: n.instanceId }),
    'InvalidAssociation.Duplicated',
  );
  await fails(h.call('Vpc', 'UnassociateEipAddress', { ...R, AllocationId: a.AllocationId }), 'IncorrectEipStatus');
  advance(h, 2_500);
  d = await h.call('Vpc', 'DescribeEipAddresses', { ...R, AssociatedInstanceId: n.instanceId });
  assert.equal(
    [
      d.TotalCount,
      d.EipAddresses.EipAddress[0].Status,
      d.EipAddresses.EipAddress[0].InstanceId,
      d.EipAddresses.EipAddress[0].InstanceType,
    ],
    [1, 'InUse', n.instanceId, 'EcsInstance'],
  );
  const inst = (await h.call('Ecs', 'DescribeInstances', { ...R, InstanceIds: JSON.stringify([n.instanceId]) }))
    .Instances.Instance[0];
  assert.equal([inst.EipAddress.AllocationId, inst.EipAddress.IpAddress], [a.AllocationId, a.EipAddress]);
  await fails(h.call('Vpc', 'ReleaseEipAddress', { ...R, AllocationId: a.AllocationId }), 'IncorrectEipStatus');
  await h.call('Vpc', 'UnassociateEipAddress', { ...R, AllocationId: a.AllocationId, InstanceId: n.instanceId });
  assert.is(
    (await h.call('Vpc', 'DescribeEipAddresses', { ...R, AllocationId: a.AllocationId })).EipAddresses.EipAddress[0]
      .Status,
    'Unassociating',
  );
  advance(h, 2_500);
  assert.is(
    (await h.call('Vpc', 'DescribeEipAddresses', { ...R, AllocationId: a.AllocationId })).EipAddresses.EipAddress[0]
      .Status,
    'Available',
  );
  await h.call('Vpc', 'ReleaseEipAddress', { ...R, AllocationId: a.AllocationId });
  advance(h, 1_500);
  assert.equal(
    (await h.call('Vpc', 'DescribeEipAddresses', { ...R, AllocationId: a.AllocationId })).EipAddresses.EipAddress,
    [],
  );
  await fails(
    h.call('Vpc', 'ReleaseEipAddress', { ...R, AllocationId: a.AllocationId }),
    'InvalidAllocationId.NotFound',
  );
  await fails(h.call('Vpc', 'DescribeEipAddresses', { ...R, PageSize: 101 }), 'InvalidParameter');
});

test('DeleteInstance unbinds its EIP (not released): Unassociating, then Available', async () => {
  const h = harness({ timeScale: 0.01 });
  const n = await runningInstance(h);
  const a = await h.call('Vpc', 'AllocateEipAddress', R);
  await h.call('Vpc', 'AssociateEipAddress', { ...R, AllocationId: a.AllocationId, InstanceId: n.instanceId });
  advance(h, 2_500);
  await h.call('Ecs', 'DeleteInstance', { InstanceId: n.instanceId, Force: true });
  advance(h, 6_000);
  const d = await h.call('Vpc', 'DescribeEipAddresses', { ...R, AllocationId: a.AllocationId });
  assert.equal([d.EipAddresses.EipAddress[0].Status, d.EipAddresses.EipAddress[0].InstanceId], ['Available', '']);
});

test.run();
