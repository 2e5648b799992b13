/** EIPs (VPC API): AllocateEipAddress, AssociateEipAddress, UnassociateEipAddress, ReleaseEipAddress, DescribeEipAddresses. */
import type { OpContext } from '../openapi/types';
import { requireRegion } from './catalog';
import { idempotent } from './client-token';
import { begin, checkName, dryRunGate, vpcTags } from './context';
import { apiError, notFound } from './errors';
import { newPublicIp, newResourceId } from './ids';
import { eipView, instanceStatus, type Clock } from './lifecycle';
import { commaList, int, iso, opt, pageByNumber, req, tagFilter, tagsToSet } from './params';
import type { CloudState, Eip } from './state';

/** Every public address in use in the account (EIPs and instances' ephemeral IPs). */
export const takenPublicIps = (s: CloudState) =>
  new Set([...s.eips.map((e) => e.ip), ...s.instances.map((i) => i.publicIp).filter(Boolean)]);

function findEip(s: CloudState, c: Clock, regionId: string, id: string): Eip {
  const e = s.eips.find((x) => x.id === id && x.regionId === regionId);
  if (!e || eipView(e, c) === null)
    throw notFound('InvalidAllocationId.NotFound', 'Specified allocation ID is not found');
  return e;
}

const incorrectStatus = () =>
  apiError('IncorrectEipStatus', 400, 'Current elastic IP status does not support this operation.');

export function allocateEipAddress(ctx: OpContext) {
  const { s, c } = begin(ctx);
  return idempotent(ctx, () => {
    const p = ctx.params;
    const regionId = requireRegion(ctx);
    const charge = opt(p, 'InternetChargeType') ?? 'PayByBandwidth';
    if (!['PayByBandwidth', 'PayByTraffic'].includes(charge))
      throw apiError('InvalidParameter', 400, 'Specified value of "InternetChargeType" is not valid');
    const bandwidth = int(p, 'Bandwidth', { def: 5, min: 1, max: 10_000 });
    if (bandwidth > ctx.account.quotas.eipBandwidthMbps)
      throw apiError('InvalidParameter', 400, 'Specified value of "Bandwidth" is not valid.');
    const chargeType = opt(p, 'InstanceChargeType') ?? 'PostPaid';
    if (!['PostPaid', 'PrePaid'].includes(chargeType))
      throw apiError('InvalidParameter', 400, 'Specified value of "InstanceChargeType" is not valid');
    checkName(opt(p, 'Name'), 'InvalidName.Malformed', 'Specified name is not valid.');
    const tags = tagsToSet(p);
    if (s.eips.filter((e) => e.regionId === regionId).length >= ctx.account.quotas.eipsPerRegion)
      throw apiError('QuotaExceeded.Eip', 400, 'Elastic IP address quota exceeded');
    if (ctx.account.balanceInsufficient)
      throw apiError('InsufficientBalance', 400, 'Your account does not have enough balance.');
    dryRunGate(ctx);
    const eip: Eip = {
      id: newResourceId('eip', regionId),
      regionId,
      createdAtMs: c.now,
      tags,
      resourceGroupId: opt(p, 'ResourceGroupId') ?? s.resourceGroupId,
      ip: newPublicIp(takenPublicIps(s)),
      bandwidth,
      internetChargeType: charge,
      name: opt(p, 'Name') ?? '',
      description: opt(p, 'Description') ?? '',
      instanceId: '',
    };
    s.eips.push(eip);
    return { ResourceGroupId: eip.resourceGroupId, EipAddress: eip.ip, AllocationId: eip.id };
  });
}

export function associateEipAddress(ctx: OpContext) {
  const { s, c } = begin(ctx);
  return idempotent(ctx, () => {
    const p = ctx.params;
    const regionId = requireRegion(ctx);
    const eip = findEip(s, c, regionId, req(p, 'AllocationId'));
    const type = opt(p, 'InstanceType') ?? 'EcsInstance';
    if (type !== 'EcsInstance')
      throw apiError(
        'InvalidInstanceType.ValueNotSupported',
        400,
        'The specified value of InstanceType is not supported.',
      );
    const instanceId = req(p, 'InstanceId');
    const inst = s.instances.find((i) => i.id === instanceId);
    if (!inst || instanceStatus(inst, c) === null)
      throw notFound('InvalidInstanceId.NotFound', 'Specified instance does not exist.');
    if (inst.regionId !== regionId)
      throw apiError(
        'InvalidParameter.Mismatch',
        400,
        'Specified elastic IP address and ECS instance are not in the same region.',
      );
    const view = eipView(eip, c)!;
    if (view.status !== 'Available') throw incorrectStatus();
    const st = instanceStatus(inst, c);
    if (inst.op.kind === 'delete' || (st !== 'Running' && st !== 'Stopped')) {
      throw apiError('IncorrectInstanceStatus', 400, 'Current instance status does not support this operation.');
    }
    const bound = s.eips.some((e) => e !== eip && eipView(e, c)?.instanceId === inst.id);
    if (bound || inst.publicIp)
      throw apiError('InvalidAssociation.Duplicated', 400, 'Specified instance already is associated.');
    dryRunGate(ctx);
    eip.instanceId = inst.id;
    eip.associatedAtMs = c.now;
    delete eip.unassociatedAtMs;
    return {};
  });
}

export function unassociateEipAddress(ctx: OpContext) {
  const { s, c } = begin(ctx);
  return idempotent(ctx, () => {
    const p = ctx.params;
    const regionId = requireRegion(ctx);
    const eip = findEip(s, c, regionId, req(p, 'AllocationId'));
    const view = eipView(eip, c)!;
    if (view.status !== 'InUse') throw incorrectStatus();
    const instanceId = opt(p, 'InstanceId');
    if (instanceId && instanceId !== view.instanceId)
      throw apiError('InvalidInstanceId.NotFound', 400, 'Specified instance does not exist.');
    dryRunGate(ctx);
    eip.unassociatedAtMs = c.now;
    return {};
  });
}

export function releaseEipAddress(ctx: OpContext) {
  const { s, c } = begin(ctx);
  const regionId = requireRegion(ctx);
  const eip = findEip(s, c, regionId, req(ctx.params, 'AllocationId'));
  if (eipView(eip, c)!.status !== 'Available') throw incorrectStatus();
  dryRunGate(ctx);
  eip.deletedAtMs = c.now;
  return {};
}

export function describeEipAddresses(ctx: OpContext) {
  const { s, c } = begin(ctx);
  const p = ctx.params;
  const regionId = requireRegion(ctx);
  // > 50 ids: the only length error in DescribeEipAddresses' table ("EIP instance ids").
  const tooMany = () => apiError('InstanceIdLength.Exceed', 400, 'InstanceId length is exceed');
  const ids = commaList(p, 'AllocationId', 50, tooMany);
  const ips = commaList(p, 'EipAddress', 50, tooMany);
  const f = (n: string) => opt(p, n);
  const tagOk = tagFilter(p);
  const all = s.eips.filter((e) => {
    const v = eipView(e, c);
    return (
      v &&
      e.regionId === regionId &&
      (!ids || ids.includes(e.id)) &&
      (!ips || ips.includes(e.ip)) &&
      (!f('Status') || v.status === f('Status')) &&
      (!f('AssociatedInstanceId') || v.instanceId === f('AssociatedInstanceId')) &&
      (!f('AssociatedInstanceType') || (v.instanceId && f('AssociatedInstanceType') === 'EcsInstance')) &&
      (!f('EipName') || e.name === f('EipName')) &&
      tagOk(e.tags)
    );
  });
  const page = pageByNumber(p, all, 100);
  dryRunGate(ctx);
  return {
    PageSize: page.pageSize,
    PageNumber: page.pageNumber,
    TotalCount: page.totalCount,
    EipAddresses: {
      EipAddress: page.items.map((e) => {
        const v = eipView(e, c)!;
        const inst = v.instanceId ? s.instances.find((i) => i.id === v.instanceId) : undefined;
        return {
          Status: v.status,
          AllocationTime: iso(e.createdAtMs),
          Netmode: 'public',
          ChargeType: 'PostPaid',
          Description: e.description,
          Mode: 'NAT',
          IpAddress: e.ip,
          Bandwidth: String(e.bandwidth),
          EipBandwidth: String(e.bandwidth),
          Name: e.name,
          PrivateIpAddress: inst?.privateIp ?? '',
          InstanceRegionId: v.instanceId ? e.regionId : '',
          DeletionProtection: false,
          InstanceId: v.instanceId,
          SecondLimited: false,
          InstanceType: v.instanceId ? 'EcsInstance' : '',
          HDMonitorStatus: 'false',
          RegionId: e.regionId,
          BandwidthPackageBandwidth: '',
          ServiceManaged: 0,
          ExpiredTime: '',
          ResourceGroupId: e.resourceGroupId,
          AllocationId: e.id,
          InternetChargeType: e.internetChargeType,
          BusinessStatus: 'Normal',
          BandwidthPackageId: '',
          BandwidthPackageType: '',
          HasReservationData: 'false',
          ISP: 'BGP',
          OperationLocks: { LockReason: [] },
          Tags: vpcTags(e.tags),
          SecurityProtectionTypes: { SecurityProtectionType: [] },
          PublicIpAddressPoolId: '',
          VpcId: inst?.vpcId ?? '',
          ReservationActiveTime: '',
          ReservationBandwidth: '',
          ReservationInternetChargeType: '',
          ReservationOrderType: '',
          SegmentInstanceId: '',
          Zone: '',
          BizType: 'Default',
        };
      }),
    },
  };
}
