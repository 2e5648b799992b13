/**
 * Test helper: HTTP requests as a hostile client sends them — any path byte for byte, any Host,
 * a declared body bigger than what is sent — and FC invoke API requests signed by the SDK's own
 * signer (`OpenApiUtil.getAuthorization`) that can be sent again as they are (replays).
 */
import { createHash, randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { connect } from 'node:net';
import { OpenApiUtil } from '@alicloud/openapi-core';

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  text: string;
}

/** One request; `path` goes on the wire exactly as given (no URL parsing on either side). */
export function send(
  url: string,
  o: { method?: string; path: string; headers?: Record<string, string>; body?: Buffer | string },
): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      { hostname, port, method: o.method ?? 'GET', path: o.path, headers: o.headers ?? {} },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers as Record<string, string>, text }),
        );
      },
    );
    req.on('error', reject);
    req.end(o.body);
  });
}

export interface EarlyAnswer extends RawAnswer {
  /** Body bytes sent before the answer came (the client sent no more until it did). */
  sentBeforeAnswer: number;
  /** Body bytes the client could still push after the answer before the connection broke. */
  pushedAfter: number;
  /** The connection broke while pushing (the server closed it) rather than taking it all. */
  refused: boolean;
}

/**
 * Sends the head of a request declaring a `declared`-byte body (or chunked), then only the first
 * `first` bytes, and waits for the answer without sending more: an answer proves the server did
 * not wait for the whole body. Then tries to push the rest, 1 MiB at a time.
 */
export function earlyAnswer(
  url: string,
  o: {
    method?: string;
    path: string;
    headers?: Record<string, string>;
    declared: number;
    first: number;
    chunked?: boolean;
  },
): Promise<EarlyAnswer> {
  const { hostname, port } = new URL(url);
  const chunk = (b: Buffer) =>
    o.chunked ? Buffer.concat([Buffer.from(`${b.length.toString(16)}\r\n`), b, Buffer.from('\r\n')]) : b;
  return new Promise((resolve, reject) => {
    const sock = connect(Number(port), hostname);
    let received = Buffer.alloc(0);
    let answer: RawAnswer | undefined;
    let pushedAfter = 0;
    let settled = false;
    const finish = (refused: boolean) => {
      if (settled || !answer) return;
      settled = true;
      sock.destroy();
      resolve({ ...answer, sentBeforeAnswer: o.first, pushedAfter, refused });
    };
    const push = () => {
      const block = Buffer.alloc(1024 * 1024, 'x');
      const next = () => {
        if (settled) return;
        if (o.first + pushedAfter >= o.declared) return finish(false);
        const n = Math.min(block.length, o.declared - o.first - pushedAfter);
        pushedAfter += n;
        if (sock.write(chunk(block.subarray(0, n)))) setImmediate(next);
        else sock.once('drain', next);
      };
      next();
    };
    sock.on('data', (d: Buffer) => {
      received = Buffer.concat([received, d]);
      const end = received.indexOf('\r\n\r\n');
      if (answer || end < 0) return;
      const head = received.subarray(0, end).toString('latin1').split('\r\n');
      const status = Number(head[0]!.split(' ')[1]);
      if (status === 100) {
        received = received.subarray(end + 4);
        return;
      }
      const headers: Record<string, string> = {};
      for (const line of head.slice(1)) {
        const i = line.indexOf(':');
        headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      const length = Number(headers['content-length'] ?? 0);
      if (received.length < end + 4 + length) return;
      answer = { status, headers, text: received.subarray(end + 4, end + 4 + length).toString('utf8') };
      push();
    });
    sock.on('error', (e) => (answer ? finish(true) : reject(e)));
    sock.on('close', () => (answer ? finish(true) : reject(new Error('closed without an answer'))));
    const headers = {
      host: `${hostname}:${port}`,
      ...(o.chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(o.declared) }),
      ...o.headers,
    };
    const head = `${o.method ?? 'POST'} ${o.path} HTTP/1.1\r\n${Object.entries(headers)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('')}\r\n`;
    sock.write(head);
    if (o.first > 0) sock.write(chunk(Buffer.alloc(o.first, 'x')));
  });
}

export interface SignedInvoke {
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * An invoke API request signed as `@alicloud/fc20230330` signs it. `date` (ISO, default now),
 * `nonce` and `signedHeaders` (which of the headers to sign; default all the SDK signs) let a
 * test make the requests the SDK would never make.
 */
export function signInvoke(
  url: string,
  key: { accessKeyId: string; accessKeySecret: string },
  o: {
    fn: string;
    /** Raw path segment for the function (default `fn`, percent-encoded). */
    rawName?: string;
    event: unknown;
    invocationType?: 'Sync' | 'Async';
    date?: string;
    nonce?: string;
    signedHeaders?: string[];
  },
): SignedInvoke {
  const body = Buffer.from(JSON.stringify(o.event));
  const hash = createHash('sha256').update(body).digest('hex');
  const path = `/2023-03-30/functions/${o.rawName ?? encodeURIComponent(o.fn)}/invocations`;
  const headers: Record<string, string> = {
    host: new URL(url).host,
    'x-acs-action': 'InvokeFunction',
    'x-acs-version': '2023-03-30',
    'x-acs-date': o.date ?? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    'x-acs-signature-nonce': o.nonce ?? randomUUID(),
    'x-acs-content-sha256': hash,
    'content-type': 'application/octet-stream',
  };
  const signed = o.signedHeaders
    ? Object.fromEntries(Object.entries(headers).filter(([k]) => o.signedHeaders!.includes(k)))
    : headers;
  const auth = OpenApiUtil.getAuthorization(
    { pathname: path, method: 'POST', query: {}, headers: signed } as never,
    'ACS3-HMAC-SHA256',
    hash,
    key.accessKeyId,
    key.accessKeySecret,
  );
  return {
    path,
    headers: { ...headers, authorization: auth, 'x-fc-invocation-type': o.invocationType ?? 'Sync' },
    body,
  };
}

/** Sends a signed invoke request (again and again: a replay is the very same bytes). */
export const sendSigned = (url: string, s: SignedInvoke) =>
  send(url, { method: 'POST', path: s.path, headers: s.headers, body: s.body });
