/** ECS instances and disks: DescribeInstances, DescribeInstanceStatus, DescribeDisks, DeleteInstance, AllocatePublicIpAddress. */
import type { OpContext } from '../openapi/types';
import { catalogOf, requireRegion } from './catalog';
import { begin, dryRunGate, ecsTags, findInstance } from './context';
import { apiError, notFound } from './errors';
import { newPublicIp } from './ids';
import { primaryEniId } from './inventory';
import { eipView, instanceStatus, routeStatus, type Clock } from './lifecycle';
import {
  bool,
  iso,
  isoMinutes,
  jsonList,
  listN,
  opt,
  pageByNumber,
  pageByToken,
  tagFilter,
  wildcard,
  type Params,
} from './params';
import type { CloudState, Instance } from './state';
import { takenPublicIps } from './vpc-eips';

const STATUSES = ['Pending', 'Running', 'Starting', 'Stopping', 'Stopped'];

function instanceView(ctx: OpContext, s: CloudState, c: Clock, i: Instance) {
  const cat = catalogOf(ctx.seed);
  const type = cat.instanceTypes.find((t) => t.instanceTypeId === i.instanceType);
  const image = cat.images.find((m) => m.imageId === i.imageId);
  const eip = s.eips.map((e) => ({ e, v: eipView(e, c) })).find((x) => x.v?.instanceId === i.id);
  return {
    CreationTime: isoMinutes(i.createdAtMs),
    SerialNumber: '',
    Status: instanceStatus(i, c),
    DeploymentSetId: '',
    KeyPairName: i.keyPairName,
    SaleCycle: '',
    SpotStrategy: 'NoSpot',
    DeviceAvailable: true,
    LocalStorageCapacity: 0,
    Description: i.description,
    SpotDuration: 0,
    InstanceNetworkType: 'vpc',
    InstanceName: i.name,
    OSNameEn: image?.osNameEn ?? image?.osName ?? '',
    HpcClusterId: '',
    SpotPriceLimit: 0,
    Memory: Math.round((type?.memorySizeGiB ?? 0) * 1024),
    OSName: image?.osName ?? '',
    DeploymentSetGroupNo: 0,
    ImageId: i.imageId,
    VlanId: '',
    ClusterId: '',
    GPUSpec: '',
    AutoReleaseTime: '',
    DeletionProtection: false,
    StoppedMode: instanceStatus(i, c) === 'Stopped' ? 'KeepCharging' : 'Not-applicable',
    GPUAmount: 0,
    HostName: i.hostName,
    InstanceId: i.id,
    InternetMaxBandwidthOut: i.internetMaxBandwidthOut,
    InternetMaxBandwidthIn: i.internetMaxBandwidthOut > 0 ? 100 : -1,
    InstanceType: i.instanceType,
    InstanceChargeType: i.chargeType,
    RegionId: i.regionId,
    IoOptimized: true,
    StartTime: isoMinutes(i.createdAtMs),
    Cpu: type?.cpuCoreCount ?? 0,
    LocalStorageAmount: 0,
    ExpiredTime: '2099-12-31T15:59Z',
    ResourceGroupId: i.resourceGroupId,
    InternetChargeType: i.internetChargeType,
    ZoneId: i.zoneId,
    Recyclable: false,
    ISP: '',
    CreditSpecification: '',
    InstanceTypeFamily: type?.instanceTypeFamily ?? '',
    OSType: image?.osType ?? 'linux',
    NetworkInterfaces: {
      NetworkInterface: [
        {
          Type: 'Primary',
          MacAddress: macOf(i.id),
          PrimaryIpAddress: i.privateIp,
          NetworkInterfaceId: primaryEniId(i.id),
          PrivateIpSets: { PrivateIpSet: [{ PrivateIpAddress: i.privateIp, Primary: true }] },
          Ipv6Sets: { Ipv6Set: [] },
          Ipv4PrefixSets: { Ipv4PrefixSet: [] },
          Ipv6PrefixSets: { Ipv6PrefixSet: [] },
        },
      ],
    },
    OperationLocks: { LockReason: [] },
    Tags: ecsTags(i.tags),
    RdmaIpAddress: { IpAddress: [] },
    SecurityGroupIds: { SecurityGroupId: i.securityGroupIds },
    PublicIpAddress: { IpAddress: i.publicIp ? [i.publicIp] : [] },
    InnerIpAddress: { IpAddress: [] },
    VpcAttributes: {
      VpcId: i.vpcId,
      NatIpAddress: '',
      VSwitchId: i.vSwitchId,
      PrivateIpAddress: { IpAddress: [i.privateIp] },
    },
    EipAddress: eip
      ? {
          IsSupportUnassociate: true,
          InternetChargeType: eip.e.internetChargeType,
          IpAddress: eip.e.ip,
          Bandwidth: eip.e.bandwidth,
          AllocationId: eip.e.id,
        }
      : { IsSupportUnassociate: true, InternetChargeType: '', IpAddress: '', Bandwidth: 0, AllocationId: '' },
    HibernationOptions: { Configured: false },
    DedicatedHostAttribute: { DedicatedHostId: '', DedicatedHostName: '', DedicatedHostClusterId: '' },
    EcsCapacityReservationAttr: { CapacityReservationPreference: '', CapacityReservationId: '' },
    DedicatedInstanceAttribute: { Affinity: '', Tenancy: '' },
    CpuOptions: {
      Numa: '',
      CoreCount: Math.max(1, (type?.cpuCoreCount ?? 2) / 2),
      ThreadsPerCore: 2,
      TopologyType: '',
    },
    MetadataOptions: { HttpEndpoint: 'enabled', HttpPutResponseHopLimit: 1, HttpTokens: 'optional' },
    ImageOptions: { LoginAsNonRoot: false },
    SpotInterruptionBehavior: 'Terminate',
  };
}

function macOf(id: string): string {
  let h = 0;
  for (const ch of id) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  const b = [(h >>> 16) & 255, (h >>> 8) & 255, h & 255].map((x) => x.toString(16).padStart(2, '0'));
  return `00:16:3e:${b.join(':')}`;
}

function ipList(p: Params, name: string): string[] | undefined {
  return jsonList(p, name, 100, 'InvalidParameter');
}

export function describeInstances(ctx: OpContext) {
  const { s, c } = begin(ctx);
  const p = ctx.params;
  const regionId = requireRegion(ctx);
  // More than 100: DescribeInstances' table names no code; its sibling id-list operations
  // (DescribeInstanceStatus, StartInstances, StopInstances, …) all answer this one.
  const ids = jsonList(p, 'InstanceIds', 100, 'InvalidInstanceIds.Malformed', () =>
    apiError('InvalidParameter.TooManyInstanceIds', 403, 'Instance ids cannot be more than 100.'),
  );
  const status = opt(p, 'Status');
  if (status && !STATUSES.includes(status))
    throw notFound('InvalidStatus.NotFound', 'The specified Status is not found.');
  const priv = ipList(p, 'PrivateIpAddresses');
  const pub = ipList(p, 'PublicIpAddresses');
  const eips = ipList(p, 'EipAddresses');
  const nameMatch = opt(p, 'InstanceName') ? wildcard(p.InstanceName!) : () => true;
  const tagOk = tagFilter(p);
  const f = (n: string) => opt(p, n);
  const eipOf = (i: Instance) => s.eips.find((e) => eipView(e, c)?.instanceId === i.id)?.ip;
  const all = s.instances.filter(
    (i) =>
      i.regionId === regionId &&
      (!ids || ids.includes(i.id)) &&
      (!status || instanceStatus(i, c) === status) &&
      (!f('VpcId') || i.vpcId === f('VpcId')) &&
      (!f('VSwitchId') || i.vSwitchId === f('VSwitchId')) &&
      (!f('ZoneId') || i.zoneId === f('ZoneId')) &&
      (!f('SecurityGroupId') || i.securityGroupIds.includes(f('SecurityGroupId')!)) &&
      (!f('KeyPairName') || i.keyPairName === f('KeyPairName')) &&
      (!f('InstanceType') || i.instanceType === f('InstanceType')) &&
      (!f('ImageId') || i.imageId === f('ImageId')) &&
      (!f('ResourceGroupId') || i.resourceGroupId === f('ResourceGroupId')) &&
      nameMatch(i.name) &&
      (!priv || priv.includes(i.privateIp)) &&
      (!pub || pub.includes(i.publicIp)) &&
      (!eips || eips.includes(eipOf(i) ?? '')) &&
      tagOk(i.tags),
  );
  const tokenMode = f('NextToken') !== undefined || f('MaxResults') !== undefined;
  const page = tokenMode ? pageByToken(p, all, { max: 100, def: 10 }) : undefined;
  const numbered = tokenMode ? undefined : pageByNumber(p, all, 100);
  dryRunGate(ctx);
  return {
    NextToken: page?.nextToken ?? '',
    PageSize: page?.size ?? numbered!.pageSize,
    PageNumber: numbered?.pageNumber ?? 1,
    TotalCount: all.length,
    Instances: { Instance: (page?.items ?? numbered!.items).map((i) => instanceView(ctx, s, c, i)) },
  };
}

export function describeInstanceStatus(ctx: OpContext) {
  const { s, c } = begin(ctx);
  const p = ctx.params;
  const regionId = requireRegion(ctx);
  const ids = listN(p, 'InstanceId');
  if (ids.length > 100)
    throw apiError('InvalidParameter.TooManyInstanceIds', 403, 'Instance ids cannot be more than 100.');
  const zone = opt(p, 'ZoneId');
  const all = s.instances.filter(
    (i) => i.regionId === regionId && (ids.length === 0 || ids.includes(i.id)) && (!zone || i.zoneId === zone),
  );
  const page = pageByNumber(p, all, 50);
  return {
    PageSize: page.pageSize,
    PageNumber: page.pageNumber,
    TotalCount: page.totalCount,
    InstanceStatuses: { InstanceStatus: page.items.map((i) => ({ Status: instanceStatus(i, c), InstanceId: i.id })) },
  };
}

export function describeDisks(ctx: OpContext) {
  const { s, c } = begin(ctx);
  const p = ctx.params;
  const regionId = requireRegion(ctx);
  const v = opt(p, 'DiskIds');
  let ids: string[] | undefined;
  if (v !== undefined) {
    try {
      ids = JSON.parse(v);
    } catch {
      throw apiError('InvalidParameter.DiskIds', 400, 'The specified parameter diskIds is not valid.');
    }
    if (!Array.isArray(ids))
      throw apiError('InvalidParameter.DiskIds', 400, 'The specified parameter diskIds is not valid.');
    if (ids.length > 100)
      throw apiError('InvalidDiskIds.Malformed', 403, 'The amount of specified disk Ids exceeds the limit.');
  }
  const diskType = opt(p, 'DiskType') ?? 'all';
  if (!['all', 'system', 'data'].includes(diskType))
    throw apiError('InvalidDiskType.ValueNotSupported', 400, 'The specified disk type is not supported.');
  const f = (n: string) => opt(p, n);
  const tagOk = tagFilter(p);
  const statusOf = (instanceId: string) => {
    const inst = s.instances.find((i) => i.id === instanceId);
    return inst && instanceStatus(inst, c) === 'Pending' && inst.op.kind === 'run' ? 'Creating' : 'In_use';
  };
  const all = s.disks.filter(
    (d) =>
      d.regionId === regionId &&
      (!ids || ids.includes(d.id)) &&
      (diskType === 'all' || d.type === diskType) &&
      (!f('InstanceId') || d.instanceId === f('InstanceId')) &&
      (!f('Category') || d.category === f('Category')) &&
      (!f('ZoneId') || d.zoneId === f('ZoneId')) &&
      (!f('Status') || f('Status') === 'All' || statusOf(d.instanceId) === f('Status')) &&
      tagOk(d.tags),
  );
  const tokenMode = f('NextToken') !== undefined || f('MaxResults') !== undefined;
  const page = tokenMode ? pageByToken(p, all, { max: 500, def: 50 }) : undefined;
  const numbered = tokenMode ? undefined : pageByNumber(p, all, 100);
  dryRunGate(ctx);
  return {
    NextToken: page?.nextToken ?? '',
    PageSize: page?.size ?? numbered!.pageSize,
    PageNumber: numbered?.pageNumber ?? 1,
    TotalCount: all.length,
    Disks: {
      Disk: (page?.items ?? numbered!.items).map((d) => ({
        SerialNumber: d.id.slice(2),
        CreationTime: iso(d.createdAtMs),
        Status: statusOf(d.instanceId),
        Type: d.type,
        PerformanceLevel: d.category === 'cloud_essd' ? 'PL0' : '',
        EnableAutoSnapshot: false,
        DiskId: d.id,
        DeleteAutoSnapshot: true,
        Encrypted: false,
        MountInstanceNum: 1,
        Description: d.description,
        Device: d.device,
        DiskName: d.name,
        Portable: false,
        ImageId: d.imageId,
        KMSKeyId: '',
        DeleteWithInstance: true,
        DetachedTime: '',
        SourceSnapshotId: '',
        AutoSnapshotPolicyId: '',
        EnableAutomatedSnapshotPolicy: false,
        InstanceId: d.instanceId,
        RegionId: d.regionId,
        ExpiredTime: '2999-09-08T16:00Z',
        Size: d.size,
        ResourceGroupId: d.resourceGroupId,
        DiskChargeType: 'PostPaid',
        ZoneId: d.zoneId,
        AttachedTime: iso(d.createdAtMs),
        Category: d.category,
        ProductCode: '',
        MultiAttach: 'Disabled',
        OperationLocks: { OperationLock: [] },
        MountInstances: { MountInstance: [] },
        Tags: ecsTags(d.tags),
        Attachments: { Attachment: [{ InstanceId: d.instanceId, Device: d.device, AttachedTime: iso(d.createdAtMs) }] },
        BurstingEnabled: false,
        BdfId: '',
        StorageSetId: '',
        StorageSetPartitionNumber: 0,
        StorageClusterId: '',
        ...diskPerformance(d.category, d.size),
        ProvisionedIops: 0,
        Placement: { ZoneIds: '' },
      })),
    },
  };
}

/** IOPS and throughput (MB/s) of a disk by the documented formulas (ESSD PL0, SSD, efficiency). */
function diskPerformance(category: string, sizeGiB: number) {
  const [iops, mbps] =
    category === 'cloud_essd'
      ? [Math.min(1800 + 50 * sizeGiB, 10_000), Math.min(100 + 0.25 * sizeGiB, 180)]
      : category === 'cloud_ssd'
        ? [Math.min(1800 + 30 * sizeGiB, 25_000), Math.min(120 + 0.5 * sizeGiB, 300)]
        : [Math.min(1800 + 8 * sizeGiB, 5_000), Math.min(100 + 0.15 * sizeGiB, 140)];
  const t = Math.round(mbps);
  return { IOPS: iops, IOPSRead: iops, IOPSWrite: iops, Throughput: t, ThroughputRead: t, ThroughputWrite: t };
}

export const incorrect = (message = 'The current status of the resource does not support this operation.') =>
  apiError('IncorrectInstanceStatus', 403, message);

/** The instance an `InstanceId` operation acts on, with its status now. */
export function target(ctx: OpContext) {
  const { s, c } = begin(ctx);
  const id = opt(ctx.params, 'InstanceId');
  if (!id)
    throw apiError(
      'MissingParameter',
      400,
      'The input parameter "InstanceId" that is mandatory for processing this request is not supplied.',
    );
  const regionId = opt(ctx.params, 'RegionId') ? requireRegion(ctx) : undefined;
  const inst = findInstance(s, c, regionId, id);
  return { s, c, inst, status: instanceStatus(inst, c)! };
}

export function deleteInstance(ctx: OpContext) {
  const { s, c, inst, status } = target(ctx);
  if (inst.op.kind === 'delete') throw incorrect();
  if (status === 'Pending')
    throw apiError(
      'IncorrectInstanceStatus.Initializing',
      403,
      'The specified instance status does not support this operation.',
    );
  const force = bool(ctx.params, 'Force');
  if (status !== 'Stopped' && !(force && (status === 'Running' || status === 'Starting'))) throw incorrect();
  if (s.routeEntries.some((r) => r.type === 'Custom' && r.nextHopId === inst.id && routeStatus(r, c) !== null)) {
    throw apiError('DependencyViolation.RouteEntry', 400, 'Specified instance is used by route entry.');
  }
  dryRunGate(ctx);
  inst.op = { kind: 'delete', atMs: c.now, fromStopped: status === 'Stopped' };
  for (const e of s.eips)
    if (eipView(e, c)?.instanceId === inst.id && e.unassociatedAtMs === undefined) e.unassociatedAtMs = c.now;
  return {};
}

export function allocatePublicIpAddress(ctx: OpContext) {
  const { s, c, inst, status } = target(ctx);
  if (inst.op.kind === 'delete' || (status !== 'Running' && status !== 'Stopped')) throw incorrect();
  if (inst.publicIp || s.eips.some((e) => eipView(e, c)?.instanceId === inst.id)) {
    throw apiError('AllocatedAlready', 403, 'There is an IpAddress allocated already for the specified instance.');
  }
  if (inst.internetMaxBandwidthOut <= 0) {
    throw apiError(
      'AllocateIpInvalidInstanceBandwidth',
      400,
      'OperationDenied The InternetMaxBandwidthOut of the specified instance cannot be less than 0.',
    );
  }
  inst.publicIp = newPublicIp(takenPublicIps(s));
  return { IpAddress: inst.publicIp };
}
