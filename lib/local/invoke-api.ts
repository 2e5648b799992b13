/**
 * The FC 3.0 invoke API of the local host: `POST /2023-03-30/functions/{name}/invocations`
 * (ACS3-HMAC-SHA256 signed, Sync or Async with delay and task id) and
 * `GET /2023-03-30/functions/{name}/async-tasks/{taskId}`. Answers and error codes as FC's.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { verifyAcs3 } from './acs3';
import type { AsyncQueue } from './async-queue';
import { outcomeBytes } from './http-event';
import type { InvokeOutcome } from './instances';
import { fcError, fcRequestId, MAX_ASYNC_PAYLOAD, MAX_SYNC_PAYLOAD, readBody } from './serve';
import type { LocalFunction } from './syaml';

const INVOKE_PATH = /^\/2023-03-30\/functions\/([^/]+)\/invocations$/;
const TASK_PATH = /^\/2023-03-30\/functions\/([^/]+)\/async-tasks\/([^/]+)$/;
const TASK_ID = /^[A-Za-z_][A-Za-z0-9_-]{0,127}$/;

export interface InvokeApiDeps {
  byName: Map<string, LocalFunction>;
  queue: AsyncQueue;
  /**
   * A caller's key: its secret, its STS token (which the request must carry), and `forbidden`
   * when the principal exists but may not invoke (fc:InvokeFunction). Undefined = unknown key.
   */
  keyOf: (accessKeyId: string) => { secret: string; securityToken?: string; forbidden?: boolean } | undefined;
  invokeSync: (fn: LocalFunction, event: Buffer, requestId: string) => Promise<InvokeOutcome>;
}

/** Handles one FC API request; `rawPath` is the path exactly as sent (it is signed). */
export function createInvokeApi(deps: InvokeApiDeps) {
  const { byName, queue, keyOf } = deps;
  return async (req: IncomingMessage, res: ServerResponse, rawPath: string, query: URLSearchParams) => {
    const pathname = rawPath;
    const requestId = fcRequestId();
    const invokeMatch = INVOKE_PATH.exec(pathname);
    const taskMatch = TASK_PATH.exec(pathname);
    if (!(invokeMatch && req.method === 'POST') && !(taskMatch && req.method === 'GET')) {
      return fcError(res, 400, 'PathNotSupported', `'${req.method} ${pathname}' is not supported`, requestId);
    }
    const invocationType = String(req.headers['x-fc-invocation-type'] ?? 'Sync');
    const body = await readBody(req, invocationType === 'Async' ? MAX_ASYNC_PAYLOAD : MAX_SYNC_PAYLOAD);
    if (body === 'too-large') {
      const max = invocationType === 'Async' ? MAX_ASYNC_PAYLOAD : MAX_SYNC_PAYLOAD;
      return fcError(res, 400, 'EntityTooLarge', `payload size exceeds maximum allowed size (${max} bytes)`, requestId);
    }
    const verdict = verifyAcs3(
      { method: req.method ?? 'POST', rawPath, query, headers: req.headers, body },
      (id) => keyOf(id)?.secret,
    );
    if (!verdict.ok) return fcError(res, verdict.status, verdict.code, verdict.message, requestId);
    const caller = keyOf(verdict.accessKeyId)!;
    if (caller.securityToken !== undefined) {
      const token = req.headers['x-acs-security-token'];
      if (!token)
        return fcError(
          res,
          403,
          'InvalidSecurityToken',
          'the STS AccessKey needs its security token (x-acs-security-token)',
          requestId,
        );
      if (token !== caller.securityToken)
        return fcError(res, 403, 'InvalidSecurityToken', 'the security token does not match the AccessKey', requestId);
    }
    if (caller.forbidden) {
      return fcError(
        res,
        403,
        'AccessDenied',
        `the caller '${verdict.accessKeyId}' is not authorized to perform fc:InvokeFunction`,
        requestId,
      );
    }
    const name = decodeURIComponent((invokeMatch ?? taskMatch)![1]!);
    const fn = byName.get(name);
    if (!fn) return fcError(res, 404, 'FunctionNotFound', `function '${name}' does not exist`, requestId);

    if (taskMatch) {
      const task = queue.get(decodeURIComponent(taskMatch[2]!));
      if (!task || task.functionName !== name)
        return fcError(res, 404, 'AsyncTaskNotFound', `async task '${taskMatch[2]}' does not exist`, requestId);
      const out = JSON.stringify({ ...task, functionName: undefined, taskId: task.taskId, status: task.status });
      res.writeHead(200, { 'content-type': 'application/json', 'x-fc-request-id': requestId });
      return res.end(out);
    }
    if (invocationType !== 'Sync' && invocationType !== 'Async') {
      return fcError(
        res,
        400,
        'InvalidArgument',
        `x-fc-invocation-type must be Sync or Async, got '${invocationType}'`,
        requestId,
      );
    }
    if (invocationType === 'Async') {
      const delayText = req.headers['x-fc-async-delay'];
      const delaySec = delayText === undefined ? 0 : Number(delayText);
      if (!Number.isInteger(delaySec) || delaySec < 0 || delaySec > 3600) {
        return fcError(
          res,
          400,
          'InvalidArgument',
          `x-fc-async-delay must be an integer between 0 and 3600, got '${String(delayText)}'`,
          requestId,
        );
      }
      const taskHeader = req.headers['x-fc-async-task-id'];
      const taskId = typeof taskHeader === 'string' && taskHeader ? taskHeader : requestId;
      if (!TASK_ID.test(taskId) && taskId !== requestId) {
        return fcError(res, 400, 'InvalidArgument', `x-fc-async-task-id '${taskId}' is not a valid task id`, requestId);
      }
      const { task } = queue.submit(fn, body, { taskId, requestId, delayMs: delaySec * 1000 });
      res.writeHead(202, { 'x-fc-request-id': task.requestId, 'x-fc-async-task-id': task.taskId, 'content-length': 0 });
      return res.end();
    }
    const outcome = await deps.invokeSync(fn, body, requestId);
    if (!outcome.ok) {
      const out = JSON.stringify({
        errorMessage: outcome.errorMessage,
        errorType: outcome.errorType,
        stackTrace: outcome.stackTrace ?? [],
      });
      res.writeHead(200, {
        'content-type': 'application/json',
        'x-fc-request-id': requestId,
        'x-fc-error-type': 'UnhandledInvocationError',
      });
      return res.end(out);
    }
    const bytes = outcomeBytes(outcome);
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'x-fc-request-id': requestId,
      'content-length': bytes.length,
    });
    return res.end(bytes);
  };
}
