/**
 * Placeholder handlers for functions whose domains come in later issues (servers, provision,
 * inventory, scan-region, sweeper): real routes through the real FC adapter, token check and
 * deps, answering 501 `NotImplemented`, so the route table and the adapters work end to end now.
 */
import { authenticate, storeTokenRepo } from '../auth';
import { AppError } from '../core/errors';
import { createDeps, createFcHandler, type Deps, type FcHandler } from '../fc';
import type { Action, FcTimerEvent } from '../fc/types';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type PlannedRoute = [name: string, method?: Method, path?: string];

/** One action per planned route that fails with "<what> is not built yet". */
export function notBuiltActions(what: string, routes: PlannedRoute[]): Action<Deps>[] {
  return routes.map(([name, method, path]) => ({
    name,
    ...(method && path ? { http: { method, path } } : {}),
    async run() {
      throw new AppError('NotImplemented', `${what} is not built yet (${name})`);
    },
  }));
}

/** Bearer token → principal with the real token store, as every function authenticates. */
export const authenticateWithStore = (token: string | undefined, deps: Deps) =>
  authenticate(token, { adminToken: deps.config.adminToken, tokens: storeTokenRepo(deps.store), clock: deps.clock });

/** The FC handler of a function that is not built yet; its timer (if any) does nothing. */
export function notBuiltHandler(what: string, routes: PlannedRoute[], timer?: (e: FcTimerEvent) => unknown): FcHandler {
  return createFcHandler<Deps>({
    actions: notBuiltActions(what, routes),
    makeDeps: (ctx) => createDeps(ctx),
    authenticate: authenticateWithStore,
    ...(timer ? { onTimer: async (e: FcTimerEvent) => timer(e) } : {}),
  });
}
