/**
 * Calls other functions of the deployment through the FC 3.0 invoke API (`@alicloud/fc20230330`),
 * the same code in the cloud and against the local host. Async calls with a delay are how long
 * jobs wait without paying for it (docs/DESIGN.md principle 4). The SDK loads on first use only.
 */
import { Readable } from 'node:stream';
import { BACKOFF, retrying } from '../core/backoff';
import { AppError, isAppError } from '../core/errors';

export interface InvokeCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

export interface InvokerOptions {
  /** `https://<accountId>.<region>.fc.aliyuncs.com`, or the local host `http://127.0.0.1:9000`. */
  endpoint: string;
  /** Fixed keys, or a provider called per invocation (FC passes fresh STS keys in each context). */
  credentials: InvokeCredentials | (() => InvokeCredentials | Promise<InvokeCredentials>);
  /** `fleet` → function `provision` is `fleet-provision`. */
  functionPrefix: string;
  region?: string;
  /** Sync read timeout. Default 60 s. */
  timeoutMs?: number;
  /** Waits between tries (tests pass a fake). Default real time. */
  sleep?: (ms: number) => Promise<void>;
}

export interface AsyncInvokeOptions {
  /** Start no earlier than this (FC's `x-fc-async-delay`, whole seconds, at most 3600). */
  delayMs?: number;
  /** Idempotency key: FC runs one task per id (`x-fc-async-task-id`). */
  taskId?: string;
  /** `fn` is a full FC function name (a user's own function), not one of this deployment's. */
  absolute?: boolean;
}

export interface Invoker {
  /** Queues `event` for `fn`; resolves when FC accepted it (202). */
  invokeAsync(fn: string, event: unknown, opts?: AsyncInvokeOptions): Promise<{ requestId: string; taskId?: string }>;
  /** Runs `fn` and returns its answer (JSON-decoded when it is JSON). */
  invokeSync<T = unknown>(fn: string, event: unknown): Promise<T>;
}

/** Longest delay FC accepts for one async call (`x-fc-async-delay` ≤ 3600 s); the local host enforces it too. */
export const MAX_ASYNC_DELAY_MS = 3600_000;

type FcModule = typeof import('@alicloud/fc20230330');
type FcClient = InstanceType<FcModule['default']>;
let sdk: Promise<{ fc: FcModule; Config: typeof import('@alicloud/openapi-core').$OpenApiUtil.Config }> | undefined;

/** Loads the SDK lazily; CommonJS interop may nest `default` once more. */
function loadSdk() {
  sdk ??= Promise.all([import('@alicloud/fc20230330'), import('@alicloud/openapi-core')]).then(([fcMod, core]) => {
    const fc = (
      (fcMod as unknown as { default: { default?: unknown } }).default?.default
        ? (fcMod as unknown as { default: FcModule }).default
        : fcMod
    ) as FcModule;
    const coreMod = (
      (core as unknown as { default?: { $OpenApiUtil?: unknown } }).default?.$OpenApiUtil
        ? (core as unknown as { default: typeof core }).default
        : core
    ) as typeof core;
    return { fc, Config: coreMod.$OpenApiUtil.Config };
  });
  return sdk;
}

function toBytes(event: unknown): Buffer {
  if (Buffer.isBuffer(event)) return event;
  if (typeof event === 'string') return Buffer.from(event, 'utf8');
  return Buffer.from(JSON.stringify(event ?? null), 'utf8');
}

async function readAll(body: unknown): Promise<Buffer> {
  if (!body) return Buffer.alloc(0);
  if (Buffer.isBuffer(body)) return body;
  const chunks: Buffer[] = [];
  for await (const c of body as AsyncIterable<Buffer | string>) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
  return Buffer.concat(chunks);
}

/** Maps an SDK error to an AppError that keeps FC's code and request id. */
function invokeError(fn: string, e: unknown): AppError {
  const err = e as {
    code?: string;
    statusCode?: number;
    requestId?: string;
    data?: { Code?: string; RequestId?: string };
  };
  const code = err.data?.Code ?? err.code ?? 'NetworkError';
  const httpStatus = err.statusCode;
  const requestId = err.data?.RequestId ?? err.requestId;
  const transient =
    httpStatus === undefined || httpStatus >= 500 || httpStatus === 429 || /Throttl|ResourceExhausted/.test(code);
  const refused = httpStatus === 429 || /Throttl|ResourceExhausted|ECONNREFUSED/.test(code);
  const out = new AppError(transient ? 'CloudUnavailable' : 'Internal', `invoking ${fn} failed: ${code}`, {
    retryable: transient,
    cloud: {
      code,
      ...(requestId && requestId !== 'undefined' ? { requestId } : {}),
      ...(httpStatus ? { httpStatus } : {}),
    },
    cause: e,
  });
  // FC refused before running anything: safe to send again even when it is not idempotent.
  if (refused) notRunErrors.add(out);
  return out;
}

/** Failures where FC surely ran nothing (throttled before admission, connection refused). */
const notRunErrors = new WeakSet<object>();
const notRun = (e: unknown) => typeof e === 'object' && e !== null && notRunErrors.has(e);

/** Builds an invoker; nothing is loaded or connected until the first call. */
export function createInvoker(opts: InvokerOptions): Invoker {
  const url = new URL(opts.endpoint);
  const clients = new Map<string, FcClient>();
  const clientFor = async () => {
    const creds = typeof opts.credentials === 'function' ? await opts.credentials() : opts.credentials;
    const key = `${creds.accessKeyId}\n${creds.securityToken ?? ''}`;
    let client = clients.get(key);
    if (!client) {
      const { fc, Config } = await loadSdk();
      client = new fc.default(
        new Config({
          accessKeyId: creds.accessKeyId,
          accessKeySecret: creds.accessKeySecret,
          ...(creds.securityToken ? { securityToken: creds.securityToken } : {}),
          endpoint: url.host,
          protocol: url.protocol.replace(':', ''),
          ...(opts.region ? { regionId: opts.region } : {}),
        }),
      );
      clients.clear(); // STS keys rotate: keep only the current client
      clients.set(key, client);
    }
    return client;
  };

  /**
   * One invocation, retried with the `invoke` back-off when FC failed transiently: any transient
   * failure of an async call with a task id (FC runs one task per id), else only failures where
   * FC surely ran nothing — a sync call or an id-less async call must not run twice.
   */
  const call = (fn: string, event: unknown, headers: Record<string, string>, absolute = false) =>
    retrying(() => callOnce(absolute ? fn : `${opts.functionPrefix}-${fn}`, event, headers), {
      policy: BACKOFF.invoke,
      retryable: (e) =>
        isAppError(e) &&
        e.retryable &&
        (notRun(e) || (headers['x-fc-invocation-type'] === 'Async' && !!headers['x-fc-async-task-id'])),
      ...(opts.sleep ? { sleep: opts.sleep } : {}),
    });

  const callOnce = async (name: string, event: unknown, headers: Record<string, string>) => {
    const { fc } = await loadSdk();
    const client = await clientFor();
    const request = new fc.InvokeFunctionRequest({ body: Readable.from([toBytes(event)]) });
    const h = new fc.InvokeFunctionHeaders({
      xFcInvocationType: headers['x-fc-invocation-type'],
      ...(headers['x-fc-async-task-id'] ? { xFcAsyncTaskId: headers['x-fc-async-task-id'] } : {}),
      commonHeaders: headers['x-fc-async-delay'] ? { 'x-fc-async-delay': headers['x-fc-async-delay'] } : {},
    });
    // The SDK only reads these fields of its RuntimeOptions. Its HTTP layer (httpx) applies the
    // connect time-out as the socket's idle time-out, so it bounds the wait for a Sync answer too.
    const timeout = opts.timeoutMs ?? 60_000;
    const runtime = { readTimeout: timeout, connectTimeout: timeout } as unknown as Parameters<
      FcClient['invokeFunctionWithOptions']
    >[3];
    try {
      return await client.invokeFunctionWithOptions(name, request, h, runtime);
    } catch (e) {
      throw invokeError(name, e);
    }
  };

  return {
    async invokeAsync(fn, event, o = {}) {
      const delayMs = o.delayMs ?? 0;
      // A longer wait is chained by the caller (wait an hour, then schedule the rest): never shortened here.
      if (!Number.isFinite(delayMs) || delayMs < 0 || delayMs > MAX_ASYNC_DELAY_MS)
        throw new AppError('Internal', `invoke delay must be 0..${MAX_ASYNC_DELAY_MS} ms, got ${delayMs}`);
      const headers: Record<string, string> = { 'x-fc-invocation-type': 'Async' };
      if (delayMs > 0) headers['x-fc-async-delay'] = String(Math.ceil(delayMs / 1000));
      if (o.taskId) headers['x-fc-async-task-id'] = o.taskId;
      const res = await call(fn, event, headers, o.absolute);
      await readAll(res.body);
      const taskId = res.headers?.['x-fc-async-task-id'] ?? o.taskId;
      return { requestId: res.headers?.['x-fc-request-id'] ?? '', ...(taskId ? { taskId } : {}) };
    },
    async invokeSync<T>(fn: string, event: unknown): Promise<T> {
      const res = await call(fn, event, { 'x-fc-invocation-type': 'Sync' });
      const bytes = await readAll(res.body);
      const text = bytes.toString('utf8');
      if (res.headers?.['x-fc-error-type']) {
        let message = text;
        try {
          message = String((JSON.parse(text) as { errorMessage?: unknown }).errorMessage ?? text);
        } catch {
          /* plain text */
        }
        throw new AppError('Internal', `${opts.functionPrefix}-${fn} failed: ${message.slice(0, 300)}`, {
          cloud: { code: res.headers['x-fc-error-type'], requestId: res.headers['x-fc-request-id'] ?? '' },
        });
      }
      if (text === '') return undefined as T;
      try {
        return JSON.parse(text) as T;
      } catch {
        return text as T;
      }
    },
  };
}
