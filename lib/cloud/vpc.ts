/** VPC 2016-04-28 wrappers over the generic RPC client (no VPC SDK is loaded: openapi-core only). */
import {
  bool,
  chunks,
  DRY_RUN_OK,
  list,
  MAX_PAGES,
  num,
  obj,
  optStr,
  rpcCall,
  str,
  strings,
  type CallCtx,
} from './call';
import { flattenParams } from './transport';
import type { Eip, RouteEntry, Tag, VSwitch, Vpc, VpcApi } from './types';

const VPC_PAGE = 50;
const VSWITCH_PAGE = 50;
const EIP_PAGE = 100;
const ROUTE_PAGE = 100;
const VPC_IDS_PER_CALL = 20;

const tagsOf = (v: unknown): Tag[] => list(v, 'Tag').map((t) => ({ key: str(t.Key), value: str(t.Value) }));
const tagParams = (tags?: Tag[]) =>
  tags ? flattenParams({ Tag: tags.map((t) => ({ Key: t.key, Value: t.value })) }) : {};

export function mapVpc(v: Record<string, unknown>): Vpc {
  const out: Vpc = {
    vpcId: str(v.VpcId),
    vpcName: str(v.VpcName),
    cidrBlock: str(v.CidrBlock),
    status: str(v.Status),
    vRouterId: str(v.VRouterId),
    routeTableIds: strings(v.RouterTableIds, 'RouterTableIds'),
    vSwitchIds: strings(v.VSwitchIds, 'VSwitchId'),
    isDefault: bool(v.IsDefault),
    tags: tagsOf(v.Tags),
  };
  const ct = optStr(v.CreationTime);
  if (ct) out.creationTime = ct;
  return out;
}

export function mapVSwitch(v: Record<string, unknown>): VSwitch {
  const out: VSwitch = {
    vSwitchId: str(v.VSwitchId),
    vpcId: str(v.VpcId),
    zoneId: str(v.ZoneId),
    cidrBlock: str(v.CidrBlock),
    status: str(v.Status),
    vSwitchName: str(v.VSwitchName),
    tags: tagsOf(v.Tags),
  };
  if (v.AvailableIpAddressCount !== undefined) out.availableIpAddressCount = num(v.AvailableIpAddressCount);
  const rt = optStr(obj(v.RouteTable).RouteTableId);
  if (rt) out.routeTableId = rt;
  return out;
}

export function mapRouteEntry(r: Record<string, unknown>): RouteEntry {
  const out: RouteEntry = {
    routeTableId: str(r.RouteTableId),
    destinationCidrBlock: str(r.DestinationCidrBlock),
    type: str(r.Type),
    status: str(r.Status),
    nextHops: list(r.NextHops, 'NextHop').map((h) => ({
      nextHopType: str(h.NextHopType),
      nextHopId: str(h.NextHopId),
    })),
  };
  const id = optStr(r.RouteEntryId);
  if (id) out.routeEntryId = id;
  return out;
}

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

/** Page* listing: pages until `TotalCount` is reached or a short page arrives. */
async function allPages(
  fetch: (page: number) => Promise<Record<string, unknown>>,
  items: (b: Record<string, unknown>) => Record<string, unknown>[],
  pageSize: number,
) {
  const out: Record<string, unknown>[] = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    const b = await fetch(page);
    const got = items(b);
    out.push(...got);
    const total = num(b.TotalCount);
    // TotalCount decides when present (a cloud may cap the page below what we asked).
    if (got.length === 0 || (total > 0 ? out.length >= total : got.length < pageSize)) break;
  }
  return out;
}

export function createVpcApi(ctx: CallCtx): VpcApi {
  const RegionId = ctx.transport.regionId;
  const api = {
    async createVpc(input: {
      cidrBlock: string;
      vpcName?: string;
      description?: string;
      tags?: Tag[];
      clientToken?: string;
      dryRun?: boolean;
    }) {
      const b = await rpcCall(
        ctx,
        'Vpc',
        'CreateVpc',
        {
          RegionId,
          CidrBlock: input.cidrBlock,
          VpcName: input.vpcName,
          Description: input.description,
          ClientToken: input.clientToken,
          ...tagParams(input.tags),
        },
        { dryRun: input.dryRun === true },
      );
      if (input.dryRun) return DRY_RUN_OK;
      return { vpcId: str(b.VpcId), vRouterId: str(b.VRouterId), routeTableId: str(b.RouteTableId) };
    },

    async describeVpcs(input: { vpcIds?: string[]; vpcName?: string; dryRun?: boolean } = {}) {
      if (input.vpcIds && input.vpcIds.length === 0) return input.dryRun ? DRY_RUN_OK : [];
      const out: Vpc[] = [];
      for (const ids of input.vpcIds ? chunks(input.vpcIds, VPC_IDS_PER_CALL) : [undefined]) {
        const items = await allPages(
          (page) =>
            rpcCall(
              ctx,
              'Vpc',
              'DescribeVpcs',
              { RegionId, VpcId: ids?.join(','), VpcName: input.vpcName, PageNumber: page, PageSize: VPC_PAGE },
              { dryRun: input.dryRun === true },
            ),
          (b) => list(b, 'Vpcs', 'Vpc'),
          VPC_PAGE,
        );
        if (input.dryRun) return DRY_RUN_OK;
        out.push(...items.map(mapVpc));
      }
      return out;
    },

    async deleteVpc(input: { vpcId: string; clientToken?: string; dryRun?: boolean }) {
      await rpcCall(
        ctx,
        'Vpc',
        'DeleteVpc',
        { RegionId, VpcId: input.vpcId, ClientToken: input.clientToken },
        { dryRun: input.dryRun === true },
      );
      return input.dryRun ? DRY_RUN_OK : undefined;
    },

    async createVSwitch(input: {
      vpcId: string;
      zoneId: string;
      cidrBlock: string;
      vSwitchName?: string;
      tags?: Tag[];
      clientToken?: string;
      dryRun?: boolean;
    }) {
      const b = await rpcCall(
        ctx,
        'Vpc',
        'CreateVSwitch',
        {
          RegionId,
          VpcId: input.vpcId,
          ZoneId: input.zoneId,
          CidrBlock: input.cidrBlock,
          VSwitchName: input.vSwitchName,
          ClientToken: input.clientToken,
          ...tagParams(input.tags),
        },
        { dryRun: input.dryRun === true },
      );
      if (input.dryRun) return DRY_RUN_OK;
      return { vSwitchId: str(b.VSwitchId) };
    },

    async describeVSwitches(input: { vpcId?: string; vSwitchId?: string; zoneId?: string; dryRun?: boolean } = {}) {
      const items = await allPages(
        (page) =>
          rpcCall(
            ctx,
            'Vpc',
            'DescribeVSwitches',
            {
              RegionId,
              VpcId: input.vpcId,
              VSwitchId: input.vSwitchId,
              ZoneId: input.zoneId,
              PageNumber: page,
              PageSize: VSWITCH_PAGE,
            },
            { dryRun: input.dryRun === true },
          ),
        (b) => list(b, 'VSwitches', 'VSwitch'),
        VSWITCH_PAGE,
      );
      if (input.dryRun) return DRY_RUN_OK;
      return items.map(mapVSwitch);
    },

    async deleteVSwitch(input: { vSwitchId: string; dryRun?: boolean }) {
      await rpcCall(
        ctx,
        'Vpc',
        'DeleteVSwitch',
        { RegionId, VSwitchId: input.vSwitchId },
        { dryRun: input.dryRun === true },
      );
      return input.dryRun ? DRY_RUN_OK : undefined;
    },

    async createRouteEntry(input: {
      routeTableId: string;
      destinationCidrBlock: string;
      nextHopId: string;
      nextHopType?: string;
      routeEntryName?: string;
      clientToken?: string;
      dryRun?: boolean;
    }) {
      const b = await rpcCall(
        ctx,
        'Vpc',
        'CreateRouteEntry',
        {
          RegionId,
          RouteTableId: input.routeTableId,
          DestinationCidrBlock: input.destinationCidrBlock,
          NextHopType: input.nextHopType ?? 'Instance',
          NextHopId: input.nextHopId,
          RouteEntryName: input.routeEntryName,
          ClientToken: input.clientToken,
        },
        { dryRun: input.dryRun === true },
      );
      if (input.dryRun) return DRY_RUN_OK;
      return { routeEntryId: str(b.RouteEntryId) };
    },

    async describeRouteEntryList(input: {
      routeTableId: string;
      destinationCidrBlock?: string;
      routeEntryType?: string;
    }): Promise<RouteEntry[]> {
      const out: RouteEntry[] = [];
      let nextToken: string | undefined;
      for (let page = 1; page <= MAX_PAGES; page++) {
        const b = await rpcCall(ctx, 'Vpc', 'DescribeRouteEntryList', {
          RegionId,
          RouteTableId: input.routeTableId,
          DestinationCidrBlock: input.destinationCidrBlock,
          RouteEntryType: input.routeEntryType,
          MaxResult: ROUTE_PAGE,
          NextToken: nextToken,
        });
        out.push(
          ...list(b, 'RouteEntrys', 'RouteEntry').map((r) => ({
            ...mapRouteEntry(r),
            routeTableId: str(r.RouteTableId) || input.routeTableId,
          })),
        );
        nextToken = optStr(b.NextToken);
        if (!nextToken) break;
      }
      return out;
    },

    async deleteRouteEntry(input: {
      routeTableId: string;
      routeEntryId?: string;
      destinationCidrBlock?: string;
      nextHopId?: string;
      dryRun?: boolean;
    }) {
      await rpcCall(
        ctx,
        'Vpc',
        'DeleteRouteEntry',
        {
          RegionId,
          RouteTableId: input.routeTableId,
          RouteEntryId: input.routeEntryId,
          DestinationCidrBlock: input.destinationCidrBlock,
          NextHopId: input.nextHopId,
        },
        { dryRun: input.dryRun === true },
      );
      return input.dryRun ? DRY_RUN_OK : undefined;
    },

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

    async describeEips(input: { allocationId?: string; associatedInstanceId?: string; eipAddress?: string } = {}) {
      const items = await allPages(
        (page) =>
          rpcCall(ctx, 'Vpc', 'DescribeEipAddresses', {
            RegionId,
            AllocationId: input.allocationId,
            AssociatedInstanceId: input.associatedInstanceId,
            AssociatedInstanceType: input.associatedInstanceId ? 'EcsInstance' : undefined,
            EipAddress: input.eipAddress,
            PageNumber: page,
            PageSize: EIP_PAGE,
          }),
        (b) => list(b, 'EipAddresses', 'EipAddress'),
        EIP_PAGE,
      );
      return items.map(mapEip);
    },
  };
  return api as unknown as VpcApi;
}
