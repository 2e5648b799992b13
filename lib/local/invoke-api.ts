/**
 * The FC 3.0 invoke API of the local host: `POST /2023-03-30/functions/{name}/invocations`
 * (ACS3-HMAC-SHA256 signed, Sync or Async with delay and task id) and
 * `GET /2023-03-30/functions/{name}/async-tasks/{taskId}`. Answers and error codes as FC's.
 * Everything a header can tell (signature, freshness, nonce, caller, function, invocation type)
 * is checked before a byte of the body is read; the body is then read up to its limit only.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../core/clock';
import { MAX_ASYNC_DELAY_MS } from '../invoke';
import { bodyMatches, NonceWindow, verifyAcs3 } from './acs3';
import type { AsyncQueue } from './async-queue';
import { outcomeBytes } from './http-event';
import type { InvokeOutcome } from './instances';
import { answerEarly, fcError, fcRequestId, MAX_ASYNC_PAYLOAD, MAX_SYNC_PAYLOAD, readBody } from './serve';
import type { LocalFunction } from './syaml';

const INVOKE_PATH = /^\/2023-03-30\/functions\/([^/]+)\/invocations$/;
const TASK_PATH = /^\/2023-03-30\/functions\/([^/]+)\/async-tasks\/([^/]+)$/;
const TASK_ID = /^[A-Za-z_][A-Za-z0-9_-]{0,127}$/;
const MAX_DELAY_SEC = MAX_ASYNC_DELAY_MS / 1000;

export interface InvokeApiDeps {
  byName: Map<string, LocalFunction>;
  queue: AsyncQueue;
  /**
   * A caller's key: its secret, its STS token (which the request must carry), and `forbidden`
   * when the principal exists but may not invoke (fc:InvokeFunction). Undefined = unknown key.
   */
  keyOf: (accessKeyId: string) => { secret: string; securityToken?: string; forbidden?: boolean } | undefined;
  invokeSync: (fn: LocalFunction, event: Buffer, requestId: string) => Promise<InvokeOutcome>;
  clock: Clock;
  /** The body that was read (the traffic capture records its secrets). */
  onBody?: (req: IncomingMessage, body: Buffer) => void;
}

const decode = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
};

/** Handles one FC API request; `rawPath` is the path exactly as sent (it is signed). */
export function createInvokeApi(deps: InvokeApiDeps) {
  const { byName, queue, keyOf } = deps;
  const nonces = new NonceWindow();
  return async (req: IncomingMessage, res: ServerResponse, rawPath: string, query: URLSearchParams) => {
    const requestId = fcRequestId();
    const refuse = (status: number, code: string, message: string) => {
      answerEarly(req, res);
      fcError(res, status, code, message, requestId);
    };
    const invokeMatch = INVOKE_PATH.exec(rawPath);
    const taskMatch = TASK_PATH.exec(rawPath);
    if (!(invokeMatch && req.method === 'POST') && !(taskMatch && req.method === 'GET'))
      return refuse(400, 'PathNotSupported', `'${req.method} ${rawPath}' is not supported`);
    const name = decode((invokeMatch ?? taskMatch)![1]!);
    const taskId = taskMatch ? decode(taskMatch[2]!) : undefined;
    if (name === undefined || (taskMatch && taskId === undefined))
      return refuse(400, 'InvalidArgument', 'the request path is not valid percent-encoding');

    const now = deps.clock.now();
    const verdict = verifyAcs3(
      { method: req.method ?? 'POST', rawPath, query, headers: req.headers },
      (id) => keyOf(id)?.secret,
      now,
    );
    if (!verdict.ok) return refuse(verdict.status, verdict.code, verdict.message);
    const caller = keyOf(verdict.accessKeyId)!;
    if (caller.securityToken !== undefined) {
      const token = req.headers['x-acs-security-token'];
      if (!token)
        return refuse(403, 'InvalidSecurityToken', 'the STS AccessKey needs its security token (x-acs-security-token)');
      if (token !== caller.securityToken)
        return refuse(403, 'InvalidSecurityToken', 'the security token does not match the AccessKey');
    }
    if (caller.forbidden)
      return refuse(
        403,
        'AccessDenied',
        `the caller '${verdict.accessKeyId}' is not authorized to perform fc:InvokeFunction`,
      );
    // Burnt only by a valid signature, so nobody without the key can fill the window.
    const claim = nonces.claim(verdict.accessKeyId, verdict.nonce, verdict.dateMs, now);
    if (claim === 'used') return refuse(400, 'SignatureNonceUsed', 'the signature nonce has been used already');
    if (claim === 'full')
      return refuse(503, 'ServiceUnavailable', 'too many signed requests in the last 15 minutes; try again later');

    const fn = byName.get(name);
    if (!fn) return refuse(404, 'FunctionNotFound', `function '${name}' does not exist`);
    if (taskMatch) {
      const task = queue.get(taskId!);
      if (!task || task.functionName !== name)
        return refuse(404, 'AsyncTaskNotFound', `async task '${taskId}' does not exist`);
      const out = JSON.stringify({ ...task, functionName: undefined, taskId: task.taskId, status: task.status });
      answerEarly(req, res);
      res.writeHead(200, { 'content-type': 'application/json', 'x-fc-request-id': requestId });
      return res.end(out);
    }

    const invocationType = String(req.headers['x-fc-invocation-type'] ?? 'Sync');
    if (invocationType !== 'Sync' && invocationType !== 'Async')
      return refuse(400, 'InvalidArgument', `x-fc-invocation-type must be Sync or Async, got '${invocationType}'`);
    let delaySec = 0;
    let asyncTaskId = requestId;
    if (invocationType === 'Async') {
      const delayText = req.headers['x-fc-async-delay'];
      delaySec = delayText === undefined ? 0 : Number(delayText);
      if (!Number.isInteger(delaySec) || delaySec < 0 || delaySec > MAX_DELAY_SEC)
        return refuse(
          400,
          'InvalidArgument',
          `x-fc-async-delay must be an integer between 0 and ${MAX_DELAY_SEC}, got '${String(delayText)}'`,
        );
      const taskHeader = req.headers['x-fc-async-task-id'];
      if (typeof taskHeader === 'string' && taskHeader) {
        if (!TASK_ID.test(taskHeader))
          return refuse(400, 'InvalidArgument', `x-fc-async-task-id '${taskHeader}' is not a valid task id`);
        asyncTaskId = taskHeader;
      }
    }

    const max = invocationType === 'Async' ? MAX_ASYNC_PAYLOAD : MAX_SYNC_PAYLOAD;
    const body = await readBody(req, res, max);
    if (body === 'too-large')
      return refuse(400, 'EntityTooLarge', `payload size exceeds maximum allowed size (${max} bytes)`);
    if (!bodyMatches(body, verdict.contentSha256))
      return refuse(
        403,
        'SignatureNotMatch',
        'The request signature we calculated does not match the signature you provided. (x-acs-content-sha256 does not match the body)',
      );
    deps.onBody?.(req, body);

    if (invocationType === 'Async') {
      const { task } = queue.submit(fn, body, { taskId: asyncTaskId, requestId, delayMs: delaySec * 1000 });
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
