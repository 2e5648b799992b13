/**
 * The public HTTP API with the pasted token. The token lives only in this tab's sessionStorage
 * (gone when the tab closes) and travels only in the Authorization header, never in a URL.
 */
const KEY = 'fleet-token';

export interface Problem {
  code: string;
  message?: string;
  hint?: string;
  [k: string]: unknown;
}

/** An error answer of the API (docs/API.md "Errors"), or a request that got no answer. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId?: string,
    readonly details?: Array<Record<string, unknown>>,
  ) {
    super(message);
  }
}

export const token = {
  get: (): string | null => sessionStorage.getItem(KEY),
  set: (t: string) => sessionStorage.setItem(KEY, t),
  clear: () => sessionStorage.removeItem(KEY),
};

let onUnauthenticated: (e: ApiError) => void = () => {};
export const whenUnauthenticated = (f: (e: ApiError) => void) => {
  onUnauthenticated = f;
};

/** `?a=1&b=2` of the set values (empty strings and undefined left out). */
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export async function send(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  const t = token.get();
  const h: Record<string, string> = { accept: 'application/json', ...headers };
  if (t) h.authorization = `Bearer ${t}`;
  if (body !== undefined) h['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: h,
      body: body === undefined ? null : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
    });
  } catch {
    throw new ApiError(0, 'NetworkError', 'the API could not be reached; check the connection and try again');
  }
  if (!res.ok) {
    let err: { code?: string; message?: string; requestId?: string; details?: Array<Record<string, unknown>> } = {};
    try {
      err = ((await res.json()) as { error?: typeof err }).error ?? {};
    } catch {
      /* not JSON: the status says enough */
    }
    const e = new ApiError(
      res.status,
      err.code ?? `HTTP${res.status}`,
      err.message ?? res.statusText,
      err.requestId ?? res.headers.get('x-request-id') ?? undefined,
      Array.isArray(err.details) ? err.details : undefined,
    );
    if (res.status === 401) onUnauthenticated(e);
    throw e;
  }
  return res;
}

// biome-ignore lint/suspicious/noExplicitAny: API answers are shaped by docs/API.md, read field by field
export type Json = any;

/** A JSON call; `undefined` for 204. */
export async function api(
  method: string,
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
): Promise<Json> {
  const res = await send(method, path, body, headers);
  if (res.status === 204) return undefined;
  return res.json();
}

export const get = (path: string) => api('GET', path);
