/** VPC: CreateVpc, DescribeVpcs, DeleteVpc. */
import type { OpContext } from '../openapi/types';
import { requireRegion } from './catalog';
import { isPrivateRange, parseCidr } from './cidr';
import { idempotent } from './client-token';
import { begin, checkName, dryRunGate, findVpc, vpcTags } from './context';
import { apiError } from './errors';
import { newResourceId } from './ids';
import { routeStatus, vpcStatus, vSwitchStatus, type Clock } from './lifecycle';
import { commaList, iso, opt, pageByNumber, tagFilter, tagsToSet } from './params';
import type { CloudState, Vpc } from './state';

export function createVpc(ctx: OpContext) {
  const { s, c } = begin(ctx);
  return idempotent(ctx, () => {
    const p = ctx.params;
    const regionId = requireRegion(ctx);
    const cidrBlock = opt(p, 'CidrBlock') ?? '172.16.0.0/12';
    const cidr = parseCidr(cidrBlock);
    if (!cidr || cidr.prefix < 8 || cidr.prefix > 28 || !isPrivateRange(cidr))
      throw apiError('InvalidParameter', 400, 'Specified CIDR block is not valid');
    checkName(opt(p, 'VpcName'), 'InvalidVpcName.Malformed', 'Specified VPC name is not valid.');
    checkName(opt(p, 'Description'), 'InvalidVpcDiscription.Malformed', 'Specified VPC description is not valid.');
    const tags = tagsToSet(p);
    const count = s.vpcs.filter((v) => v.regionId === regionId).length;
    if (count >= ctx.account.quotas.vpcsPerRegion) throw apiError('QuotaExceeded.Vpc', 400, 'VPC quota exceeded.');
    dryRunGate(ctx);
    const vpc: Vpc = {
      id: newResourceId('vpc', regionId),
      regionId,
      createdAtMs: c.now,
      tags,
      resourceGroupId: opt(p, 'ResourceGroupId') ?? s.resourceGroupId,
      name: opt(p, 'VpcName') ?? '',
      description: opt(p, 'Description') ?? '',
      cidrBlock,
      vRouterId: newResourceId('vrt', regionId),
      routeTableId: newResourceId('vtb', regionId),
    };
    s.vpcs.push(vpc);
    s.routeEntries.push({
      id: newResourceId('rte', regionId),
      regionId,
      vpcId: vpc.id,
      routeTableId: vpc.routeTableId,
      destinationCidrBlock: '100.64.0.0/10',
      type: 'System',
      nextHopType: 'service',
      nextHopId: '',
      name: '',
      description: '',
      createdAtMs: c.now,
    });
    return {
      VpcId: vpc.id,
      VRouterId: vpc.vRouterId,
      RouteTableId: vpc.routeTableId,
      ResourceGroupId: vpc.resourceGroupId,
    };
  });
}

function vpcView(ctx: OpContext, s: CloudState, c: Clock, v: Vpc) {
  return {
    CreationTime: iso(v.createdAtMs),
    Status: vpcStatus(v, c),
    VpcId: v.id,
    IsDefault: false,
    OwnerId: Number(ctx.account.accountId),
    RegionId: v.regionId,
    VpcName: v.name,
    VRouterId: v.vRouterId,
    DhcpOptionsSetStatus: '',
    CidrBlock: v.cidrBlock,
    Description: v.description,
    ResourceGroupId: v.resourceGroupId,
    DhcpOptionsSetId: '',
    Ipv6CidrBlock: '',
    CenStatus: 'Detached',
    Tags: vpcTags(v.tags),
    Ipv6CidrBlocks: { Ipv6CidrBlock: [] },
    VSwitchIds: {
      VSwitchId: s.vSwitches.filter((w) => w.vpcId === v.id && vSwitchStatus(w, c) !== null).map((w) => w.id),
    },
    SecondaryCidrBlocks: { SecondaryCidrBlock: [] },
    UserCidrs: { UserCidr: [] },
    NatGatewayIds: { NatGatewayIds: [] },
    RouterTableIds: { RouterTableIds: [v.routeTableId] },
    EnabledIpv6: false,
  };
}

export function describeVpcs(ctx: OpContext) {
  const { s, c } = begin(ctx);
  const p = ctx.params;
  const regionId = requireRegion(ctx);
  const ids = commaList(p, 'VpcId', 20, () =>
    apiError('InvalidVpcIdNumber.NotSupported', 400, 'The number of vpcIds exceeds the limit.'),
  );
  const name = opt(p, 'VpcName');
  const rg = opt(p, 'ResourceGroupId');
  const isDefault = opt(p, 'IsDefault');
  const tagOk = tagFilter(p);
  const all = s.vpcs.filter(
    (v) =>
      v.regionId === regionId &&
      (!ids || ids.includes(v.id)) &&
      (!name || v.name === name) &&
      (!rg || v.resourceGroupId === rg) &&
      isDefault !== 'true' &&
      tagOk(v.tags),
  );
  const page = pageByNumber(p, all, 50);
  dryRunGate(ctx);
  return {
    PageSize: page.pageSize,
    PageNumber: page.pageNumber,
    TotalCount: page.totalCount,
    Vpcs: { Vpc: page.items.map((v) => vpcView(ctx, s, c, v)) },
  };
}

export function deleteVpc(ctx: OpContext) {
  const { s, c } = begin(ctx);
  return idempotent(ctx, () => {
    const regionId = requireRegion(ctx);
    const id = opt(ctx.params, 'VpcId');
    if (!id) throw apiError('MissingParameter', 400, 'Miss mandatory parameter.');
    const vpc = findVpc(s, c, regionId, id);
    if (vpcStatus(vpc, c) !== 'Available' || vpc.deletedAtMs !== undefined) {
      throw apiError('IncorrectVpcStatus', 400, 'Current VPC status does not support this operation.');
    }
    if (s.vSwitches.some((w) => w.vpcId === vpc.id)) {
      throw apiError('DependencyViolation.VSwitch', 400, 'Specified object has dependent resources');
    }
    if (s.securityGroups.some((g) => g.vpcId === vpc.id)) {
      throw apiError(
        'DependencyViolation.SecurityGroup',
        400,
        'Specified object has dependent resources SecurityGroup.',
      );
    }
    if (s.routeEntries.some((r) => r.vpcId === vpc.id && r.type === 'Custom' && routeStatus(r, c) !== null)) {
      throw apiError('DependencyViolation.RouteEntry', 400, 'Specified object has dependent resources');
    }
    dryRunGate(ctx);
    vpc.deletedAtMs = c.now;
    return {};
  });
}
