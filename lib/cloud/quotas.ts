/**
 * Quota Center 2020-05-10 (central endpoint `quotas.aliyuncs.com`, form body; no SDK is loaded:
 * generic RPC via openapi-core, as for Resource Center). Reading quotas needs
 * `quotas:ListProductQuotas` / `quotas:GetProductQuota`: a key without them gets a permission
 * error (kind `permission`), which callers treat as "quota unknown", not as a failure.
 */
import { bool, list, MAX_PAGES, num, obj, optStr, rpcCall, str, type CallCtx } from './call';
import { flattenParams } from './transport';
import type { ProductQuota, QuotasApi } from './types';

const PAGE = 100;

const dimensionParams = (d?: Record<string, string>) =>
  d ? flattenParams({ Dimensions: Object.entries(d).map(([Key, Value]) => ({ Key, Value })) }) : {};

export function mapQuota(q: Record<string, unknown>): ProductQuota {
  const dims: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj(q.Dimensions))) dims[k] = str(v);
  const out: ProductQuota = {
    productCode: str(q.ProductCode),
    quotaActionCode: str(q.QuotaActionCode),
    quotaName: str(q.QuotaName),
    description: str(q.QuotaDescription),
    totalQuota: num(q.TotalQuota),
    totalUsage: num(q.TotalUsage),
    adjustable: bool(q.Adjustable),
    dimensions: dims,
  };
  const unit = optStr(q.QuotaUnit);
  if (unit) out.unit = unit;
  const arn = optStr(q.QuotaArn);
  if (arn) out.quotaArn = arn;
  return out;
}

export function createQuotasApi(ctx: CallCtx): QuotasApi {
  return {
    async getProductQuota(input) {
      const b = await rpcCall(ctx, 'Quotas', 'GetProductQuota', {
        ProductCode: input.productCode,
        QuotaActionCode: input.quotaActionCode,
        ...dimensionParams(input.dimensions),
      });
      return mapQuota(obj(b.Quota));
    },

    async listProductQuotas(input) {
      const out: ProductQuota[] = [];
      let nextToken: string | undefined;
      for (let page = 1; page <= MAX_PAGES; page++) {
        const b = await rpcCall(ctx, 'Quotas', 'ListProductQuotas', {
          ProductCode: input.productCode,
          QuotaActionCode: input.quotaActionCode,
          QuotaCategory: input.quotaCategory,
          KeyWord: input.keyword,
          MaxResults: PAGE,
          NextToken: nextToken,
          ...dimensionParams(input.dimensions),
        });
        out.push(...list(b, 'Quotas').map(mapQuota));
        nextToken = optStr(b.NextToken);
        if (!nextToken) break;
      }
      return out;
    },
  };
}
