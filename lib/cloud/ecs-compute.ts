/** ECS compute: security groups, instances, disks, deletes and public IPs. */
import { DRY_RUN_OK, type CallCtx } from './call';
import { def, ecsCaller, tagsOf, tokenPages, type ComputeApi, type TagModel } from './ecs-common';
import type { Disk, Instance, RunInstancesInput, SecurityGroup, SecurityGroupRule, Tag } from './types';

const INSTANCE_IDS_PER_CALL = 100;
const DISK_IDS_PER_CALL = 100;

export function createEcsCompute(ctx: CallCtx): ComputeApi {
  const regionId = ctx.transport.regionId;
  const ecs = ecsCaller(ctx);
  const api = {
    async createSecurityGroup(input: {
      vpcId: string;
      securityGroupName?: string;
      description?: string;
      tags?: Tag[];
      clientToken?: string;
    }) {
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

    async describeSecurityGroups(
      input: { securityGroupIds?: string[]; vpcId?: string; tags?: Tag[] } = {},
    ): Promise<SecurityGroup[]> {
      if (input.securityGroupIds && input.securityGroupIds.length === 0) return [];
      return tokenPages(input.securityGroupIds, 100, async (ids, nextToken) => {
        const r = await ecs('DescribeSecurityGroups', ({ client, m }) =>
          client.describeSecurityGroups(
            new m.DescribeSecurityGroupsRequest({
              regionId,
              vpcId: input.vpcId,
              securityGroupIds: ids ? JSON.stringify(ids) : undefined,
              tag: input.tags?.map((t) => new m.DescribeSecurityGroupsRequestTag(t)),
              maxResults: 100,
              nextToken,
            }),
          ),
        );
        const items = (r.body?.securityGroups?.securityGroup ?? []).map((g) => {
          const sg: SecurityGroup = {
            securityGroupId: def(g.securityGroupId, ''),
            securityGroupName: def(g.securityGroupName, ''),
            vpcId: def(g.vpcId, ''),
            tags: tagsOf(g.tags),
          };
          if (g.description) sg.description = g.description;
          if (g.creationTime) sg.creationTime = g.creationTime;
          if (g.resourceGroupId) sg.resourceGroupId = g.resourceGroupId;
          return sg;
        });
        return { items, nextToken: r.body?.nextToken };
      });
    },

    async authorizeSecurityGroup(input: { securityGroupId: string; rules: SecurityGroupRule[]; clientToken?: string }) {
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

    async runInstances(input: RunInstancesInput & { dryRun?: boolean }) {
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
                ? new m.RunInstancesRequestSystemDisk({
                    category: input.systemDisk.category,
                    size: input.systemDisk.sizeGiB === undefined ? undefined : String(input.systemDisk.sizeGiB),
                  })
                : undefined,
              userData:
                input.userData === undefined ? undefined : Buffer.from(input.userData, 'utf8').toString('base64'),
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

    async describeInstances(input: {
      instanceIds?: string[];
      vpcId?: string;
      status?: string;
      tags?: Tag[];
      dryRun?: boolean;
    }) {
      if (input.instanceIds && input.instanceIds.length === 0) return input.dryRun ? DRY_RUN_OK : [];
      const page = (ids: string[] | undefined, nextToken: string | undefined, dryRun?: boolean) =>
        ecs(
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
                nextToken,
                dryRun: dryRun || undefined,
              }),
            ),
          dryRun,
        );
      if (input.dryRun) {
        await page(input.instanceIds?.slice(0, INSTANCE_IDS_PER_CALL), undefined, true);
        return DRY_RUN_OK;
      }
      return tokenPages(input.instanceIds, INSTANCE_IDS_PER_CALL, async (ids, nextToken) => {
        const r = await page(ids, nextToken);
        return {
          items: (r.body?.instances?.instance ?? []).map((i) => mapInstance(i, regionId)),
          nextToken: r.body?.nextToken,
        };
      });
    },

    async describeDisks(input: { diskIds?: string[]; instanceId?: string; dryRun?: boolean }) {
      if (input.diskIds && input.diskIds.length === 0) return input.dryRun ? DRY_RUN_OK : [];
      const page = (ids: string[] | undefined, nextToken: string | undefined, dryRun?: boolean) =>
        ecs(
          'DescribeDisks',
          ({ client, m }) =>
            client.describeDisks(
              new m.DescribeDisksRequest({
                regionId,
                diskIds: ids ? JSON.stringify(ids) : undefined,
                instanceId: input.instanceId,
                maxResults: 500,
                nextToken,
                dryRun: dryRun || undefined,
              }),
            ),
          dryRun,
        );
      if (input.dryRun) {
        await page(input.diskIds?.slice(0, DISK_IDS_PER_CALL), undefined, true);
        return DRY_RUN_OK;
      }
      return tokenPages(input.diskIds, DISK_IDS_PER_CALL, async (ids, nextToken) => {
        const r = await page(ids, nextToken);
        const items = (r.body?.disks?.disk ?? []).map((d) => {
          const disk: Disk = {
            diskId: def(d.diskId, ''),
            category: def(d.category, ''),
            sizeGiB: def(d.size, 0),
            status: def(d.status, ''),
            type: def(d.type, ''),
            encrypted: d.encrypted === true,
            deleteWithInstance: d.deleteWithInstance === true,
            zoneId: def(d.zoneId, ''),
            tags: tagsOf(d.tags),
          };
          if (d.diskName) disk.diskName = d.diskName;
          if (d.instanceId) disk.instanceId = d.instanceId;
          if (d.diskChargeType) disk.diskChargeType = d.diskChargeType;
          return disk;
        });
        return { items, nextToken: r.body?.nextToken };
      });
    },

    async deleteInstance(input: { instanceId: string; force?: boolean; dryRun?: boolean }) {
      await ecs(
        'DeleteInstance',
        ({ client, m }) =>
          client.deleteInstance(
            new m.DeleteInstanceRequest({
              instanceId: input.instanceId,
              force: input.force ?? true,
              dryRun: input.dryRun || undefined,
            }),
          ),
        input.dryRun,
      );
      return input.dryRun ? DRY_RUN_OK : undefined;
    },

    async deleteSecurityGroup(input: { securityGroupId: string }) {
      await ecs('DeleteSecurityGroup', ({ client, m }) =>
        client.deleteSecurityGroup(
          new m.DeleteSecurityGroupRequest({ regionId, securityGroupId: input.securityGroupId }),
        ),
      );
    },

    async allocatePublicIpAddress(input: { instanceId: string }) {
      const r = await ecs('AllocatePublicIpAddress', ({ client, m }) =>
        client.allocatePublicIpAddress(new m.AllocatePublicIpAddressRequest({ instanceId: input.instanceId })),
      );
      return { ipAddress: def(r.body?.ipAddress, '') };
    },
  };
  return api as unknown as ComputeApi;
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
  if (i.eipAddress?.allocationId)
    out.eip = { allocationId: i.eipAddress.allocationId, ipAddress: def(i.eipAddress.ipAddress, '') };
  return out;
}
