/**
 * What an asset scan and a server build lean on, through the typed client against the sandbox:
 * 250 instances and disks made quickly and listed across pages, id lists batched at the APIs'
 * maxima (which the sandbox enforces with Alibaba's codes), tags on the network, route tables,
 * stock overrides and DescribeImages' DryRun.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { CloudClient } from '../../lib/cloud/index';
import type { AppError } from '../../lib/core/errors';
import { clientFor, LINUX_IMAGE, readyNetwork, sandboxClock } from '../helpers/cloud-client';
import { rpcClient, startTestSandbox, type TestSandbox } from '../helpers/sandbox';

let sb: TestSandbox;
let c: CloudClient;
let raw: ReturnType<typeof rpcClient>;
let clock: ReturnType<typeof sandboxClock>;
let accountId = '';
let net: Awaited<ReturnType<typeof readyNetwork>>;

/** `[code, httpStatus]` of the SDK error a call is refused with. */
const code = (p: Promise<unknown>): Promise<[string, number]> =>
  p.then(
    () => {
      throw new Error('expected a refusal');
    },
    (e: { code: string; statusCode: number }) => [e.code, e.statusCode],
  );
const fake = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${prefix}-bp1fake${String(i).padStart(12, '0')}`);

test.before(async () => {
  sb = await startTestSandbox();
  const acct = await sb.createAccount({ quotas: { vpcsPerRegion: 30 } });
  accountId = acct.accountId;
  c = clientFor(sb, acct);
  raw = rpcClient(sb.endpoint, acct);
  clock = sandboxClock(sb);
  await clock.freeze();
  net = await readyNetwork(c, clock, { cidr: '10.0.0.0/16', vswCidr: '10.0.0.0/23' });
});
test.after(async () => {
  await sb?.close();
});

test('250 instances (RunInstances Amount 100+100+50) and their 250 disks, listed across pages and id batches', async () => {
  const ids: string[] = [];
  for (const amount of [100, 100, 50]) {
    const r = await c.ecs.runInstances({
      imageId: LINUX_IMAGE,
      instanceType: 'ecs.g6.large',
      securityGroupId: net.securityGroupId,
      vSwitchId: net.vSwitchId,
      amount,
    });
    ids.push(...r.instanceIds);
  }
  assert.is(new Set(ids).size, 250);
  await code(
    raw.call('Ecs', 'RunInstances', {
      RegionId: 'cn-hangzhou',
      Amount: 101,
      ImageId: LINUX_IMAGE,
      InstanceType: 'ecs.g6.large',
    }),
  );
  const all = await c.ecs.describeInstances({});
  assert.is(all.length, 250);
  const byIds = await c.ecs.describeInstances({ instanceIds: [...ids, ...fake('i', 30)] });
  assert.equal(byIds.map((i) => i.instanceId).sort(), [...ids].sort());
  const disks = await c.ecs.describeDisks({});
  assert.is(disks.length, 250);
  const diskIds = disks.map((d) => d.diskId);
  assert.is((await c.ecs.describeDisks({ diskIds })).length, 250);
  // what the batching avoids: one call with more than 100 ids
  assert.equal(
    await code(
      raw.call('Ecs', 'DescribeInstances', { RegionId: 'cn-hangzhou', InstanceIds: JSON.stringify(ids.slice(0, 101)) }),
    ),
    ['InvalidParameter.TooManyInstanceIds', 403],
  );
  assert.equal(
    await code(
      raw.call('Ecs', 'DescribeDisks', { RegionId: 'cn-hangzhou', DiskIds: JSON.stringify(diskIds.slice(0, 101)) }),
    ),
    ['InvalidDiskIds.Malformed', 403],
  );
  // Resource Center pages of at most 100 (the client caps a larger ask; the API refuses it)
  const page = await c.resourceCenter.searchResources({
    maxResults: 500,
    filters: [{ key: 'ResourceType', values: ['ACS::ECS::Instance'] }],
  });
  assert.is(page.resources.length, 100);
  assert.ok(page.nextToken);
  const every = await c.resourceCenter.searchAllResources({
    filters: [{ key: 'ResourceType', values: ['ACS::ECS::Disk'] }],
  });
  assert.is(every.length, 250);
  assert.equal(await code(raw.call('ResourceCenter', 'SearchResources', { MaxResults: 101 })), [
    'InvalidParameter.MaxResults',
    400,
  ]);
});

test('id batches at 20 VPCs, 100 security groups and 50 EIPs per call; one more is refused with the API code', async () => {
  const vpcIds: string[] = [];
  for (let i = 0; i < 12; i++) vpcIds.push((await c.vpc.createVpc({ cidrBlock: `10.${100 + i}.0.0/16` })).vpcId);
  const vpcs = await c.vpc.describeVpcs({ vpcIds: [...vpcIds, ...fake('vpc', 13)] });
  assert.equal(vpcs.map((v) => v.vpcId).sort(), [...vpcIds].sort());
  assert.equal(
    await code(
      raw.call('Vpc', 'DescribeVpcs', { RegionId: 'cn-hangzhou', VpcId: [...vpcIds, ...fake('vpc', 9)].join(',') }),
    ),
    ['InvalidVpcIdNumber.NotSupported', 400],
  );
  const sgs = await c.ecs.describeSecurityGroups({ securityGroupIds: [net.securityGroupId, ...fake('sg', 119)] });
  assert.equal(
    sgs.map((g) => g.securityGroupId),
    [net.securityGroupId],
  );
  assert.equal(
    (
      await code(
        raw.call('Ecs', 'DescribeSecurityGroups', {
          RegionId: 'cn-hangzhou',
          SecurityGroupIds: JSON.stringify(fake('sg', 101)),
        }),
      )
    )[0],
    'InvalidParameter',
  );
  const eips = [await c.vpc.allocateEip({}), await c.vpc.allocateEip({})].map((e) => e.allocationId);
  const found = await c.vpc.describeEips({ allocationIds: [...eips, ...fake('eip', 58)] });
  assert.equal(found.map((e) => e.allocationId).sort(), [...eips].sort());
  assert.equal(
    await code(
      raw.call('Vpc', 'DescribeEipAddresses', { RegionId: 'cn-hangzhou', AllocationId: fake('eip', 51).join(',') }),
    ),
    ['InstanceIdLength.Exceed', 400],
  );
});

test('tags on what the product creates; listings filter by them; route tables by their own tags', async () => {
  const mine = [
    { key: 'fleet:managed', value: 'true' },
    { key: 'fleet:server', value: 'srv-7' },
  ];
  const n = await readyNetwork(c, clock, { cidr: '192.168.0.0/16', vswCidr: '192.168.1.0/24', tags: mine });
  const eip = await c.vpc.allocateEip({ tags: mine });
  const one = [{ key: 'fleet:server', value: 'srv-7' }];
  assert.equal(
    (await c.vpc.describeVpcs({ tags: one })).map((v) => v.vpcId),
    [n.vpcId],
  );
  assert.equal(
    (await c.vpc.describeVSwitches({ tags: one })).map((v) => v.vSwitchId),
    [n.vSwitchId],
  );
  assert.equal(
    (await c.ecs.describeSecurityGroups({ tags: one })).map((g) => g.securityGroupId),
    [n.securityGroupId],
  );
  assert.equal(
    (await c.vpc.describeEips({ tags: one })).map((e) => e.allocationId),
    [eip.allocationId],
  );
  assert.equal((await c.vpc.describeVpcs({ tags: mine }))[0]!.tags, mine);
  assert.equal(await c.vpc.describeVpcs({ tags: [{ key: 'fleet:server', value: 'srv-8' }] }), []);
  const tables = await c.vpc.describeRouteTableList({ vpcId: n.vpcId });
  assert.equal(
    tables.map((t) => [t.routeTableId, t.vpcId, t.routeTableType]),
    [[n.routeTableId, n.vpcId, 'System']],
  );
  assert.ok(tables[0]!.vSwitchIds.includes(n.vSwitchId));
  await raw.call('Vpc', 'TagResources', {
    RegionId: 'cn-hangzhou',
    ResourceType: 'ROUTETABLE',
    'ResourceId.1': n.routeTableId,
    'Tag.1.Key': 'fleet:server',
    'Tag.1.Value': 'srv-7',
  });
  const tagged = await c.vpc.describeRouteTableList({ tags: one });
  assert.equal(
    tagged.map((t) => [t.routeTableId, t.tags]),
    [[n.routeTableId, one]],
  );
  assert.ok((await c.vpc.describeRouteTableList()).length >= 14);
});

test('stock override via the admin API: the type is SoldOut in that zone and RunInstances gets OperationDenied.NoStock', async () => {
  await sb.admin(`/accounts/${accountId}/stock`, { zoneId: net.zoneId, instanceType: 'ecs.g6.xlarge', inStock: false });
  const zones = await c.ecs.describeAvailableResource({ instanceType: 'ecs.g6.xlarge' });
  const z = zones.find((x) => x.zoneId === net.zoneId)!;
  assert.equal([z.inStock, z.status, z.statusCategory], [false, 'SoldOut', 'WithoutStock']);
  const e = (await c.ecs
    .runInstances({
      imageId: LINUX_IMAGE,
      instanceType: 'ecs.g6.xlarge',
      securityGroupId: net.securityGroupId,
      vSwitchId: net.vSwitchId,
    })
    .catch((x) => x)) as AppError;
  assert.equal([e.cloud?.code, (e.cloud as { kind?: string }).kind], ['OperationDenied.NoStock', 'quota']);
  assert.equal(await sb.admin(`/accounts/${accountId}/stock`, undefined, 'DELETE'), { cleared: 1 });
  assert.is(
    (await c.ecs.describeAvailableResource({ instanceType: 'ecs.g6.xlarge' })).find((x) => x.zoneId === net.zoneId)!
      .inStock,
    true,
  );
});

test('DescribeImages with DryRun=true: the sandbox answers DryRunOperation, as ECS does', async () => {
  assert.equal(await code(raw.call('Ecs', 'DescribeImages', { RegionId: 'cn-hangzhou', DryRun: true })), [
    'DryRunOperation',
    400,
  ]);
  assert.equal(await c.ecs.describeImages({ dryRun: true }), { wouldSucceed: true });
});

test.run();
