/**
 * FC 3.0 HTTP trigger event → `Action.run` → HTTP result with the docs/API.md error body. Everything
 * the client got wrong (size, JSON, path, method) is a 4xx here, never a 500.
 */
import { AppError, errorBody, toAppError } from '../core/errors';
import type { Logger } from '../core/log';
import type { Router } from './router';
import type { CallContext, FcHttpEvent, FcHttpResult, Principal, RawHttpResponse } from './types';

/** docs/API.md §1: bodies over 64 KiB answer 413. */
export const MAX_BODY_BYTES = 64 * 1024;

export const ANONYMOUS: Principal = { kind: 'anonymous', role: 'none', groups: [] };

export interface HttpRuntime<D> {
  router: Router<D>;
  deps: D;
  log: Logger;
  requestId: string;
  /** See `CallContext.deadlineAtMs`. */
  deadlineAtMs: number;
  authenticate?: (bearerToken: string | undefined, deps: D) => Promise<Principal>;
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };

/** Header names lower-cased (FC passes them as the client sent them). */
export function lowerHeaders(h: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) out[k.toLowerCase()] = String(v);
  return out;
}

/** The token of `Authorization: Bearer <token>`, or undefined. */
export function bearerToken(headers: Record<string, string>): string | undefined {
  const m = /^\s*bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
  return m?.[1];
}

/** The decoded body, refusing oversize ones before decoding base64 in full. */
export function decodeBody(event: Pick<FcHttpEvent, 'body' | 'isBase64Encoded'>): Buffer {
  const raw = event.body ?? '';
  if (event.isBase64Encoded) {
    if (raw.length > Math.ceil(MAX_BODY_BYTES / 3) * 4 + 4) throw tooLarge();
    const buf = Buffer.from(raw, 'base64');
    if (buf.length > MAX_BODY_BYTES) throw tooLarge();
    return buf;
  }
  if (raw.length > MAX_BODY_BYTES || Buffer.byteLength(raw, 'utf8') > MAX_BODY_BYTES) throw tooLarge();
  return Buffer.from(raw, 'utf8');
}

const tooLarge = () => new AppError('PayloadTooLarge', `the request body is larger than ${MAX_BODY_BYTES / 1024} KiB`);

/** Parses a JSON object body; an empty body is `{}`. Anything else is the client's 400. */
export function parseJsonBody(body: Buffer): Record<string, unknown> {
  const text = body.toString('utf8');
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    // Never echo the parser's message: Node 20+ quotes the input around the error, which can be
    // part of a secret. A fixed text plus the position is enough to find the mistake.
    const at = jsonErrorPosition((e as Error).message);
    throw new AppError('ValidationFailed', 'the request body is not valid JSON', {
      details: [
        { path: '', problem: at === undefined ? 'is not valid JSON' : `is not valid JSON (at position ${at})` },
      ],
    });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new AppError('ValidationFailed', 'the request body must be a JSON object', {
      details: [{ path: '', problem: 'must be a JSON object' }],
    });
  }
  return parsed as Record<string, unknown>;
}

/** The character offset in a `JSON.parse` error message, if the engine gave one (digits only). */
function jsonErrorPosition(message: string): number | undefined {
  const m = /\bposition (\d+)/.exec(message);
  return m ? Number(m[1]) : undefined;
}

/** Methods whose query string is part of the input; writes take their input from the body only. */
const QUERY_METHODS = new Set(['GET', 'HEAD', 'DELETE']);

/**
 * The query parameters that become input. Writes refuse undeclared ones rather than ignore them:
 * gateways and proxies log URLs, so a secret must never travel in one, and a silent drop would
 * hide the client's mistake.
 */
export function queryInput(
  method: string,
  query: Record<string, string> | undefined,
  declared: readonly string[] = [],
): Record<string, string> {
  const q = query ?? {};
  if (QUERY_METHODS.has(method)) return { ...q };
  const extra = Object.keys(q).filter((k) => !declared.includes(k));
  if (extra.length) {
    throw new AppError('ValidationFailed', `${method} takes its input from the JSON body, not the query string`, {
      details: extra.map((k) => ({
        path: k,
        problem: 'is not accepted as a query parameter on this route; send it in the body',
      })),
    });
  }
  return { ...q };
}

function decodeSegment(s: string, name: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new AppError('ValidationFailed', 'the request path is not valid', {
      details: [{ path: name, problem: 'is not valid percent-encoding' }],
    });
  }
}

const isRaw = (v: unknown): v is RawHttpResponse =>
  typeof v === 'object' && v !== null && (v as RawHttpResponse).rawHttp === true;

function result(
  statusCode: number,
  requestId: string,
  body: unknown,
  extra: Record<string, string> = {},
): FcHttpResult {
  return {
    statusCode,
    headers: { ...JSON_HEADERS, 'x-request-id': requestId, ...extra },
    body: body === undefined ? '' : JSON.stringify(body),
    isBase64Encoded: false,
  };
}

/** The HTTP result of an error: docs/API.md body, and a log line with the cause when it is a bug. */
export function errorResult(
  e: unknown,
  requestId: string,
  log: Logger,
  extra: Record<string, string> = {},
): FcHttpResult {
  const err = toAppError(e);
  if (err.code === 'Internal') logBug(log, e, requestId);
  else if (err.status >= 500) log.warn('request failed', { requestId, code: err.code, cloud: err.cloud });
  return result(err.status, requestId, errorBody(err, requestId), extra);
}

/** Logs an unexpected error with its stack (the logger redacts registered secrets and PEMs). */
export function logBug(log: Logger, e: unknown, requestId: string): void {
  const cause = (e as { cause?: unknown })?.cause ?? e;
  log.error('unhandled error', {
    requestId,
    error:
      cause instanceof Error
        ? { name: cause.name, message: cause.message, code: (cause as { code?: unknown }).code }
        : String(cause),
    stack: cause instanceof Error ? String(cause.stack) : undefined,
  });
}

/** Serves one HTTP event. Never throws: every failure is an HTTP answer. */
export async function handleHttp<D>(event: FcHttpEvent, rt: HttpRuntime<D>): Promise<FcHttpResult> {
  const { requestId, log } = rt;
  const method = (event.requestContext?.http?.method ?? 'GET').toUpperCase();
  const path = event.rawPath ?? event.requestContext?.http?.path ?? '/';
  try {
    const match = rt.router.match(method, path);
    if (match.kind === 'not-found') throw new AppError('NotFound', `no route for ${method} ${path}`);
    if (match.kind === 'method-not-allowed') {
      const e = new AppError('MethodNotAllowed', `${path} does not take ${method}; it takes ${match.allow.join(', ')}`);
      return errorResult(e, requestId, log, { allow: match.allow.join(', ') });
    }
    const headers = lowerHeaders(event.headers);
    // Who before what: an unauthenticated caller learns nothing from validation answers.
    let principal = ANONYMOUS;
    if (match.action.auth !== false) {
      if (!rt.authenticate) throw new AppError('Unauthenticated', 'this endpoint needs a bearer token');
      principal = await rt.authenticate(bearerToken(headers), rt.deps);
    }
    const query = queryInput(method, event.queryParameters, match.action.http?.query);
    const body = parseJsonBody(decodeBody(event));
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(match.params)) params[k] = decodeSegment(v, k);
    const input: Record<string, unknown> = { ...query, ...body, ...params };
    const ctx: CallContext<D> = {
      requestId,
      principal,
      deps: rt.deps,
      log,
      deadlineAtMs: rt.deadlineAtMs,
      http: { method, path, headers },
    };
    const out = await match.action.run(input, ctx);
    if (isRaw(out))
      return {
        statusCode: out.statusCode,
        headers: { ...out.headers, 'x-request-id': requestId },
        body: out.body,
        isBase64Encoded: false,
      };
    if (out === undefined) return result(204, requestId, undefined);
    const res = result(match.action.http?.status ?? 200, requestId, out);
    return method === 'HEAD' ? { ...res, body: '' } : res;
  } catch (e) {
    return errorResult(e, requestId, log);
  }
}
