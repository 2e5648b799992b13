/** settings: tokens and accounts (docs/API.md §1). Thin wiring; the domain is lib/accounts and lib/auth. */
import { createFcHandler } from '../../lib/fc/handler';
import { authenticateBearer, settingsActions } from '../../lib/accounts';
import { createDeps, type Deps } from '../../lib/fc/deps';

export const handler = createFcHandler<Deps>({
  actions: settingsActions<Deps>(),
  makeDeps: createDeps,
  authenticate: authenticateBearer,
});
