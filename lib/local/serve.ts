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

/** Reads a body up to `limit` bytes (the rest is drained, not kept). */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolvePromise, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) over = true;
      else chunks.push(c);
    });
    req.on('end', () => resolvePromise(over ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
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
