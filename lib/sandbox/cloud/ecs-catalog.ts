/** ECS catalog reads: DescribeRegions, DescribeZones, DescribeAvailableResource, DescribeImages, DescribeInstanceTypes. */
import type { OpContext } from '../openapi/types';
import { accountRegions, catalogOf, imageSizeGiB, inStock, requireRegion, zonesOf, type ImageInfo } from './catalog';
import { dryRunGate } from './context';
import { apiError, invalidParam } from './errors';
import { commaList, int, listN, opt, pageByNumber, pageByToken } from './params';
import { stateOf } from './state';

export const SYSTEM_DISK_CATEGORIES = ['cloud_essd', 'cloud_ssd', 'cloud_efficiency', 'cloud_auto'];

export function describeRegions(ctx: OpContext) {
  const cat = catalogOf(ctx.seed);
  return {
    Regions: {
      Region: accountRegions(ctx.account, cat).map((r) => ({
        Status: 'available',
        RegionEndpoint: r.ecsEndpoint,
        LocalName: r.localName,
        RegionId: r.regionId,
      })),
    },
  };
}

export function describeZones(ctx: OpContext) {
  const regionId = requireRegion(ctx);
  const cat = catalogOf(ctx.seed);
  const stock = stateOf(ctx.account).stockOverrides ?? [];
  return {
    Zones: {
      Zone: zonesOf(cat, regionId).map((z) => {
        const types = cat.instanceTypes
          .filter((t) => inStock(cat, z.zoneId, t.instanceTypeId, stock))
          .map((t) => t.instanceTypeId);
        return {
          ZoneId: z.zoneId,
          ZoneType: 'AvailabilityZone',
          LocalName: z.localName,
          AvailableResources: {
            ResourcesInfo: [
              {
                IoOptimized: true,
                SystemDiskCategories: { supportedSystemDiskCategory: SYSTEM_DISK_CATEGORIES },
                InstanceGenerations: { supportedInstanceGeneration: ['ecs-5', 'ecs-6', 'ecs-7'] },
                DataDiskCategories: { supportedDataDiskCategory: SYSTEM_DISK_CATEGORIES },
                InstanceTypes: { supportedInstanceType: types },
                InstanceTypeFamilies: {
                  supportedInstanceTypeFamily: [
                    ...new Set(
                      cat.instanceTypes
                        .filter((t) => types.includes(t.instanceTypeId))
                        .map((t) => t.instanceTypeFamily),
                    ),
                  ],
                },
                NetworkTypes: { supportedNetworkCategory: ['vpc'] },
              },
            ],
          },
          AvailableResourceCreation: { ResourceTypes: ['VSwitch', 'IoOptimized', 'Instance', 'Disk'] },
          AvailableInstanceTypes: { InstanceTypes: types },
          AvailableDiskCategories: { DiskCategories: SYSTEM_DISK_CATEGORIES },
          AvailableVolumeCategories: { VolumeCategories: SYSTEM_DISK_CATEGORIES },
          AvailableDedicatedHostTypes: { DedicatedHostType: [] },
          DedicatedHostGenerations: { DedicatedHostGeneration: [] },
        };
      }),
    },
  };
}

const stockStatus = (ok: boolean) => ({
  Status: ok ? 'Available' : 'SoldOut',
  StatusCategory: ok ? 'WithStock' : 'WithoutStock',
});

export function describeAvailableResource(ctx: OpContext) {
  const p = ctx.params;
  const regionId = requireRegion(ctx);
  const cat = catalogOf(ctx.seed);
  const stock = stateOf(ctx.account).stockOverrides ?? [];
  const dest = opt(p, 'DestinationResource');
  if (!dest)
    throw apiError(
      'Invalid.Param',
      400,
      'The input parameter DestinationResource that is mandatory for processing this request is not supplied.',
    );
  if (
    !['Zone', 'InstanceType', 'SystemDisk', 'DataDisk', 'IoOptimized', 'InstanceTypeFamily', 'Network'].includes(dest)
  ) {
    throw apiError('Invalid.DestinationResource', 404, 'The specified DestinationResource is not valid.');
  }
  const charge = opt(p, 'InstanceChargeType') ?? 'PostPaid';
  if (!['PostPaid', 'PrePaid'].includes(charge))
    throw apiError('Invalid.InstanceChargeType', 400, 'The specified InstanceChargeType is not valid.');
  const io = opt(p, 'IoOptimized');
  if (io && !['optimized', 'none'].includes(io))
    throw apiError('Invalid.IoOptimized', 404, 'The specified IoOptimized is not valid.');
  const wantType = opt(p, 'InstanceType');
  const types = cat.instanceTypes.filter((t) => !wantType || t.instanceTypeId === wantType);
  const zones = zonesOf(cat, regionId).filter((z) => !opt(p, 'ZoneId') || z.zoneId === p.ZoneId);
  const AvailableZone = zones.map((z) => {
    const typeStock = types.map((t) => ({ id: t.instanceTypeId, ok: inStock(cat, z.zoneId, t.instanceTypeId, stock) }));
    const anyOk = typeStock.some((t) => t.ok);
    let supported: Record<string, unknown>[];
    let kind = dest;
    if (dest === 'Zone') supported = [{ Value: z.zoneId, ...stockStatus(anyOk) }];
    else if (dest === 'InstanceType' || dest === 'InstanceTypeFamily') {
      kind = 'InstanceType';
      supported = typeStock.map((t) => ({ Value: t.id, ...stockStatus(t.ok) }));
    } else if (dest === 'SystemDisk' || dest === 'DataDisk') {
      supported = SYSTEM_DISK_CATEGORIES.map((c) => ({
        Value: c,
        ...stockStatus(anyOk),
        Min: dest === 'SystemDisk' ? 20 : 20,
        Max: dest === 'SystemDisk' ? 2048 : 32768,
        Unit: 'GiB',
      }));
    } else if (dest === 'IoOptimized') supported = [{ Value: 'optimized', ...stockStatus(anyOk) }];
    else supported = [{ Value: 'vpc', ...stockStatus(anyOk) }];
    return {
      ZoneId: z.zoneId,
      ...stockStatus(anyOk),
      RegionId: regionId,
      AvailableResources: { AvailableResource: [{ Type: kind, SupportedResources: { SupportedResource: supported } }] },
    };
  });
  return { AvailableZones: { AvailableZone } };
}

function imageView(img: ImageInfo) {
  return {
    CreationTime: img.creationTime ?? (img.releaseDate ? `${img.releaseDate}T00:00:00Z` : '2021-01-01T00:00:00Z'),
    Status: 'Available',
    ImageFamily: img.imageFamily ?? '',
    Progress: '100%',
    IsCopied: false,
    IsSupportIoOptimized: true,
    ImageOwnerAlias: 'system',
    IsSupportCloudinit: true,
    ImageVersion: '',
    Usage: 'instance',
    IsSelfShared: '',
    Description: img.description ?? '',
    Size: imageSizeGiB(img),
    ResourceGroupId: '',
    Platform: img.platform,
    OSNameEn: img.osNameEn ?? img.osName,
    ImageName: img.imageName,
    OSName: img.osName,
    ImageId: img.imageId,
    OSType: img.osType,
    IsSubscribed: false,
    ProductCode: '',
    Architecture: img.architecture,
    BootMode: img.bootMode ?? 'BIOS',
    DiskDeviceMappings: {
      DiskDeviceMapping: [
        {
          Type: 'system',
          Device: '/dev/xvda',
          Size: String(imageSizeGiB(img)),
          Format: '',
          SnapshotId: '',
          ImportOSSBucket: '',
          ImportOSSObject: '',
          Progress: '100%',
          RemainTime: 0,
        },
      ],
    },
    Tags: { Tag: [] },
    IsPublic: true,
    LoginAsNonRootSupported: false,
    Features: { NvmeSupport: 'supported' },
    ImageOwnerId: 0,
    SupplierName: '',
    DetectionOptions: { Status: '', Items: { Item: [] } },
  };
}

export function describeImages(ctx: OpContext) {
  const p = ctx.params;
  const regionId = requireRegion(ctx);
  const cat = catalogOf(ctx.seed);
  const owner = opt(p, 'ImageOwnerAlias');
  if (owner && !['system', 'self', 'others', 'marketplace'].includes(owner))
    throw invalidParam('ImageOwnerAlias', 'InvalidImageOwnerAlias.ValueNotSupported');
  const ids = commaList(p, 'ImageId', 100);
  const name = opt(p, 'ImageName');
  const osType = opt(p, 'OSType');
  const arch = opt(p, 'Architecture');
  const all = (owner && owner !== 'system' ? [] : cat.images).filter(
    (i) =>
      (!ids || ids.includes(i.imageId)) &&
      (!name || i.imageName.includes(name.replace(/\*/g, ''))) &&
      (!osType || i.osType === osType) &&
      (!arch || i.architecture === arch),
  );
  const page = pageByNumber(p, all, 100);
  dryRunGate(ctx);
  return {
    PageSize: page.pageSize,
    PageNumber: page.pageNumber,
    TotalCount: page.totalCount,
    RegionId: regionId,
    Images: { Image: page.items.map((i) => imageView(i)) },
  };
}

export function describeInstanceTypes(ctx: OpContext) {
  const p = ctx.params;
  const cat = catalogOf(ctx.seed);
  const ids = listN(p, 'InstanceTypes');
  const family = opt(p, 'InstanceTypeFamily');
  int(p, 'MaxResults', { def: 1600, min: 1, max: 1600 });
  const all = cat.instanceTypes.filter(
    (t) => (ids.length === 0 || ids.includes(t.instanceTypeId)) && (!family || t.instanceTypeFamily === family),
  );
  const page = pageByToken(p, all, { max: 1600, def: 1600 });
  return {
    ...(page.nextToken ? { NextToken: page.nextToken } : { NextToken: '' }),
    InstanceTypes: {
      InstanceType: page.items.map((t) => ({
        InstanceTypeId: t.instanceTypeId,
        CpuCoreCount: t.cpuCoreCount,
        MemorySize: t.memorySizeGiB,
        InstanceTypeFamily: t.instanceTypeFamily,
        CpuArchitecture: /\.g8y|\.c8y|\.r8y/.test(t.instanceTypeId) ? 'ARM' : 'X86',
        InstanceCategory: 'General-purpose',
        GPUAmount: 0,
        GPUSpec: '',
        LocalStorageCategory: '',
        EniQuantity: 2,
        EniPrivateIpAddressQuantity: 6,
        InstanceBandwidthRx: 0,
        InstanceBandwidthTx: 0,
      })),
    },
  };
}
