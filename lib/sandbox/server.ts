/**
 * The local Alibaba Cloud: one HTTP server that official SDKs talk to unchanged.
 *   POST|GET /            OpenAPI RPC (ECS, VPC, ResourceCenter, STS, KMS), V3 or V1 signed
 *   POST /<Operation>     Tablestore wire protocol (requests carrying x-ots-* headers)
 *   /__sandbox/*          admin API (loopback only, unsigned)
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { handleAdmin } from './admin';
import { cloudModule } from './cloud/index';
import { SandboxCore, type NewAccountOptions, type NewRoleOptions } from './openapi/core';
import { createKmsModule } from './openapi/kms';
import { RpcFrontDoor } from './openapi/rpc';
import { createStsModule } from './openapi/sts';
import { createTablestoreService, type TablestoreService } from './tablestore/index';

export interface SandboxOptions {
  /** 0 = a free port. Default 0. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** State lives in `${dataDir}/sandbox/state.json` (and the Tablestore service's files under dataDir). */
  dataDir: string;
  /** SANDBOX_TIME_SCALE: multiply every simulated wait by this. Default 1. */
  timeScale?: number;
  /** Scale of STS credential lifetimes (DurationSeconds). Default: `timeScale`. */
  stsTimeScale?: number;
  /** Mount the Tablestore service. Default true. */
  tablestore?: boolean;
  /** Mount ECS/VPC/ResourceCenter (`lib/sandbox/cloud`). Default true. */
  cloud?: boolean;
  /**
   * The OpenAPI side's clock (epoch ms): resource states, STS expiry, rate limits, signature
   * freshness. Default `Date.now`; tests pass a clock they move by hand, so nothing they assert
   * depends on how fast the machine runs.
   */
  now?: () => number;
  /** Gets every frame of the Tablestore write-ahead log as written (the test suite's secret scan). */
  tablestoreWalTee?: (frame: Buffer) => void;
}

export interface SandboxKeys {
  accountId: string;
  accessKeyId: string;
  accessKeySecret: string;
}

export interface Sandbox {
  port: number;
  /** `http://127.0.0.1:<port>` (Tablestore endpoint). */
  url: string;
  /** `127.0.0.1:<port>` (OpenAPI SDK `endpoint`, with `protocol: 'http'`). */
  endpoint: string;
  dataDir: string;
  timeScale: number;
  /** Whether the Tablestore wire protocol is mounted. */
  tablestore: boolean;
  /** Whether lib/sandbox/cloud (ECS, VPC, ResourceCenter) is mounted. */
  cloud: boolean;
  core: SandboxCore;
  createAccount(opts?: NewAccountOptions): Promise<SandboxKeys>;
  createAccessKey(
    accountId: string,
    allow: string[],
    userName?: string,
  ): Promise<SandboxKeys & { userName: string; allow: string[] }>;
  /** A new role (an existing name is refused: 409). */
  createRole(accountId: string, opts: NewRoleOptions): Promise<{ name: string; roleId: string; arn: string }>;
  /** Creates or replaces a role, keeping its id. */
  putRole(accountId: string, opts: NewRoleOptions): Promise<{ name: string; roleId: string; arn: string }>;
  close(): Promise<void>;
}

const here = (rel: string) => fileURLToPath(new URL(rel, import.meta.url));

const MAX_BODY = 64 * 1024 * 1024;
/** Far longer than any client keeps an idle socket, and than a test file runs. */
export const SANDBOX_KEEP_ALIVE_MS = 10 * 60_000;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Starts the sandbox; resolves once it listens. */
export async function startSandbox(opts: SandboxOptions): Promise<Sandbox> {
  const timeScale = opts.timeScale ?? 1;
  if (!(timeScale > 0)) throw new Error('timeScale must be > 0');
  const seed = JSON.parse(readFileSync(here('./seed/sandbox-seed.json'), 'utf8')) as unknown;
  const cloud = opts.cloud === false ? undefined : cloudModule;
  const core = new SandboxCore({
    dataDir: opts.dataDir,
    timeScale,
    stsTimeScale: opts.stsTimeScale ?? timeScale,
    seed,
    ...(cloud ? { cloud } : {}),
    ...(opts.now ? { now: opts.now } : {}),
  });
  for (const p of cloud?.products ?? []) core.register(p);
  core.register(createStsModule(core));
  core.register(createKmsModule(core));
  core.pruneExpiredKeys();
  const rpc = new RpcFrontDoor(core);

  const ots: TablestoreService | undefined =
    opts.tablestore === false
      ? undefined
      : await createTablestoreService({
          dataDir: opts.dataDir,
          ...(opts.tablestoreWalTee ? { walTee: opts.tablestoreWalTee } : {}),
          resolveSecret: (akId: string) => {
            const r = core.resolveSecret(akId);
            return (
              r &&
              (r.securityToken !== undefined
                ? { secret: r.secret, securityToken: r.securityToken }
                : { secret: r.secret })
            );
          },
        });

  const server: Server = createServer(async (req, res) => {
    try {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      // The admin API checks who is asking before it reads a body.
      if (path.startsWith('/__sandbox/') || path === '/__sandbox')
        return await handleAdmin(core, req, res, () => readBody(req));
      const body = await readBody(req);
      if (Object.keys(req.headers).some((h) => h.startsWith('x-ots-'))) {
        if (!ots) {
          res.writeHead(501, { 'content-type': 'text/plain' });
          return res.end('the Tablestore sandbox is not available');
        }
        return await ots.handle(req, res, body);
      }
      return await rpc.handle(req, res, body);
    } catch (e) {
      console.error('[sandbox] request failed', e);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end();
    }
  });
  // Idle keep-alive sockets stay open (closed with the sandbox): when a server closes an idle
  // socket, a client (httpx's shared agent in the SDKs) may be writing its next request on it at
  // that moment and gets ECONNRESET. Clients close their own idle sockets first, without that race.
  server.keepAliveTimeout = SANDBOX_KEEP_ALIVE_MS;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const hostForUrl = !opts.host || opts.host === '0.0.0.0' ? '127.0.0.1' : opts.host;
  let closed = false;

  return {
    port,
    url: `http://${hostForUrl}:${port}`,
    endpoint: `${hostForUrl}:${port}`,
    dataDir: opts.dataDir,
    timeScale,
    tablestore: ots !== undefined,
    cloud: cloud !== undefined,
    core,
    createAccount: async (o) => core.createAccount(o),
    createAccessKey: async (id, allow, userName) => core.createLimitedKey(id, allow, userName),
    createRole: async (id, o) => {
      const r = core.createRole(id, o);
      return { name: r.name, roleId: r.roleId, arn: r.arn };
    },
    putRole: async (id, o) => {
      const r = core.putRole(id, o);
      return { name: r.name, roleId: r.roleId, arn: r.arn };
    },
    async close() {
      if (closed) return;
      closed = true;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await ots?.close();
      core.flush();
    },
  };
}
