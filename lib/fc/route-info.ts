/**
 * What a function's bundle tells the front door about its HTTP routes before any request: which
 * routes need a bearer token and the largest body each takes. FC's HTTP trigger reads the body,
 * so the limit belongs there; with this the local host refuses a missing token or an oversize
 * body before reading it, without a second copy of the route table. Exposed as `handler.httpRoutes`.
 */
import type { Action } from '../core/action';
import { MAX_BODY_BYTES } from './http';

export interface HttpRouteInfo {
  method: string;
  /** The router's pattern (`/v1/accounts/:id`). */
  path: string;
  /** true: answered 401 without `Authorization: Bearer <token>`, before the body is looked at. */
  auth: boolean;
  maxBodyBytes: number;
}

export interface HttpRoutesInfo {
  routes: HttpRouteInfo[];
  /** Body limit of a request that matches no route (it is answered 404 without reading it). */
  maxBodyBytes: number;
}

export function httpRoutesInfo(actions: readonly Action<unknown>[]): HttpRoutesInfo {
  const routes = actions.flatMap((a) =>
    a.http ? [{ method: a.http.method, path: a.http.path, auth: a.auth !== false, maxBodyBytes: MAX_BODY_BYTES }] : [],
  );
  return { routes, maxBodyBytes: MAX_BODY_BYTES };
}
