/**
 * Level-2 answers (Describe*) → findings. Only Describe data makes an asset, whichever path found
 * it, so the Resource Center path and the Describe path produce identical assets. Volatile fields
 * (a VSwitch's free IP count) are left out: they would make every scan report a change. Lists
 * are sorted so that order alone never counts as a change.
 */
import type { Disk, Eip, Instance, RouteTable, SecurityGroup, Tag, VSwitch, Vpc } from '../cloud/types';
import type { Finding } from './model';

export function tagMap(tags: Tag[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of [...tags].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))) out[t.key] = t.value;
  return out;
}

const sorted = (xs: string[]) => [...xs].sort();
const orNull = <T>(v: T | undefined | '') => (v === undefined || v === '' ? null : v);

export function instanceFinding(i: Instance, regionId: string): Finding {
  return {
    type: 'ACS::ECS::Instance',
    id: i.instanceId,
    regionId,
    zoneId: orNull(i.zoneId),
    name: i.instanceName,
    status: orNull(i.status),
    tags: tagMap(i.tags),
    properties: {
      instanceType: i.instanceType,
      cpu: i.cpu,
      memoryMiB: i.memoryMiB,
      osName: i.osName,
      osType: orNull(i.osType),
      publicIp: orNull(i.eip?.ipAddress || i.publicIpAddresses[0]),
      privateIp: orNull(i.privateIpAddresses[0]),
      chargeType: orNull(i.instanceChargeType),
      vpcId: orNull(i.vpcId),
      vSwitchId: orNull(i.vSwitchId),
      securityGroupIds: sorted(i.securityGroupIds),
      eipAllocationId: orNull(i.eip?.allocationId),
      keyPairName: orNull(i.keyPairName),
      resourceGroupId: orNull(i.resourceGroupId),
      createdAt: orNull(i.creationTime),
    },
  };
}

export function diskFinding(d: Disk, regionId: string): Finding {
  return {
    type: 'ACS::ECS::Disk',
    id: d.diskId,
    regionId,
    zoneId: orNull(d.zoneId),
    name: d.diskName ?? '',
    status: orNull(d.status),
    tags: tagMap(d.tags),
    properties: {
      category: d.category,
      sizeGiB: d.sizeGiB,
      instanceId: orNull(d.instanceId),
      encrypted: d.encrypted,
      diskType: orNull(d.type),
      chargeType: orNull(d.diskChargeType),
      deleteWithInstance: d.deleteWithInstance,
    },
  };
}

export function securityGroupFinding(g: SecurityGroup, regionId: string): Finding {
  return {
    type: 'ACS::ECS::SecurityGroup',
    id: g.securityGroupId,
    regionId,
    zoneId: null,
    name: g.securityGroupName,
    status: null,
    tags: tagMap(g.tags),
    properties: {
      vpcId: orNull(g.vpcId),
      description: orNull(g.description),
      resourceGroupId: orNull(g.resourceGroupId),
      createdAt: orNull(g.creationTime),
    },
  };
}

export function vpcFinding(v: Vpc, regionId: string): Finding {
  return {
    type: 'ACS::VPC::VPC',
    id: v.vpcId,
    regionId,
    zoneId: null,
    name: v.vpcName,
    status: orNull(v.status),
    tags: tagMap(v.tags),
    properties: {
      cidrBlock: v.cidrBlock,
      vSwitchIds: sorted(v.vSwitchIds),
      routeTableIds: sorted(v.routeTableIds),
      vRouterId: orNull(v.vRouterId),
      isDefault: v.isDefault,
      createdAt: orNull(v.creationTime),
    },
  };
}

export function vSwitchFinding(w: VSwitch, regionId: string): Finding {
  return {
    type: 'ACS::VPC::VSwitch',
    id: w.vSwitchId,
    regionId,
    zoneId: orNull(w.zoneId),
    name: w.vSwitchName,
    status: orNull(w.status),
    tags: tagMap(w.tags),
    properties: { vpcId: w.vpcId, cidrBlock: w.cidrBlock, routeTableId: orNull(w.routeTableId) },
  };
}

export function routeTableFinding(t: RouteTable, regionId: string): Finding {
  return {
    type: 'ACS::VPC::RouteTable',
    id: t.routeTableId,
    regionId,
    zoneId: null,
    name: '',
    status: orNull(t.status),
    tags: tagMap(t.tags),
    properties: {
      vpcId: t.vpcId,
      routerId: orNull(t.routerId),
      routeTableType: orNull(t.routeTableType),
      vSwitchIds: sorted(t.vSwitchIds),
    },
  };
}

export function eipFinding(e: Eip, regionId: string): Finding {
  return {
    type: 'ACS::EIP::EipAddress',
    id: e.allocationId,
    regionId,
    zoneId: null,
    name: e.name ?? '',
    status: orNull(e.status),
    tags: tagMap(e.tags),
    properties: {
      ipAddress: e.ipAddress,
      bandwidthMbps: e.bandwidthMbps,
      internetChargeType: orNull(e.internetChargeType),
      instanceId: orNull(e.instanceId),
      instanceType: orNull(e.instanceType),
    },
  };
}
