/**
 * Quota Center 2020-05-10: ListProductQuotas and GetProductQuota over the account's quotas
 * (`account.quotas`, admin `POST /__sandbox/accounts/{id}/quotas`) and the fixed limits the
 * sandbox enforces, with usage counted from the live resources.
 */
import type { OpContext } from '../openapi/types';
import { apiError } from './errors';
import { begin } from './context';
import { vpcStatus, type Clock } from './lifecycle';
import { int, opt, structN } from './params';
import type { CloudState } from './state';
import { VSWITCHES_PER_VPC } from './vpc-vswitches';

interface QuotaDef {
  product: string;
  code: string;
  name: string;
  description: string;
  total: number;
  /** Usage in one region (undefined: the highest of the account's regions). */
  usage: (regionId: string | undefined) => number;
  /** Whether the `regionId` dimension applies (region-named quotas carry the region in the code). */
  regional: boolean;
  /** The region a region-named quota is for. */
  regionOf?: string;
}

const err = (code: string, message: string) => apiError(code, 400, message);

/** Highest value of `f` over the account's regions (or `f(regionId)` when one is given). */
const perRegion = (regions: string[], f: (r: string) => number) => (regionId: string | undefined) =>
  regionId ? f(regionId) : Math.max(0, ...regions.map(f));

/** The quotas of an account, computed now. */
function quotaDefs(ctx: OpContext, s: CloudState, c: Clock): QuotaDef[] {
  const q = ctx.account.quotas;
  const regions = ctx.account.regions;
  const vpcs = (r: string) => s.vpcs.filter((v) => v.regionId === r && vpcStatus(v, c) !== null).length;
  const maxOf = (xs: number[]) => Math.max(0, ...xs);
  const vswitchesPerVpc = (r: string) =>
    maxOf(s.vpcs.filter((v) => v.regionId === r).map((v) => s.vSwitches.filter((w) => w.vpcId === v.id).length));
  const routesPerTable = (r: string) =>
    maxOf(
      s.vpcs
        .filter((v) => v.regionId === r)
        .map((v) => s.routeEntries.filter((e) => e.routeTableId === v.routeTableId && e.type === 'Custom').length),
    );
  const eips = (r: string) => s.eips.filter((e) => e.regionId === r).length;
  return [
    {
      product: 'vpc',
      code: 'vpc_quota_instances_num',
      name: 'vpc_quota_instances_num',
      description: 'The number of VPCs that can be created in a region.',
      total: q.vpcsPerRegion,
      usage: perRegion(regions, vpcs),
      regional: true,
    },
    ...regions.map(
      (r): QuotaDef => ({
        product: 'vpc',
        code: `vpc_quota_instances_num_${r}`,
        name: `vpc_quota_instances_num_${r}`,
        description: `The number of VPCs that can be created in ${r}.`,
        total: q.vpcsPerRegion,
        usage: () => vpcs(r),
        regional: false,
        regionOf: r,
      }),
    ),
    {
      product: 'vpc',
      code: 'vpc_quota_vswitches_num',
      name: 'vpc_quota_vswitches_num',
      description: 'The number of vSwitches that can be created in a VPC.',
      total: VSWITCHES_PER_VPC,
      usage: perRegion(regions, vswitchesPerVpc),
      regional: true,
    },
    {
      product: 'vpc',
      code: 'vpc_quota_route_entrys_num',
      name: 'vpc_quota_route_entrys_num',
      description: 'The number of custom route entries that can be created in a route table.',
      total: q.routesPerTable,
      usage: perRegion(regions, routesPerTable),
      regional: true,
    },
    {
      product: 'eip',
      code: 'eip_quota_instances_num',
      name: 'eip_quota_instances_num',
      description: 'The number of EIPs that can be held.',
      total: q.eipsPerRegion,
      usage: perRegion(regions, eips),
      regional: true,
    },
  ];
}

/** `Dimensions.N.Key/Value`: only `regionId` (one of the account's regions) is supported. */
function regionDimension(ctx: OpContext): string | undefined {
  let regionId: string | undefined;
  for (const d of structN(ctx.params, 'Dimensions')) {
    const key = String(d.Key ?? '');
    const value = String(d.Value ?? '');
    if (key !== 'regionId') throw err('QUOTA.DIMENSION.UNSUPPORT', 'The entered quota dimension key is not supported.');
    if (!ctx.account.regions.includes(value))
      throw err('QUOTA.DIMENSION.VALUE.UNSUPPORT', 'The entered quota dimension value is not supported.');
    regionId = value;
  }
  return regionId;
}

function view(ctx: OpContext, d: QuotaDef, regionId: string | undefined) {
  const usage = d.usage(regionId);
  return {
    ProductCode: d.product,
    QuotaActionCode: d.code,
    QuotaName: d.name,
    QuotaDescription: d.description,
    QuotaArn: `acs:quotas:cn-hangzhou:${ctx.account.accountId}:quota/${d.product}/${d.code}/`,
    QuotaCategory: 'CommonQuota',
    QuotaType: 'normal',
    QuotaUnit: 'AMOUNT',
    TotalQuota: d.total,
    TotalUsage: usage,
    Adjustable: true,
    ApplicableType: 'continuous',
    ApplicableRange: [d.total + 1, 10_000],
    SupportedRange: [],
    Consumable: true,
    Dimensions: d.regionOf ? { regionId: d.regionOf } : d.regional && regionId ? { regionId } : {},
    GlobalQuota: false,
    Period: { PeriodValue: 0, PeriodUnit: 'day' },
    QuotaItems: [{ Type: 'BaseQuota', Quota: String(d.total), QuotaUnit: 'AMOUNT', Usage: String(usage) }],
    UnadjustableDetail: '',
    ApplyReasonTips: '',
  };
}

const productCode = (ctx: OpContext) => {
  const p = opt(ctx.params, 'ProductCode');
  if (!p) throw err('MissingProductCode', 'ProductCode is missing');
  return p;
};

const encodeNext = (offset: number) => Buffer.from(`quotas:${offset}`).toString('base64');
function decodeNext(token: string | undefined): number {
  if (!token) return 0;
  const m = /^quotas:(\d{1,9})$/.exec(Buffer.from(token, 'base64').toString('utf8'));
  if (!m) throw err('PARAMETER.ILLEGALL', 'The specified parameter is invalid.');
  return Number(m[1]);
}

export function listProductQuotas(ctx: OpContext) {
  const { s, c } = begin(ctx);
  const p = ctx.params;
  const product = productCode(ctx);
  const max = int(p, 'MaxResults', {
    def: 30,
    min: 1,
    max: 100,
    code: 'INVALID.MAX.RESULTS',
    message: 'The maxResults parameter is invalid. Use an integer ranging from 1 to 100.',
  });
  const regionId = regionDimension(ctx);
  const category = opt(p, 'QuotaCategory') ?? 'CommonQuota';
  const code = opt(p, 'QuotaActionCode');
  const keyword = opt(p, 'KeyWord')?.toLowerCase();
  const all = quotaDefs(ctx, s, c).filter(
    (d) =>
      category === 'CommonQuota' &&
      d.product === product &&
      (!code || d.code === code) &&
      (!regionId || d.regional || d.code.endsWith(`_${regionId}`)) &&
      (!keyword || `${d.code} ${d.description}`.toLowerCase().includes(keyword)),
  );
  const offset = decodeNext(opt(p, 'NextToken'));
  const items = all.slice(offset, offset + max);
  return {
    TotalCount: all.length,
    MaxResults: max,
    ...(offset + max < all.length ? { NextToken: encodeNext(offset + max) } : {}),
    Quotas: items.map((d) => view(ctx, d, regionId)),
  };
}

export function getProductQuota(ctx: OpContext) {
  const { s, c } = begin(ctx);
  const product = productCode(ctx);
  const code = opt(ctx.params, 'QuotaActionCode');
  if (!code)
    throw apiError(
      'MissingParameter',
      400,
      'The input parameter "QuotaActionCode" that is mandatory for processing this request is not supplied.',
    );
  const regionId = regionDimension(ctx);
  const d = quotaDefs(ctx, s, c).find((x) => x.product === product && x.code === code);
  if (!d) throw err('QUOTA.NOT.FOUND', 'The quota does not exist.');
  return { Quota: view(ctx, d, regionId) };
}
