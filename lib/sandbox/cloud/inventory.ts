/** Every live resource of an account, by Resource Center type (for leak checks and SearchResources). */
import type { SandboxAccount } from '../openapi/types';
import { eipView, instanceStatus, vpcStatus, vSwitchStatus, type Clock } from './lifecycle';
import { stateOf, type Tag } from './state';

/** The primary ENI of an instance (`eni-` + the instance id's body), as DescribeInstances shows it. */
export const primaryEniId = (instanceId: string) => `eni-${instanceId.slice(2)}`;

export interface ResourceRecord {
  ResourceType: string;
  ResourceId: string;
  ResourceName: string;
  RegionId: string;
  ZoneId: string;
  CreateTimeMs: number;
  ResourceGroupId: string;
  Tags: Tag[];
  Status: string;
  VpcId: string;
  VSwitchId: string;
  ips: { IpAddress: string; NetworkType: 'Public' | 'Private' }[];
}

const rec = (
  r: Partial<ResourceRecord> &
    Pick<ResourceRecord, 'ResourceType' | 'ResourceId' | 'RegionId' | 'CreateTimeMs' | 'Status'>,
): ResourceRecord => ({
  ResourceName: '',
  ZoneId: '',
  ResourceGroupId: '',
  Tags: [],
  VpcId: '',
  VSwitchId: '',
  ips: [],
  ...r,
});

/** Resource records of the account; statuses and gone-ness computed at `now`. */
export function resourceRecords(account: SandboxAccount, now: number, timeScale: number): ResourceRecord[] {
  const s = stateOf(account);
  const c: Clock = { now, scale: timeScale };
  const out: ResourceRecord[] = [];
  for (const v of s.vpcs) {
    const st = vpcStatus(v, c);
    if (!st) continue;
    const base = {
      RegionId: v.regionId,
      CreateTimeMs: v.createdAtMs,
      ResourceGroupId: v.resourceGroupId,
      VpcId: v.id,
      Status: st,
    };
    out.push(rec({ ...base, ResourceType: 'ACS::VPC::VPC', ResourceId: v.id, ResourceName: v.name, Tags: v.tags }));
    out.push(
      rec({
        ...base,
        ResourceType: 'ACS::VPC::RouteTable',
        ResourceId: v.routeTableId,
        Status: 'Available',
        Tags: v.routeTableTags ?? [],
      }),
    );
  }
  for (const w of s.vSwitches) {
    const st = vSwitchStatus(w, c);
    if (!st) continue;
    out.push(
      rec({
        ResourceType: 'ACS::VPC::VSwitch',
        ResourceId: w.id,
        ResourceName: w.name,
        RegionId: w.regionId,
        ZoneId: w.zoneId,
        CreateTimeMs: w.createdAtMs,
        ResourceGroupId: w.resourceGroupId,
        Tags: w.tags,
        Status: st,
        VpcId: w.vpcId,
        VSwitchId: w.id,
      }),
    );
  }
  for (const g of s.securityGroups) {
    if (g.deletedAtMs !== undefined) continue;
    out.push(
      rec({
        ResourceType: 'ACS::ECS::SecurityGroup',
        ResourceId: g.id,
        ResourceName: g.name,
        RegionId: g.regionId,
        CreateTimeMs: g.createdAtMs,
        ResourceGroupId: g.resourceGroupId,
        Tags: g.tags,
        Status: 'Available',
        VpcId: g.vpcId,
      }),
    );
  }
  const live = new Set<string>();
  for (const i of s.instances) {
    const st = instanceStatus(i, c);
    if (!st) continue;
    live.add(i.id);
    const eip = s.eips.find((e) => eipView(e, c)?.instanceId === i.id);
    const ips: ResourceRecord['ips'] = [{ IpAddress: i.privateIp, NetworkType: 'Private' }];
    if (i.publicIp) ips.push({ IpAddress: i.publicIp, NetworkType: 'Public' });
    if (eip) ips.push({ IpAddress: eip.ip, NetworkType: 'Public' });
    out.push(
      rec({
        ResourceType: 'ACS::ECS::NetworkInterface',
        ResourceId: primaryEniId(i.id),
        ResourceName: '',
        RegionId: i.regionId,
        ZoneId: i.zoneId,
        CreateTimeMs: i.createdAtMs,
        ResourceGroupId: i.resourceGroupId,
        Tags: i.tags,
        Status: st === 'Pending' ? 'Attaching' : 'InUse',
        VpcId: i.vpcId,
        VSwitchId: i.vSwitchId,
        ips: [{ IpAddress: i.privateIp, NetworkType: 'Private' }],
      }),
    );
    out.push(
      rec({
        ResourceType: 'ACS::ECS::Instance',
        ResourceId: i.id,
        ResourceName: i.name,
        RegionId: i.regionId,
        ZoneId: i.zoneId,
        CreateTimeMs: i.createdAtMs,
        ResourceGroupId: i.resourceGroupId,
        Tags: i.tags,
        Status: st,
        VpcId: i.vpcId,
        VSwitchId: i.vSwitchId,
        ips,
      }),
    );
  }
  for (const d of s.disks) {
    if (!live.has(d.instanceId)) continue;
    out.push(
      rec({
        ResourceType: 'ACS::ECS::Disk',
        ResourceId: d.id,
        ResourceName: d.name,
        RegionId: d.regionId,
        ZoneId: d.zoneId,
        CreateTimeMs: d.createdAtMs,
        ResourceGroupId: d.resourceGroupId,
        Tags: d.tags,
        Status: 'In_use',
      }),
    );
  }
  for (const e of s.eips) {
    const v = eipView(e, c);
    if (!v) continue;
    out.push(
      rec({
        ResourceType: 'ACS::EIP::EipAddress',
        ResourceId: e.id,
        ResourceName: e.name,
        RegionId: e.regionId,
        CreateTimeMs: e.createdAtMs,
        ResourceGroupId: e.resourceGroupId,
        Tags: e.tags,
        Status: v.status,
        ips: [{ IpAddress: e.ip, NetworkType: 'Public' }],
      }),
    );
  }
  for (const k of s.keyPairs) {
    out.push(
      rec({
        ResourceType: 'ACS::ECS::KeyPair',
        ResourceId: k.name,
        ResourceName: k.name,
        RegionId: k.regionId,
        CreateTimeMs: k.createdAtMs,
        ResourceGroupId: k.resourceGroupId,
        Tags: k.tags,
        Status: 'Available',
      }),
    );
  }
  return out;
}

/** `listResources` of the CloudModule: `{ "ACS::ECS::Instance": [{id, regionId, status, ...}] }`. */
export function listResources(account: SandboxAccount, now: number, timeScale: number): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const r of resourceRecords(account, now, timeScale)) {
    (out[r.ResourceType] ??= []).push({
      id: r.ResourceId,
      regionId: r.RegionId,
      ...(r.ZoneId ? { zoneId: r.ZoneId } : {}),
      name: r.ResourceName,
      status: r.Status,
      createdAtMs: r.CreateTimeMs,
      tags: Object.fromEntries(r.Tags.map((t) => [t.Key, t.Value])),
      ...(r.VpcId ? { vpcId: r.VpcId } : {}),
    });
  }
  return out;
}
