/**
 * Test helper: the whole local host (sandbox + functions + invoke API) on free ports with a temp
 * data dir, removed on close. Builds once per process unless told otherwise; close it in `test.after`.
 *
 *   const host = await startTestHost();
 *   const res = await host.fetch('/v1/accounts', { token: host.adminToken });
 *
 * Defaults: time scale 0.001 (a 10 s cloud wait takes 10 ms; timers too, but never more often
 * than every 250 ms per trigger). Pass `timers: false` when a test must not see timer runs
 * (the hourly scan fires every ~3.6 s at 0.001), or `timerScale` to slow only the timers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalHost, type LocalHost, type LocalHostOptions } from '../../lib/local/host';
import type { LocalFunction } from '../../lib/local/syaml';

export interface TestHost extends LocalHost {
  dataDir: string;
  /** fetch relative to the host; `token` adds `Authorization: Bearer`; `json` sends a JSON body. */
  fetch(path: string, init?: RequestInit & { token?: string; json?: unknown }): Promise<Response>;
  /** Closes the host; `keepData` leaves the data dir for a restart test. */
  close(opts?: { keepData?: boolean }): Promise<void>;
}

let built: Promise<unknown> | undefined;

export async function startTestHost(
  opts: Omit<LocalHostOptions, 'port' | 'sandboxPort'> & { port?: number } = {},
): Promise<TestHost> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'fleet-host-'));
  if (opts.build !== false && !process.env.FLEET_TEST_BUILT) {
    // `npm test` builds once before the files run; a file run alone builds when sources changed.
    built ??= import('../../lib/build').then((m) => m.build({ ifChanged: true }));
    await built;
  }
  const host = await startLocalHost({
    timeScale: 0.001,
    onLog: false,
    ...opts,
    port: opts.port ?? 0,
    sandboxPort: 0,
    dataDir,
    build: false,
  });
  return {
    ...host,
    dataDir,
    fetch(path, init = {}) {
      const { token, json, headers, ...rest } = init;
      const h = new Headers(headers);
      if (token) h.set('authorization', `Bearer ${token}`);
      if (json !== undefined) h.set('content-type', 'application/json');
      return fetch(`${host.url}${path}`, {
        ...rest,
        headers: h,
        ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
      });
    },
    async close(o = {}) {
      await host.close();
      if (!o.keepData && !opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A function definition for a test deployment model: `fleet-<resource>`, `index.handler`, 128 MB,
 * 10 s, no HTTP, timers or retries; `over` sets what the test is about (code dir, retries, async).
 */
export function localFunction(resource: string, over: Partial<LocalFunction> = {}): LocalFunction {
  return {
    resource,
    functionName: `fleet-${resource}`,
    code: '.',
    handler: 'index.handler',
    memorySize: 128,
    timeoutSec: 10,
    environment: {},
    http: false,
    timers: [],
    maxAsyncRetryAttempts: 0,
    asyncTask: false,
    ...over,
  };
}
