/**
 * FC 3.0 HTTP trigger format: a Node request becomes the JSON event a handler receives, and the
 * handler's `{statusCode, headers, body, isBase64Encoded}` becomes the HTTP answer.
 */
import type { IncomingMessage } from 'node:http';
import type { FcHttpEvent } from '../fc/types';
import type { InvokeOutcome } from './instances';

/** `content-type` → `Content-Type`, as FC presents header names. */
export const canonicalHeaderName = (name: string) =>
  name
    .split('-')
    .map((p) => (p ? p[0]!.toUpperCase() + p.slice(1).toLowerCase() : p))
    .join('-');

const TEXTUAL = /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded|[\w.+-]*\+(json|xml)))/i;

/** True when FC would pass the body as text rather than base64. */
function isTextBody(contentType: string | undefined, body: Buffer): boolean {
  if (body.length === 0) return true;
  if (contentType) return TEXTUAL.test(contentType.trim());
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(body);
    return true;
  } catch {
    return false;
  }
}

function fcTime(d: Date): string {
  // FC's format: 24/Mar/2023:15:04:05 +0000
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${mon}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/**
 * Builds the HTTP trigger event for `req` (whose body has been read into `body`). `rawPath` is
 * the path as sent, undecoded and not normalised: the path the host routed on is the path the
 * function routes on.
 */
export function toHttpEvent(
  req: IncomingMessage,
  rawPath: string,
  body: Buffer,
  requestId: string,
  accountId: string,
  now = new Date(),
): FcHttpEvent {
  const raw = req.url ?? '/';
  const q = raw.indexOf('?');
  const search = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
  const headers: Record<string, string> = {};
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = canonicalHeaderName(req.rawHeaders[i]!);
    const value = req.rawHeaders[i + 1]!;
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  const queryParameters: Record<string, string> = {};
  for (const key of new Set(search.keys())) queryParameters[key] = search.getAll(key).join(',');
  const text = isTextBody(req.headers['content-type'], body);
  return {
    version: 'v1',
    rawPath,
    headers,
    queryParameters,
    body: text ? body.toString('utf8') : body.toString('base64'),
    isBase64Encoded: !text,
    requestContext: {
      accountId,
      domainName: req.headers.host ?? '127.0.0.1',
      requestId,
      http: {
        method: (req.method ?? 'GET').toUpperCase(),
        path: rawPath,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: req.headers['user-agent'] ?? '',
      },
      time: fcTime(now),
      timeEpoch: String(now.getTime()),
    },
  };
}

export interface HttpAnswer {
  statusCode: number;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * What FC answers for a handler's outcome: an HTTP-shaped object is unpacked; any other value is
 * the body of a 200; an error is a 502 carrying FC's `errorMessage/errorType`.
 */
export function fromOutcome(outcome: InvokeOutcome, requestId: string): HttpAnswer {
  if (!outcome.ok) {
    const status = outcome.errorType === 'FunctionTimeout' ? 504 : 502;
    const body = {
      errorMessage: outcome.errorMessage,
      errorType: outcome.errorType,
      error: { code: 'Internal', message: 'the function failed to handle the request', requestId },
    };
    return {
      statusCode: status,
      headers: { 'content-type': 'application/json', 'x-fc-error-type': 'UnhandledInvocationError' },
      body: Buffer.from(JSON.stringify(body)),
    };
  }
  if (outcome.kind === 'json') {
    const value = JSON.parse(outcome.data ?? 'null') as unknown;
    if (value && typeof value === 'object' && 'statusCode' in value) {
      const r = value as {
        statusCode: number;
        headers?: Record<string, unknown>;
        body?: unknown;
        isBase64Encoded?: boolean;
      };
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(r.headers ?? {})) headers[k.toLowerCase()] = String(v);
      const raw =
        r.body === undefined || r.body === null ? '' : typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
      return {
        statusCode: Number(r.statusCode) || 200,
        headers,
        body: r.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8'),
      };
    }
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(outcome.data ?? '') };
  }
  if (outcome.kind === 'buffer')
    return {
      statusCode: 200,
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.from(outcome.data ?? '', 'base64'),
    };
  if (outcome.kind === 'string')
    return {
      statusCode: 200,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: Buffer.from(outcome.data ?? '', 'utf8'),
    };
  return { statusCode: 200, headers: {}, body: Buffer.alloc(0) };
}

/** Invocation payload bytes of a direct invoke's sync answer (FC: the return value, JSON-encoded). */
export function outcomeBytes(outcome: InvokeOutcome & { ok: true }): Buffer {
  if (outcome.kind === 'buffer') return Buffer.from(outcome.data ?? '', 'base64');
  if (outcome.kind === 'empty') return Buffer.alloc(0);
  return Buffer.from(outcome.data ?? '', 'utf8');
}
