/**
 * VPC route tables: DescribeRouteTableList, CreateRouteEntry, DeleteRouteEntry,
 * DescribeRouteEntryList. One route change at a time per VPC, ~1.5 s each.
 */
import type { OpContext } from '../openapi/types';
import { requireRegion } from './catalog';
import { parseCidr } from './cidr';
import { idempotent } from './client-token';
import { begin, checkName, dryRunGate, vpcTags } from './context';
import { apiError, notFound } from './errors';
import { newResourceId } from './ids';
import { instanceStatus, routeStatus, vSwitchStatus, type Clock } from './lifecycle';
import { iso, opt, pageByNumber, pageByToken, req, tagFilter } from './params';
import type { CloudState, RouteEntry, Vpc } from './state';
import { routeChangePending } from './vpc-vswitches';

const NEXT_HOP_TYPES = [
  'Instance',
  'HaVip',
  'RouterInterface',
  'NetworkInterface',
  'VpnGateway',
  'IPv6Gateway',
  'NatGateway',
  'Attachment',
  'VpcPeer',
  'Ipv4Gateway',
  'GatewayEndpoint',
  'Ecr',
];

function findTable(s: CloudState, regionId: string, routeTableId: string): Vpc {
  const vpc = s.vpcs.find((v) => v.routeTableId === routeTableId && v.regionId === regionId);
  if (!vpc) throw notFound('InvalidRouteTableId.NotFound', 'Specified route table does not exist.');
  return vpc;
}

export function describeRouteTableList(ctx: OpContext) {
  const { s, c } = begin(ctx);
  const p = ctx.params;
  const regionId = requireRegion(ctx);
  const f = (n: string) => opt(p, n);
  const tagOk = tagFilter(p);
  if (f('RouterType') && f('RouterType') !== 'VRouter')
    return {
      Success: true,
      Code: '200',
      message: 'successful',
      PageSize: 10,
      PageNumber: 1,
      TotalCount: 0,
      RouterTableList: { RouterTableListType: [] },
    };
  const all = s.vpcs.filter(
    (v) =>
      v.regionId === regionId &&
      (!f('VpcId') || v.id === f('VpcId')) &&
      (!f('RouteTableId') || v.routeTableId === f('RouteTableId')) &&
      (!f('RouterId') || v.vRouterId === f('RouterId')) &&
      (!f('VRouterId') || v.vRouterId === f('VRouterId')) &&
      (!f('ResourceGroupId') || v.resourceGroupId === f('ResourceGroupId')) &&
      (!f('RouteTableName') || f('RouteTableName') === '') &&
      tagOk(v.routeTableTags ?? []),
  );
  const page = pageByNumber(p, all, 50);
  return {
    Success: true,
    Code: '200',
    message: 'successful',
    PageSize: page.pageSize,
    PageNumber: page.pageNumber,
    TotalCount: page.totalCount,
    RouterTableList: {
      RouterTableListType: page.items.map((v) => ({
        CreationTime: iso(v.createdAtMs),
        RouterType: 'VRouter',
        Description: '',
        ResourceGroupId: v.resourceGroupId,
        VSwitchIds: {
          VSwitchId: s.vSwitches.filter((w) => w.vpcId === v.id && vSwitchStatus(w, c) !== null).map((w) => w.id),
        },
        RouterId: v.vRouterId,
        RouteTableId: v.routeTableId,
        RouteTableName: '',
        VpcId: v.id,
        RouteTableType: 'System',
        Status: 'Available',
        OwnerId: Number(ctx.account.accountId),
        AssociateType: 'VSwitch',
        Tags: vpcTags(v.routeTableTags ?? []),
      })),
    },
  };
}

export function createRouteEntry(ctx: OpContext) {
  const { s, c } = begin(ctx);
  return idempotent(ctx, () => {
    const p = ctx.params;
    const regionId = requireRegion(ctx);
    const tableId = opt(p, 'RouteTableId');
    const dest = opt(p, 'DestinationCidrBlock');
    if (!tableId || !dest) throw apiError('MissingParameter', 400, 'Miss mandatory parameter.');
    const vpc = findTable(s, regionId, tableId);
    const cidr = parseCidr(dest);
    if (!cidr) throw apiError('InvalidCidrBlock.Malformed', 400, 'Specified CIDR block is not valid.');
    const hopType = opt(p, 'NextHopType') ?? 'Instance';
    if (!NEXT_HOP_TYPES.includes(hopType))
      throw apiError('InvalidNextHopType', 400, 'Specified parameter "NextHopType" is not valid');
    const hopId = opt(p, 'NextHopId');
    if (!hopId) throw apiError('MissingParameter', 400, 'Miss mandatory parameter.');
    if (hopType === 'Instance') {
      const inst = s.instances.find((i) => i.id === hopId && i.vpcId === vpc.id);
      const st = inst ? instanceStatus(inst, c) : null;
      if (!inst || st === null) throw notFound('InvalidNextHopId.NotFound', 'Specified next hop does not exist.');
      if (st !== 'Running' && st !== 'Stopped')
        throw apiError(
          'IncorrectInstanceStatus',
          403,
          'The current status of the resource does not support this operation.',
        );
    } else throw notFound('InvalidNextHopId.NotFound', 'Specified next hop does not exist.');
    checkName(opt(p, 'RouteEntryName'), 'InvalidRouteEntryName.Malformed', 'Specified route entry name is not valid.');
    if (vpc.deletedAtMs !== undefined)
      throw apiError('IncorrectVpcStatus', 400, 'Current VPC status does not support this operation.');
    if (s.vSwitches.some((w) => w.vpcId === vpc.id && vSwitchStatus(w, c) === 'Pending')) {
      throw apiError('TaskConflict', 400, 'The operation is too frequent, please wait a moment and try again.');
    }
    if (routeChangePending(s, c, vpc.id))
      throw apiError('IncorrectRouteEntryStatus', 400, 'Some route entry status blocked this operation.');
    const entries = s.routeEntries.filter((r) => r.routeTableId === tableId);
    if (entries.some((r) => r.destinationCidrBlock === dest))
      throw apiError('InvalidCIDRBlock.Duplicate', 400, 'Specified CIDR block is already exists.');
    if (entries.filter((r) => r.type === 'Custom').length >= ctx.account.quotas.routesPerTable) {
      throw apiError('QuotaExceeded', 400, 'Route entry quota exceeded in this route table.');
    }
    dryRunGate(ctx);
    const entry: RouteEntry = {
      id: newResourceId('rte', regionId),
      regionId,
      vpcId: vpc.id,
      routeTableId: tableId,
      destinationCidrBlock: dest,
      type: 'Custom',
      nextHopType: hopType,
      nextHopId: hopId,
      name: opt(p, 'RouteEntryName') ?? '',
      description: opt(p, 'Description') ?? '',
      createdAtMs: c.now,
    };
    s.routeEntries.push(entry);
    return { RouteEntryId: entry.id };
  });
}

export function deleteRouteEntry(ctx: OpContext) {
  const { s, c } = begin(ctx);
  const p = ctx.params;
  const regionId = requireRegion(ctx);
  const entryId = opt(p, 'RouteEntryId');
  const tableId = opt(p, 'RouteTableId');
  const dest = opt(p, 'DestinationCidrBlock');
  if (!entryId && !(tableId && dest)) throw apiError('MissingParameter', 400, 'Miss mandatory parameter.');
  if (tableId) findTable(s, regionId, tableId);
  const hop = opt(p, 'NextHopId');
  const entry = s.routeEntries.find(
    (r) =>
      r.regionId === regionId &&
      (entryId ? r.id === entryId : r.routeTableId === tableId && r.destinationCidrBlock === dest) &&
      (!tableId || r.routeTableId === tableId) &&
      (!hop || r.nextHopId === hop),
  );
  if (!entry) throw apiError('InvalidRouteEntry.NotFound', 400, 'Route entry not exists.');
  if (entry.type === 'System')
    throw apiError('OperationDenied', 400, 'Specified operation is denied as route entry type is system.');
  if (routeStatus(entry, c) !== 'Available' || routeChangePending(s, c, entry.vpcId)) {
    throw apiError('IncorrectRouteEntryStatus', 400, 'Some route entry status blocked this operation.');
  }
  dryRunGate(ctx);
  entry.deletedAtMs = c.now;
  return {};
}

function entryView(r: RouteEntry, c: Clock) {
  return {
    Status: routeStatus(r, c),
    Type: r.type,
    IpVersion: 'ipv4',
    Description: r.description,
    RouteEntryName: r.name,
    DestinationCidrBlock: r.destinationCidrBlock,
    RouteEntryId: r.id,
    RouteTableId: r.routeTableId,
    GmtModified: iso(r.createdAtMs),
    ServiceType: '',
    NextHops: {
      NextHop: [
        {
          NextHopRegionId: r.regionId,
          Weight: 100,
          NextHopId: r.nextHopId,
          Enabled: 1,
          NextHopType: r.nextHopType,
          NextHopRelatedInfo: { InstanceId: r.nextHopId, InstanceType: r.nextHopType, RegionId: r.regionId },
        },
      ],
    },
    Origin: r.type === 'System' ? 'SystemRoute' : 'StaticRoute',
  };
}

export function describeRouteEntryList(ctx: OpContext) {
  const { s, c } = begin(ctx);
  const p = ctx.params;
  const regionId = requireRegion(ctx);
  const tableId = req(p, 'RouteTableId');
  findTable(s, regionId, tableId);
  const f = (n: string) => opt(p, n);
  const all = s.routeEntries.filter(
    (r) =>
      r.routeTableId === tableId &&
      (!f('RouteEntryId') || r.id === f('RouteEntryId')) &&
      (!f('RouteEntryType') || r.type === f('RouteEntryType')) &&
      (!f('DestinationCidrBlock') || r.destinationCidrBlock === f('DestinationCidrBlock')) &&
      (!f('NextHopId') || r.nextHopId === f('NextHopId')) &&
      (!f('NextHopType') || r.nextHopType === f('NextHopType')) &&
      (!f('RouteEntryName') || r.name === f('RouteEntryName')),
  );
  const page = pageByToken(p, all, {
    min: 20,
    max: 100,
    def: 50,
    sizeName: 'MaxResult',
    badToken: () => apiError('IllegalParam.NextToken', 400, 'User nextToken is illegal.'),
  });
  return { NextToken: page.nextToken ?? '', RouteEntrys: { RouteEntry: page.items.map((r) => entryView(r, c)) } };
}
