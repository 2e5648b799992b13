/**
 * What the benches share: the repo root, medians, a sandbox for one bench run, the environment a
 * function gets, a measured fresh-`node` probe (a cold FC instance), and the run-alone entry.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { LocalHost } from '../lib/local/host';
import { ApiRateLimiter } from '../lib/sandbox/openapi/load';
import type { Sandbox } from '../lib/sandbox/server';

export const root = resolve(fileURLToPath(new URL('..', import.meta.url)));

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** A sandbox (fast cloud clock) with its own temp data dir for `bench`, closed and removed after it. */
export async function withBenchSandbox<T>(
  name: string,
  opts: { stsTimeScale?: number },
  bench: (sandbox: Sandbox) => Promise<T>,
): Promise<T> {
  const { startSandbox } = await import('../lib/sandbox/server'); // only benches that need it load it
  const dataDir = mkdtempSync(join(tmpdir(), `fleet-bench-${name}-`));
  const sandbox = await startSandbox({ port: 0, dataDir, timeScale: 0.001, ...opts });
  try {
    return await bench(sandbox);
  } finally {
    await sandbox.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The environment a deployed function gets, pointed at the bench sandbox. */
export function functionEnv(sandbox: Sandbox, o: { adminToken: string; accountId: string }): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    FLEET_SANDBOX_ENDPOINT: sandbox.endpoint,
    TABLESTORE_ENDPOINT: sandbox.url,
    FLEET_ADMIN_TOKEN: o.adminToken,
    FLEET_KMS_KEY_ID: 'alias/fleet',
    FLEET_REGION: 'cn-hangzhou',
    FLEET_ACCOUNT_ID: o.accountId,
    LOG_LEVEL: 'error',
  };
}

/**
 * Runs `probe` (JS source) in a fresh `node` with `args` and returns the JSON of its last output
 * line. Async on purpose: the sandbox serves from this process, so its event loop must keep running.
 */
export async function runProbe<T>(
  probe: string,
  args: string[],
  o: { env: Record<string, string>; cwd: string; nodeArgs?: string[] },
): Promise<T> {
  const { stdout } = await promisify(execFile)(process.execPath, [...(o.nodeArgs ?? []), '-e', probe, ...args], {
    env: o.env,
    cwd: o.cwd,
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as T;
}

/** When the bench file is the entry script: runs it, exit code 0 only when it met its targets. */
export function runIfMain(metaUrl: string, name: string, bench: () => Promise<boolean>): void {
  if (metaUrl !== pathToFileURL(process.argv[1] ?? '').href) return;
  bench().then(
    (ok) => process.exit(ok ? 0 : 1),
    (e) => {
      process.stderr.write(`${name} failed: ${e instanceof Error ? e.stack : String(e)}\n`);
      process.exit(1);
    },
  );
}

/** Cloud calls of one sandbox account by action, counted where every signed call passes (throttled ones too). */
export function countCalls(accountId: () => string) {
  const counts = new Map<string, number>();
  const orig = ApiRateLimiter.prototype.take;
  ApiRateLimiter.prototype.take = function (this: ApiRateLimiter, ...args: Parameters<ApiRateLimiter['take']>) {
    if (args[0].account.accountId === accountId()) counts.set(args[2], (counts.get(args[2]) ?? 0) + 1);
    return orig.apply(this, args);
  };
  const total = () => [...counts.values()].reduce((a, b) => a + b, 0);
  return { counts, total, reset: () => counts.clear(), restore: () => (ApiRateLimiter.prototype.take = orig) };
}

/** Peak RSS (VmHWM, MiB) of each live function instance, by function name. */
export function peakRssByFunction(host: LocalHost): Map<string, number> {
  const out = new Map<string, number>();
  for (const pid of host.instancePids()) {
    try {
      const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      const fn = env.find((e) => e.startsWith('FC_FUNCTION_NAME='))?.slice('FC_FUNCTION_NAME='.length) ?? '?';
      const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      if (hwm) out.set(fn, Math.max(out.get(fn) ?? 0, Number(hwm) / 1024));
    } catch {
      /* the instance exited meanwhile, or no /proc: not measured */
    }
  }
  return out;
}
