/**
 * ECS wrappers on the typed `@alicloud/ecs20140526` client (loaded lazily by the transport).
 * Listing calls follow every page; id lookups are batched at the API's limit.
 */
import { callCloud, chunks, DRY_RUN_OK, type CallCtx } from './call';
import type { EcsModels } from './transport';
import type { AvailableZone, Disk, EcsApi, Image, Instance, InstanceType as EcsInstanceType, KeyPair, Region, SecurityGroup, Tag, Zone } from './types';

const KEY_PAIR_PAGE = 50;
const IMAGE_PAGE = 100;
const INSTANCE_IDS_PER_CALL = 100;
const DISK_IDS_PER_CALL = 100;
const MAX_PAGES = 1000;

type TagModel = { tagKey?: string; tagValue?: string };
const tagsOf = (t: { tag?: TagModel[] } | undefined): Tag[] => (t?.tag ?? []).map((x) => ({ key: x.tagKey ?? '', value: x.tagValue ?? '' }));
const def = <T>(v: T | undefined | null, d: T): T => (v === undefined || v === null ? d : v);

export function createEcsApi(ctx: CallCtx): EcsApi {
  const regionId = ctx.transport.regionId;
  /** One ECS call under the retry policy; `dryRun` turns DryRunOperation into `{wouldSucceed}`. */
  const ecs = <T>(action: string, fn: (sdk: { client: InstanceType<EcsModels['default']>; m: EcsModels }) => Promise<T>, dryRun?: boolean) =>
    callCloud(
      ctx,
      `Ecs:${action}`,
      async () => {
        const { client, models } = await ctx.transport.ecs();
        return fn({ client, m: models });
      },
      dryRun ? { dryRun } : {},
    );

  const api = {
    async describeRegions(input: { acceptLanguage?: string } = {}): Promise<Region[]> {
      const r = await ecs('DescribeRegions', ({ client, m }) => client.describeRegions(new m.DescribeRegionsRequest({ acceptLanguage: input.acceptLanguage })));
      return (r.body?.regions?.region ?? []).map((x) => ({
        regionId: def(x.regionId, ''),
        localName: def(x.localName, ''),
        regionEndpoint: def(x.regionEndpoint, ''),
        status: def(x.status, ''),
      }));
    },

    async describeZones(input: { acceptLanguage?: string } = {}): Promise<Zone[]> {
      const r = await ecs('DescribeZones', ({ client, m }) => client.describeZones(new m.DescribeZonesRequest({ regionId, acceptLanguage: input.acceptLanguage })));
      return (r.body?.zones?.zone ?? []).map((z) => ({
        zoneId: def(z.zoneId, ''),
        localName: def(z.localName, ''),
        availableInstanceTypes: z.availableInstanceTypes?.instanceTypes ?? [],
        availableResourceCreation: z.availableResourceCreation?.resourceTypes ?? [],
      }));
    },

    async describeAvailableResource(input: { instanceType: string; instanceChargeType?: string }): Promise<AvailableZone[]> {
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
          client.describeKeyPairs(new m.DescribeKeyPairsRequest({ regionId, keyPairName: input.keyPairName, pageNumber: page, pageSize: KEY_PAIR_PAGE })),
        );
        const items = r.body?.keyPairs?.keyPair ?? [];
        for (const k of items) {
          const kp: KeyPair = { keyPairName: def(k.keyPairName, ''), keyPairFingerPrint: def(k.keyPairFingerPrint, ''), tags: tagsOf(k.tags) };
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
      return { keyPairName: def(r.body?.keyPairName, input.keyPairName), keyPairFingerPrint: def(r.body?.keyPairFingerPrint, '') };
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
              new m.DescribeImagesRequest({ regionId, imageOwnerAlias: input.imageOwnerAlias, imageId: input.imageId, pageNumber: page, pageSize, dryRun: input.dryRun || undefined }),
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
        if (items.length === 0 || out.length >= limit || (total > 0 ? out.length >= total : items.length < pageSize)) break;
      }
      return out.slice(0, Number.isFinite(limit) ? limit : undefined);
    },

    async describeInstanceTypes(input: { instanceTypes?: string[] } = {}): Promise<EcsInstanceType[]> {
      const out: EcsInstanceType[] = [];
      let nextToken: string | undefined;
      for (let page = 1; page <= MAX_PAGES; page++) {
        const token = nextToken;
        const r = await ecs('DescribeInstanceTypes', ({ client, m }) =>
          client.describeInstanceTypes(new m.DescribeInstanceTypesRequest({ instanceTypes: input.instanceTypes, nextToken: token, maxResults: 1600 })),
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

    async createSecurityGroup(input: { vpcId: string; securityGroupName?: string; description?: string; tags?: Tag[]; clientToken?: string }) {
      const r = await ecs('CreateSecurityGroup', ({ client, m }) =>
        client.createSecurityGroup(
          new m.CreateSecurityGroupRequest({
            regionId,
            vpcId: input.vpcId,
            securityGroupName: input.securityGroupName,
            description: input.description,
            clientToken: input.clientToken,
            tag: input.tags?.map((t) => new m.CreateSecurityGroupRequestTag(t)),
          }),
        ),
      );
      return { securityGroupId: def(r.body?.securityGroupId, '') };
    },

    async describeSecurityGroups(input: { securityGroupIds?: string[]; vpcId?: string } = {}): Promise<SecurityGroup[]> {
      const out: SecurityGroup[] = [];
      if (input.securityGroupIds && input.securityGroupIds.length === 0) return out;
      for (const ids of input.securityGroupIds ? chunks(input.securityGroupIds, 100) : [undefined]) {
        let nextToken: string | undefined;
        for (let page = 1; page <= MAX_PAGES; page++) {
          const token = nextToken;
          const r = await ecs('DescribeSecurityGroups', ({ client, m }) =>
            client.describeSecurityGroups(
              new m.DescribeSecurityGroupsRequest({ regionId, vpcId: input.vpcId, securityGroupIds: ids ? JSON.stringify(ids) : undefined, maxResults: 100, nextToken: token }),
            ),
          );
          for (const g of r.body?.securityGroups?.securityGroup ?? []) {
            const sg: SecurityGroup = { securityGroupId: def(g.securityGroupId, ''), securityGroupName: def(g.securityGroupName, ''), vpcId: def(g.vpcId, ''), tags: tagsOf(g.tags) };
            if (g.description) sg.description = g.description;
            if (g.creationTime) sg.creationTime = g.creationTime;
            if (g.resourceGroupId) sg.resourceGroupId = g.resourceGroupId;
            out.push(sg);
          }
          nextToken = r.body?.nextToken || undefined;
          if (!nextToken) break;
        }
      }
      return out;
    },

    async authorizeSecurityGroup(input: { securityGroupId: string; rules: import('./types').SecurityGroupRule[]; clientToken?: string }) {
      await ecs('AuthorizeSecurityGroup', ({ client, m }) =>
        client.authorizeSecurityGroup(
          new m.AuthorizeSecurityGroupRequest({
            regionId,
            securityGroupId: input.securityGroupId,
            clientToken: input.clientToken,
            permissions: input.rules.map(
              (p) =>
                new m.AuthorizeSecurityGroupRequestPermissions({
                  ipProtocol: p.ipProtocol,
                  portRange: p.portRange,
                  sourceCidrIp: p.sourceCidrIp,
                  policy: p.policy ?? 'accept',
                  priority: String(p.priority ?? 1),
                  nicType: p.nicType ?? 'intranet',
                  description: p.description,
                }),
            ),
          }),
        ),
      );
    },

    async runInstances(input: import('./types').RunInstancesInput & { dryRun?: boolean }) {
      const r = await ecs(
        'RunInstances',
        ({ client, m }) =>
          client.runInstances(
            new m.RunInstancesRequest({
              regionId,
              imageId: input.imageId,
              instanceType: input.instanceType,
              securityGroupId: input.securityGroupId,
              vSwitchId: input.vSwitchId,
              keyPairName: input.keyPairName,
              instanceName: input.instanceName,
              hostName: input.hostName,
              internetMaxBandwidthOut: input.internetMaxBandwidthOut,
              systemDisk: input.systemDisk
                ? new m.RunInstancesRequestSystemDisk({ category: input.systemDisk.category, size: input.systemDisk.sizeGiB === undefined ? undefined : String(input.systemDisk.sizeGiB) })
                : undefined,
              userData: input.userData === undefined ? undefined : Buffer.from(input.userData, 'utf8').toString('base64'),
              tag: input.tags?.map((t) => new m.RunInstancesRequestTag(t)),
              instanceChargeType: input.instanceChargeType ?? 'PostPaid',
              amount: input.amount ?? 1,
              clientToken: input.clientToken,
              dryRun: input.dryRun || undefined,
            }),
          ),
        input.dryRun,
      );
      if (input.dryRun) return DRY_RUN_OK;
      return { instanceIds: r.body?.instanceIdSets?.instanceIdSet ?? [] };
    },

    async describeInstances(input: { instanceIds?: string[]; vpcId?: string; status?: string; tags?: Tag[]; dryRun?: boolean }) {
      const out: Instance[] = [];
      const batches: (string[] | undefined)[] = input.instanceIds ? chunks(input.instanceIds, INSTANCE_IDS_PER_CALL) : [undefined];
      if (input.instanceIds && input.instanceIds.length === 0) return input.dryRun ? DRY_RUN_OK : out;
      for (const ids of batches) {
        let nextToken: string | undefined;
        for (let page = 1; page <= MAX_PAGES; page++) {
          const token = nextToken;
          const r = await ecs(
            'DescribeInstances',
            ({ client, m }) =>
              client.describeInstances(
                new m.DescribeInstancesRequest({
                  regionId,
                  instanceIds: ids ? JSON.stringify(ids) : undefined,
                  vpcId: input.vpcId,
                  status: input.status,
                  tag: input.tags?.map((t) => new m.DescribeInstancesRequestTag(t)),
                  maxResults: 100,
                  nextToken: token,
                  dryRun: input.dryRun || undefined,
                }),
              ),
            input.dryRun,
          );
          if (input.dryRun) return DRY_RUN_OK;
          for (const i of r.body?.instances?.instance ?? []) out.push(mapInstance(i, regionId));
          nextToken = r.body?.nextToken || undefined;
          if (!nextToken) break;
        }
      }
      return out;
    },

    async describeDisks(input: { diskIds?: string[]; instanceId?: string; dryRun?: boolean }) {
      const out: Disk[] = [];
      if (input.diskIds && input.diskIds.length === 0) return input.dryRun ? DRY_RUN_OK : out;
      const batches: (string[] | undefined)[] = input.diskIds ? chunks(input.diskIds, DISK_IDS_PER_CALL) : [undefined];
      for (const ids of batches) {
        let nextToken: string | undefined;
        for (let page = 1; page <= MAX_PAGES; page++) {
          const token = nextToken;
          const r = await ecs(
            'DescribeDisks',
            ({ client, m }) =>
              client.describeDisks(
                new m.DescribeDisksRequest({
                  regionId,
                  diskIds: ids ? JSON.stringify(ids) : undefined,
                  instanceId: input.instanceId,
                  maxResults: 500,
                  nextToken: token,
                  dryRun: input.dryRun || undefined,
                }),
              ),
            input.dryRun,
          );
          if (input.dryRun) return DRY_RUN_OK;
          for (const d of r.body?.disks?.disk ?? []) {
            const disk: Disk = {
              diskId: def(d.diskId, ''),
              category: def(d.category, ''),
              sizeGiB: def(d.size, 0),
              status: def(d.status, ''),
              type: def(d.type, ''),
              encrypted: d.encrypted === true,
              deleteWithInstance: d.deleteWithInstance === true,
              zoneId: def(d.zoneId, ''),
            };
            if (d.instanceId) disk.instanceId = d.instanceId;
            if (d.diskChargeType) disk.diskChargeType = d.diskChargeType;
            out.push(disk);
          }
          nextToken = r.body?.nextToken || undefined;
          if (!nextToken) break;
        }
      }
      return out;
    },

    async deleteInstance(input: { instanceId: string; force?: boolean; dryRun?: boolean }) {
      await ecs(
        'DeleteInstance',
        ({ client, m }) => client.deleteInstance(new m.DeleteInstanceRequest({ instanceId: input.instanceId, force: input.force ?? true, dryRun: input.dryRun || undefined })),
        input.dryRun,
      );
      return input.dryRun ? DRY_RUN_OK : undefined;
    },

    async deleteSecurityGroup(input: { securityGroupId: string }) {
      await ecs('DeleteSecurityGroup', ({ client, m }) => client.deleteSecurityGroup(new m.DeleteSecurityGroupRequest({ regionId, securityGroupId: input.securityGroupId })));
    },

    async allocatePublicIpAddress(input: { instanceId: string }) {
      const r = await ecs('AllocatePublicIpAddress', ({ client, m }) => client.allocatePublicIpAddress(new m.AllocatePublicIpAddressRequest({ instanceId: input.instanceId })));
      return { ipAddress: def(r.body?.ipAddress, '') };
    },
  };
  return api as unknown as EcsApi;
}

type AvailableZoneModel = {
  zoneId?: string;
  status?: string;
  statusCategory?: string;
  availableResources?: { availableResource?: { type?: string; supportedResources?: { supportedResource?: { value?: string; status?: string }[] } }[] };
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

type InstanceModel = {
  instanceId?: string;
  instanceName?: string;
  instanceType?: string;
  cpu?: number;
  memory?: number;
  OSName?: string;
  OSType?: string;
  status?: string;
  regionId?: string;
  zoneId?: string;
  instanceChargeType?: string;
  creationTime?: string;
  expiredTime?: string;
  resourceGroupId?: string;
  keyPairName?: string;
  vpcAttributes?: { vpcId?: string; vSwitchId?: string; privateIpAddress?: { ipAddress?: string[] } };
  publicIpAddress?: { ipAddress?: string[] };
  eipAddress?: { allocationId?: string; ipAddress?: string };
  securityGroupIds?: { securityGroupId?: string[] };
  tags?: { tag?: TagModel[] };
};

export function mapInstance(i: InstanceModel, regionId: string): Instance {
  const out: Instance = {
    instanceId: def(i.instanceId, ''),
    instanceName: def(i.instanceName, ''),
    instanceType: def(i.instanceType, ''),
    cpu: def(i.cpu, 0),
    memoryMiB: def(i.memory, 0),
    osName: def(i.OSName, ''),
    osType: def(i.OSType, ''),
    status: def(i.status, ''),
    regionId: def(i.regionId, regionId),
    zoneId: def(i.zoneId, ''),
    instanceChargeType: def(i.instanceChargeType, ''),
    creationTime: def(i.creationTime, ''),
    privateIpAddresses: i.vpcAttributes?.privateIpAddress?.ipAddress ?? [],
    publicIpAddresses: i.publicIpAddress?.ipAddress ?? [],
    securityGroupIds: i.securityGroupIds?.securityGroupId ?? [],
    tags: tagsOf(i.tags),
  };
  if (i.expiredTime) out.expiredTime = i.expiredTime;
  if (i.resourceGroupId) out.resourceGroupId = i.resourceGroupId;
  if (i.keyPairName) out.keyPairName = i.keyPairName;
  if (i.vpcAttributes?.vpcId) out.vpcId = i.vpcAttributes.vpcId;
  if (i.vpcAttributes?.vSwitchId) out.vSwitchId = i.vpcAttributes.vSwitchId;
  if (i.eipAddress?.allocationId) out.eip = { allocationId: i.eipAddress.allocationId, ipAddress: def(i.eipAddress.ipAddress, '') };
  return out;
}
