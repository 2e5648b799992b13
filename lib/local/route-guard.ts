/**
 * The front door's share of a function's HTTP routes (what FC's HTTP trigger and gateway do
 * before the function runs): refuse a request that needs a token and carries none, and enforce
 * the body limit while reading, both from what the bundle itself describes (`handler.httpRoutes`,
 * lib/fc/route-info.ts), matched by the function's own router on the same raw path.
 */
import type { Action } from '../core/action';
import type { HttpRouteInfo, HttpRoutesInfo } from '../fc/route-info';
import { createRouter, type Router } from '../fc/router';
import { MAX_SYNC_PAYLOAD } from './serve';

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
const isSize = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0;

/** The `httpRoutes` a worker reported, checked; undefined when absent or not of that shape. */
export function parseRoutesInfo(raw: unknown): HttpRoutesInfo | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const o = raw as { routes?: unknown; maxBodyBytes?: unknown };
  if (!Array.isArray(o.routes) || !isSize(o.maxBodyBytes)) return undefined;
  const routes: HttpRouteInfo[] = [];
  for (const r of o.routes as Array<Partial<HttpRouteInfo> | null>) {
    if (!r || typeof r.method !== 'string' || !METHODS.has(r.method) || typeof r.path !== 'string') return undefined;
    if (typeof r.auth !== 'boolean' || !isSize(r.maxBodyBytes)) return undefined;
    routes.push({ method: r.method, path: r.path, auth: r.auth, maxBodyBytes: r.maxBodyBytes });
  }
  return { routes, maxBodyBytes: o.maxBodyBytes };
}

export interface BodyPolicy {
  /** The function answers 401 without `Authorization: Bearer <token>`. */
  auth: boolean;
  maxBodyBytes: number;
}

type Described = Action<unknown> & { info: HttpRouteInfo };
const routers = new WeakMap<HttpRoutesInfo, Router<unknown> | undefined>();

function routerOf(info: HttpRoutesInfo): Router<unknown> | undefined {
  if (!routers.has(info)) {
    const actions: Described[] = info.routes.map((r) => ({
      name: `${r.method} ${r.path}`,
      http: { method: r.method as NonNullable<Action['http']>['method'], path: r.path },
      info: r,
      run: () => Promise.reject(new Error('a described route is never run')),
    }));
    try {
      routers.set(info, createRouter(actions));
    } catch {
      routers.set(info, undefined); // two routes on one pattern: the bundle would not load either
    }
  }
  return routers.get(info);
}

/**
 * What the function does with `method rawPath` before it reads the body. A bundle that
 * describes nothing gets FC's own HTTP limit; a path it does not serve is answered 404 by it.
 */
export function bodyPolicy(info: HttpRoutesInfo | undefined, method: string, rawPath: string): BodyPolicy {
  if (!info) return { auth: false, maxBodyBytes: MAX_SYNC_PAYLOAD };
  const match = routerOf(info)?.match(method, rawPath);
  if (match?.kind !== 'found') return { auth: false, maxBodyBytes: info.maxBodyBytes };
  const route = (match.action as Described).info;
  return { auth: route.auth, maxBodyBytes: route.maxBodyBytes };
}

/** True when a segment of the raw path is `.` or `..`, plain or percent-encoded. */
export function hasDotSegment(rawPath: string): boolean {
  return rawPath.split('/').some((s) => {
    const d = s.replace(/%2e/gi, '.');
    return d === '.' || d === '..';
  });
}
