/** Small HTTP helpers shared by the local host's front doors. */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** FC-style request id: `1-6543a1b2-3c4d5e6f-7a8b9c0d1e2f`. */
export const fcRequestId = () => {
  const h = randomBytes(14).toString('hex');
  return `1-${h.slice(0, 8)}-${h.slice(8, 16)}-${h.slice(16, 28)}`;
};

/** FC payload limits: 32 MiB for sync calls and HTTP, 128 KiB for async calls. */
export const MAX_SYNC_PAYLOAD = 32 * 1024 * 1024;
export const MAX_ASYNC_PAYLOAD = 128 * 1024;

/** What the body of a request over `limit` bytes never had: a declared length over it. */
export const declaredTooLarge = (req: IncomingMessage, limit: number) => {
  const declared = Number(req.headers['content-length']);
  return Number.isFinite(declared) && declared > limit;
};

/**
 * Reads a body of at most `limit` bytes (answering `Expect: 100-continue` first). A declared Content-Length over the limit is refused
 * before a byte is read; a body that grows past it is not read any further. Either way the
 * caller answers with `answerEarly`, which closes the connection: whatever the client sends,
 * at most `limit` plus one chunk is ever held. Rejects when the client goes away mid-body.
 */
export function readBody(req: IncomingMessage, res: ServerResponse, limit: number): Promise<Buffer | 'too-large'> {
  if (declaredTooLarge(req, limit)) return Promise.resolve('too-large');
  // The host's server leaves `Expect: 100-continue` to us: now the body is wanted.
  if (/^100-continue$/i.test(req.headers.expect ?? '')) res.writeContinue();
  return new Promise((resolvePromise, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onClose);
      req.off('error', onError);
    };
    const onData = (c: Buffer) => {
      size += c.length;
      if (size <= limit) return void chunks.push(c);
      stop();
      req.pause();
      resolvePromise('too-large');
    };
    const onEnd = () => {
      stop();
      resolvePromise(Buffer.concat(chunks));
    };
    const onClose = () => {
      stop();
      reject(new Error('the client closed the connection before the body ended'));
    };
    const onError = (e: Error) => {
      stop();
      reject(e);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('close', onClose);
    req.on('error', onError);
  });
}

/**
 * For an answer given before the request body was read in full (refused early, or too large):
 * no keep-alive, and the socket is destroyed once the answer is out, so the rest of the body is
 * never read. Call before writing the answer.
 */
export function answerEarly(req: IncomingMessage, res: ServerResponse): void {
  if (req.complete) return;
  res.shouldKeepAlive = false;
  res.setHeader('connection', 'close');
  res.once('finish', () => req.socket.destroy());
}

/** FC's error answer (`Code/Message/RequestId`, plus the documented `errorCode/errorMessage`). */
export function fcError(res: ServerResponse, status: number, code: string, message: string, requestId: string) {
  const body = JSON.stringify({
    Code: code,
    Message: message,
    RequestId: requestId,
    errorCode: code,
    errorMessage: message,
  });
  res.writeHead(status, {
    'content-type': 'application/json',
    'x-fc-request-id': requestId,
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}
