/**
 * ECS wrappers on the typed `@alicloud/ecs20140526` client (loaded lazily by the transport).
 * Listing calls follow every page; id lookups are batched at the API's limit.
 */
import type { CallCtx } from './call';
import { createEcsCatalog } from './ecs-catalog';
import { createEcsCompute } from './ecs-compute';
import type { EcsApi } from './types';

export { mapAvailableZones } from './ecs-catalog';
export { mapInstance } from './ecs-compute';

export function createEcsApi(ctx: CallCtx): EcsApi {
  return { ...createEcsCatalog(ctx), ...createEcsCompute(ctx) } as EcsApi;
}
