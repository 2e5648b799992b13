/** scan-region: one stage of a scan or of one account × region slice per async invocation. Wiring only. */
import { createDeps, type Deps } from '../../lib/fc/deps';
import { createFcHandler } from '../../lib/fc/handler';
import { scanRegionActions } from '../../lib/inventory';

export const handler = createFcHandler<Deps>({
  actions: scanRegionActions(),
  makeDeps: createDeps,
});
