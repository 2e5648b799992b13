/**
 * Test helper: a sandbox on a free port with its own temp data dir, fast clock (time scale
 * 0.001 by default), and small wrappers for the admin API. Close it in `test.after`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Sandbox, type SandboxKeys } from '../../lib/sandbox/server';
import type { NewAccountOptions } from '../../lib/sandbox/openapi/core';

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
}

export async function startTestSandbox(opts: TestSandboxOptions = {}): Promise<TestSandbox> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'fleet-sandbox-'));
  const sandbox = await startSandbox({
    port: 0,
    dataDir,
    timeScale: opts.timeScale ?? 0.001,
    ...(opts.stsTimeScale !== undefined ? { stsTimeScale: opts.stsTimeScale } : {}),
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
