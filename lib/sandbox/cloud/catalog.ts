/**
 * The read-only catalog (regions, zones, instance types, images) parsed from the sandbox seed,
 * the sandbox's stock rule, and the admin stock overrides on top of it.
 */
import type { OpContext, SandboxAccount } from '../openapi/types';
import { missing, regionNotFound } from './errors';
import type { StockOverride } from './state';

export interface RegionInfo {
  regionId: string;
  localName: string;
  ecsEndpoint: string;
  vpcEndpoint: string;
}
export interface ZoneInfo {
  zoneId: string;
  regionId: string;
  localName: string;
}
export interface InstanceTypeInfo {
  instanceTypeId: string;
  cpuCoreCount: number;
  memorySizeGiB: number;
  instanceTypeFamily: string;
}
export interface ImageInfo {
  imageId: string;
  imageName: string;
  osName: string;
  osNameEn?: string;
  osType: string;
  platform: string;
  architecture: string;
  size?: number;
  bootMode?: string;
  imageFamily?: string;
  description?: string;
  creationTime?: string;
  releaseDate?: string;
}
export interface Catalog {
  regions: RegionInfo[];
  zones: ZoneInfo[];
  instanceTypes: InstanceTypeInfo[];
  images: ImageInfo[];
}

const cache = new WeakMap<object, Catalog>();

function items<T>(seed: Record<string, unknown>, key: string): T[] {
  const group = seed[key] as { items?: unknown } | undefined;
  return Array.isArray(group?.items) ? (group.items as T[]) : [];
}

/** Parses (once per seed object) the sandbox-seed.json document. */
export function catalogOf(seed: unknown): Catalog {
  if (!seed || typeof seed !== 'object') throw new Error('sandbox seed missing');
  const hit = cache.get(seed);
  if (hit) return hit;
  const s = seed as Record<string, unknown>;
  const cat: Catalog = {
    regions: items<RegionInfo>(s, 'regions'),
    zones: items<ZoneInfo>(s, 'zones')
      .slice()
      .sort((a, b) => a.zoneId.localeCompare(b.zoneId)),
    instanceTypes: items<InstanceTypeInfo>(s, 'instanceTypes'),
    images: items<ImageInfo>(s, 'images'),
  };
  cache.set(seed, cat);
  return cat;
}

/** The region ids an account may use: `account.regions` that the seed knows. */
export function accountRegions(account: SandboxAccount, cat: Catalog): RegionInfo[] {
  return cat.regions.filter((r) => account.regions.includes(r.regionId));
}

/** Validates `RegionId` against the account's regions (`InvalidRegionId.NotFound`). */
export function requireRegion(ctx: OpContext, value = ctx.params.RegionId): string {
  const cat = catalogOf(ctx.seed);
  if (!value) throw missing('RegionId');
  if (!ctx.account.regions.includes(value) || !cat.regions.some((r) => r.regionId === value)) throw regionNotFound();
  return value;
}

export const zonesOf = (cat: Catalog, regionId: string) => cat.zones.filter((z) => z.regionId === regionId);

/** Families sold out by the stock rule below. */
export const SCARCE_FAMILIES = ['ecs.g7', 'ecs.c7', 'ecs.r7'];

/**
 * The sandbox's stock rule (deterministic from the seed): in every region with two or more
 * zones, the alphabetically first zone has no stock of the 7th-generation families g7, c7 and
 * r7. So "take zones[0]" fails with `OperationDenied.NoStock`, as it does on Alibaba Cloud, and
 * "first zone whose DescribeAvailableResource says Available" works.
 */
export function inStock(
  cat: Catalog,
  zoneId: string,
  instanceTypeId: string,
  overrides: readonly StockOverride[] = [],
): boolean {
  const zone = cat.zones.find((z) => z.zoneId === zoneId);
  const type = cat.instanceTypes.find((t) => t.instanceTypeId === instanceTypeId);
  if (!zone || !type) return false;
  // Admin overrides (`POST /__sandbox/accounts/{id}/stock`) come first; the latest one that matches decides.
  const o = [...overrides]
    .reverse()
    .find((x) => x.zoneId === zoneId && (!x.instanceType || x.instanceType === instanceTypeId));
  if (o) return o.inStock;
  const siblings = zonesOf(cat, zone.regionId);
  const first = siblings.length >= 2 && siblings[0]?.zoneId === zoneId;
  return !(first && SCARCE_FAMILIES.includes(type.instanceTypeFamily));
}

/** Image system-disk size in GiB (from the seed, or the `_20G_`/`_40G_` token of the id). */
export function imageSizeGiB(img: ImageInfo): number {
  if (img.size) return img.size;
  const m = /_(\d+)G_/.exec(img.imageId);
  return m ? Number(m[1]) : 20;
}
