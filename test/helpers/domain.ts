/**
 * The settings + catalog API for the accounts/catalog tests: through the local host (test/e2e:
 * built bundles, FC HTTP events, function processes), or in-process through the real FC adapter
 * (`createFcHandler`) against the sandbox (test/integration: Tablestore, STS, ECS, KMS). Nothing
 * is faked in-process: only the FC runtime is skipped, which keeps 1,000-body fuzzing fast and
 * lets a test wrap the cloud or the store (count calls, hold a write at a gate).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { systemClock } from '../../lib/core/clock';
import { loadConfig } from '../../lib/core/config';
import { createLogger } from '../../lib/core/log';
import { createFcHandler } from '../../lib/fc/handler';
import type { FcContext, FcHttpEvent } from '../../lib/fc/types';
import { createStore, ensureTables } from '../../lib/store';
import { createTablestoreClient } from '../../lib/store/client';
import { createCloudFactory } from '../../lib/cloud';
import { createSecretBox, type SecretBox } from '../../lib/crypto';
import { accountActions, type AccountsDeps } from '../../lib/accounts';
import { authenticateBearer, tokenActions } from '../../lib/auth';
import { catalogActions, clearAccountCache } from '../../lib/catalog';
import type { Deps } from '../../lib/fc/deps';
import { newId } from '../../lib/core/ids';
import { startTestSandbox } from './sandbox';
import { startTestHost } from './local';
import { openCapture } from '../../lib/local/capture';
import type { Store } from '../../lib/store/types';
import type { CloudFactory } from '../../lib/cloud/types';

export interface Domain {
  /** `http://127.0.0.1:<port>` of the sandbox (admin API). */
  sandboxUrl: string;
  /** `127.0.0.1:<port>` for the official SDK clients. */
  sandboxEndpoint: string;
  createSandboxAccount(): Promise<{ accountId: string; accessKeyId: string; accessKeySecret: string }>;
  admin<T = any>(path: string, body?: unknown): Promise<T>;
  /** Where the sandbox keeps the product's Tablestore data on disk (to scan it for secrets). */
  tablestoreDir: string;
  /** The product's Tablestore, as the deployment (to inspect rows). */
  store: Store;
  adminToken: string;
  /** The deployment's own Alibaba account (its keys are the functions' role credentials). */
  deploymentAccountId: string;
  /** The SecretBox the functions use (in-process only). */
  secrets?: SecretBox;
  /** Every log line the functions wrote. */
  logs: string[];
  call(
    method: string,
    path: string,
    opts?: { token?: string; json?: unknown; body?: string; query?: Record<string, string> },
  ): Promise<{ status: number; body: any; raw: string }>;
  /** Direct invocation `{action, input}` (in-process only). */
  invoke(action: string, input?: unknown): Promise<any>;
  close(): Promise<void>;
}

async function adminCall(base: string, path: string, body?: unknown) {
  const res = await fetch(`${base}/__sandbox${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`admin ${path} → ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

function storeAs(
  endpoint: string,
  creds: { accessKeyId: string; accessKeySecret: string },
  tablePrefix = 'fleet_',
  instance = 'fleet',
): Store {
  const tsOpts = { endpoint, instance, credentials: creds };
  return createStore({ tablePrefix, client: () => createTablestoreClient(tsOpts) });
}

/**
 * The settings + catalog API. `via: 'host'` (default) serves it through the local host (built
 * bundles, FC HTTP events, separate function processes); `'inprocess'` calls the same actions
 * through `createFcHandler` in this process (fast: fuzzing, benchmarks of the domain).
 */
export interface DomainOptions {
  via?: 'host' | 'inprocess';
  ttlMs?: number;
  /** In-process: decorate the cloud factory (e.g. to count calls). */
  wrapCloud?: (f: CloudFactory) => CloudFactory;
  /** In-process: the sandbox's STS session lifetime scale (1 = sessions last as long as on Alibaba, so the client caches them). */
  stsTimeScale?: number;
  /** In-process: decorate the functions' store (e.g. to hold a write back in a race test). */
  wrapStore?: (s: Store) => Store;
  /** In-process: a local master key (base64, 32 bytes) instead of the sandbox's KMS. */
  masterKey?: string;
}

export async function startDomain(opts: DomainOptions = {}): Promise<Domain> {
  if ((opts.via ?? 'host') === 'host') {
    const logs: string[] = [];
    const host = await startTestHost({
      onLog: (fn, line) => logs.push(`[${fn}] ${line}`),
      timers: false,
      ...(opts.ttlMs !== undefined ? { env: { FLEET_CATALOG_TTL_MS: String(opts.ttlMs) } } : {}),
    });
    const dep = host.deploymentAccount;
    const store = storeAs(host.sandbox.url, dep);
    await ensureTables(store);
    return {
      sandboxUrl: host.sandbox.url,
      sandboxEndpoint: host.sandbox.endpoint,
      tablestoreDir: join(host.sandbox.dataDir, 'tablestore'),
      createSandboxAccount: () => host.sandbox.createAccount(),
      admin: (path, body) => adminCall(host.sandbox.url, path, body),
      store,
      adminToken: host.adminToken,
      deploymentAccountId: dep.accountId,
      logs,
      async call(method, path, o = {}) {
        const q = o.query && Object.keys(o.query).length ? `?${new URLSearchParams(o.query)}` : '';
        const res = await host.fetch(path + q, {
          method,
          ...(o.token ? { token: o.token } : {}),
          ...(o.json !== undefined ? { json: o.json } : {}),
          ...(o.body !== undefined ? { body: o.body, headers: { 'content-type': 'application/json' } } : {}),
        });
        const raw = await res.text();
        let body: any;
        try {
          body = raw ? JSON.parse(raw) : undefined;
        } catch {
          body = undefined;
        }
        return { status: res.status, body, raw };
      },
      invoke: () => Promise.reject(new Error('invoke is in-process only')),
      close: () => host.close(),
    };
  }
  return startInProcess(opts);
}

async function startInProcess(opts: DomainOptions): Promise<Domain> {
  // The suite's secret scan sees in-process answers, logs and Tablestore writes too (FLEET_CAPTURE_DIR, set by npm test).
  const capture = openCapture();
  const sb = await startTestSandbox({
    ...(opts.stsTimeScale !== undefined ? { stsTimeScale: opts.stsTimeScale } : {}),
    ...(capture ? { tablestoreWalTee: capture.tablestoreWal } : {}),
  });
  const deployment = await sb.createAccount();
  const adminToken = `fleet_admin_${randomBytes(16).toString('hex')}`;
  capture?.secret(adminToken, 'admin token');
  const config = loadConfig({
    FLEET_SANDBOX_ENDPOINT: sb.endpoint,
    TABLESTORE_ENDPOINT: sb.url,
    FLEET_ADMIN_TOKEN: adminToken,
    ...(opts.masterKey ? { FLEET_MASTER_KEY: opts.masterKey } : { FLEET_KMS_KEY_ID: 'alias/fleet' }),
    FLEET_REGION: 'cn-hangzhou',
    FLEET_ACCOUNT_ID: deployment.accountId,
    ...(opts.ttlMs !== undefined ? { FLEET_CATALOG_TTL_MS: String(opts.ttlMs) } : {}),
  });
  // The functions' role: a RAM identity of the deployment account, not its root key (root may not AssumeRole).
  const fnKey = (await adminCall(sb.url, `/accounts/${deployment.accountId}/access-keys`, {
    allow: ['*'],
    userName: 'fleet-functions',
  })) as { accessKeyId: string; accessKeySecret: string };
  const role = { accessKeyId: fnKey.accessKeyId, accessKeySecret: fnKey.accessKeySecret };
  const tsOpts = { endpoint: config.tablestore.endpoint, instance: config.tablestore.instance, credentials: role };
  await ensureTables({ client: tsOpts, tablePrefix: config.tablestore.tablePrefix });
  const store = storeAs(config.tablestore.endpoint, role, config.tablestore.tablePrefix, config.tablestore.instance);
  const logs: string[] = [];
  const log = createLogger({}, { level: 'debug', write: (l) => (logs.push(l), capture?.log('inprocess', l)) });
  const realCloud = createCloudFactory({
    config,
    clock: systemClock,
    log,
    roleCredentials: role,
    retry: { maxAttempts: 2, baseDelayMs: 5, throttledBaseDelayMs: 5, maxDelayMs: 20 },
  });
  const cloud = opts.wrapCloud ? opts.wrapCloud(realCloud) : realCloud;
  // Through the (possibly wrapped) factory, so a test can count KMS calls too.
  const secrets = createSecretBox(config.secrets, () => cloud.forFunction().kms);
  const domainStore = opts.wrapStore ? opts.wrapStore(store) : store;
  const deps: Omit<Deps, 'invoker'> & Pick<AccountsDeps, 'hooks'> = {
    config,
    clock: systemClock,
    log,
    random: Math.random,
    newId,
    store: domainStore,
    cloud,
    secrets,
    hooks: { afterDelete: (accountId) => clearAccountCache(domainStore, accountId) },
  };
  const handler = createFcHandler<typeof deps>({
    actions: [...tokenActions(), ...accountActions(), ...catalogActions()],
    makeDeps: () => deps,
    authenticate: authenticateBearer,
  });
  const context = (): FcContext => ({
    requestId: randomUUID(),
    credentials: role,
    function: { name: 'fleet-settings', handler: 'index.handler', memory: 512, timeout: 60 },
    region: 'cn-hangzhou',
    accountId: deployment.accountId,
  });
  return {
    sandboxUrl: sb.url,
    sandboxEndpoint: sb.endpoint,
    tablestoreDir: join(sb.dataDir, 'tablestore'),
    createSandboxAccount: () => sb.createAccount(),
    admin: (path, body) => adminCall(sb.url, path, body),
    store,
    adminToken,
    deploymentAccountId: deployment.accountId,
    secrets,
    logs,
    async call(method, path, o = {}) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (o.token) headers.authorization = `Bearer ${o.token}`;
      const event: FcHttpEvent = {
        version: 'v1',
        rawPath: path,
        headers,
        queryParameters: o.query ?? {},
        body: o.body ?? (o.json === undefined ? '' : JSON.stringify(o.json)),
        isBase64Encoded: false,
        requestContext: {
          accountId: deployment.accountId,
          domainName: 'localhost',
          requestId: randomUUID(),
          http: { method, path, sourceIp: '127.0.0.1', userAgent: 'test' },
          time: new Date().toISOString(),
          timeEpoch: String(Date.now()),
        },
      };
      const res = (await handler(Buffer.from(JSON.stringify(event)), context())) as {
        statusCode: number;
        body: string;
        headers?: Record<string, unknown>;
      };
      capture?.exchange({
        method,
        path,
        request: event.body,
        status: res.statusCode,
        headers: res.headers ?? {},
        body: res.body ?? '',
      });
      let body: any;
      try {
        body = res.body ? JSON.parse(res.body) : undefined;
      } catch {
        body = undefined;
      }
      return { status: res.statusCode, body, raw: res.body };
    },
    invoke: async (action, input) => {
      const request = JSON.stringify({ action, input });
      const out = await handler(Buffer.from(request), context());
      capture?.exchange({ method: 'INVOKE', path: action, request, status: 200, body: JSON.stringify(out) ?? '' });
      return out;
    },
    async close() {
      await sb.sandbox.close();
      capture?.close({ dataDir: sb.dataDir, sandbox: sb.sandbox, env: { FLEET_MASTER_KEY: opts.masterKey } });
      await sb.close();
    },
  };
}

/** An access_key credential body for a sandbox account. */
export const akCredential = (k: { accessKeyId: string; accessKeySecret: string }) => ({
  type: 'access_key' as const,
  accessKeyId: k.accessKeyId,
  accessKeySecret: k.accessKeySecret,
});

/** A PEM private key for SSH key tests (RSA, generated once per process). */
export async function rsaPem(): Promise<{ privateKey: string; publicKeyOpenSsh: string }> {
  const { generateKeyPairSync, createPublicKey } = await import('node:crypto');
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' }) as { n: string; e: string };
  const mpint = (b64u: string) => {
    let b = Buffer.from(b64u, 'base64url');
    if (b[0]! & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    return Buffer.concat([len, b]);
  };
  const str = (s: string) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(s.length);
    return Buffer.concat([len, Buffer.from(s)]);
  };
  const blob = Buffer.concat([str('ssh-rsa'), mpint(jwk.e), mpint(jwk.n)]);
  return { privateKey: pem, publicKeyOpenSsh: `ssh-rsa ${blob.toString('base64')} test@fleet` };
}
