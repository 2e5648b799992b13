/**
 * `npm run bench`: for each function bundle, its size, module-init time (a fresh `node` requiring
 * `dist/<fn>/index.js`, median of N), the first request after init, and peak RSS. Init is measured
 * inside the child (require only) and as the whole process wall time next to bare `node`.
 * Target: init ≤ 150 ms for HTTP-facing functions. The trivial request loads no SDK, so the
 * heavy path (requests through ECS/openapi-core/Tablestore, scripts/bench-heavy.ts) follows: its
 * peak RSS is what shows a function fits its 256 MB. Last, the first request of a fresh instance
 * through those SDKs with and without their V8 code caches (scripts/bench-code-cache.ts).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { median, root } from './bench-common';
import { build } from '../lib/build';

const runs = Number(process.env.BENCH_RUNS) || 5;
const HTTP_FACING = new Set(['settings', 'catalog', 'servers', 'inventory', 'console']);

/** The child: require the bundle, then one cheap request (the console page or an unknown action). */
const probe = `
const t0 = process.hrtime.bigint();
const { handler } = require(process.argv[1]);
const init = Number(process.hrtime.bigint() - t0) / 1e6;
const ctx = { requestId: 'bench', credentials: { accessKeyId: 'AKID', accessKeySecret: 'secret' },
  function: { name: 'bench', handler: 'index.handler', memory: 256, timeout: 30 }, region: 'cn-hangzhou', accountId: '1' };
const http = { version: 'v1', rawPath: '/', headers: {}, queryParameters: {}, body: '', isBase64Encoded: false,
  requestContext: { accountId: '1', domainName: 'b', requestId: 'bench', http: { method: 'GET', path: '/', sourceIp: '127.0.0.1', userAgent: 'bench' }, time: '', timeEpoch: '0' } };
const event = process.argv[2] === 'console' ? http : { action: 'bench.noop', input: {} };
const t1 = process.hrtime.bigint();
Promise.resolve(handler(Buffer.from(JSON.stringify(event)), ctx)).then(() => {
  const first = Number(process.hrtime.bigint() - t1) / 1e6;
  process.stdout.write(JSON.stringify({ init, first, maxRssKb: process.resourceUsage().maxRSS }) + '\\n');
});
`;

/** Wall time of a node process; `env` matters: the parent's carries tsx's NODE_OPTIONS. */
function wallMs(args: string[], env: NodeJS.ProcessEnv): number {
  const t = process.hrtime.bigint();
  spawnSync(process.execPath, args, { stdio: 'ignore', env });
  return Number(process.hrtime.bigint() - t) / 1e6;
}

async function main() {
  const fns = await build({ root });
  const env = { PATH: process.env.PATH, FLEET_ACCOUNT_ID: '1', FLEET_REGION: 'cn-hangzhou', LOG_LEVEL: 'error' };
  const bares: number[] = [];
  const rows: string[][] = [];
  let over = 0;
  for (const fn of fns) {
    const samples: Array<{ init: number; first: number; maxRssKb: number }> = [];
    const extra: number[] = [];
    for (let i = 0; i < runs; i++) {
      // Bare node right before each run: the machine is shared, so compare like with like.
      const bare = wallMs(['-e', ''], env);
      bares.push(bare);
      const t = process.hrtime.bigint();
      const out = execFileSync(process.execPath, ['-e', probe, fn.file, fn.name], {
        env,
        cwd: join(root, 'dist', fn.name),
      }).toString();
      extra.push(Number(process.hrtime.bigint() - t) / 1e6 - bare);
      samples.push(JSON.parse(out.trim().split('\n').pop()!) as { init: number; first: number; maxRssKb: number });
    }
    const init = median(samples.map((s) => s.init));
    const httpFacing = HTTP_FACING.has(fn.name);
    const ok = !httpFacing || init <= 150;
    if (!ok) over++;
    rows.push([
      fn.name,
      `${(statSync(fn.file).size / 1024).toFixed(0)} KiB`,
      `${init.toFixed(1)} ms`,
      `${median(samples.map((s) => s.first)).toFixed(1)} ms`,
      `${median(extra).toFixed(0)} ms`,
      `${(Math.max(...samples.map((s) => s.maxRssKb)) / 1024).toFixed(1)} MiB`,
      httpFacing ? (ok ? 'ok' : 'OVER') : '-',
    ]);
  }
  const head = [
    'function',
    'size',
    'init (median)',
    '1st request',
    'process - bare node',
    'peak RSS',
    '≤150 ms (HTTP)',
  ];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  process.stdout.write(`${line(head)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${rows.map(line).join('\n')}\n`);
  process.stdout.write(
    `\nbare node startup: ${median(bares).toFixed(0)} ms (median); init = require() inside a fresh node, median of ${runs}; process - bare node = whole probe process minus a bare node run just before it\n`,
  );
  if (over) process.stdout.write(`${over} HTTP-facing function(s) over the 150 ms init target\n`);
}

main()
  // ---- catalog: cached listing from a cold start and warm (scripts/bench-catalog.ts) ----
  .then(() => import('./bench-catalog').then((m) => m.benchCatalog({ skipBuild: true })))
  // ---- heavy path: peak RSS of requests that load the SDKs (scripts/bench-heavy.ts) ----
  .then(() => import('./bench-heavy').then((m) => m.benchHeavy({ skipBuild: true })))
  // ---- tooling: sandbox Tablestore writes and the secret scan (scripts/bench-tools.ts) ----
  .then(() => import('./bench-tools').then((m) => m.benchTools()))
  // ---- the first request of a fresh instance with and without the V8 code caches (scripts/bench-code-cache.ts) ----
  .then(() => import('./bench-code-cache').then((m) => m.benchCodeCache({ skipBuild: true })))
  // ---- scan: 10,000 assets over 10 regions, calls vs bound, wall vs rate floor, RSS (scripts/bench-scan.ts) ----
  .then(() => import('./bench-scan').then((m) => m.benchScan({ skipBuild: true })))
  // ---- server builds: billed time, calls, time to ready vs a one-invocation baseline (scripts/bench-builds.ts) ----
  .then(() => import('./bench-builds').then((m) => m.benchBuilds()))
  .catch((e) => {
    process.stderr.write(`bench failed: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  });
