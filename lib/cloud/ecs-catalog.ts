/** ECS catalog reads: regions, zones, stock, key pairs (every page), images, instance types. */
import { DRY_RUN_OK, type CallCtx } from './call';
import { def, ecsCaller, MAX_PAGES, tagsOf, type CatalogApi } from './ecs-common';
import type { AvailableZone, Image, InstanceType as EcsInstanceType, KeyPair, Region, Tag, Zone } from './types';

const KEY_PAIR_PAGE = 50;
const IMAGE_PAGE = 100;

export function createEcsCatalog(ctx: CallCtx): CatalogApi {
  const regionId = ctx.transport.regionId;
  const ecs = ecsCaller(ctx);
  const api = {
    async describeRegions(input: { acceptLanguage?: string } = {}): Promise<Region[]> {
      const r = await ecs('DescribeRegions', ({ client, m }) =>
        client.describeRegions(new m.DescribeRegionsRequest({ acceptLanguage: input.acceptLanguage })),
      );
      return (r.body?.regions?.region ?? []).map((x) => ({
        regionId: def(x.regionId, ''),
        localName: def(x.localName, ''),
        regionEndpoint: def(x.regionEndpoint, ''),
        status: def(x.status, ''),
      }));
    },

    async describeZones(input: { acceptLanguage?: string } = {}): Promise<Zone[]> {
      const r = await ecs('DescribeZones', ({ client, m }) =>
        client.describeZones(new m.DescribeZonesRequest({ regionId, acceptLanguage: input.acceptLanguage })),
      );
      return (r.body?.zones?.zone ?? []).map((z) => ({
        zoneId: def(z.zoneId, ''),
        localName: def(z.localName, ''),
        availableInstanceTypes: z.availableInstanceTypes?.instanceTypes ?? [],
        availableResourceCreation: z.availableResourceCreation?.resourceTypes ?? [],
      }));
    },

    async describeAvailableResource(input: {
      instanceType: string;
      instanceChargeType?: string;
    }): Promise<AvailableZone[]> {
      const r = await ecs('DescribeAvailableResource', ({ client, m }) =>
        client.describeAvailableResource(
          new m.DescribeAvailableResourceRequest({
            regionId,
            destinationResource: 'InstanceType',
            instanceType: input.instanceType,
            ioOptimized: 'optimized',
            instanceChargeType: input.instanceChargeType ?? 'PostPaid',
          }),
        ),
      );
      return mapAvailableZones(r.body?.availableZones?.availableZone ?? [], input.instanceType);
    },

    async describeKeyPairs(input: { keyPairName?: string } = {}): Promise<KeyPair[]> {
      const out: KeyPair[] = [];
      for (let page = 1; page <= MAX_PAGES; page++) {
        const r = await ecs('DescribeKeyPairs', ({ client, m }) =>
          client.describeKeyPairs(
            new m.DescribeKeyPairsRequest({
              regionId,
              keyPairName: input.keyPairName,
              pageNumber: page,
              pageSize: KEY_PAIR_PAGE,
            }),
          ),
        );
        const items = r.body?.keyPairs?.keyPair ?? [];
        for (const k of items) {
          const kp: KeyPair = {
            keyPairName: def(k.keyPairName, ''),
            keyPairFingerPrint: def(k.keyPairFingerPrint, ''),
            tags: tagsOf(k.tags),
          };
          if (k.creationTime) kp.creationTime = k.creationTime;
          if (k.resourceGroupId) kp.resourceGroupId = k.resourceGroupId;
          out.push(kp);
        }
        const total = def(r.body?.totalCount, 0);
        if (items.length === 0 || (total > 0 ? out.length >= total : items.length < KEY_PAIR_PAGE)) break;
      }
      return out;
    },

    async importKeyPair(input: { keyPairName: string; publicKeyBody: string; tags?: Tag[] }) {
      const r = await ecs('ImportKeyPair', ({ client, m }) =>
        client.importKeyPair(
          new m.ImportKeyPairRequest({
            regionId,
            keyPairName: input.keyPairName,
            publicKeyBody: input.publicKeyBody,
            tag: input.tags?.map((t) => new m.ImportKeyPairRequestTag(t)),
          }),
        ),
      );
      return {
        keyPairName: def(r.body?.keyPairName, input.keyPairName),
        keyPairFingerPrint: def(r.body?.keyPairFingerPrint, ''),
      };
    },

    async describeImages(input: { imageOwnerAlias?: string; imageId?: string; limit?: number; dryRun?: boolean }) {
      const out: Image[] = [];
      const limit = input.limit ?? Number.POSITIVE_INFINITY;
      // One page size for every page: PageNumber offsets assume it.
      const pageSize = Math.min(IMAGE_PAGE, Math.max(1, limit));
      for (let page = 1; page <= MAX_PAGES; page++) {
        const r = await ecs(
          'DescribeImages',
          ({ client, m }) =>
            client.describeImages(
              new m.DescribeImagesRequest({
                regionId,
                imageOwnerAlias: input.imageOwnerAlias,
                imageId: input.imageId,
                pageNumber: page,
                pageSize,
                dryRun: input.dryRun || undefined,
              }),
            ),
          input.dryRun,
        );
        if (input.dryRun) return DRY_RUN_OK;
        const items = r.body?.images?.image ?? [];
        for (const i of items) {
          const img: Image = {
            imageId: def(i.imageId, ''),
            imageName: def(i.imageName, ''),
            osType: def(i.OSType, ''),
            osName: def(i.OSName, ''),
            architecture: def(i.architecture, ''),
            status: def(i.status, ''),
          };
          if (i.imageOwnerAlias) img.imageOwnerAlias = i.imageOwnerAlias;
          if (i.size !== undefined) img.size = i.size;
          out.push(img);
        }
        const total = def(r.body?.totalCount, 0);
        if (items.length === 0 || out.length >= limit || (total > 0 ? out.length >= total : items.length < pageSize))
          break;
      }
      return out.slice(0, Number.isFinite(limit) ? limit : undefined);
    },

    async describeInstanceTypes(input: { instanceTypes?: string[] } = {}): Promise<EcsInstanceType[]> {
      const out: EcsInstanceType[] = [];
      let nextToken: string | undefined;
      for (let page = 1; page <= MAX_PAGES; page++) {
        const token = nextToken;
        const r = await ecs('DescribeInstanceTypes', ({ client, m }) =>
          client.describeInstanceTypes(
            new m.DescribeInstanceTypesRequest({
              instanceTypes: input.instanceTypes,
              nextToken: token,
              maxResults: 1600,
            }),
          ),
        );
        for (const t of r.body?.instanceTypes?.instanceType ?? []) {
          out.push({
            instanceTypeId: def(t.instanceTypeId, ''),
            instanceTypeFamily: def(t.instanceTypeFamily, ''),
            cpuCoreCount: def(t.cpuCoreCount, 0),
            memorySizeGiB: def(t.memorySize, 0),
          });
        }
        nextToken = r.body?.nextToken || undefined;
        if (!nextToken) break;
      }
      return out;
    },
  };
  return api as unknown as CatalogApi;
}

type AvailableZoneModel = {
  zoneId?: string;
  status?: string;
  statusCategory?: string;
  availableResources?: {
    availableResource?: {
      type?: string;
      supportedResources?: { supportedResource?: { value?: string; status?: string }[] };
    }[];
  };
};

/** Zones sorted by id, `inStock` only when the zone and the type itself are `Available` (reference §3). */
export function mapAvailableZones(zones: AvailableZoneModel[], instanceType: string): AvailableZone[] {
  return zones
    .map((z) => {
      const offered = (z.availableResources?.availableResource ?? [])
        .filter((r) => r.type === 'InstanceType')
        .flatMap((r) => r.supportedResources?.supportedResource ?? [])
        .some((s) => s.value === instanceType && s.status === 'Available');
      return {
        zoneId: z.zoneId ?? '',
        status: z.status ?? '',
        statusCategory: z.statusCategory ?? '',
        inStock: z.status === 'Available' && offered,
      };
    })
    .sort((a, b) => (a.zoneId < b.zoneId ? -1 : a.zoneId > b.zoneId ? 1 : 0));
}
