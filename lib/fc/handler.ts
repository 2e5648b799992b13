/**
 * The one FC entry every function exports (docs/DESIGN.md principle 6): it tells an HTTP trigger event,
 * a direct invocation `{action, input}` and a timer event apart, builds the deps, runs the action
 * and maps the outcome back. One log line per request; never a body in the logs.
 */
import { AppError, toAppError } from '../core/errors';
import { newRequestId } from '../core/ids';
import { createLogger, type Logger } from '../core/log';
import { errorResult, handleHttp, logBug } from './http';
import { httpRoutesInfo, type HttpRoutesInfo } from './route-info';
import { createRouter } from './router';
import type { Action, CallContext, FcContext, FcHttpEvent, FcInvokeEvent, FcTimerEvent, Principal } from './types';

export interface FcHandlerOptions<D> {
  actions: readonly Action<D>[];
  /** Builds (or reuses, per warm instance) the deps of one invocation. */
  makeDeps: (ctx: FcContext) => D;
  /** Bearer token → principal; throws `Unauthenticated`. Absent: every auth-needing route is 401. */
  authenticate?: (bearerToken: string | undefined, deps: D) => Promise<Principal>;
  onTimer?: (event: FcTimerEvent, ctx: CallContext<D>) => Promise<unknown>;
  /** Logger when the deps carry none as `deps.log`. */
  log?: Logger;
}

export type FcHandler = ((event: Buffer | string | object, context: FcContext) => Promise<unknown>) & {
  /** Its HTTP routes' auth and body limits, for the front door (`route-info.ts`). */
  httpRoutes?: HttpRoutesInfo;
};

/** FC's default function timeout, for a context that names none (tests). */
const DEFAULT_TIMEOUT_S = 60;

/** Direct invocations are authorised by FC (RAM `fc:InvokeFunction`) and act as admin (docs/API.md §2). */
export const INVOKE_PRINCIPAL: Principal = { kind: 'invoke', role: 'admin', groups: [] };
export const TIMER_PRINCIPAL: Principal = { kind: 'timer', role: 'admin', groups: [] };

export type ParsedEvent =
  | { kind: 'http'; event: FcHttpEvent }
  | { kind: 'timer'; event: FcTimerEvent }
  | { kind: 'invoke'; event: FcInvokeEvent }
  | { kind: 'invalid'; problem: string };

/** Which of the three event shapes this is. FC hands events over as a Buffer of JSON. */
export function classifyEvent(raw: Buffer | string | object): ParsedEvent {
  let ev: unknown = raw;
  if (Buffer.isBuffer(raw) || typeof raw === 'string') {
    const text = raw.toString();
    try {
      ev = text.trim() === '' ? {} : JSON.parse(text);
    } catch {
      return { kind: 'invalid', problem: 'the event is not JSON' };
    }
  }
  if (typeof ev !== 'object' || ev === null || Array.isArray(ev))
    return { kind: 'invalid', problem: 'the event must be a JSON object' };
  const o = ev as Record<string, unknown>;
  if (
    typeof o.requestContext === 'object' &&
    o.requestContext !== null &&
    (typeof o.rawPath === 'string' || o.version === 'v1')
  ) {
    return { kind: 'http', event: o as unknown as FcHttpEvent };
  }
  if (typeof o.triggerTime === 'string' && typeof o.triggerName === 'string')
    return { kind: 'timer', event: o as unknown as FcTimerEvent };
  if (typeof o.action === 'string') return { kind: 'invoke', event: o as unknown as FcInvokeEvent };
  return { kind: 'invalid', problem: 'the event is neither an HTTP trigger event, a timer event, nor {action, input}' };
}

/** `{ok: false}` answer of a direct invocation or a timer, same codes as HTTP. */
function failure(e: unknown, requestId: string, log: Logger) {
  const err = toAppError(e);
  if (err.code === 'Internal') logBug(log, e, requestId);
  const error: { code: string; message: string; requestId: string; retryable?: boolean; details?: unknown[] } = {
    code: err.code,
    message: err.message,
    requestId,
  };
  if (err.retryable) error.retryable = true;
  if (err.details) error.details = err.details;
  return { ok: false as const, error };
}

/** The FC handler of a function: `export const handler = createFcHandler({...})`. */
export function createFcHandler<D>(opts: FcHandlerOptions<D>): FcHandler {
  const router = createRouter(opts.actions);
  const byName = new Map(opts.actions.map((a) => [a.name, a] as const));
  const fallbackLog = opts.log ?? createLogger();

  const handler: FcHandler = async (raw, context) => {
    const started = Date.now();
    const deadlineAtMs = started + (context?.function?.timeout || DEFAULT_TIMEOUT_S) * 1000;
    const parsed = classifyEvent(raw);
    const requestId =
      context?.requestId ||
      (parsed.kind === 'http' ? parsed.event.requestContext?.requestId : undefined) ||
      newRequestId();
    let log = fallbackLog;
    let deps: D;
    try {
      deps = opts.makeDeps(context);
      const depLog = (deps as { log?: Logger } | undefined)?.log;
      if (depLog) log = depLog;
    } catch (e) {
      if (parsed.kind === 'http') return errorResult(e, requestId, log);
      return failure(e, requestId, log);
    }
    const ms = () => Date.now() - started;

    if (parsed.kind === 'http') {
      const ev = parsed.event;
      const res = await handleHttp(ev, {
        router,
        deps,
        log,
        requestId,
        deadlineAtMs,
        ...(opts.authenticate ? { authenticate: opts.authenticate } : {}),
      });
      const method = (ev.requestContext?.http?.method ?? 'GET').toUpperCase();
      log.info('request', {
        method,
        path: ev.rawPath ?? ev.requestContext?.http?.path,
        status: res.statusCode,
        ms: ms(),
        requestId,
      });
      return res;
    }

    if (parsed.kind === 'invalid') {
      log.info('invoke', { action: null, ok: false, code: 'ValidationFailed', ms: ms(), requestId });
      return failure(new AppError('ValidationFailed', parsed.problem), requestId, log);
    }

    if (parsed.kind === 'timer') {
      const ctx: CallContext<D> = { requestId, principal: TIMER_PRINCIPAL, deps, log, deadlineAtMs };
      try {
        if (!opts.onTimer) throw new AppError('NotFound', 'this function has no timer handler');
        const result = await opts.onTimer(parsed.event, ctx);
        log.info('timer', { trigger: parsed.event.triggerName, ok: true, ms: ms(), requestId });
        return { ok: true, result: result ?? null };
      } catch (e) {
        const out = failure(e, requestId, log);
        log.info('timer', { trigger: parsed.event.triggerName, ok: false, code: out.error.code, ms: ms(), requestId });
        return out;
      }
    }

    const { action: name, input } = parsed.event;
    const action = byName.get(name);
    try {
      if (!action) throw new AppError('NotFound', `unknown action "${name}"`);
      if (input !== undefined && (input === null || typeof input !== 'object' || Array.isArray(input))) {
        throw new AppError('ValidationFailed', 'input must be a JSON object', {
          details: [{ path: 'input', problem: 'must be a JSON object' }],
        });
      }
      const ctx: CallContext<D> = { requestId, principal: INVOKE_PRINCIPAL, deps, log, deadlineAtMs };
      const result = await action.run({ ...(input ?? {}) }, ctx);
      log.info('invoke', { action: name, ok: true, ms: ms(), requestId });
      return { ok: true, result: result ?? null };
    } catch (e) {
      const out = failure(e, requestId, log);
      log.info('invoke', { action: name, ok: false, code: out.error.code, ms: ms(), requestId });
      // FC retries an async invocation only when the handler fails.
      if (action?.throwRetryable && out.error.retryable) throw toAppError(e);
      return out;
    }
  };
  return Object.assign(handler, { httpRoutes: httpRoutesInfo(opts.actions) });
}
