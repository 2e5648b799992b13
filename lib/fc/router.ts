/**
 * A tiny router: `Action.http.path` patterns with `:param` segments, matched segment by segment.
 * Literal segments beat params at the same position, so `/v1/servers/:id` never swallows a
 * sibling literal route. A known path with the wrong method is reported as such (405).
 */
import type { Action } from './types';

interface Route<D> {
  action: Action<D>;
  method: string;
  segments: string[];
}

export type RouteMatch<D> =
  | { kind: 'found'; action: Action<D>; params: Record<string, string> }
  | { kind: 'method-not-allowed'; allow: string[] }
  | { kind: 'not-found' };

/** Splits a path into raw (still percent-encoded) segments; tolerates a trailing slash. */
export function splitPath(path: string): string[] {
  const trimmed = path.replace(/\/+$/, '');
  return trimmed === '' ? [] : trimmed.replace(/^\/+/, '').split('/');
}

export interface Router<D> {
  match(method: string, path: string): RouteMatch<D>;
}

/** Compiles the HTTP routes of `actions`; two actions on the same method and pattern is a bug. */
export function createRouter<D>(actions: readonly Action<D>[]): Router<D> {
  const routes: Route<D>[] = [];
  const seen = new Set<string>();
  for (const action of actions) {
    if (!action.http) continue;
    const segments = splitPath(action.http.path);
    const shape = `${action.http.method} /${segments.map((s) => (s.startsWith(':') ? ':' : s)).join('/')}`;
    if (seen.has(shape)) throw new Error(`router: two actions serve ${shape} (second: ${action.name})`);
    seen.add(shape);
    routes.push({ action, method: action.http.method, segments });
  }
  // Most literal segments first (earlier literals weigh more), so literals win over params.
  const score = (r: Route<D>) => r.segments.reduce((acc, s, i) => acc + (s.startsWith(':') ? 0 : 2 ** (20 - i)), 0);
  routes.sort((a, b) => score(b) - score(a));

  const matchSegments = (route: Route<D>, parts: string[]): Record<string, string> | undefined => {
    if (route.segments.length !== parts.length) return undefined;
    const params: Record<string, string> = {};
    for (let i = 0; i < parts.length; i++) {
      const pat = route.segments[i]!;
      const part = parts[i]!;
      if (pat.startsWith(':')) {
        if (part === '') return undefined;
        params[pat.slice(1)] = part;
      } else if (pat !== part) return undefined;
    }
    return params;
  };

  return {
    match(method, path) {
      const parts = splitPath(path);
      const upper = method.toUpperCase();
      const allow = new Set<string>();
      for (const route of routes) {
        const params = matchSegments(route, parts);
        if (!params) continue;
        if (route.method === upper || (upper === 'HEAD' && route.method === 'GET'))
          return { kind: 'found', action: route.action, params };
        allow.add(route.method);
      }
      return allow.size ? { kind: 'method-not-allowed', allow: [...allow].sort() } : { kind: 'not-found' };
    },
  };
}
