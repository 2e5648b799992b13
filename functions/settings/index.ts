/** settings: tokens and accounts (API.md §1). Thin wiring; the domain is lib/accounts and lib/auth. */
import { createFcHandler } from '../../lib/fc/handler';
import { authenticateBearer, settingsActions, type DomainDeps } from '../../lib/accounts';
import { createDomainDeps } from '../../lib/accounts/wiring';

export const handler = createFcHandler<DomainDeps>({
  actions: settingsActions<DomainDeps>(),
  makeDeps: createDomainDeps,
  authenticate: authenticateBearer,
});
