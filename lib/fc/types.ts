/**
 * The contract between FC handlers (`functions/<fn>/index.ts`), the FC adapters (`lib/fc`) and
 * the domains (`lib/accounts`, `lib/catalog`, …). Every operation is an `Action`: HTTP routes and
 * direct invocations (`{action, input}`) both end in `Action.run`.
 */
import type { Logger } from '../core/log';

/** FC 3.0 HTTP trigger event (alibaba-cloud-api.md §4). */
export interface FcHttpEvent {
  version: 'v1';
  rawPath: string;
  headers: Record<string, string>;
  queryParameters?: Record<string, string>;
  body?: string;
  isBase64Encoded: boolean;
  requestContext: {
    accountId: string;
    domainName: string;
    requestId: string;
    http: { method: string; path: string; protocol?: string; sourceIp: string; userAgent: string };
    time: string;
    timeEpoch: string;
  };
}

export interface FcHttpResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: boolean;
}

/** FC 3.0 timer trigger event. */
export interface FcTimerEvent {
  triggerTime: string;
  triggerName: string;
  payload: string;
}

/** Direct invocation event (API.md §2). */
export interface FcInvokeEvent {
  action: string;
  input?: Record<string, unknown>;
}

/** FC 3.0 `context` as the runtime passes it. */
export interface FcContext {
  requestId: string;
  credentials: { accessKeyId: string; accessKeySecret: string; securityToken?: string };
  function: { name: string; handler: string; memory: number; timeout: number };
  region: string;
  accountId: string;
  logger?: unknown;
}

export type Role = 'admin' | 'operator' | 'viewer';

/** Who is calling. Direct invocations are authorised by FC (RAM) and act as admin. */
export interface Principal {
  kind: 'bootstrap' | 'token' | 'invoke' | 'timer' | 'anonymous';
  role: Role | 'none';
  groups: string[];
  tokenId?: string;
  name?: string;
}

export interface CallContext<D = unknown> {
  requestId: string;
  principal: Principal;
  deps: D;
  log: Logger;
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
