/**
 * Fidelity net: every operation with an official response sample in lib/sandbox/seed/samples is
 * called through the official SDK (openapi-core's generic callApi, V3-signed) against the
 * sandbox, and every field path of the sample must be in the sandbox answer with the same JSON
 * type. Arrays are compared through their elements (a path counts when any element has it), so
 * a sample's list must be non-empty in the sandbox answer too: the test builds the resources first.
 * `SHAPE_EXTRAS=1` also lists the answer paths that no sample has.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateEd25519Public } from '../../lib/sandbox/cloud/ssh-keys';
import { rpcClient, startTestSandbox, virtualClock, type TestSandbox, type VERSIONS } from '../helpers/sandbox';

const SAMPLES = join(import.meta.dirname, '../../lib/sandbox/seed/samples');
const R = 'cn-hangzhou';
/** The sandbox's clock: the test moves it past each wait, so a slow machine never outlives a session. */
const clock = virtualClock();

type JsonType = 'string' | 'number' | 'boolean' | 'object' | 'array' | 'null';
const typeOf = (v: unknown): JsonType => (v === null ? 'null' : Array.isArray(v) ? 'array' : (typeof v as JsonType));

/** Every field path of a JSON value (`A.B[].C`) with the JSON types seen there (array elements merged). */
export function fieldPaths(
  v: unknown,
  prefix = '',
  out = new Map<string, Set<JsonType>>(),
): Map<string, Set<JsonType>> {
  if (Array.isArray(v)) {
    if (v.length > 0) out.set(`${prefix}[]`, new Set([...(out.get(`${prefix}[]`) ?? []), ...v.map(typeOf)]));
    for (const el of v) fieldPaths(el, `${prefix}[]`, out);
  } else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (k === '_source') continue;
      const p = prefix ? `${prefix}.${k}` : k;
      out.set(p, new Set([...(out.get(p) ?? []), typeOf(x)]));
      fieldPaths(x, p, out);
    }
  }
  return out;
}

/** Sample paths missing from the answer or present with another JSON type (a sample `null` matches anything). */
export function shapeDiff(sample: unknown, answer: unknown): string[] {
  const want = fieldPaths(sample);
  const got = fieldPaths(answer);
  const diffs: string[] = [];
  for (const [p, types] of want) {
    const g = got.get(p);
    if (!g) {
      diffs.push(`missing ${p}`);
      continue;
    }
    for (const t of types) if (t !== 'null' && !g.has(t)) diffs.push(`${p}: sample ${t}, sandbox ${[...g].join('|')}`);
  }
  return diffs;
}

/**
 * Sample paths the sandbox leaves out on purpose, with why: features it does not model answer
 * their lists empty (as Alibaba does for a resource without them), so the element paths cannot
 * be compared; a few fields Alibaba only returns in cases the sandbox never has.
 */
const NOT_MODELLED: Record<string, string> = {
  'ECS.DescribeAvailableResource: AvailableZones.AvailableZone[].AvailableResources.AvailableResource[].SupportedResources.SupportedResource[].M':
    'Min/Max/Unit: disk resources only',
  'ECS.DescribeAvailableResource: AvailableZones.AvailableZone[].AvailableResources.AvailableResource[].SupportedResources.SupportedResource[].Unit':
    'disk resources only',
  'ECS.DescribeDisks: Disks.Disk[].OperationLocks.OperationLock[]': 'no locked disks',
  'ECS.DescribeDisks: Disks.Disk[].MountInstances.MountInstance[]': 'multi-attach disks only',
  'ECS.DescribeImages: Images.Image[].Tags.Tag[]': 'system images carry no tags',
  'ECS.DescribeImages: Images.Image[].DetectionOptions.Items.Item[]': 'no image check results',
  'ECS.DescribeInstances: Instances.Instance[].NetworkInterfaces.NetworkInterface[].Ipv6Sets.Ipv6Set[]': 'no IPv6',
  'ECS.DescribeInstances: Instances.Instance[].NetworkInterfaces.NetworkInterface[].Ipv4PrefixSets.Ipv4PrefixSet[]':
    'no IP prefixes',
  'ECS.DescribeInstances: Instances.Instance[].NetworkInterfaces.NetworkInterface[].Ipv6PrefixSets.Ipv6PrefixSet[]':
    'no IP prefixes',
  'ECS.DescribeInstances: Instances.Instance[].OperationLocks.LockReason[]': 'no locked instances',
  'ECS.DescribeInstances: Instances.Instance[].RdmaIpAddress.IpAddress[]': 'no RDMA',
  'ECS.DescribeInstances: Instances.Instance[].InnerIpAddress.IpAddress[]': 'classic network only',
  'ECS.DescribeSecurityGroups: SecurityGroups.SecurityGroup[].ServiceID': 'managed security groups only',
  'ECS.DescribeZones: Zones.Zone[].DedicatedHostGenerations.DedicatedHostGeneration[]': 'no dedicated hosts',
  'ECS.DescribeZones: Zones.Zone[].AvailableDedicatedHostTypes.DedicatedHostType[]': 'no dedicated hosts',
  'ResourceCenter.SearchResources: Resources[].ExpireTime':
    'subscription resources only; the sandbox has pay-as-you-go only',
  'VPC.AllocateEipAddress: OrderId': 'subscription (PrePaid) EIPs only',
  'Quotas.GetProductQuota: Quota.SupportedRange[]': 'quotas with a discrete supported range only',
  'Quotas.GetProductQuota: Quota.EffectiveTime': 'temporary quota increases only',
  'Quotas.GetProductQuota: Quota.ExpireTime': 'temporary quota increases only',
  'Quotas.GetProductQuota: Quota.UsageMetric': 'CloudMonitor usage metrics are not simulated',
  'Quotas.ListProductQuotas: Quotas[].SupportedRange[]': 'quotas with a discrete supported range only',
  'Quotas.ListProductQuotas: Quotas[].EffectiveTime': 'temporary quota increases only',
  'Quotas.ListProductQuotas: Quotas[].ExpireTime': 'temporary quota increases only',
  'Quotas.ListProductQuotas: Quotas[].UsageMetric': 'CloudMonitor usage metrics are not simulated',
  'VPC.DescribeEipAddresses: EipAddresses.EipAddress[].OperationLocks.LockReason[]': 'no locked EIPs',
  'VPC.DescribeEipAddresses: EipAddresses.EipAddress[].SecurityProtectionTypes.SecurityProtectionType[]':
    'no Anti-DDoS editions',
  'VPC.DescribeVpcs: Vpcs.Vpc[].Ipv6CidrBlocks.Ipv6CidrBlock[]': 'no IPv6',
  'VPC.DescribeVpcs: Vpcs.Vpc[].SecondaryCidrBlocks.SecondaryCidrBlock[]': 'no secondary CIDR blocks',
  'VPC.DescribeVpcs: Vpcs.Vpc[].UserCidrs.UserCidr[]': 'no user CIDR blocks',
  'VPC.DescribeVpcs: Vpcs.Vpc[].NatGatewayIds.NatGatewayIds[]': 'no NAT gateways',
};
const notModelled = (name: string, diff: string) => {
  const path = diff.startsWith('missing ') ? diff.slice(8) : diff.split(':')[0]!;
  return Object.keys(NOT_MODELLED).some((k) => `${name}: ${path}`.startsWith(k));
};

const sample = (name: string) => JSON.parse(readFileSync(join(SAMPLES, `${name}.json`), 'utf8'));
const wait = (simulatedMs: number) => clock.advance(simulatedMs);

let t: TestSandbox;
let rpc: ReturnType<typeof rpcClient>;
const answers = new Map<string, unknown>();
const product = (p: string) =>
  (p === 'VPC' ? 'Vpc' : p === 'ECS' ? 'Ecs' : p === 'STS' ? 'Sts' : p) as keyof typeof VERSIONS;

async function call(name: string, params: Record<string, unknown> = {}, client = rpc): Promise<any> {
  const [p, action] = name.split('.') as [string, string];
  const body = await client.call(product(p), action, params, { form: p === 'Quotas' });
  answers.set(name, body);
  return body;
}

test.before(async () => {
  t = await startTestSandbox({ timeScale: 1, clock });
  const k = await t.createAccount({ regions: [R] });
  rpc = rpcClient(t.endpoint, k);
});
test.after(async () => {
  await t.close();
});

test('the unit helpers: a missing path and a type change are reported, array elements merged', () => {
  assert.equal(shapeDiff({ A: { B: [{ C: 1, D: 'x' }] }, E: null }, { A: { B: [{ C: 2 }, { D: 'y' }] }, E: 3 }), []);
  assert.equal(shapeDiff({ A: { B: [{ C: 1 }] } }, { A: { B: [] } }), ['missing A.B[]', 'missing A.B[].C']);
  assert.equal(shapeDiff({ A: 1, B: 'x' }, { A: '1' }), ['A: sample number, sandbox string', 'missing B']);
});

test('every sampled operation answers every sample field path with the sample JSON type', async () => {
  // STS: a RAM user assumes a role, and the role session asks who it is.
  const acc = (await t.admin(`/accounts`, {})) as { accountId: string };
  const user = await t.admin(`/accounts/${acc.accountId}/access-keys`, { allow: ['*'], userName: 'deployer' });
  const role = await t.admin(`/accounts/${acc.accountId}/roles`, { name: 'fleet-role', allow: ['*'] });
  const userRpc = rpcClient(t.endpoint, user);
  const ar = await call('STS.AssumeRole', { RoleArn: role.arn, RoleSessionName: 'shape-test' }, userRpc);
  const asRole = await call(
    'STS.GetCallerIdentity',
    {},
    rpcClient(t.endpoint, {
      accessKeyId: ar.Credentials.AccessKeyId,
      accessKeySecret: ar.Credentials.AccessKeySecret,
      securityToken: ar.Credentials.SecurityToken,
    }),
  );
  assert.is(asRole.IdentityType, 'AssumedRoleUser');
  // The sample mixes a RAM user's UserId with a role session's RoleId: compare with both answers.
  const asUser = await userRpc.call('Sts', 'GetCallerIdentity', {});
  assert.is(asUser.IdentityType, 'RAMUser');
  answers.set('STS.GetCallerIdentity', { ...asRole, ...asUser });

  await call('ECS.DescribeRegions');
  await call('ECS.DescribeZones', { RegionId: R });
  const avail = await call('ECS.DescribeAvailableResource', {
    RegionId: R,
    DestinationResource: 'InstanceType',
    InstanceChargeType: 'PostPaid',
  });
  const zone = avail.AvailableZones.AvailableZone.find((z: any) => z.Status === 'Available').ZoneId as string;
  const images = await call('ECS.DescribeImages', { RegionId: R, ImageOwnerAlias: 'system' });
  const imageId = images.Images.Image[0].ImageId as string;

  const vpc = await call('VPC.CreateVpc', { RegionId: R, CidrBlock: '10.0.0.0/16', VpcName: 'shape' });
  wait(5_000);
  const vsw = await call('VPC.CreateVSwitch', {
    RegionId: R,
    VpcId: vpc.VpcId,
    ZoneId: zone,
    CidrBlock: '10.0.1.0/24',
  });
  wait(3_000);

  const sg = await call('ECS.CreateSecurityGroup', { RegionId: R, VpcId: vpc.VpcId, SecurityGroupName: 'shape' });
  await call('ECS.ImportKeyPair', {
    RegionId: R,
    KeyPairName: 'shape',
    PublicKeyBody: generateEd25519Public('t').publicKey,
  });
  const tag = { 'Tag.1.Key': 'fleet', 'Tag.1.Value': 'shape' };
  await rpc.call('Ecs', 'TagResources', {
    RegionId: R,
    ResourceType: 'securitygroup',
    'ResourceId.1': sg.SecurityGroupId,
    ...tag,
  });
  await rpc.call('Ecs', 'TagResources', { RegionId: R, ResourceType: 'keypair', 'ResourceId.1': 'shape', ...tag });
  await rpc.call('Vpc', 'TagResources', { RegionId: R, ResourceType: 'VPC', 'ResourceId.1': vpc.VpcId, ...tag });
  await rpc.call('Vpc', 'TagResources', {
    RegionId: R,
    ResourceType: 'VSWITCH',
    'ResourceId.1': vsw.VSwitchId,
    ...tag,
  });
  await call('VPC.DescribeVpcs', { RegionId: R });
  await call('VPC.DescribeVSwitches', { RegionId: R, VpcId: vpc.VpcId });
  await call('ECS.DescribeSecurityGroups', { RegionId: R });
  await call('ECS.DescribeKeyPairs', { RegionId: R });

  const types = await rpc.call('Ecs', 'DescribeAvailableResource', {
    RegionId: R,
    DestinationResource: 'InstanceType',
    ZoneId: zone,
  });
  const type =
    types.AvailableZones.AvailableZone[0].AvailableResources.AvailableResource[0].SupportedResources.SupportedResource.find(
      (s: any) => s.Status === 'Available',
    ).Value as string;
  const run = await call('ECS.RunInstances', {
    RegionId: R,
    ImageId: imageId,
    InstanceType: type,
    SecurityGroupId: sg.SecurityGroupId,
    VSwitchId: vsw.VSwitchId,
    KeyPairName: 'shape',
    'Tag.1.Key': 'fleet',
    'Tag.1.Value': 'shape',
  });
  const instanceId = run.InstanceIdSets.InstanceIdSet[0] as string;
  // A second instance with an ephemeral public IP: the answers then hold both kinds.
  await rpc.call('Ecs', 'RunInstances', {
    RegionId: R,
    ImageId: imageId,
    InstanceType: type,
    SecurityGroupId: sg.SecurityGroupId,
    VSwitchId: vsw.VSwitchId,
    InternetMaxBandwidthOut: 5,
    ...tag,
  });
  wait(20_000);
  await call('ECS.DescribeInstances', { RegionId: R });
  await call('ECS.DescribeInstanceStatus', { RegionId: R });
  await call('ECS.DescribeDisks', { RegionId: R });

  const cmd = await call('ECS.RunCommand', {
    RegionId: R,
    Type: 'RunShellScript',
    CommandContent: 'echo shape',
    'InstanceId.1': instanceId,
    'Tag.1.Key': 'owner',
    'Tag.1.Value': 'shape',
  });
  wait(6_000);
  await call('ECS.DescribeInvocations', { RegionId: R, InvokeId: cmd.InvokeId, IncludeOutput: true });
  await call('ECS.DescribeInvocationResults', { RegionId: R, InvokeId: cmd.InvokeId });
  await call('Quotas.ListProductQuotas', {
    ProductCode: 'vpc',
    MaxResults: 1,
    'Dimensions.1.Key': 'regionId',
    'Dimensions.1.Value': R,
  });
  await call('Quotas.GetProductQuota', { ProductCode: 'vpc', QuotaActionCode: `vpc_quota_instances_num_${R}` });

  const eip = await call('VPC.AllocateEipAddress', { RegionId: R, Bandwidth: '5', InternetChargeType: 'PayByTraffic' });
  await rpc.call('Vpc', 'TagResources', { RegionId: R, ResourceType: 'EIP', 'ResourceId.1': eip.AllocationId, ...tag });
  await rpc.call('Vpc', 'AssociateEipAddress', { RegionId: R, AllocationId: eip.AllocationId, InstanceId: instanceId });
  wait(3_000);
  await call('VPC.DescribeEipAddresses', { RegionId: R });
  await call('VPC.CreateRouteEntry', {
    RegionId: R,
    RouteTableId: vpc.RouteTableId,
    DestinationCidrBlock: '192.168.0.0/24',
    NextHopType: 'Instance',
    NextHopId: instanceId,
  });
  wait(2_000);
  await call('VPC.DescribeRouteEntryList', { RegionId: R, RouteTableId: vpc.RouteTableId });

  await rpc.call('ResourceCenter', 'EnableResourceCenter', {});
  await call('ResourceCenter.GetResourceCenterServiceStatus');
  await call('ResourceCenter.SearchResources', {
    MaxResults: 1,
    'Filter.1.Key': 'ResourceType',
    'Filter.1.MatchType': 'Equals',
    'Filter.1.Value.1': 'ACS::ECS::Instance',
  });

  await rpc.call('Vpc', 'UnassociateEipAddress', { RegionId: R, AllocationId: eip.AllocationId });
  wait(3_000);
  await rpc.call('Vpc', 'DeleteRouteEntry', {
    RegionId: R,
    RouteTableId: vpc.RouteTableId,
    DestinationCidrBlock: '192.168.0.0/24',
    NextHopId: instanceId,
  });
  wait(2_000);
  await call('ECS.RebootInstance', { InstanceId: instanceId });
  await call('ECS.DeleteInstance', { InstanceId: instanceId, Force: true });

  const problems: string[] = [];
  const names = readdirSync(SAMPLES)
    .filter((f) => f.endsWith('.json') && f !== 'Error.example.json')
    .map((f) => f.slice(0, -5));
  for (const name of names) {
    if (!answers.has(name)) {
      problems.push(`${name}: not called`);
      continue;
    }
    for (const d of shapeDiff(sample(name), answers.get(name)))
      if (!notModelled(name, d)) problems.push(`${name}: ${d}`);
  }
  if (process.env.SHAPE_EXTRAS) {
    // diagnostic: answer paths no sample has (extra fields are allowed, but worth a look)
    for (const name of names) {
      const want = fieldPaths(sample(name));
      for (const path of fieldPaths(answers.get(name)).keys()) if (!want.has(path)) console.log('extra', name, path);
    }
  }
  assert.equal(problems, []);
});

test('an error answer has the fields of the official error sample', async () => {
  let data: unknown;
  try {
    await rpc.call('Ecs', 'DescribeKeyPairs', { RegionId: R, PageSize: 51 });
  } catch (e: any) {
    data = e.data;
  }
  assert.ok(data, 'expected an error');
  assert.equal(shapeDiff(sample('Error.example'), data), []);
});

test.run();
