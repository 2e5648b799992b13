/**
 * Placeholder handlers for functions whose domains are not built yet (servers, provision,
 * inventory, scan-region, sweeper): real routes through the real FC adapter, token check,
 * access check and deps, answering 501 `NotImplemented`, so the route table, the adapters and
 * RBAC work end to end now. A viewer's write is a 403 today exactly as it will be once built.
 */
import { authenticateBearer, authorize } from '../auth';
import { AppError } from '../core/errors';
import { createDeps, type Deps } from './deps';
import { createFcHandler, type FcHandler } from './handler';
import type { Action, FcTimerEvent } from './types';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
/**
 * An invoke-only action `[name]`, or a route `[name, method, path, doing]`; `doing` completes
 * "the viewer role may not …" (e.g. `create servers`).
 */
export type PlannedRoute = [name: string] | [name: string, method: Method, path: string, doing: string];

/**
 * One action per planned route: it authorises the caller (`read` for GET, `operate` for writes —
 * servers and scans are operator work) and then fails with "<what> is not built yet".
 */
export function notBuiltActions(what: string, routes: PlannedRoute[]): Action<Deps>[] {
  return routes.map(([name, method, path, doing]) => ({
    name,
    ...(method && path ? { http: { method, path } } : {}),
    async run(_input, ctx) {
      authorize(ctx.principal, {
        access: !method || method === 'GET' ? 'read' : 'operate',
        doing: doing ?? `run ${name}`,
      });
      throw new AppError('NotImplemented', `${what} is not built yet (${name})`);
    },
  }));
}

/** The FC handler of a function that is not built yet; its timer (if any) does nothing. */
export function notBuiltHandler(what: string, routes: PlannedRoute[], timer?: (e: FcTimerEvent) => unknown): FcHandler {
  return createFcHandler<Deps>({
    actions: notBuiltActions(what, routes),
    makeDeps: (ctx) => createDeps(ctx),
    authenticate: authenticateBearer,
    ...(timer ? { onTimer: async (e: FcTimerEvent) => timer(e) } : {}),
  });
}
