/**
 * The Tablestore sandbox: an HTTP service the unmodified `tablestore` SDK uses as its endpoint.
 * `createTablestoreService` gives a handler to mount on the shared sandbox port;
 * `startTablestoreServer` runs it alone (tests, tools).
 */
import { createHash, randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createLogger } from '../../core/log';
import { Engine, type Rec } from './engine';
import { OtsError, errorBody, ots } from './errors';
import { operations } from './handlers';
import { verifyRequest, type ResolveSecret } from './signature';
import { Wal } from './wal';

export interface TablestoreServiceOptions {
  dataDir: string; // persist under `${dataDir}/tablestore/`
  /** Secret (and STS token if any) for an AccessKeyId; undefined = unknown key. */
  resolveSecret: ResolveSecret;
  /** Epoch ms for cell timestamps; default Date.now. */
  now?: () => number;
  /** fsync every write (power-loss safe); default false (process-crash safe). */
  fsync?: boolean;
  /** Compact the log into a snapshot beyond this size; default 8 MiB. */
  compactBytes?: number;
  /** Gets every write-ahead log frame as written (the test suite's secret scan). */
  walTee?: (frame: Buffer) => void;
}

export interface TablestoreService {
  /** Handles `POST /<Operation>`; `body` is the full raw request body. Writes the response. */
  handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void>;
  close(): Promise<void>; // flush + close files
}

const MAX_BODY = 5 * 1024 * 1024;
const log = createLogger({ component: 'tablestore-sandbox' });

function send(res: ServerResponse, status: number, body: Buffer, requestId: string): void {
  res.writeHead(status, {
    'content-type': 'application/x-protobuf',
    'content-length': body.length,
    'x-ots-requestid': requestId,
    'x-ots-contentmd5': createHash('md5').update(body).digest('base64'),
    'x-ots-contenttype': 'protocol buffer',
    'x-ots-date': new Date().toISOString(),
  });
  res.end(body);
}

/** Opens (replaying) the data under `${dataDir}/tablestore/` and returns the request handler. */
export async function createTablestoreService(opts: TablestoreServiceOptions): Promise<TablestoreService> {
  const { wal, records } = Wal.open(path.join(opts.dataDir, 'tablestore'), {
    fsync: opts.fsync,
    compactBytes: opts.compactBytes,
    tee: opts.walTee,
  });
  const engine = new Engine((rec) => wal.append(rec), opts.now);
  for (const rec of records) engine.apply(rec as Rec);
  let closed = false;

  return {
    async handle(req, res, body) {
      const requestId = randomUUID();
      try {
        if (closed) throw ots.internal('The service is shutting down.');
        if (body.length > MAX_BODY) throw ots.tooLarge();
        const { instance } = verifyRequest(req, body, opts.resolveSecret);
        const op = (req.url ?? '/').split('?', 1)[0]!.replace(/^\//, '');
        const handler = Object.hasOwn(operations, op) ? operations[op] : undefined;
        if (!handler) throw ots.parameterInvalid(`Unsupported operation: '${op}'.`);
        const out = handler(engine, instance, body);
        if (wal.wantsCompaction()) wal.compact(engine.dump());
        send(res, 200, out, requestId);
      } catch (e) {
        const err = e instanceof OtsError ? e : ots.internal();
        if (!(e instanceof OtsError))
          log.error('internal error', { requestId, error: String((e as Error)?.stack ?? e) });
        send(res, err.httpStatus, errorBody(err), requestId);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      wal.compact(engine.dump());
      wal.close();
    },
  };
}

/** A standalone server for tests and tools. `keys` maps AccessKeyId → secret (or secret + STS token). */
export async function startTablestoreServer(opts: {
  port?: number;
  host?: string;
  dataDir: string;
  keys: Record<string, string | { secret: string; securityToken?: string }>;
  fsync?: boolean;
  compactBytes?: number;
  now?: () => number;
}): Promise<{ port: number; endpoint: string; service: TablestoreService; close(): Promise<void> }> {
  const service = await createTablestoreService({
    dataDir: opts.dataDir,
    fsync: opts.fsync,
    compactBytes: opts.compactBytes,
    now: opts.now,
    resolveSecret: (id) => {
      const k = opts.keys[id];
      return k === undefined ? undefined : typeof k === 'string' ? { secret: k } : k;
    },
  });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => void service.handle(req, res, Buffer.concat(chunks)));
  });
  // As the shared sandbox server: idle sockets are the client's to close (no reset race).
  server.keepAliveTimeout = 10 * 60_000;
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    endpoint: `http://${host}:${port}`,
    service,
    async close() {
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await service.close();
    },
  };
}
