/**
 * VPC, security group, instance, EIP, route and Resource Center wrappers against the sandbox:
 * ClientToken idempotency, DryRun, id batching, busy-code retries, quota classification.
 * The sandbox's clock moves only when the test moves it (one second per poll, one second per
 * client back-off), so a concurrent creation always meets the first one still Pending.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestSandbox, virtualClock, type TestSandbox } from '../helpers/sandbox';
import { createCloudFactory, type CloudClient } from '../../lib/cloud/index';
import { systemClock } from '../../lib/core/clock';
import { createLogger } from '../../lib/core/log';
import type { AppError } from '../../lib/core/errors';

let sb: TestSandbox;
let acct: { accountId: string; accessKeyId: string; accessKeySecret: string };
let c: CloudClient;
const retried: string[] = [];
const REGION = 'cn-hangzhou';
const kindOf = (e: AppError) => (e.cloud as { kind?: string } | undefined)?.kind;

const clock = virtualClock();

/** Polls until `check` holds, moving the cloud's clock one second between polls (at most 5 minutes). */
async function until<T>(what: string, get: () => Promise<T>, check: (v: T) => boolean): Promise<T> {
  for (let polls = 0; ; polls++) {
    const v = await get();
    if (check(v)) return v;
    if (polls >= 300) throw new Error(`${what} did not happen in 300 s of cloud time: ${JSON.stringify(v)}`);
    clock.advance(1000);
  }
}

test.before(async () => {
  sb = await startTestSandbox({ timeScale: 1, clock });
  acct = await sb.createAccount({ quotas: { vpcsPerRegion: 3 } });
  c = createCloudFactory({
    config: { sandboxEndpoint: sb.endpoint, region: REGION, functionPrefix: 'fleet' },
    clock: systemClock,
    log: createLogger(
      {},
      {
        write: (l) => {
          if (!l.includes('"cloud call retried"')) return;
          retried.push(l);
          clock.advance(1000); // the cloud's time passes while the client backs off
        },
      },
    ),
    roleCredentials: { accessKeyId: acct.accessKeyId, accessKeySecret: acct.accessKeySecret },
    retry: { baseDelayMs: 20, maxAttempts: 8 },
  }).forAccount(
    { type: 'access_key', accessKeyId: acct.accessKeyId, accessKeySecret: acct.accessKeySecret },
    { regionId: REGION },
  );
});
test.after(async () => {
  await sb?.close();
});

let vpcId = '';
let routeTableId = '';
let vSwitchId = '';
let sgId = '';
let instanceId = '';
let zoneId = '';
let imageId = '';
let instanceType = '';

test('CreateVpc: DryRun, the same ClientToken gives the same VPC, it becomes Available', async () => {
  assert.equal(await c.vpc.createVpc({ cidrBlock: '172.16.0.0/12', dryRun: true }), { wouldSucceed: true });
  const a = await c.vpc.createVpc({
    cidrBlock: '172.16.0.0/12',
    vpcName: 'fleet-a',
    clientToken: 'tok-vpc-a',
    tags: [{ key: 'fleet', value: 'srv-a' }],
  });
  const b = await c.vpc.createVpc({
    cidrBlock: '172.16.0.0/12',
    vpcName: 'fleet-a',
    clientToken: 'tok-vpc-a',
    tags: [{ key: 'fleet', value: 'srv-a' }],
  });
  assert.match(a.vpcId, /^vpc-/);
  assert.match(a.routeTableId, /^vtb-/);
  assert.equal(b, a);
  const mismatch = (await c.vpc
    .createVpc({ cidrBlock: '10.0.0.0/8', clientToken: 'tok-vpc-a' })
    .catch((x) => x)) as AppError;
  assert.is(mismatch.cloud?.code, 'IdempotentParameterMismatch');
  const [vpc] = await until(
    'VPC Available',
    () => c.vpc.describeVpcs({ vpcIds: [a.vpcId] }),
    (v) => v[0]?.status === 'Available',
  );
  assert.is(vpc!.cidrBlock, '172.16.0.0/12');
  assert.equal(vpc!.tags, [{ key: 'fleet', value: 'srv-a' }]);
  vpcId = a.vpcId;
  routeTableId = a.routeTableId;
});

test('quota: the VPC beyond the account quota is refused as quota, not retried', async () => {
  const before = retried.length;
  const made: string[] = [];
  let refusal: AppError | undefined;
  for (let i = 0; i < 4 && !refusal; i++) {
    try {
      made.push((await c.vpc.createVpc({ cidrBlock: '192.168.0.0/16', clientToken: `tok-q-${i}` })).vpcId);
    } catch (e) {
      refusal = e as AppError;
    }
  }
  assert.ok(refusal, 'a VPC beyond the quota was refused');
  assert.is(refusal!.cloud?.code, 'QuotaExceeded.Vpc');
  assert.is(kindOf(refusal!), 'quota');
  assert.is(refusal!.code, 'CloudRejected');
  assert.is(retried.length, before);
  for (const id of made) {
    await until(
      'VPC Available',
      () => c.vpc.describeVpcs({ vpcIds: [id] }),
      (v) => v[0]?.status === 'Available',
    );
    await c.vpc.deleteVpc({ vpcId: id });
  }
});

test('VSwitches: a concurrent creation in one VPC is busy, retried, and both succeed', async () => {
  const zones = await c.ecs.describeZones();
  zoneId = zones[0]!.zoneId;
  const [one, two] = await Promise.all([
    c.vpc.createVSwitch({ vpcId, zoneId, cidrBlock: '172.16.1.0/24', clientToken: 'tok-vsw-1' }),
    c.vpc.createVSwitch({ vpcId, zoneId, cidrBlock: '172.16.2.0/24', clientToken: 'tok-vsw-2' }),
  ]);
  assert.match(one.vSwitchId, /^vsw-/);
  assert.match(two.vSwitchId, /^vsw-/);
  assert.is.not(one.vSwitchId, two.vSwitchId);
  vSwitchId = one.vSwitchId;
  assert.ok(
    retried.some(
      (l) => l.includes('IncorrectVSwitchStatus') || l.includes('OperationConflict') || l.includes('TaskConflict'),
    ),
    'the busy answer was retried',
  );
  const list = await until(
    'VSwitches Available',
    () => c.vpc.describeVSwitches({ vpcId }),
    (v) => v.length === 2 && v.every((s) => s.status === 'Available'),
  );
  assert.equal(list.map((s) => s.cidrBlock).sort(), ['172.16.1.0/24', '172.16.2.0/24']);
  await c.vpc.deleteVSwitch({ vSwitchId: two.vSwitchId });
});

test('security group with a rule; RunInstances DryRun, same ClientToken → same instance', async () => {
  sgId = (await c.ecs.createSecurityGroup({ vpcId, securityGroupName: 'fleet-sg', clientToken: 'tok-sg' }))
    .securityGroupId;
  assert.match(sgId, /^sg-/);
  assert.is(
    (await c.ecs.createSecurityGroup({ vpcId, securityGroupName: 'fleet-sg', clientToken: 'tok-sg' })).securityGroupId,
    sgId,
  );
  const sgs = await c.ecs.describeSecurityGroups({ vpcId });
  assert.equal(
    sgs.map((g) => [g.securityGroupId, g.securityGroupName, g.vpcId]),
    [[sgId, 'fleet-sg', vpcId]],
  );
  assert.equal(
    (await c.ecs.describeSecurityGroups({ securityGroupIds: [sgId, 'sg-bp1nosuchgroup0000'] })).map(
      (g) => g.securityGroupId,
    ),
    [sgId],
  );
  await c.ecs.authorizeSecurityGroup({
    securityGroupId: sgId,
    rules: [{ ipProtocol: 'tcp', portRange: '22/22', sourceCidrIp: '0.0.0.0/0' }],
    clientToken: 'tok-sg-22',
  });
  imageId = (await c.ecs.describeImages({ imageOwnerAlias: 'system', limit: 1 }))[0]!.imageId;
  const types = (await c.ecs.describeZones()).find((z) => z.zoneId === zoneId)!.availableInstanceTypes;
  for (const t of types) {
    const zs = await c.ecs.describeAvailableResource({ instanceType: t });
    if (zs.some((z) => z.zoneId === zoneId && z.inStock)) {
      instanceType = t;
      break;
    }
  }
  assert.ok(instanceType, 'an instance type in stock in the VSwitch zone');
  const input = {
    imageId,
    instanceType,
    securityGroupId: sgId,
    vSwitchId,
    instanceName: 'fleet-1',
    userData: '#!/bin/sh\necho hi',
    tags: [{ key: 'fleet', value: 'srv-1' }],
    clientToken: 'tok-run-1',
  };
  assert.equal(await c.ecs.runInstances({ ...input, dryRun: true }), { wouldSucceed: true });
  const r1 = await c.ecs.runInstances(input);
  const r2 = await c.ecs.runInstances(input);
  assert.is(r1.instanceIds.length, 1);
  assert.equal(r2, r1);
  instanceId = r1.instanceIds[0]!;
  assert.match(instanceId, /^i-/);
});

test('DescribeInstances: 150 ids (one real) are batched and unknown ids are simply absent', async () => {
  const fake = Array.from({ length: 149 }, (_, i) => `i-bp1fake${String(i).padStart(12, '0')}`);
  const found = await until(
    'Running',
    () => c.ecs.describeInstances({ instanceIds: [...fake.slice(0, 120), instanceId, ...fake.slice(120)] }),
    (v) => v[0]?.status === 'Running',
  );
  assert.is(found.length, 1);
  const i = found[0]!;
  assert.is(i.instanceId, instanceId);
  assert.is(i.vpcId, vpcId);
  assert.is(i.vSwitchId, vSwitchId);
  assert.equal(i.securityGroupIds, [sgId]);
  assert.ok(i.privateIpAddresses.length === 1);
  assert.equal(i.tags, [{ key: 'fleet', value: 'srv-1' }]);
  const byVpc = await c.ecs.describeInstances({ vpcId });
  assert.equal(
    byVpc.map((x) => x.instanceId),
    [instanceId],
  );
  const disks = await c.ecs.describeDisks({ instanceId });
  assert.ok(disks.some((d) => d.type === 'system' && d.instanceId === instanceId));
  assert.equal(
    await c.ecs.describeDisks({ diskIds: disks.map((d) => d.diskId) }).then((ds) => ds.map((d) => d.diskId).sort()),
    disks.map((d) => d.diskId).sort(),
  );
});

test('EIP: allocate, associate, describe, unassociate, release', async () => {
  const eip = await c.vpc.allocateEip({ bandwidthMbps: 5, clientToken: 'tok-eip-1' });
  assert.match(eip.allocationId, /^eip-/);
  assert.equal(await c.vpc.allocateEip({ bandwidthMbps: 5, clientToken: 'tok-eip-1' }), eip);
  await c.vpc.associateEip({ allocationId: eip.allocationId, instanceId, clientToken: 'tok-assoc-1' });
  const inUse = await until(
    'EIP InUse',
    () => c.vpc.describeEips({ allocationId: eip.allocationId }),
    (v) => v[0]?.status === 'InUse',
  );
  assert.is(inUse[0]!.instanceId, instanceId);
  assert.is(inUse[0]!.bandwidthMbps, 5);
  assert.equal(
    (await c.vpc.describeEips({ associatedInstanceId: instanceId })).map((e) => e.allocationId),
    [eip.allocationId],
  );
  await c.vpc.unassociateEip({ allocationId: eip.allocationId, instanceId });
  await until(
    'EIP Available',
    () => c.vpc.describeEips({ allocationId: eip.allocationId }),
    (v) => v[0]?.status === 'Available',
  );
  await c.vpc.releaseEip({ allocationId: eip.allocationId });
  await until(
    'EIP gone',
    () => c.vpc.describeEips({ allocationId: eip.allocationId }),
    (v) => v.length === 0,
  );
});

test('public IPs: bandwidth gives an ephemeral IP; AllocatePublicIpAddress refusals are classified', async () => {
  const [id] = (
    await c.ecs.runInstances({
      imageId,
      instanceType,
      securityGroupId: sgId,
      vSwitchId,
      internetMaxBandwidthOut: 10,
      clientToken: 'tok-run-2',
    })
  ).instanceIds;
  try {
    const [i] = await until(
      'Running',
      () => c.ecs.describeInstances({ instanceIds: [id!] }),
      (v) => v[0]?.status === 'Running',
    );
    assert.is(i!.publicIpAddresses.length, 1);
    assert.match(i!.publicIpAddresses[0]!, /^\d+\.\d+\.\d+\.\d+$/);
    const again = (await c.ecs.allocatePublicIpAddress({ instanceId: id! }).catch((x) => x)) as AppError;
    assert.is(again.cloud?.code, 'AllocatedAlready');
    assert.is(kindOf(again), 'conflict');
    const noBandwidth = (await c.ecs.allocatePublicIpAddress({ instanceId }).catch((x) => x)) as AppError;
    assert.is(noBandwidth.cloud?.code, 'AllocateIpInvalidInstanceBandwidth');
    assert.is(noBandwidth.code, 'CloudRejected');
  } finally {
    await c.ecs.deleteInstance({ instanceId: id!, force: true });
    await until(
      'instance gone',
      () => c.ecs.describeInstances({ instanceIds: [id!] }),
      (v) => v.length === 0,
    );
  }
});

test('routes: create, list (RouteEntrys), delete; busy route changes are retried', async () => {
  const [a, b] = await Promise.all([
    c.vpc.createRouteEntry({
      routeTableId,
      destinationCidrBlock: '10.10.0.0/24',
      nextHopId: instanceId,
      clientToken: 'tok-rt-a',
    }),
    c.vpc.createRouteEntry({
      routeTableId,
      destinationCidrBlock: '10.10.1.0/24',
      nextHopId: instanceId,
      clientToken: 'tok-rt-b',
    }),
  ]);
  assert.match(a.routeEntryId, /^rte-/);
  assert.match(b.routeEntryId, /^rte-/);
  const routes = await until(
    'routes Available',
    () => c.vpc.describeRouteEntryList({ routeTableId, routeEntryType: 'Custom' }),
    (v) => v.length === 2 && v.every((r) => r.status === 'Available'),
  );
  assert.equal(routes.map((r) => r.destinationCidrBlock).sort(), ['10.10.0.0/24', '10.10.1.0/24']);
  assert.equal(routes[0]!.nextHops, [{ nextHopType: 'Instance', nextHopId: instanceId }]);
  assert.ok(
    retried.some((l) => /IncorrectRouteEntryStatus|TaskConflict/.test(l)),
    'the concurrent route change was retried',
  );
  await c.vpc.deleteRouteEntry({ routeTableId, destinationCidrBlock: '10.10.0.0/24', nextHopId: instanceId });
  await c.vpc.deleteRouteEntry({ routeTableId, destinationCidrBlock: '10.10.1.0/24', nextHopId: instanceId });
  await until(
    'routes gone',
    () => c.vpc.describeRouteEntryList({ routeTableId, routeEntryType: 'Custom' }),
    (v) => v.length === 0,
  );
});

test('Resource Center: status, every page, ServiceNotEnabled as permission', async () => {
  await sb.admin(`/accounts/${acct.accountId}/resource-center`, { enabled: true });
  assert.equal(await c.resourceCenter.getServiceStatus(), { enabled: true, initialized: true });
  const filters = [{ key: 'RegionId', values: [REGION] }];
  const all = await c.resourceCenter.searchAllResources({ filters });
  assert.ok(all.some((r) => r.resourceId === instanceId && r.resourceType === 'ACS::ECS::Instance'));
  assert.ok(all.some((r) => r.resourceId === vpcId && r.resourceType === 'ACS::VPC::VPC'));
  const first = await c.resourceCenter.searchResources({ filters, maxResults: 2 });
  assert.is(first.resources.length, 2);
  assert.ok(first.nextToken);
  const seen = new Set(first.resources.map((r) => r.resourceId));
  let token = first.nextToken;
  while (token) {
    const p = await c.resourceCenter.searchResources({ filters, maxResults: 2, nextToken: token });
    for (const r of p.resources) seen.add(r.resourceId);
    token = p.nextToken ?? '';
  }
  assert.is(seen.size, new Set(all.map((r) => r.resourceId)).size);
  await sb.admin(`/accounts/${acct.accountId}/resource-center`, { enabled: false });
  const e = (await c.resourceCenter.searchResources({ filters }).catch((x) => x)) as AppError;
  assert.is(e.cloud?.code, 'ServiceNotEnabled');
  assert.is(kindOf(e), 'permission');
  assert.is((await c.resourceCenter.getServiceStatus()).enabled, false);
});

test('teardown: DependencyViolation while the instance lives is retried; everything is deleted', async () => {
  assert.equal(await c.ecs.deleteInstance({ instanceId, dryRun: true }), { wouldSucceed: true });
  await c.ecs.deleteInstance({ instanceId, force: true });
  await until(
    'instance gone',
    () => c.ecs.describeInstances({ instanceIds: [instanceId] }),
    (v) => v.length === 0,
  );
  // The cloud may still see the instance's NIC for a while: DependencyViolation is retried.
  await sb.admin(`/accounts/${acct.accountId}/faults`, {
    action: 'DeleteSecurityGroup',
    code: 'DependencyViolation',
    httpStatus: 400,
    count: 2,
  });
  const before = retried.filter((l) => l.includes('DependencyViolation')).length;
  await c.ecs.deleteSecurityGroup({ securityGroupId: sgId });
  assert.is(retried.filter((l) => l.includes('DependencyViolation')).length - before, 2);
  assert.equal(await c.ecs.describeSecurityGroups({ vpcId }), []);
  const gone = (await c.ecs.deleteInstance({ instanceId, force: true }).catch((x) => x)) as AppError;
  assert.is(gone.cloud?.code, 'InvalidInstanceId.NotFound');
  assert.is(kindOf(gone), 'not-found');
  await c.vpc.deleteVSwitch({ vSwitchId });
  await until(
    'VSwitch gone',
    () => c.vpc.describeVSwitches({ vpcId }),
    (v) => v.length === 0,
  );
  await c.vpc.deleteVpc({ vpcId, clientToken: 'tok-del-vpc' });
  await until(
    'VPC gone',
    () => c.vpc.describeVpcs({ vpcIds: [vpcId] }),
    (v) => v.length === 0,
  );
  const left = await sb.admin(`/accounts/${acct.accountId}/resources`);
  for (const [type, items] of Object.entries(left as Record<string, unknown[]>)) {
    if (/Instance|VPC|VSwitch|SecurityGroup|Eip/i.test(type)) assert.is(items.length, 0, `${type} left behind`);
  }
});

test.run();
