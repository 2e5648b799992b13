/** catalog: regions, zones, key pairs, images, instance types (API.md §1). Thin wiring; the domain is lib/catalog. */
import { createFcHandler } from '../../lib/fc/handler';
import { authenticateBearer, type DomainDeps } from '../../lib/accounts';
import { createDomainDeps } from '../../lib/accounts/wiring';
import { catalogActions } from '../../lib/catalog';

export const handler = createFcHandler<DomainDeps>({
  actions: catalogActions<DomainDeps>(),
  makeDeps: createDomainDeps,
  authenticate: authenticateBearer,
});
