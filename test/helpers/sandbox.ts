/**
 * Test helper: a sandbox on a free port with its own temp data dir, fast clock (time scale
 * 0.001 by default) or a clock the test moves by hand (`clock`), and small wrappers for the
 * admin API. Close it in `test.after`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Sandbox, type SandboxKeys } from '../../lib/sandbox/server';
import type { NewAccountOptions } from '../../lib/sandbox/openapi/core';
import OpenApiModule, { $OpenApiUtil, OpenApiUtil } from '@alicloud/openapi-core';
import * as $dara from '@darabonba/typescript';
import type { Test } from 'uvu';
import { ManualClock, type Clock } from '../../lib/core/clock';

export interface TestSandbox {
  sandbox: Sandbox;
  /** `http://127.0.0.1:<port>` (Tablestore endpoint, admin API base). */
  url: string;
  /** `127.0.0.1:<port>` (OpenAPI SDK endpoint with `protocol: 'http'`). */
  endpoint: string;
  dataDir: string;
  createAccount(opts?: NewAccountOptions): Promise<SandboxKeys>;
  /** Calls the admin API: `admin('/accounts/123/faults', {code: 'Throttling.User'})` (path with or without `/__sandbox`). Throws on non-2xx. */
  admin<T = any>(path: string, body?: unknown, method?: string): Promise<T>;
  /** Stops the sandbox (state flushed); `keepData` leaves the data dir for a restart test. */
  close(opts?: { keepData?: boolean }): Promise<void>;
}

export interface TestSandboxOptions {
  /** Default 0.001 (a realistic 10 s wait takes 10 ms). */
  timeScale?: number;
  /** STS credential lifetime scale; default = timeScale (DurationSeconds 3600 lasts 3.6 s at 0.001). */
  stsTimeScale?: number;
  /** Reuse a data dir (restart tests); default a fresh temp dir. */
  dataDir?: string;
  /** Mount lib/sandbox/cloud (ECS, VPC, ResourceCenter); default true. */
  cloud?: boolean;
  /**
   * The sandbox's clock (resource states, STS expiry, rate limits). Default real time. A test that
   * asserts on a state that lasts a while (Pending, a live STS session, an empty token bucket)
   * passes a `ManualClock` and moves it: a loaded machine then cannot skip the state.
   */
  clock?: Clock;
  /** Gets every Tablestore write-ahead log frame as written (a capture for the secret scan). */
  tablestoreWalTee?: (frame: Buffer) => void;
}

/** A clock that stands still at the real time it was made until the test moves it. */
export const virtualClock = () => new ManualClock(Date.now());

export async function startTestSandbox(opts: TestSandboxOptions = {}): Promise<TestSandbox> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'fleet-sandbox-'));
  const sandbox = await startSandbox({
    port: 0,
    dataDir,
    timeScale: opts.timeScale ?? 0.001,
    ...(opts.stsTimeScale !== undefined ? { stsTimeScale: opts.stsTimeScale } : {}),
    ...(opts.cloud !== undefined ? { cloud: opts.cloud } : {}),
    ...(opts.clock ? { now: () => opts.clock!.now() } : {}),
    ...(opts.tablestoreWalTee ? { tablestoreWalTee: opts.tablestoreWalTee } : {}),
  });
  const admin = async (path: string, body?: unknown, method?: string) => {
    const p = path.startsWith('/__sandbox') ? path : `/__sandbox${path.startsWith('/') ? '' : '/'}${path}`;
    const res = await fetch(`${sandbox.url}${p}`, {
      method: method ?? (body === undefined ? 'GET' : 'POST'),
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    const parsed = text ? JSON.parse(text) : undefined;
    if (!res.ok) throw new Error(`admin ${p} → ${res.status} ${text}`);
    return parsed;
  };
  return {
    sandbox,
    url: sandbox.url,
    endpoint: sandbox.endpoint,
    dataDir,
    createAccount: (o) => sandbox.createAccount(o),
    admin,
    async close(o = {}) {
      await sandbox.close();
      if (!o.keepData && !opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * One sandbox for a whole suite: started (then `setup`, e.g. creating accounts) before the first
 * test and closed after the last, so suites do not each repeat the before/after pair.
 */
export function useTestSandbox(
  suite: Test,
  setup: (t: TestSandbox) => Promise<void>,
  opts: TestSandboxOptions = {},
): void {
  let t: TestSandbox | undefined;
  suite.before(async () => {
    t = await startTestSandbox(opts);
    await setup(t);
  });
  suite.after(async () => {
    await t?.close();
  });
}

/**
 * Time-outs for the tests' own SDK clients. Without them the SDK's HTTP layer (httpx) waits 3 s,
 * and its connect time-out is an idle time-out of the whole exchange: a sandbox answering from a
 * loaded test process can take longer. These only guard against a hang.
 */
export const SDK_TIMEOUTS = { readTimeout: 60_000, connectTimeout: 60_000 } as const;

/** The openapi-core client class (CJS default export, unwrapped for ESM). */
export const OpenApiClient = ((OpenApiModule as unknown as { default?: typeof OpenApiModule }).default ??
  OpenApiModule) as typeof OpenApiModule;

export interface Creds {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

/** API versions by product, for `rpcClient(...).call`. */
export const VERSIONS = {
  Ecs: '2014-05-26',
  Vpc: '2016-04-28',
  ResourceCenter: '2022-12-01',
  Sts: '2015-04-01',
  Kms: '2016-01-20',
  Quotas: '2020-05-10',
} as const;

/**
 * The official generic client (@alicloud/openapi-core `callApi`, style RPC) against the sandbox:
 * V3 (ACS3-HMAC-SHA256, the SDK default) or V1 (HMAC-SHA1, `signature: 'v1'`).
 * `call` resolves with the response body; SDK errors (ClientError/ThrottlingError/ServerError with
 * `code`, `statusCode`, `data`) are thrown as the SDK throws them.
 */
export function rpcClient(endpoint: string, creds: Creds, opts: { signature?: 'v1' | 'v3'; regionId?: string } = {}) {
  const config = new $OpenApiUtil.Config({
    accessKeyId: creds.accessKeyId,
    accessKeySecret: creds.accessKeySecret,
    ...(creds.securityToken ? { securityToken: creds.securityToken, type: 'sts' } : {}),
    endpoint,
    protocol: 'http',
    regionId: opts.regionId ?? 'cn-hangzhou',
    ...(opts.signature === 'v1' ? { signatureAlgorithm: 'v2' } : {}),
    ...SDK_TIMEOUTS,
  });
  const client = new OpenApiClient(config);
  return {
    client,
    async call<T = any>(
      product: keyof typeof VERSIONS,
      action: string,
      query: Record<string, unknown> = {},
      /** `form`: send the parameters as a form body (as the Quota Center SDK does) instead of the query. */
      o: { form?: boolean } = {},
    ): Promise<T> {
      const params = new $OpenApiUtil.Params({
        action,
        version: VERSIONS[product],
        protocol: 'HTTP',
        pathname: '/',
        method: 'POST',
        authType: 'AK',
        style: 'RPC',
        reqBodyType: 'formData',
        bodyType: 'json',
      });
      const req = new $OpenApiUtil.OpenApiRequest(o.form ? { body: query } : { query: OpenApiUtil.query(query) });
      const res = await client.callApi(params, req, new $dara.RuntimeOptions({}));
      return res.body as T;
    },
  };
}
