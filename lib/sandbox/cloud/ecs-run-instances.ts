/** ECS RunInstances: validations in Alibaba's order, stock, private/public IPs, system disk, tags. */
import { randomInt } from 'node:crypto';
import type { OpContext } from '../openapi/types';
import { catalogOf, imageSizeGiB, inStock, requireRegion } from './catalog';
import { nextFreeIp, parseCidr } from './cidr';
import { idempotent } from './client-token';
import { begin, dryRunGate, findSecurityGroup, findVSwitch } from './context';
import { SYSTEM_DISK_CATEGORIES } from './ecs-catalog';
import { apiError, notFound } from './errors';
import { newPublicIp, newResourceId } from './ids';
import { vSwitchStatus } from './lifecycle';
import { int, listN, opt, tagsToSet } from './params';
import type { Instance } from './state';
import { takenPublicIps } from './vpc-eips';

export function runInstances(ctx: OpContext) {
  const { s, c } = begin(ctx);
  return idempotent(ctx, () => {
    const p = ctx.params;
    const regionId = requireRegion(ctx);
    const cat = catalogOf(ctx.seed);
    const imageId = opt(p, 'ImageId');
    if (!imageId)
      throw apiError(
        'MissingParameter',
        400,
        'The input parameter "ImageId" that is mandatory for processing this request is not supplied.',
      );
    const typeId = opt(p, 'InstanceType');
    if (!typeId)
      throw apiError(
        'MissingParameter',
        400,
        'The input parameter "InstanceType" that is mandatory for processing this request is not supplied.',
      );
    const type = cat.instanceTypes.find((t) => t.instanceTypeId === typeId);
    if (!type)
      throw apiError(
        'InvalidInstanceType.ValueNotSupported',
        403,
        'The specified InstanceType beyond the permitted range.',
      );
    const image = cat.images.find((i) => i.imageId === imageId);
    if (!image) throw notFound('InvalidImageId.NotFound', 'The specified ImageId does not exist.');
    const amount = int(p, 'Amount', { def: 1, min: 1, max: 100, code: 'InvalidParam.Amount' });
    const vSwitchId = opt(p, 'VSwitchId');
    if (!vSwitchId) throw apiError('InvalidVSwitchId.Necessary', 400, 'The VSwitchId is necessary.');
    const vsw = findVSwitch(s, regionId, vSwitchId);
    const zoneId = opt(p, 'ZoneId');
    if (zoneId && zoneId !== vsw.zoneId)
      throw apiError('InvalidParameter.Mismatch', 400, 'Specified virtual switch is not in the specified zone.');
    const sgIds = [
      ...new Set([...(opt(p, 'SecurityGroupId') ? [p.SecurityGroupId!] : []), ...listN(p, 'SecurityGroupIds')]),
    ];
    if (sgIds.length === 0)
      throw apiError(
        'MissingParameter',
        400,
        'The input parameter "SecurityGroupId" that is mandatory for processing this request is not supplied.',
      );
    for (const id of sgIds) {
      const g = findSecurityGroup(s, regionId, id);
      if (g.vpcId !== vsw.vpcId)
        throw apiError(
          'InvalidParameter.Mismatch',
          400,
          'Specified security group and virtual switch are not in the same VPC.',
        );
    }
    const keyPairName = opt(p, 'KeyPairName');
    if (keyPairName && !s.keyPairs.some((k) => k.regionId === regionId && k.name === keyPairName)) {
      throw notFound(
        'InvalidKeyPairName.NotFound',
        'The specified parameter KeyPairName does not exist in our records.',
      );
    }
    if (keyPairName && image.osType === 'windows')
      throw apiError(
        'DependencyViolation.WindowsInstance',
        403,
        'The instance creating is window, cannot use ssh key pair to login.',
      );
    const category = opt(p, 'SystemDisk.Category') ?? 'cloud_essd';
    if (!SYSTEM_DISK_CATEGORIES.includes(category))
      throw apiError(
        'InvalidSystemDiskCategory.ValueNotSupported',
        400,
        'The specified parameter "SystemDisk.Category" is not valid.',
      );
    const minSize = imageSizeGiB(image);
    const diskSize = int(p, 'SystemDisk.Size', {
      def: Math.max(40, minSize),
      min: 1,
      max: 2048,
      code: 'InvalidSystemDiskSize.ValueNotSupported',
    });
    if (diskSize < minSize)
      throw notFound(
        'InvalidSystemDiskSize.LessThanImageSize',
        'The specified parameter SystemDisk.Size is less than the image size.',
      );
    const bandwidthOut = int(p, 'InternetMaxBandwidthOut', {
      def: 0,
      min: 0,
      max: 100,
      code: 'InvalidInternetMaxBandwidthOut.Malformed',
    });
    const internetCharge = opt(p, 'InternetChargeType') ?? 'PayByTraffic';
    if (!['PayByTraffic', 'PayByBandwidth'].includes(internetCharge))
      throw apiError(
        'InvalidInternetChargeType.ValueNotSupported',
        400,
        'The specified InternetChargeType is not valid.',
      );
    const chargeType = opt(p, 'InstanceChargeType') ?? 'PostPaid';
    if (!['PostPaid', 'PrePaid'].includes(chargeType))
      throw notFound('InvalidInstanceChargeType.NotFound', 'The InstanceChargeType does not exist in our records');
    const userData = opt(p, 'UserData');
    if (userData && (userData.length > 32 * 1024 || !/^[A-Za-z0-9+/]*={0,2}$/.test(userData))) {
      throw apiError('InvalidUserData.SizeExceeded', 400, 'The specified parameter "UserData" exceeds the size.');
    }
    const tags = tagsToSet(p);
    if (vSwitchStatus(vsw, c) !== 'Available' || vsw.deletedAtMs !== undefined) {
      throw apiError(
        'IncorrectVSwitchStatus',
        400,
        'The current status of virtual switch does not support this operation.',
      );
    }
    if (!inStock(cat, vsw.zoneId, typeId, s.stockOverrides ?? [])) {
      throw apiError(
        'OperationDenied.NoStock',
        403,
        'The requested resource is sold out in the specified zone; try other types of resources or other regions and zones.',
      );
    }
    const used = new Set(s.instances.filter((i) => i.vSwitchId === vsw.id).map((i) => i.privateIp));
    const ips: string[] = [];
    for (let n = 0; n < amount; n++) {
      const ip = nextFreeIp(parseCidr(vsw.cidrBlock)!, used);
      if (!ip)
        throw apiError('InvalidVSwitchId.IpNotEnough', 400, 'The specified VSwitch has not enough IP addresses.');
      used.add(ip);
      ips.push(ip);
    }
    if (ctx.account.balanceInsufficient)
      throw apiError('InvalidAccountStatus.NotEnoughBalance', 403, 'Your account does not have enough balance.');
    dryRunGate(ctx);
    const ids: string[] = [];
    const name = opt(p, 'InstanceName');
    for (const ip of ips) {
      const id = newResourceId('i', regionId);
      const diskId = newResourceId('d', regionId);
      const inst: Instance = {
        id,
        regionId,
        createdAtMs: c.now,
        tags,
        resourceGroupId: opt(p, 'ResourceGroupId') ?? s.resourceGroupId,
        zoneId: vsw.zoneId,
        vpcId: vsw.vpcId,
        vSwitchId: vsw.id,
        securityGroupIds: sgIds,
        imageId,
        instanceType: typeId,
        name: name ?? id,
        hostName: opt(p, 'HostName') ?? `iZ${id.slice(2)}Z`,
        description: opt(p, 'Description') ?? '',
        keyPairName: keyPairName ?? '',
        privateIp: ip,
        publicIp: bandwidthOut > 0 ? newPublicIp(takenPublicIps(s)) : '',
        internetMaxBandwidthOut: bandwidthOut,
        internetChargeType: internetCharge,
        chargeType,
        systemDiskId: diskId,
        op: { kind: 'run', atMs: c.now },
      };
      s.instances.push(inst);
      s.disks.push({
        id: diskId,
        regionId,
        createdAtMs: c.now,
        tags,
        resourceGroupId: inst.resourceGroupId,
        zoneId: vsw.zoneId,
        instanceId: id,
        category,
        size: diskSize,
        type: 'system',
        imageId,
        device: '/dev/xvda',
        name: '',
        description: '',
      });
      ids.push(id);
    }
    return {
      InstanceIdSets: { InstanceIdSet: ids },
      OrderId: String(randomInt(100_000_000, 999_999_999)) + String(randomInt(100_000, 999_999)),
      TradePrice: (type.cpuCoreCount * 0.06 + type.memorySizeGiB * 0.008).toFixed(3),
    };
  });
}
