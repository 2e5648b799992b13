/**
 * The unit every function is made of: HTTP routes and direct invocations (`{action, input}`) both
 * end in `Action.run`. Lives in core so domains define actions without importing lib/fc.
 */
import type { Logger } from './log';
import type { Principal } from './principal';

export interface CallContext<D = unknown> {
  requestId: string;
  principal: Principal;
  deps: D;
  log: Logger;
  /**
   * When FC stops this invocation (start + the function's timeout), epoch ms of the real clock:
   * long work (a stage, a scan page) commits what it has before it and continues in a new one.
   */
  deadlineAtMs: number;
  /** Present for HTTP calls: lower-cased header names. */
  http?: { method: string; path: string; headers: Record<string, string> };
}

export interface Action<D = unknown> {
  /** `accounts.create`, `catalog.regions`, … — the direct-invoke action name. */
  name: string;
  /** HTTP route, if the action is also served over HTTP. `:param` segments fill the input. */
  http?: {
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
    path: string;
    status?: number;
    /** Query parameters a write route (POST/PUT/PATCH) accepts; others are refused with 400. */
    query?: string[];
  };
  /** false = no token needed (health, console page). Default true. */
  auth?: boolean;
  /**
   * For actions FC invokes asynchronously (provision steps, region scans): a retryable error
   * (`AppError.retryable`) is thrown from the handler instead of answered as `{ok: false}`, so
   * FC's `asyncInvokeConfig` retries the event. Default false.
   */
  throwRetryable?: boolean;
  /**
   * `input` = query parameters (GET/HEAD/DELETE, or those a write route declares in
   * `http.query`), then the JSON body's fields, then path parameters (later wins);
   * for direct invocations, `event.input`. Returning `undefined` answers HTTP 204.
   * Return a `RawHttpResponse` (e.g. the console's HTML) to bypass JSON encoding.
   */
  run(input: Record<string, unknown>, ctx: CallContext<D>): Promise<unknown>;
}

export interface RawHttpResponse {
  rawHttp: true;
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}
