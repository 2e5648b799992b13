/**
 * ECS wrappers on the typed `@alicloud/ecs20140526` client (loaded lazily by the transport).
 * Listing calls follow every page; id lookups are batched at the API's limit.
 */
import type { CallCtx } from './call';
import { createEcsCatalog } from './ecs-catalog';
import { createEcsCommands } from './ecs-commands';
import { createEcsCompute } from './ecs-compute';
import { createEcsPower } from './ecs-power';
import type { EcsApi } from './types';

export { mapAvailableZones } from './ecs-catalog';
export { mapInstance } from './ecs-compute';

export function createEcsApi(ctx: CallCtx): EcsApi {
  const api: EcsApi = {
    ...createEcsCatalog(ctx),
    ...createEcsCompute(ctx),
    ...createEcsCommands(ctx),
    ...createEcsPower(ctx),
  };
  return api;
}
