/** catalog: regions, zones, key pairs, images, instance types (docs/API.md §1). Thin wiring; the domain is lib/catalog. */
import { createFcHandler } from '../../lib/fc/handler';
import { authenticateBearer } from '../../lib/accounts';
import { createDeps, type Deps } from '../../lib/fc/deps';
import { catalogActions } from '../../lib/catalog';

export const handler = createFcHandler<Deps>({
  actions: catalogActions<Deps>(),
  makeDeps: createDeps,
  authenticate: authenticateBearer,
});
