/**
 * Shared by the inventory e2e files: a local host (built bundles, FC invoke API, the sandbox in
 * this process) without its own timers, a fleet account over a fresh sandbox account, tokens,
 * and waiting for a scan to end.
 */
import { createInvoker } from '../../lib/invoke';
import { startTestHost, type TestHost } from '../helpers/local';
import type { TestSandbox } from '../helpers/sandbox';

export interface Answer {
  status: number;
  body: any;
  headers: Headers;
  text: string;
}

export interface InventoryHost {
  host: TestHost;
  /** The host's sandbox, shaped for the sandbox test helpers. */
  sb: TestSandbox;
  call(method: string, path: string, o?: { token?: string; json?: unknown }): Promise<Answer>;
  token(role: 'admin' | 'operator' | 'viewer', groups: string[]): Promise<string>;
  /** A sandbox account and the fleet account over it. */
  account(o: {
    regions: string[];
    groups?: string[];
    scanIntervalMinutes?: number;
  }): Promise<{ id: string; keys: { accountId: string; accessKeyId: string; accessKeySecret: string } }>;
  /** Polls GET /v1/scans/{id} until it is no longer running. */
  waitScan(id: string, ms?: number): Promise<any>;
  /** Sends an event to a function through the FC invoke API (as the deployment). */
  invoke(fn: string, event: unknown): Promise<any>;
  close(): Promise<void>;
}

export async function startInventoryHost(): Promise<InventoryHost> {
  // Timers off: the hourly scan fires every 3.6 s at this scale; the timer test sends its event itself.
  const host = await startTestHost({ timers: false, env: { FLEET_TIME_SCALE: '0.001' } });
  const admin = async (path: string, body?: unknown, method?: string) => {
    const p = path.startsWith('/__sandbox') ? path : `/__sandbox${path.startsWith('/') ? '' : '/'}${path}`;
    const res = await fetch(`${host.sandbox.url}${p}`, {
      method: method ?? (body === undefined ? 'GET' : 'POST'),
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`admin ${p} → ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  const sb = {
    sandbox: host.sandbox,
    url: host.sandbox.url,
    endpoint: host.sandbox.endpoint,
    dataDir: host.dataDir,
    createAccount: (o?: Parameters<TestSandbox['createAccount']>[0]) => host.sandbox.createAccount(o),
    admin,
    close: async () => {},
  } as TestSandbox;
  const call: InventoryHost['call'] = async (method, path, o = {}) => {
    const res = await host.fetch(path, {
      method,
      ...(o.token ? { token: o.token } : {}),
      ...(o.json !== undefined ? { json: o.json } : {}),
    });
    const text = await res.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    return { status: res.status, body, headers: res.headers, text };
  };
  const invoker = createInvoker({
    endpoint: host.url,
    credentials: { ...host.deploymentAccount },
    functionPrefix: 'fleet',
  });
  return {
    host,
    sb,
    call,
    async token(role, groups) {
      const r = await call('POST', '/v1/tokens', {
        token: host.adminToken,
        json: { name: `${role}-${groups.join('-') || 'none'}`, role, groups },
      });
      if (r.status !== 201) throw new Error(`token: ${r.status} ${r.text}`);
      return r.body.token as string;
    },
    async account(o) {
      const keys = await host.sandbox.createAccount({ regions: o.regions, quotas: { vpcsPerRegion: 50 } });
      const r = await call('POST', '/v1/accounts', {
        token: host.adminToken,
        json: {
          name: `inv-${keys.accountId.slice(-4)}`,
          credential: { type: 'access_key', accessKeyId: keys.accessKeyId, accessKeySecret: keys.accessKeySecret },
          ...(o.groups ? { groups: o.groups } : {}),
          ...(o.scanIntervalMinutes !== undefined ? { scanIntervalMinutes: o.scanIntervalMinutes } : {}),
        },
      });
      if (r.status !== 201) throw new Error(`account: ${r.status} ${r.text}`);
      return { id: r.body.id as string, keys };
    },
    async waitScan(id, ms = 90_000) {
      const end = Date.now() + ms;
      for (;;) {
        const r = await call('GET', `/v1/scans/${id}`, { token: host.adminToken });
        if (r.status !== 200) throw new Error(`scan ${id}: ${r.status} ${r.text}`);
        if (r.body.status !== 'running') return r.body;
        if (Date.now() > end) throw new Error(`scan ${id} still running: ${r.text}`);
        await new Promise((res) => setTimeout(res, 50));
      }
    },
    invoke: (fn, event) => invoker.invokeSync(fn, event),
    close: () => host.close(),
  };
}
