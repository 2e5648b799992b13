/**
 * The simulated ECS, VPC and Resource Center through the official SDKs (@alicloud/ecs20140526
 * and openapi-core's generic callApi) against a real sandbox server. The sandbox's clock stands
 * still unless the test moves it, so a state that lasts a while (a Pending VSwitch, a Starting
 * instance) is seen however slowly the machine runs.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import EcsModule, * as $Ecs from '@alicloud/ecs20140526';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { rpcClient, SDK_TIMEOUTS, startTestSandbox, virtualClock, type TestSandbox } from '../helpers/sandbox';
import { generateEd25519Public } from '../../lib/sandbox/cloud/ssh-keys';
import { WAIT_MS } from '../../lib/sandbox/cloud/lifecycle';

const Ecs = ((EcsModule as unknown as { default?: typeof EcsModule }).default ?? EcsModule) as typeof EcsModule;
const clock = virtualClock();
/** Moves the sandbox's clock: `simulatedMs` of cloud time pass at once. */
const wait = (simulatedMs: number) => clock.advance(simulatedMs);

let t: TestSandbox;
let k: { accountId: string; accessKeyId: string; accessKeySecret: string };
let ecs: EcsModule;
let rpc: ReturnType<typeof rpcClient>;
const R = 'cn-hangzhou';

async function code(p: Promise<unknown>): Promise<{ code: string; statusCode: number; message: string }> {
  try {
    await p;
  } catch (e: any) {
    return { code: e.code, statusCode: e.statusCode, message: e.message };
  }
  throw new Error('expected an error');
}

test.before(async () => {
  t = await startTestSandbox({ timeScale: 1, clock });
  k = await t.createAccount({ regions: ['cn-hangzhou', 'cn-beijing', 'ap-southeast-1'], quotas: { vpcsPerRegion: 3 } });
  ecs = new Ecs(
    new $OpenApiUtil.Config({ ...k, endpoint: t.endpoint, protocol: 'http', regionId: R, ...SDK_TIMEOUTS }),
  );
  rpc = rpcClient(t.endpoint, k);
});
test.after(async () => {
  await t.close();
});

test('ECS SDK: 120 key pairs paged 50 at a time with TotalCount; PageSize 51 refused', async () => {
  for (let i = 0; i < 118; i++) {
    await ecs.importKeyPair(
      new $Ecs.ImportKeyPairRequest({
        regionId: R,
        keyPairName: `kp-${i}`,
        publicKeyBody: generateEd25519Public('t').publicKey,
      }),
    );
  }
  const names = new Set<string>();
  const sizes: number[] = [];
  for (let page = 1; page <= 3; page++) {
    const r = await ecs.describeKeyPairs(
      new $Ecs.DescribeKeyPairsRequest({ regionId: R, pageNumber: page, pageSize: 50 }),
    );
    assert.is(r.body?.totalCount, 120);
    sizes.push(r.body!.keyPairs!.keyPair!.length);
    r.body!.keyPairs!.keyPair!.forEach((kp) => {
      names.add(kp.keyPairName!);
      assert.match(kp.keyPairFingerPrint!, /^([0-9a-f]{2}:){15}[0-9a-f]{2}$/);
    });
  }
  assert.equal(sizes, [50, 50, 20]);
  assert.is(names.size, 120);
  const e = await code(ecs.describeKeyPairs(new $Ecs.DescribeKeyPairsRequest({ regionId: R, pageSize: 51 })));
  assert.equal([e.code, e.statusCode], ['InvalidParameter', 400]);
});

let vpcId = '';
let routeTableId = '';
let vSwitchId = '';
let sgId = '';
let zones: string[] = [];

test('VPC via callApi: Pending → Available; the 4th VPC over a quota of 3 refused with QuotaExceeded.Vpc', async () => {
  const v = await rpc.call('Vpc', 'CreateVpc', {
    RegionId: R,
    CidrBlock: '172.16.0.0/12',
    VpcName: 'sdk',
    ClientToken: 'vpc-tok',
  });
  assert.match(v.VpcId, /^vpc-bp1[0-9a-z]{18}$/);
  assert.equal(
    await rpc
      .call('Vpc', 'CreateVpc', { RegionId: R, CidrBlock: '172.16.0.0/12', VpcName: 'sdk', ClientToken: 'vpc-tok' })
      .then((x) => x.VpcId),
    v.VpcId,
  );
  vpcId = v.VpcId;
  routeTableId = v.RouteTableId;
  assert.is((await rpc.call('Vpc', 'DescribeVpcs', { RegionId: R, VpcId: vpcId })).Vpcs.Vpc[0].Status, 'Pending');
  await rpc.call('Vpc', 'CreateVpc', { RegionId: R });
  await rpc.call('Vpc', 'CreateVpc', { RegionId: R });
  const e = await code(rpc.call('Vpc', 'CreateVpc', { RegionId: R }));
  assert.equal([e.code, e.statusCode], ['QuotaExceeded.Vpc', 400]);
  wait(WAIT_MS.vpcCreate - 1);
  assert.is((await rpc.call('Vpc', 'DescribeVpcs', { RegionId: R, VpcId: vpcId })).Vpcs.Vpc[0].Status, 'Pending');
  wait(1);
  assert.is((await rpc.call('Vpc', 'DescribeVpcs', { RegionId: R, VpcId: vpcId })).Vpcs.Vpc[0].Status, 'Available');
});

test('a VSwitch creation while another VSwitch of the VPC is Pending is refused with IncorrectVSwitchStatus', async () => {
  zones = (await ecs.describeZones(new $Ecs.DescribeZonesRequest({ regionId: R }))).body!.zones!.zone!.map(
    (z) => z.zoneId!,
  );
  const a = await rpc.call('Vpc', 'CreateVSwitch', {
    RegionId: R,
    VpcId: vpcId,
    ZoneId: zones[1],
    CidrBlock: '172.16.0.0/24',
  });
  const e = await code(
    rpc.call('Vpc', 'CreateVSwitch', { RegionId: R, VpcId: vpcId, ZoneId: zones[1], CidrBlock: '172.16.1.0/24' }),
  );
  assert.equal([e.code, e.statusCode], ['IncorrectVSwitchStatus', 400]);
  vSwitchId = a.VSwitchId;
  wait(WAIT_MS.vSwitchCreate);
  const w = (await rpc.call('Vpc', 'DescribeVSwitches', { RegionId: R, VpcId: vpcId })).VSwitches.VSwitch;
  assert.equal(
    w.map((x: any) => [x.VSwitchId, x.Status, x.ZoneId]),
    [[vSwitchId, 'Available', zones[1]]],
  );
  sgId = (
    await ecs.createSecurityGroup(new $Ecs.CreateSecurityGroupRequest({ regionId: R, vpcId, securityGroupName: 'sdk' }))
  ).body!.securityGroupId!;
  await ecs.authorizeSecurityGroup(
    new $Ecs.AuthorizeSecurityGroupRequest({
      regionId: R,
      securityGroupId: sgId,
      permissions: [
        new $Ecs.AuthorizeSecurityGroupRequestPermissions({
          ipProtocol: 'tcp',
          portRange: '22/22',
          sourceCidrIp: '0.0.0.0/0',
        }),
      ],
    }),
  );
  const sgs = await ecs.describeSecurityGroups(new $Ecs.DescribeSecurityGroupsRequest({ regionId: R, vpcId }));
  assert.equal(
    sgs.body!.securityGroups!.securityGroup!.map((g) => [g.securityGroupId, g.vpcId, g.securityGroupName]),
    [[sgId, vpcId, 'sdk']],
  );
});

let instanceId = '';
/** Every status poll of the new instance, from right after RunInstances, with the cloud time it was made at. */
const polls: Array<{ status: string; sinceRunMs: number }> = [];
let runAtMs = 0;
async function pollStatus(id: string): Promise<string> {
  const r = await ecs.describeInstances(
    new $Ecs.DescribeInstancesRequest({ regionId: R, instanceIds: JSON.stringify([id]) }),
  );
  const status = r.body!.instances!.instance![0]!.status!;
  polls.push({ status, sinceRunMs: clock.now() - runAtMs });
  return status;
}
const runReq = (extra: Partial<$Ecs.RunInstancesRequest> = {}) =>
  new $Ecs.RunInstancesRequest({
    regionId: R,
    imageId: 'ubuntu_22_04_x64_20G_alibase_20250722.vhd',
    instanceType: 'ecs.g7.large',
    securityGroupId: sgId,
    vSwitchId,
    internetMaxBandwidthOut: 5,
    systemDisk: new $Ecs.RunInstancesRequestSystemDisk({ category: 'cloud_essd', size: '40' }),
    tag: [new $Ecs.RunInstancesRequestTag({ key: 'fleet', value: 'srv-1' })],
    clientToken: 'run-tok-1',
    ...extra,
  });

test('ECS SDK RunInstances: DryRunOperation, same ClientToken → same instance, other parameters → IdempotentParameterMismatch, NoStock', async () => {
  const dry = await code(ecs.runInstances(runReq({ dryRun: true })));
  assert.equal([dry.code, dry.statusCode], ['DryRunOperation', 400]);
  runAtMs = clock.now();
  const a = await ecs.runInstances(runReq());
  await pollStatus(a.body!.instanceIdSets!.instanceIdSet![0]!);
  const b = await ecs.runInstances(runReq());
  const ids = a.body!.instanceIdSets!.instanceIdSet!;
  assert.is(ids.length, 1);
  assert.match(ids[0]!, /^i-bp1[0-9a-z]{17}$/);
  assert.equal(b.body!.instanceIdSets!.instanceIdSet, ids);
  instanceId = ids[0]!;
  const mismatch = await code(ecs.runInstances(runReq({ instanceName: 'different' })));
  assert.equal([mismatch.code, mismatch.statusCode], ['IdempotentParameterMismatch', 400]);
  const w0 = await rpc.call('Vpc', 'CreateVSwitch', {
    RegionId: R,
    VpcId: vpcId,
    ZoneId: zones[0],
    CidrBlock: '172.16.9.0/24',
  });
  wait(WAIT_MS.vSwitchCreate);
  const stock = await code(ecs.runInstances(runReq({ vSwitchId: w0.VSwitchId, clientToken: undefined })));
  assert.equal([stock.code, stock.statusCode], ['OperationDenied.NoStock', 403]);
  const avail = await ecs.describeAvailableResource(
    new $Ecs.DescribeAvailableResourceRequest({
      regionId: R,
      destinationResource: 'InstanceType',
      instanceType: 'ecs.g7.large',
      ioOptimized: 'optimized',
    }),
  );
  const byZone = Object.fromEntries(avail.body!.availableZones!.availableZone!.map((z) => [z.zoneId, z.status]));
  assert.equal([byZone[zones[0]!], byZone[zones[1]!]], ['SoldOut', 'Available']);
  await rpc.call('Vpc', 'DeleteVSwitch', { RegionId: R, VSwitchId: w0.VSwitchId });
});

test('ECS SDK DescribeInstances with a JSON id list: Pending → Starting → Running; unknown ids give an empty list', async () => {
  const describe = (ids: string[]) =>
    ecs.describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: R, instanceIds: JSON.stringify(ids) }));
  for (let i = 0; i < 100 && polls[polls.length - 1]!.status !== 'Running'; i++) {
    wait(500);
    await pollStatus(instanceId);
  }
  // Each poll shows the state its cloud time falls in: Pending, then Starting, then Running.
  const expected = (ms: number) =>
    ms < WAIT_MS.instancePending ? 'Pending' : ms < WAIT_MS.instanceStarting ? 'Starting' : 'Running';
  assert.equal(
    polls.map((p) => `${p.sinceRunMs} ${p.status}`),
    polls.map((p) => `${p.sinceRunMs} ${expected(p.sinceRunMs)}`),
  );
  assert.equal(
    polls.map((p) => p.status).filter((s, i, all) => s !== all[i - 1]),
    ['Pending', 'Starting', 'Running'],
  );
  const inst = (await describe([instanceId, 'i-bp1unknown00000000'])).body!.instances!.instance!;
  assert.is(inst.length, 1);
  assert.equal(
    [inst[0]!.cpu, inst[0]!.memory, inst[0]!.vpcAttributes!.vpcId, inst[0]!.vpcAttributes!.privateIpAddress!.ipAddress],
    [2, 8192, vpcId, ['172.16.0.1']],
  );
  assert.match(inst[0]!.publicIpAddress!.ipAddress![0]!, /^47\./);
  assert.equal(
    inst[0]!.tags!.tag!.map((x) => [x.tagKey, x.tagValue]),
    [['fleet', 'srv-1']],
  );
  const none = await describe(['i-bp1unknown00000000']);
  assert.equal([none.body!.totalCount, none.body!.instances!.instance], [0, []]);
  const disks = await ecs.describeDisks(new $Ecs.DescribeDisksRequest({ regionId: R, instanceId }));
  assert.equal(
    disks.body!.disks!.disk!.map((d) => [d.type, d.category, d.size, d.status]),
    [['system', 'cloud_essd', 40, 'In_use']],
  );
});

test('routes and EIPs via callApi: one route change at a time, RouteEntrys, EIP Associating → InUse', async () => {
  const add = (cidr: string) =>
    rpc.call('Vpc', 'CreateRouteEntry', {
      RegionId: R,
      RouteTableId: routeTableId,
      DestinationCidrBlock: cidr,
      NextHopType: 'Instance',
      NextHopId: instanceId,
    });
  const r1 = await add('10.0.0.0/16');
  const busy = await code(add('10.1.0.0/16'));
  assert.equal([busy.code, busy.statusCode], ['IncorrectRouteEntryStatus', 400]);
  wait(WAIT_MS.routeCreate);
  const list = await rpc.call('Vpc', 'DescribeRouteEntryList', {
    RegionId: R,
    RouteTableId: routeTableId,
    RouteEntryType: 'Custom',
    MaxResult: 100,
  });
  assert.equal(
    list.RouteEntrys.RouteEntry.map((e: any) => [e.RouteEntryId, e.Status, e.NextHops.NextHop[0].NextHopId]),
    [[r1.RouteEntryId, 'Available', instanceId]],
  );
  const dep = await code(ecs.deleteInstance(new $Ecs.DeleteInstanceRequest({ instanceId, force: true })));
  assert.equal([dep.code, dep.statusCode], ['DependencyViolation.RouteEntry', 400]);
  await rpc.call('Vpc', 'DeleteRouteEntry', { RegionId: R, RouteEntryId: r1.RouteEntryId });
  wait(WAIT_MS.routeDelete);
  const eip = await rpc.call('Vpc', 'AllocateEipAddress', {
    RegionId: R,
    Bandwidth: 5,
    InternetChargeType: 'PayByTraffic',
    ClientToken: 'eip-tok',
  });
  const dup = await code(
    rpc.call('Vpc', 'AssociateEipAddress', { RegionId: R, AllocationId: eip.AllocationId, InstanceId: instanceId }),
  );
  assert.is(dup.code, 'InvalidAssociation.Duplicated', 'the instance already has a public IP');
  const tooWide = await code(rpc.call('Vpc', 'AllocateEipAddress', { RegionId: R, Bandwidth: 201 }));
  assert.is(tooWide.code, 'InvalidParameter');
  const d = await rpc.call('Vpc', 'DescribeEipAddresses', { RegionId: R, AllocationId: eip.AllocationId });
  assert.equal(
    [d.TotalCount, d.EipAddresses.EipAddress[0].Status, d.EipAddresses.EipAddress[0].IpAddress],
    [1, 'Available', eip.EipAddress],
  );
});

test('Resource Center via callApi: Filter.N with Value.N, paging without NextToken at the end, ServiceNotEnabled', async () => {
  const status = await rpc.call('ResourceCenter', 'GetResourceCenterServiceStatus');
  assert.equal([status.ServiceStatus, status.InitialStatus], ['Enabled', 'Finished']);
  const q = {
    Filter: [
      { Key: 'ResourceType', MatchType: 'Equals', Value: ['ACS::ECS::Instance', 'ACS::VPC::VPC'] },
      { Key: 'RegionId', Value: [R] },
    ],
  };
  const found = await rpc.call('ResourceCenter', 'SearchResources', { ...q, MaxResults: 100 });
  assert.equal(found.Resources.map((r: any) => r.ResourceType).sort(), [
    'ACS::ECS::Instance',
    'ACS::VPC::VPC',
    'ACS::VPC::VPC',
    'ACS::VPC::VPC',
  ]);
  assert.not.ok('NextToken' in found);
  const tagged = await rpc.call('ResourceCenter', 'SearchResources', {
    Filter: [{ Key: 'Tag', Value: [JSON.stringify({ key: 'fleet', value: 'srv-1' })] }],
  });
  assert.equal(tagged.Resources.map((r: any) => r.ResourceType).sort(), [
    'ACS::ECS::Disk',
    'ACS::ECS::Instance',
    'ACS::ECS::NetworkInterface',
  ]);
  const p1 = await rpc.call('ResourceCenter', 'SearchResources', { ...q, MaxResults: 3 });
  assert.ok(p1.NextToken);
  const p2 = await rpc.call('ResourceCenter', 'SearchResources', { ...q, MaxResults: 3, NextToken: p1.NextToken });
  assert.is(p2.Resources.length, 1);
  assert.not.ok('NextToken' in p2);
  const v1 = rpcClient(t.endpoint, k, { signature: 'v1' });
  const viaV1 = await v1.call('ResourceCenter', 'SearchResources', { ...q, MaxResults: 100 });
  assert.equal(
    viaV1.Resources.map((r: any) => r.ResourceId).sort(),
    found.Resources.map((r: any) => r.ResourceId).sort(),
    'V1 (HMAC-SHA1) requests carry Filter.N.Value.N the same way',
  );
  assert.is((await v1.call('Vpc', 'DescribeVpcs', { RegionId: R, VpcId: vpcId })).Vpcs.Vpc[0].VpcId, vpcId);
  const bad = await code(rpc.call('ResourceCenter', 'SearchResources', { MaxResults: 101 }));
  assert.equal([bad.code, bad.statusCode], ['InvalidParameter.MaxResults', 400]);
  await t.admin(`/accounts/${k.accountId}/resource-center`, { enabled: false });
  const off = await code(rpc.call('ResourceCenter', 'SearchResources', {}));
  assert.is(off.code, 'ServiceNotEnabled');
  await t.admin(`/accounts/${k.accountId}/resource-center`, { enabled: true });
});

test('teardown order: dependency violations, then everything gone (admin resource dump)', async () => {
  const sgDep = await code(
    ecs.deleteSecurityGroup(new $Ecs.DeleteSecurityGroupRequest({ regionId: R, securityGroupId: sgId })),
  );
  assert.equal([sgDep.code, sgDep.statusCode], ['DependencyViolation', 403]);
  const vpcDep = await code(rpc.call('Vpc', 'DeleteVpc', { RegionId: R, VpcId: vpcId }));
  assert.is(vpcDep.code, 'DependencyViolation.VSwitch');
  await ecs.deleteInstance(new $Ecs.DeleteInstanceRequest({ instanceId, force: true }));
  wait(WAIT_MS.instanceDelete);
  const gone = await code(ecs.deleteInstance(new $Ecs.DeleteInstanceRequest({ instanceId, force: true })));
  assert.equal([gone.code, gone.statusCode], ['InvalidInstanceId.NotFound', 404]);
  await ecs.deleteSecurityGroup(new $Ecs.DeleteSecurityGroupRequest({ regionId: R, securityGroupId: sgId }));
  await rpc.call('Vpc', 'DeleteVSwitch', { RegionId: R, VSwitchId: vSwitchId });
  wait(WAIT_MS.vSwitchDelete);
  await rpc.call('Vpc', 'DeleteVpc', { RegionId: R, VpcId: vpcId });
  wait(WAIT_MS.vpcDelete);
  const dump = await t.admin(`/accounts/${k.accountId}/resources`);
  const flat = JSON.stringify(dump);
  for (const id of [instanceId, sgId, vSwitchId, vpcId]) assert.not.ok(flat.includes(id), `${id} released`);
  assert.ok(flat.includes('ACS::EIP::EipAddress'), 'EIPs are not released with anything');
});

test.run();
