/**
 * The custom domain of the local host: s.yaml's route table picks the function, the bundle's own
 * route description (`route-guard.ts`) says what may be refused before the body is read, and the
 * request becomes FC's HTTP trigger event. One path all along: the raw path as sent is what the
 * host routes on and what the function gets; dot segments are refused, never resolved.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError, type ErrorCode, errorBody } from '../core/errors';
import { bearerToken } from '../fc/http';
import { fromOutcome, toHttpEvent } from './http-event';
import type { InstancePool, InvokeOutcome } from './instances';
import { bodyPolicy, hasDotSegment } from './route-guard';
import { answerEarly, fcError, fcRequestId, readBody } from './serve';
import { type DomainRoute, type LocalFunction, matchRoute } from './syaml';

export interface DomainDeps {
  routes: DomainRoute[];
  byName: Map<string, LocalFunction>;
  pool: Pick<InstancePool, 'httpRoutes'>;
  invoke(fn: LocalFunction, event: Buffer, requestId: string): Promise<InvokeOutcome>;
  accountId: string;
  version: string;
  /** The body that was read (the traffic capture records its secrets). */
  onBody?: (req: IncomingMessage, body: Buffer) => void;
}

/** A docs/API.md error answer from the front door itself (the same body a function gives). */
function refuse(req: IncomingMessage, res: ServerResponse, code: ErrorCode, message: string, requestId: string) {
  const err = new AppError(code, message);
  const body = JSON.stringify(errorBody(err, requestId));
  answerEarly(req, res);
  res.writeHead(err.status, {
    'content-type': 'application/json; charset=utf-8',
    'x-fc-request-id': requestId,
    'x-request-id': requestId,
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

export function createDomainHandler(d: DomainDeps) {
  const send = (req: IncomingMessage, res: ServerResponse, outcome: InvokeOutcome, requestId: string) => {
    const answer = fromOutcome(outcome, requestId);
    answerEarly(req, res); // a no-op once the body was read
    res.writeHead(answer.statusCode, {
      ...answer.headers,
      'x-fc-request-id': requestId,
      'content-length': answer.body.length,
    });
    res.end(req.method === 'HEAD' ? undefined : answer.body);
  };

  return async (req: IncomingMessage, res: ServerResponse, rawPath: string) => {
    const requestId = fcRequestId();
    const method = (req.method ?? 'GET').toUpperCase();
    if (!rawPath.startsWith('/') || hasDotSegment(rawPath))
      return refuse(
        req,
        res,
        'ValidationFailed',
        'the request path must be absolute, without . or .. segments',
        requestId,
      );
    const route = matchRoute(d.routes, rawPath, method);
    const fn = route && d.byName.get(route.functionName);
    if (!fn) {
      if (rawPath === '/healthz') {
        answerEarly(req, res);
        res.writeHead(200, { 'content-type': 'application/json', 'x-fc-request-id': requestId });
        return res.end(JSON.stringify({ status: 'ok', version: d.version }));
      }
      answerEarly(req, res);
      return fcError(res, 404, 'PathNotFound', `no route of the custom domain matches '${rawPath}'`, requestId);
    }
    const described = await d.pool.httpRoutes(fn);
    if (!described.ok) return send(req, res, described, requestId);
    const policy = bodyPolicy(described.info, method, rawPath);
    if (policy.auth && !bearerToken({ authorization: req.headers.authorization ?? '' }))
      return refuse(req, res, 'Unauthenticated', 'this endpoint needs Authorization: Bearer <token>', requestId);
    const body = await readBody(req, res, policy.maxBodyBytes);
    if (body === 'too-large')
      return refuse(
        req,
        res,
        'PayloadTooLarge',
        `the request body is larger than ${policy.maxBodyBytes / 1024} KiB`,
        requestId,
      );
    d.onBody?.(req, body);
    const event = toHttpEvent(req, rawPath, body, requestId, d.accountId);
    send(req, res, await d.invoke(fn, Buffer.from(JSON.stringify(event)), requestId), requestId);
  };
}
