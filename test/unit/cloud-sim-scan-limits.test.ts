/** What a scan leans on: DryRun only where the API declares it, id-list limits, route table tags. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { harness } from '../../lib/sandbox/cloud/test-context';
import { advance, fails, R, simNetwork } from '../helpers/cloud-sim';

test('DescribeImages DryRun → DryRunOperation; CreateVSwitch has no DryRun parameter, so it is ignored and the VSwitch made', async () => {
  const h = harness({ timeScale: 0.01 });
  const e = await fails(h.call('Ecs', 'DescribeImages', { ...R, DryRun: true }), 'DryRunOperation');
  assert.equal([e.httpStatus, e.message], [400, 'Request validation has been passed with DryRun flag set.']);
  const n = await simNetwork(h);
  const made = await h.call('Vpc', 'CreateVSwitch', {
    ...R,
    VpcId: n.vpcId,
    ZoneId: n.zones[0]!,
    CidrBlock: '172.16.9.0/24',
    DryRun: true,
  });
  assert.match(made.VSwitchId, /^vsw-/);
  await fails(h.call('Ecs', 'DescribeSecurityGroups', { ...R, DryRun: true }), 'DryRunOperation');
  await fails(h.call('Vpc', 'DescribeEipAddresses', { ...R, DryRun: true }), 'DryRunOperation');
});

test('DescribeEipAddresses: ≤ 50 AllocationIds / EipAddresses, more → InstanceIdLength.Exceed', async () => {
  const h = harness();
  const a = await h.call('Vpc', 'AllocateEipAddress', R);
  const b = await h.call('Vpc', 'AllocateEipAddress', R);
  const fifty = [a.AllocationId, ...Array.from({ length: 49 }, (_, i) => `eip-bp1x${i}`)].join(',');
  const r = await h.call('Vpc', 'DescribeEipAddresses', { ...R, AllocationId: fifty });
  assert.equal(
    r.EipAddresses.EipAddress.map((x: { AllocationId: string }) => x.AllocationId),
    [a.AllocationId],
  );
  const e = await fails(
    h.call('Vpc', 'DescribeEipAddresses', { ...R, AllocationId: `${fifty},eip-bp1more` }),
    'InstanceIdLength.Exceed',
  );
  assert.equal([e.httpStatus, e.message], [400, 'InstanceId length is exceed']);
  const byIp = await h.call('Vpc', 'DescribeEipAddresses', { ...R, EipAddress: `${a.EipAddress},${b.EipAddress}` });
  assert.is(byIp.TotalCount, 2);
});

test('route tables carry their own tags (TagResources ROUTETABLE); DescribeRouteTableList filters by them', async () => {
  const h = harness({ timeScale: 0.01 });
  const a = await h.call('Vpc', 'CreateVpc', { ...R, 'Tag.1.Key': 'fleet:managed', 'Tag.1.Value': 'true' });
  const b = await h.call('Vpc', 'CreateVpc', R);
  advance(h, 5_000);
  const tag = { 'Tag.1.Key': 'fleet:server', 'Tag.1.Value': 'srv-1' };
  await h.call('Vpc', 'TagResources', { ...R, ResourceType: 'ROUTETABLE', 'ResourceId.1': b.RouteTableId, ...tag });
  const hit = await h.call('Vpc', 'DescribeRouteTableList', { ...R, ...tag });
  assert.equal(
    hit.RouterTableList.RouterTableListType.map((t: { RouteTableId: string }) => t.RouteTableId),
    [b.RouteTableId],
  );
  assert.equal(hit.RouterTableList.RouterTableListType[0].Tags.Tag, [{ Key: 'fleet:server', Value: 'srv-1' }]);
  // the VPC's tags are not its route table's
  const none = await h.call('Vpc', 'DescribeRouteTableList', { ...R, 'Tag.1.Key': 'fleet:managed' });
  assert.is(none.TotalCount, 0);
  assert.ok(a.RouteTableId);
  const listed = await h.call('Vpc', 'ListTagResources', {
    ...R,
    ResourceType: 'ROUTETABLE',
    'ResourceId.1': b.RouteTableId,
  });
  assert.equal(listed.TagResources.TagResource[0].TagKey, 'fleet:server');
});

test('tag filters on the network listings: every given tag must match', async () => {
  const h = harness({ timeScale: 0.01 });
  const n = await simNetwork(h);
  const t = { 'Tag.1.Key': 'fleet:server', 'Tag.1.Value': 'srv-9' };
  const vpc = await h.call('Vpc', 'CreateVpc', { ...R, ...t });
  advance(h, 5_000);
  const vsw = await h.call('Vpc', 'CreateVSwitch', {
    ...R,
    VpcId: vpc.VpcId,
    ZoneId: n.zones[1]!,
    CidrBlock: '172.16.0.0/24',
    ...t,
  });
  const sg = await h.call('Ecs', 'CreateSecurityGroup', { ...R, VpcId: vpc.VpcId, ...t });
  const eip = await h.call('Vpc', 'AllocateEipAddress', { ...R, ...t });
  await h.call('Vpc', 'AllocateEipAddress', R);
  const ids = (xs: Record<string, string>[], k: string) => xs.map((x) => x[k]);
  assert.equal(ids((await h.call('Vpc', 'DescribeVpcs', { ...R, ...t })).Vpcs.Vpc, 'VpcId'), [vpc.VpcId]);
  assert.equal(ids((await h.call('Vpc', 'DescribeVSwitches', { ...R, ...t })).VSwitches.VSwitch, 'VSwitchId'), [
    vsw.VSwitchId,
  ]);
  assert.equal(
    ids(
      (await h.call('Ecs', 'DescribeSecurityGroups', { ...R, ...t })).SecurityGroups.SecurityGroup,
      'SecurityGroupId',
    ),
    [sg.SecurityGroupId],
  );
  assert.equal(
    ids((await h.call('Vpc', 'DescribeEipAddresses', { ...R, ...t })).EipAddresses.EipAddress, 'AllocationId'),
    [eip.AllocationId],
  );
  const wrongValue = { 'Tag.1.Key': 'fleet:server', 'Tag.1.Value': 'srv-0' };
  assert.is((await h.call('Vpc', 'DescribeVpcs', { ...R, ...wrongValue })).TotalCount, 0);
});

test.run();
