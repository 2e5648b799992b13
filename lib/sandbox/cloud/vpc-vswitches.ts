/** VPC: CreateVSwitch, DescribeVSwitches, DeleteVSwitch (one VSwitch creation at a time per VPC). */
import type { OpContext } from '../openapi/types';
import { catalogOf, requireRegion } from './catalog';
import { contains, overlaps, parseCidr, usableCount } from './cidr';
import { idempotent } from './client-token';
import { begin, checkName, dryRunGate, findVpc, findVSwitch, vpcTags } from './context';
import { apiError, notFound } from './errors';
import { newResourceId } from './ids';
import { instanceStatus, routeStatus, vpcStatus, vSwitchStatus, type Clock } from './lifecycle';
import { commaList, iso, opt, pageByNumber, req, tagFilter, tagsToSet } from './params';
import type { CloudState, VSwitch } from './state';

export const VSWITCHES_PER_VPC = 150;

/** Whether a route entry of the VPC is mid-change (Pending or Modifying). */
export const routeChangePending = (s: CloudState, c: Clock, vpcId: string) =>
  s.routeEntries.some(
    (r) => r.vpcId === vpcId && (routeStatus(r, c) === 'Pending' || routeStatus(r, c) === 'Modifying'),
  );

export function createVSwitch(ctx: OpContext) {
  const { s, c } = begin(ctx);
  return idempotent(ctx, () => {
    const p = ctx.params;
    const regionId = requireRegion(ctx);
    const vpcId = req(p, 'VpcId');
    const zoneId = req(p, 'ZoneId');
    const cidrBlock = req(p, 'CidrBlock');
    const vpc = findVpc(s, c, regionId, vpcId);
    if (!catalogOf(ctx.seed).zones.some((z) => z.zoneId === zoneId && z.regionId === regionId)) {
      throw notFound('InvalidZoneId.NotFound', 'Specified zone does not exist.');
    }
    const cidr = parseCidr(cidrBlock);
    if (!cidr) throw apiError('InvalidCidrBlock.Malformed', 400, 'Specified CIDR block is not valid.');
    if (cidr.prefix < 16 || cidr.prefix > 29)
      throw apiError('InvalidCirdrBlock.MaskLength', 400, 'Specified CIDR block is not valid .');
    if (!contains(parseCidr(vpc.cidrBlock)!, cidr))
      throw apiError('InvalidParameter', 400, 'Specified CIDR block is not valid in VPC.');
    checkName(opt(p, 'VSwitchName'), 'InvalidVSwitchName.Malformed', 'Specified virtual switch name is not valid.');
    checkName(
      opt(p, 'Description'),
      'InvalidVSwitchDiscription.Malformed',
      'Specified virtual switch description is not valid.',
    );
    const tags = tagsToSet(p);
    if (vpcStatus(vpc, c) !== 'Available' || vpc.deletedAtMs !== undefined) {
      throw apiError('IncorrectVpcStatus', 400, 'Current VPC status does not support this operation.');
    }
    const siblings = s.vSwitches.filter((w) => w.vpcId === vpc.id);
    if (siblings.some((w) => vSwitchStatus(w, c) === 'Pending')) {
      throw apiError('IncorrectVSwitchStatus', 400, 'Some virtual switch is modifying within the same VPC.');
    }
    if (routeChangePending(s, c, vpc.id))
      throw apiError('IncorrectRouteEntryStatus', 400, 'Some route entry status blocked this operation.');
    if (siblings.some((w) => overlaps(parseCidr(w.cidrBlock)!, cidr))) {
      throw apiError('InvalidCidrBlock.Overlapped', 400, 'Specified CIDR block overlapped with other subnets.');
    }
    if (
      s.routeEntries.some(
        (r) => r.vpcId === vpc.id && r.type === 'Custom' && overlaps(parseCidr(r.destinationCidrBlock)!, cidr),
      )
    ) {
      throw apiError('InvalidCidrBlock.Overlapped', 400, 'Specified CIDR block overlapped with other subnets.');
    }
    if (siblings.length >= VSWITCHES_PER_VPC)
      throw apiError('QuotaExceeded.VSwitch', 400, 'Virtual switch quota exceeded.');
    dryRunGate(ctx);
    const vsw: VSwitch = {
      id: newResourceId('vsw', regionId),
      regionId,
      createdAtMs: c.now,
      tags,
      resourceGroupId: opt(p, 'ResourceGroupId') ?? vpc.resourceGroupId,
      vpcId: vpc.id,
      zoneId,
      cidrBlock,
      name: opt(p, 'VSwitchName') ?? '',
      description: opt(p, 'Description') ?? '',
    };
    s.vSwitches.push(vsw);
    s.routeEntries.push({
      id: newResourceId('rte', regionId),
      regionId,
      vpcId: vpc.id,
      routeTableId: vpc.routeTableId,
      destinationCidrBlock: cidrBlock,
      type: 'System',
      nextHopType: 'local',
      nextHopId: vsw.id,
      name: '',
      description: '',
      createdAtMs: c.now,
    });
    return { VSwitchId: vsw.id };
  });
}

export function describeVSwitches(ctx: OpContext) {
  const { s, c } = begin(ctx);
  const p = ctx.params;
  const regionId = requireRegion(ctx);
  const ids = commaList(p, 'VSwitchId', 50, () =>
    apiError('InvalidVSwitchIdNumber.NotSupported', 404, 'The number of vSwitchIds exceeds the limit.'),
  );
  const tagOk = tagFilter(p);
  const f = (name: string) => opt(p, name);
  const all = s.vSwitches.filter(
    (w) =>
      w.regionId === regionId &&
      (!ids || ids.includes(w.id)) &&
      (!f('VpcId') || w.vpcId === f('VpcId')) &&
      (!f('ZoneId') || w.zoneId === f('ZoneId')) &&
      (!f('VSwitchName') || w.name === f('VSwitchName')) &&
      (!f('ResourceGroupId') || w.resourceGroupId === f('ResourceGroupId')) &&
      f('IsDefault') !== 'true' &&
      tagOk(w.tags),
  );
  const page = pageByNumber(p, all, 50);
  dryRunGate(ctx);
  return {
    PageSize: page.pageSize,
    PageNumber: page.pageNumber,
    TotalCount: page.totalCount,
    VSwitches: {
      VSwitch: page.items.map((w) => {
        const used = s.instances.filter((i) => i.vSwitchId === w.id && instanceStatus(i, c) !== null).length;
        const vpc = s.vpcs.find((v) => v.id === w.vpcId);
        return {
          VpcId: w.vpcId,
          Status: vSwitchStatus(w, c),
          CreationTime: iso(w.createdAtMs),
          IsDefault: false,
          AvailableIpAddressCount: usableCount(parseCidr(w.cidrBlock)!) - used,
          NetworkAclId: '',
          OwnerId: Number(ctx.account.accountId),
          VSwitchId: w.id,
          CidrBlock: w.cidrBlock,
          Description: w.description,
          ResourceGroupId: w.resourceGroupId,
          ZoneId: w.zoneId,
          Ipv6CidrBlock: '',
          VSwitchName: w.name,
          ShareType: '',
          EnabledIpv6: false,
          Tags: vpcTags(w.tags),
          RouteTable: { RouteTableId: vpc?.routeTableId ?? '', RouteTableType: 'System' },
        };
      }),
    },
  };
}

export function deleteVSwitch(ctx: OpContext) {
  const { s, c } = begin(ctx);
  const regionId = requireRegion(ctx);
  const id = opt(ctx.params, 'VSwitchId');
  if (!id) throw apiError('MissingParameter', 400, 'Miss mandatory parameter.');
  const vsw = findVSwitch(s, regionId, id);
  if (vSwitchStatus(vsw, c) !== 'Available' || vsw.deletedAtMs !== undefined) {
    throw apiError('IncorrectVSwitchStatus', 400, 'The current virtual switch status does not support this operation.');
  }
  if (s.instances.some((i) => i.vSwitchId === vsw.id))
    throw apiError('DependencyViolation', 400, 'Resources deployed in the vSwitch have not been deleted.');
  if (routeChangePending(s, c, vsw.vpcId))
    throw apiError('IncorrectRouteEntryStatus', 400, 'Some route entry status blocked this operation.');
  dryRunGate(ctx);
  vsw.deletedAtMs = c.now;
  for (const r of s.routeEntries) if (r.type === 'System' && r.nextHopId === vsw.id) r.deletedAtMs = c.now;
  return {};
}
