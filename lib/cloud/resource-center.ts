/** Resource Center 2022-12-01 (no npm SDK exists: generic RPC via openapi-core). */
import { list, num, obj, optStr, rpcCall, str, strings, type CallCtx } from './call';
import { flattenParams } from './transport';
import type { CloudResource, ResourceCenterApi, ResourceFilter } from './types';

/** SearchResources takes MaxResults 1..100 (default 20); more is refused with InvalidParameter.MaxResults. */
const MAX_RESULTS = 100;
const MAX_PAGES = 10_000;

export function mapResource(r: Record<string, unknown>): CloudResource {
  const out: CloudResource = {
    accountId: str(r.AccountId),
    resourceId: str(r.ResourceId),
    resourceType: str(r.ResourceType),
    resourceName: str(r.ResourceName),
    regionId: str(r.RegionId),
    tags: (Array.isArray(r.Tags) ? r.Tags : []).map((t) => ({ key: str(obj(t).Key), value: str(obj(t).Value) })),
    ipAddresses: strings(r, 'IpAddresses'),
    ipAddressAttributes: (Array.isArray(r.IpAddressAttributes) ? r.IpAddressAttributes : []).map((a) => {
      const x = obj(a);
      const v: CloudResource['ipAddressAttributes'][number] = {
        ipAddress: str(x.IpAddress),
        networkType: str(x.NetworkType),
      };
      const ver = optStr(x.Version);
      if (ver) v.version = ver;
      return v;
    }),
  };
  for (const [k, f] of [
    ['zoneId', 'ZoneId'],
    ['createTime', 'CreateTime'],
    ['expireTime', 'ExpireTime'],
    ['resourceGroupId', 'ResourceGroupId'],
  ] as const) {
    const v = optStr(r[f]);
    if (v) out[k] = v;
  }
  return out;
}

/** `Filter.N.Key`, `Filter.N.MatchType`, `Filter.N.Value.M` (≤ 10 filters, AND between, OR within). */
export function filterParams(filters: ResourceFilter[] = []): Record<string, string> {
  return flattenParams({
    Filter: filters.map((f) => ({ Key: f.key, MatchType: f.matchType ?? 'Equals', Value: f.values })),
  });
}

export function createResourceCenterApi(ctx: CallCtx): ResourceCenterApi {
  const page = async (input: { filters?: ResourceFilter[]; maxResults?: number; nextToken?: string }) => {
    const b = await rpcCall(ctx, 'ResourceCenter', 'SearchResources', {
      MaxResults: Math.max(1, Math.min(MAX_RESULTS, input.maxResults ?? MAX_RESULTS)),
      NextToken: input.nextToken,
      ...filterParams(input.filters),
      'SortCriterion.Key': 'CreateTime',
      'SortCriterion.Order': 'ASC',
    });
    const res = list(b, 'Resources').map(mapResource);
    const next = optStr(b.NextToken)?.trim();
    return next ? { resources: res, nextToken: next } : { resources: res };
  };
  return {
    async getServiceStatus() {
      const b = await rpcCall(ctx, 'ResourceCenter', 'GetResourceCenterServiceStatus', {});
      return { enabled: str(b.ServiceStatus) === 'Enabled', initialized: str(b.InitialStatus) === 'Finished' };
    },
    searchResources: page,
    async searchAllResources(input) {
      const out: CloudResource[] = [];
      let nextToken: string | undefined;
      for (let i = 0; i < MAX_PAGES; i++) {
        const p = await page(nextToken ? { ...input, nextToken } : input);
        out.push(...p.resources);
        if (!p.nextToken || num(p.resources.length) === 0) break;
        nextToken = p.nextToken;
      }
      return out;
    },
  };
}
