/**
 * Heavy-path bench: peak RSS and time of requests that really go to the cloud through the
 * lazily loaded SDKs (ECS, openapi-core, Tablestore) against a sandbox — uncached catalog
 * listings, account creation (KMS + verification) and a `ram_role` verification (AssumeRole).
 * A trivial request never loads them, so only these prove a function fits its 256 MB.
 * Each measurement is a fresh `node` (a cold FC instance): `process.resourceUsage().maxRSS`.
 * Run alone with `tsx scripts/bench-heavy.ts`, or as part of `npm run bench`.
 */
import { join } from 'node:path';
import { setUpFunctionRole } from '../lib/local/function-role';
import { ensureTables } from '../lib/store';
import type { Sandbox } from '../lib/sandbox/server';
import { functionEnv, median, root, runIfMain, runProbe, withBenchSandbox } from './bench-common';
import { build } from '../lib/build';

/** FC memory of settings and catalog in s.yaml: peak RSS must stay under it. */
const LIMIT_MIB = 256;

/**
 * The child: require the bundle, run `pre` events (setup, e.g. clear the cache), then the measured
 * one (`bench.noop` is the trivial baseline: it answers NotFound); prints its time, peak RSS and which lazy SDK chunks got loaded.
 */
const probe = `
const [file, ctxJson, eventsJson] = process.argv.slice(1);
const t0 = process.hrtime.bigint();
const { handler } = require(file);
const init = Number(process.hrtime.bigint() - t0) / 1e6;
const ctx = JSON.parse(ctxJson);
const events = JSON.parse(eventsJson);
(async () => {
  let out, ms = 0, cpuMs = 0;
  for (const e of events) {
    const t = process.hrtime.bigint();
    const c = process.cpuUsage();
    out = await handler(Buffer.from(JSON.stringify(e)), ctx);
    ms = Number(process.hrtime.bigint() - t) / 1e6;
    const cpu = process.cpuUsage(c);
    cpuMs = (cpu.user + cpu.system) / 1e3;
    if (typeof out === 'string') out = JSON.parse(out);
    if (e.action !== 'bench.noop' && (!out || out.ok !== true)) throw new Error(e.action + ' failed: ' + JSON.stringify(out).slice(0, 300));
  }
  const sdks = Object.keys(require.cache).filter((f) => /[\\\\/]lazy[\\\\/]/.test(f)).map((f) => f.replace(/^.*[\\\\/]/, '').replace(/\\.js$/, '')).sort();
  const loads = globalThis[Symbol.for('fleet.lazyChunks')] || [];
  process.stdout.write(JSON.stringify({ init, ms, cpuMs, maxRssKb: process.resourceUsage().maxRSS, sdks, loads, result: out.result }) + '\\n');
})().catch((e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });
`;

export interface Sample {
  init: number;
  /** Wall time of the last event, and the CPU time this process spent on it. */
  ms: number;
  cpuMs: number;
  maxRssKb: number;
  sdks: string[];
  /** How each lazy chunk loaded (lib/build/lazy-load.ts `chunkLoads`). */
  loads: Array<{ chunk: string; cache: string; ms: number }>;
  result: any;
}

/** What a heavy-path probe needs: the sandbox's accounts, tables and a function role. */
export interface HeavySetup {
  /** Runs `events` in a fresh node on `dist/<fn>` (or `codeDir`): one cold instance. */
  run(fn: string, events: unknown[], codeDir?: string, nodeArgs?: string[]): Promise<Sample>;
  /** A user account's AccessKey credential, and the ids of the accounts saved with it and by role. */
  accessKey: { type: string; accessKeyId: string; accessKeySecret: string };
  akId: string;
  roleId: string;
}

/** Sets up a sandbox for heavy-path probes (the bundles must be built). */
export async function setUpHeavy(sandbox: Sandbox): Promise<HeavySetup> {
  const deployment = await sandbox.createAccount();
  const user = await sandbox.createAccount();
  // The functions run as a role session of the deployment account, as on FC (and the local host).
  const role = await setUpFunctionRole(sandbox, { deployment });
  const { accessKeyId, accessKeySecret, securityToken } = await role.current();
  const userRole = await sandbox.createRole(user.accountId, {
    name: 'fleet-bench',
    trustedAccountIds: [deployment.accountId],
  });
  await ensureTables({
    client: { endpoint: sandbox.url, instance: 'fleet', credentials: deployment },
    tablePrefix: 'fleet_',
  });
  const env = functionEnv(sandbox, { adminToken: 'bench-admin-token-0123456789', accountId: deployment.accountId });
  const ctx = (fn: string) => ({
    requestId: 'bench',
    credentials: { accessKeyId, accessKeySecret, securityToken },
    function: { name: `fleet-${fn}`, handler: 'index.handler', memory: LIMIT_MIB, timeout: 30 },
    region: 'cn-hangzhou',
    accountId: deployment.accountId,
  });
  const run = (fn: string, events: unknown[], codeDir = join(root, 'dist', fn), nodeArgs?: string[]) =>
    runProbe<Sample>(probe, [join(codeDir, 'index.js'), JSON.stringify(ctx(fn)), JSON.stringify(events)], {
      env,
      cwd: codeDir,
      nodeArgs,
    });

  const accessKey = { type: 'access_key', accessKeyId: user.accessKeyId, accessKeySecret: user.accessKeySecret };
  const created = await run('settings', [
    { action: 'accounts.create', input: { name: 'bench-ak', credential: accessKey } },
  ]);
  const byRole = await run('settings', [
    {
      action: 'accounts.create',
      input: { name: 'bench-role', credential: { type: 'ram_role', roleArn: userRole.arn } },
    },
  ]);
  if (byRole.result.verification?.status !== 'verified')
    throw new Error(`the ram_role account did not verify: ${JSON.stringify(byRole.result.verification)}`);
  return { run, accessKey, akId: String(created.result.id), roleId: String(byRole.result.id) };
}

/** Runs the heavy-path bench and prints its table; returns false when a request needs more than 256 MiB. */
export async function benchHeavy(opts: { runs?: number; skipBuild?: boolean } = {}): Promise<boolean> {
  const runs = opts.runs ?? (Number(process.env.BENCH_HEAVY_RUNS) || 3);
  if (!opts.skipBuild) await build({ root, only: ['settings', 'catalog'] });
  // Realistic STS lifetimes: the function role session must outlive the bench.
  return withBenchSandbox('heavy', { stsTimeScale: 1 }, async (sandbox) => {
    const { run, accessKey, akId, roleId } = await setUpHeavy(sandbox);
    const clear = (accountId: string) => ({ action: 'catalog.clearCache', input: { accountId } });

    let n = 0;
    const cases: Array<{ fn: string; what: string; events: () => unknown[] }> = [
      { fn: 'settings', what: 'trivial (unknown action)', events: () => [{ action: 'bench.noop', input: {} }] },
      {
        fn: 'settings',
        what: 'accounts.create access_key (KMS + STS + ECS)',
        events: () => [{ action: 'accounts.create', input: { name: `bench-${n++}`, credential: accessKey } }],
      },
      {
        fn: 'settings',
        what: 'accounts.verify ram_role (AssumeRole + ECS)',
        events: () => [{ action: 'accounts.verify', input: { id: roleId } }],
      },
      { fn: 'catalog', what: 'trivial (unknown action)', events: () => [{ action: 'bench.noop', input: {} }] },
      {
        fn: 'catalog',
        what: 'catalog.regions uncached (ECS)',
        events: () => [clear(akId), { action: 'catalog.regions', input: { accountId: akId } }],
      },
      {
        fn: 'catalog',
        what: 'catalog.keyPairs uncached (ECS)',
        events: () => [
          clear(akId),
          { action: 'catalog.keyPairs', input: { accountId: akId, regionId: 'cn-hangzhou' } },
        ],
      },
      {
        fn: 'catalog',
        what: 'catalog.keyPairs uncached, ram_role',
        events: () => [
          clear(roleId),
          { action: 'catalog.keyPairs', input: { accountId: roleId, regionId: 'cn-hangzhou' } },
        ],
      },
    ];
    const rows: string[][] = [];
    let over = 0;
    for (const c of cases) {
      const samples: Sample[] = [];
      for (let i = 0; i < runs; i++) samples.push(await run(c.fn, c.events()));
      const peak = Math.max(...samples.map((s) => s.maxRssKb)) / 1024;
      const ok = peak <= LIMIT_MIB;
      if (!ok) over++;
      rows.push([
        c.fn,
        c.what,
        `${median(samples.map((s) => s.init)).toFixed(0)} ms`,
        `${median(samples.map((s) => s.ms)).toFixed(0)} ms`,
        `${peak.toFixed(1)} MiB`,
        samples[0]!.sdks.join(',') || '-',
        ok ? 'ok' : 'OVER',
      ]);
    }
    const head = [
      'function',
      'request (fresh node each)',
      'init',
      'request',
      'peak RSS',
      'lazy SDKs loaded',
      `≤${LIMIT_MIB} MB`,
    ];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (r: string[]) =>
      r.map((c, i) => (i <= 1 || i === 5 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
    process.stdout.write(
      `\nheavy path: requests that reach the cloud through the SDKs (sandbox; median time of ${runs} cold starts, peak RSS = max)\n` +
        `${line(head)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${rows.map(line).join('\n')}\n` +
        `  ${over ? `${over} request(s) OVER ${LIMIT_MIB} MB` : `every request fits ${LIMIT_MIB} MB`}\n`,
    );
    return over === 0;
  });
}

runIfMain(import.meta.url, 'bench-heavy', () => benchHeavy());
