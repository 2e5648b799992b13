/**
 * VPC 2016-04-28 wrappers over the generic RPC client (no VPC SDK is loaded: openapi-core only):
 * VPCs, VSwitches, route tables and entries here; EIPs in vpc-eips.ts.
 */
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
import type { RouteEntry, RouteTable, Tag, VSwitch, Vpc, VpcApi } from './types';
import { allPages, tagParams, tagsOf } from './vpc-common';
import { createVpcEips } from './vpc-eips';

export { mapEip } from './vpc-eips';

const VPC_PAGE = 50;
const VSWITCH_PAGE = 50;
const ROUTE_PAGE = 100;
const VPC_IDS_PER_CALL = 20;
const ROUTE_TABLE_PAGE = 50;

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

export function mapRouteTable(t: Record<string, unknown>): RouteTable {
  return {
    routeTableId: str(t.RouteTableId),
    vpcId: str(t.VpcId),
    routerId: str(t.RouterId),
    routeTableType: str(t.RouteTableType),
    status: str(t.Status),
    vSwitchIds: strings(t.VSwitchIds, 'VSwitchId'),
    tags: tagsOf(t.Tags),
  };
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

    async describeVpcs(input: { vpcIds?: string[]; vpcName?: string; tags?: Tag[]; dryRun?: boolean } = {}) {
      if (input.vpcIds && input.vpcIds.length === 0) return input.dryRun ? DRY_RUN_OK : [];
      const out: Vpc[] = [];
      for (const ids of input.vpcIds ? chunks(input.vpcIds, VPC_IDS_PER_CALL) : [undefined]) {
        const items = await allPages(
          (page) =>
            rpcCall(
              ctx,
              'Vpc',
              'DescribeVpcs',
              {
                RegionId,
                VpcId: ids?.join(','),
                VpcName: input.vpcName,
                PageNumber: page,
                PageSize: VPC_PAGE,
                ...tagParams(input.tags),
              },
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

    async describeVSwitches(
      input: { vpcId?: string; vSwitchId?: string; zoneId?: string; tags?: Tag[]; dryRun?: boolean } = {},
    ) {
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
              ...tagParams(input.tags),
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

    async describeRouteTableList(input: { vpcId?: string; routeTableId?: string; tags?: Tag[] } = {}) {
      const items = await allPages(
        (page) =>
          rpcCall(ctx, 'Vpc', 'DescribeRouteTableList', {
            RegionId,
            VpcId: input.vpcId,
            RouteTableId: input.routeTableId,
            PageNumber: page,
            PageSize: ROUTE_TABLE_PAGE,
            ...tagParams(input.tags),
          }),
        (b) => list(b, 'RouterTableList', 'RouterTableListType'),
        ROUTE_TABLE_PAGE,
      );
      return items.map(mapRouteTable);
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

    ...createVpcEips(ctx),
  };
  return api as unknown as VpcApi;
}
