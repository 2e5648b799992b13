/** VPC 2016-04-28 EIPs: allocate, associate, unassociate, release, and every page of DescribeEipAddresses. */
import { chunks, num, optStr, rpcCall, str, list, type CallCtx } from './call';
import type { Eip, Tag, VpcApi } from './types';
import { allPages, tagParams, tagsOf } from './vpc-common';

const EIP_PAGE = 100;
/** DescribeEipAddresses takes at most 50 comma-separated AllocationIds. */
const EIP_IDS_PER_CALL = 50;

export function mapEip(e: Record<string, unknown>): Eip {
  const out: Eip = {
    allocationId: str(e.AllocationId),
    ipAddress: str(e.IpAddress),
    status: str(e.Status),
    bandwidthMbps: num(e.Bandwidth),
    internetChargeType: str(e.InternetChargeType),
    tags: tagsOf(e.Tags),
  };
  const inst = optStr(e.InstanceId);
  if (inst) out.instanceId = inst;
  const it = optStr(e.InstanceType);
  if (it) out.instanceType = it;
  const name = optStr(e.Name);
  if (name) out.name = name;
  return out;
}

type EipApi = Pick<VpcApi, 'allocateEip' | 'associateEip' | 'unassociateEip' | 'releaseEip' | 'describeEips'>;

export function createVpcEips(ctx: CallCtx): EipApi {
  const RegionId = ctx.transport.regionId;
  return {
    async allocateEip(
      input: {
        bandwidthMbps?: number;
        internetChargeType?: string;
        name?: string;
        tags?: Tag[];
        clientToken?: string;
      } = {},
    ) {
      const b = await rpcCall(ctx, 'Vpc', 'AllocateEipAddress', {
        RegionId,
        Bandwidth: input.bandwidthMbps === undefined ? undefined : String(input.bandwidthMbps),
        InternetChargeType: input.internetChargeType ?? 'PayByTraffic',
        Name: input.name,
        ClientToken: input.clientToken,
        ...tagParams(input.tags),
      });
      return { allocationId: str(b.AllocationId), ipAddress: str(b.EipAddress) };
    },

    async associateEip(input: {
      allocationId: string;
      instanceId: string;
      instanceType?: string;
      clientToken?: string;
    }) {
      await rpcCall(ctx, 'Vpc', 'AssociateEipAddress', {
        RegionId,
        AllocationId: input.allocationId,
        InstanceId: input.instanceId,
        InstanceType: input.instanceType ?? 'EcsInstance',
        ClientToken: input.clientToken,
      });
    },

    async unassociateEip(input: {
      allocationId: string;
      instanceId?: string;
      instanceType?: string;
      clientToken?: string;
    }) {
      await rpcCall(ctx, 'Vpc', 'UnassociateEipAddress', {
        RegionId,
        AllocationId: input.allocationId,
        InstanceId: input.instanceId,
        InstanceType: input.instanceId ? (input.instanceType ?? 'EcsInstance') : input.instanceType,
        ClientToken: input.clientToken,
      });
    },

    async releaseEip(input: { allocationId: string }) {
      await rpcCall(ctx, 'Vpc', 'ReleaseEipAddress', { RegionId, AllocationId: input.allocationId });
    },

    async describeEips(
      input: {
        allocationId?: string;
        allocationIds?: string[];
        associatedInstanceId?: string;
        eipAddress?: string;
        tags?: Tag[];
      } = {},
    ) {
      if (input.allocationIds && input.allocationIds.length === 0) return [];
      const byIds = input.allocationIds ? chunks(input.allocationIds, EIP_IDS_PER_CALL) : [undefined];
      const items: Record<string, unknown>[] = [];
      for (const ids of byIds) {
        items.push(
          ...(await allPages(
            (page) =>
              rpcCall(ctx, 'Vpc', 'DescribeEipAddresses', {
                RegionId,
                AllocationId: ids ? ids.join(',') : input.allocationId,
                AssociatedInstanceId: input.associatedInstanceId,
                AssociatedInstanceType: input.associatedInstanceId ? 'EcsInstance' : undefined,
                EipAddress: input.eipAddress,
                PageNumber: page,
                PageSize: EIP_PAGE,
                ...tagParams(input.tags),
              }),
            (b) => list(b, 'EipAddresses', 'EipAddress'),
            EIP_PAGE,
          )),
        );
      }
      return items.map(mapEip);
    },
  };
}
