/** Every live resource of an account, by Resource Center type (for leak checks and SearchResources). */
import type { SandboxAccount } from '../openapi/types';
import { stateOf } from './state';

export interface ResourceRecord {
  ResourceType: string;
  ResourceId: string;
  ResourceName: string;
  RegionId: string;
  ZoneId: string;
  CreateTime: number;
  ResourceGroupId: string;
  Tags: { Key: string; Value: string }[];
  Status: string;
  VpcId?: string;
  VSwitchId?: string;
  ips: { IpAddress: string; NetworkType: 'Public' | 'Private' }[];
}

/** Resource records of the account; statuses and gone-ness computed at `now`. */
export function resourceRecords(account: SandboxAccount, _now: number, _timeScale: number): ResourceRecord[] {
  const s = stateOf(account);
  const out: ResourceRecord[] = [];
  for (const k of s.keyPairs) {
    out.push({
      ResourceType: 'ACS::ECS::KeyPair', ResourceId: k.name, ResourceName: k.name, RegionId: k.regionId, ZoneId: '',
      CreateTime: k.createdAtMs, ResourceGroupId: k.resourceGroupId, Tags: k.tags, Status: 'Available', ips: [],
    });
  }
  return out;
}

/** `listResources` of the CloudModule: `{ "ACS::ECS::Instance": [{id, regionId, ...}] }`. */
export function listResources(account: SandboxAccount, now: number, timeScale: number): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const r of resourceRecords(account, now, timeScale)) {
    (out[r.ResourceType] ??= []).push({
      id: r.ResourceId, regionId: r.RegionId, zoneId: r.ZoneId || undefined, name: r.ResourceName, status: r.Status,
      createdAtMs: r.CreateTime, tags: Object.fromEntries(r.Tags.map((t) => [t.Key, t.Value])),
      ...(r.VpcId ? { vpcId: r.VpcId } : {}),
    });
  }
  return out;
}
