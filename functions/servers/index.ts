/** servers: the server API (docs/API.md §1 "Servers"). Wiring only; the domain is lib/servers. */
import { authenticateBearer } from '../../lib/auth';
import { createDeps, type Deps } from '../../lib/fc/deps';
import { createFcHandler } from '../../lib/fc/handler';
import { serverActions } from '../../lib/servers';

export const handler = createFcHandler<Deps>({
  actions: serverActions(),
  makeDeps: createDeps,
  authenticate: authenticateBearer,
});
