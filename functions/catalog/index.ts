/** catalog: regions, zones, key pairs, images, instance types (docs/API.md §1). Wiring only; the domain is lib/catalog. */
import { authenticateBearer } from '../../lib/auth';
import { catalogActions } from '../../lib/catalog';
import { createDeps, type Deps } from '../../lib/fc/deps';
import { createFcHandler } from '../../lib/fc/handler';

export const handler = createFcHandler<Deps>({
  actions: catalogActions(),
  makeDeps: createDeps,
  authenticate: authenticateBearer,
});
