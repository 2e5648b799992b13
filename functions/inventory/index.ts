/** inventory: scans and assets (docs/API.md §1) and the periodic-scan timer. Wiring only; the domain is lib/inventory. */
import { authenticateBearer } from '../../lib/auth';
import { createDeps, type Deps } from '../../lib/fc/deps';
import { createFcHandler } from '../../lib/fc/handler';
import { inventoryActions, onPeriodicScan } from '../../lib/inventory';

export const handler = createFcHandler<Deps>({
  actions: inventoryActions(),
  makeDeps: createDeps,
  authenticate: authenticateBearer,
  onTimer: onPeriodicScan,
});
