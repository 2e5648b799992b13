/** settings: tokens and accounts (docs/API.md §1). Wiring only; the domains are lib/auth and lib/accounts. */
import { accountActions } from '../../lib/accounts';
import { authenticateBearer, tokenActions } from '../../lib/auth';
import { clearAccountCache } from '../../lib/catalog';
import type { AccountsDeps } from '../../lib/accounts';
import { createDeps, type Deps } from '../../lib/fc/deps';
import { createFcHandler } from '../../lib/fc/handler';

type SettingsDeps = Deps & Pick<AccountsDeps, 'hooks'>;

export const handler = createFcHandler<SettingsDeps>({
  actions: [...tokenActions(), ...accountActions()],
  makeDeps: (ctx) => {
    const deps: SettingsDeps = createDeps(ctx);
    // A deleted account's cached catalog answers go with it (the catalog owns its cache).
    deps.hooks = { afterDelete: (accountId) => clearAccountCache(deps.store, accountId) };
    return deps;
  },
  authenticate: authenticateBearer,
});
