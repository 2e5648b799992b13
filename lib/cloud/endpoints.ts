/**
 * Where signed requests go. Only Alibaba's own hosts, or — in sandbox mode only — the configured
 * sandbox endpoint: nothing stored with an account (region id, endpoint) can send a signed
 * request anywhere else.
 */
import { AppError } from '../core/errors';
import type { Config } from '../core/config';
import { REGION_ID_RE } from '../core/ids';

export type Product = 'Ecs' | 'Vpc' | 'Sts' | 'ResourceCenter' | 'Kms' | 'Quotas';

export interface Endpoint {
  host: string;
  protocol: 'https' | 'http';
}

/** ECS regions whose endpoint is not `ecs.<region>.aliyuncs.com` (seed `ecsEndpoint`, SDK endpoint map). */
const ECS_SPECIAL: Record<string, string> = {
  'cn-hangzhou': 'ecs-cn-hangzhou.aliyuncs.com',
};

export function assertRegionId(regionId: string): void {
  if (typeof regionId !== 'string' || !REGION_ID_RE.test(regionId)) {
    throw new AppError('ValidationFailed', 'the region id is not valid', {
      details: [{ path: 'regionId', problem: 'must look like cn-hangzhou' }],
    });
  }
}

/** The Alibaba endpoint of a product in a region. */
export function alibabaEndpoint(product: Product, regionId: string): string {
  assertRegionId(regionId);
  switch (product) {
    case 'Ecs':
      return ECS_SPECIAL[regionId] ?? `ecs.${regionId}.aliyuncs.com`;
    case 'Vpc':
      return `vpc.${regionId}.aliyuncs.com`;
    case 'Kms':
      return `kms.${regionId}.aliyuncs.com`;
    case 'Sts':
      return 'sts.aliyuncs.com';
    case 'ResourceCenter':
      return 'resourcecenter.aliyuncs.com';
    case 'Quotas':
      // The SDK's endpoint rule for quotas is "central": one endpoint for every region.
      return 'quotas.aliyuncs.com';
  }
}

const ALIBABA_HOST = /^[a-z0-9-]+(\.[a-z0-9-]+)*\.aliyuncs\.com$/;

/**
 * Resolves the endpoint for a call. `override` (e.g. an endpoint stored with an account) is only
 * honoured when it is an Alibaba host, or equals `config.sandboxEndpoint` in sandbox mode.
 */
export function resolveEndpoint(
  product: Product,
  regionId: string,
  config: Pick<Config, 'sandboxEndpoint'>,
  override?: string,
): Endpoint {
  assertRegionId(regionId);
  if (override !== undefined) return checkOverride(override, config);
  if (config.sandboxEndpoint) return { host: config.sandboxEndpoint, protocol: 'http' };
  return { host: alibabaEndpoint(product, regionId), protocol: 'https' };
}

function checkOverride(override: string, config: Pick<Config, 'sandboxEndpoint'>): Endpoint {
  if (config.sandboxEndpoint) {
    if (override === config.sandboxEndpoint) return { host: override, protocol: 'http' };
  } else if (ALIBABA_HOST.test(override)) {
    return { host: override, protocol: 'https' };
  }
  throw new AppError(
    'ValidationFailed',
    'the endpoint is not allowed: only Alibaba Cloud endpoints (or the configured sandbox in sandbox mode) are accepted',
    {
      details: [{ path: 'endpoint', problem: 'not an allowed endpoint' }],
    },
  );
}
