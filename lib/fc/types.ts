/**
 * The contract between FC handlers (`functions/<fn>/index.ts`), the FC adapters (`lib/fc`) and
 * the domains (`lib/accounts`, `lib/catalog`, …). Every operation is an `Action`: HTTP routes and
 * direct invocations (`{action, input}`) both end in `Action.run`.
 */

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

/** Direct invocation event (docs/API.md §2). */
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

export type { Principal, Role } from '../core/principal';
export type { Action, CallContext, RawHttpResponse } from '../core/action';
