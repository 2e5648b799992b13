/**
 * Catalog bench: a cached region or key-pair listing from a cold function start
 * (fresh `node`: require the catalog bundle + one request) and warm (the same instance, later
 * requests), against a sandbox. Targets: cold ≤ 200 ms median, warm ≤ 20 ms median.
 * Run alone with `tsx scripts/bench-catalog.ts`, or as part of `npm run bench`.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ensureTables } from '../lib/store';
import { functionEnv, median, root, runIfMain, runProbe, withBenchSandbox } from './bench-common';
import { build } from '../lib/build';

/** The child: one cold start, then warm requests; prints timings as JSON. */
const probe = `
const [file, ctxJson, eventsJson, warmN] = process.argv.slice(1);
const t0 = process.hrtime.bigint();
const { handler } = require(file);
const init = Number(process.hrtime.bigint() - t0) / 1e6;
const ctx = JSON.parse(ctxJson);
const events = JSON.parse(eventsJson);
const ms = (t) => Number(process.hrtime.bigint() - t) / 1e6;
(async () => {
  const t1 = process.hrtime.bigint();
  const r = await handler(Buffer.from(JSON.stringify(events[0])), ctx);
  const first = ms(t1);
  const body = JSON.parse(r.body);
  if (r.statusCode !== 200 || body.cached !== true) throw new Error('not a cached answer: ' + r.statusCode + ' ' + r.body.slice(0, 200));
  const warm = [];
  for (let i = 0; i < Number(warmN); i++) {
    const t = process.hrtime.bigint();
    const w = await handler(Buffer.from(JSON.stringify(events[i % events.length])), ctx);
    warm.push(ms(t));
    if (w.statusCode !== 200) throw new Error('warm request failed ' + w.statusCode);
  }
  process.stdout.write(JSON.stringify({ init, first, warm }) + '\\n');
})().catch((e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });
`;

function httpEvent(path: string) {
  return {
    version: 'v1',
    rawPath: path,
    headers: { authorization: '' },
    queryParameters: {},
    body: '',
    isBase64Encoded: false,
    requestContext: {
      accountId: '1',
      domainName: 'bench',
      requestId: 'bench',
      http: { method: 'GET', path, sourceIp: '127.0.0.1', userAgent: 'bench' },
      time: '',
      timeEpoch: '0',
    },
  };
}

/** Runs the catalog bench and prints its table; returns false when a target is missed. */
export async function benchCatalog(opts: { runs?: number; warm?: number; skipBuild?: boolean } = {}): Promise<boolean> {
  const runs = opts.runs ?? (Number(process.env.BENCH_RUNS) || 7);
  const warmN = opts.warm ?? (Number(process.env.BENCH_WARM) || 40);
  if (!opts.skipBuild) await build({ root, only: ['settings', 'catalog'] });
  return withBenchSandbox('catalog', {}, async (sandbox) => {
    const deployment = await sandbox.createAccount();
    const user = await sandbox.createAccount();
    const adminToken = 'bench-admin-token-0123456789';
    const env = functionEnv(sandbox, { adminToken, accountId: deployment.accountId });
    const creds = { accessKeyId: deployment.accessKeyId, accessKeySecret: deployment.accessKeySecret };
    const ts = { endpoint: sandbox.url, instance: 'fleet', credentials: creds };
    await ensureTables({ client: ts, tablePrefix: 'fleet_' });
    const ctx = {
      requestId: 'bench',
      credentials: creds,
      function: { name: 'fleet-catalog', handler: 'index.handler', memory: 512, timeout: 30 },
      region: 'cn-hangzhou',
      accountId: deployment.accountId,
    };

    // Set up through the built bundles, in this process (config is read from the environment once).
    Object.assign(process.env, env);
    const req = createRequire(import.meta.url);
    const settings = req(join(root, 'dist/settings/index.js')) as {
      handler: (e: Buffer, c: unknown) => Promise<{ statusCode: number; body: string }>;
    };
    const catalog = req(join(root, 'dist/catalog/index.js')) as typeof settings;
    const call = async (h: typeof settings, method: string, path: string, body?: unknown) => {
      const ev = {
        ...httpEvent(path),
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: body ? JSON.stringify(body) : '',
      };
      ev.requestContext.http.method = method;
      const r = await h.handler(Buffer.from(JSON.stringify(ev)), ctx);
      if (r.statusCode >= 300) throw new Error(`${method} ${path} → ${r.statusCode} ${r.body}`);
      return JSON.parse(r.body) as { id: string };
    };
    const acc = await call(settings, 'POST', '/v1/accounts', {
      name: 'bench',
      credential: { type: 'access_key', accessKeyId: user.accessKeyId, accessKeySecret: user.accessKeySecret },
    });
    const paths = [`/v1/catalog/${acc.id}/regions`, `/v1/catalog/${acc.id}/regions/cn-hangzhou/key-pairs`];
    for (const p of paths) await call(catalog, 'GET', p); // warm the cache (the cloud is asked once)
    const events = paths.map((p) => ({ ...httpEvent(p), headers: { authorization: `Bearer ${adminToken}` } }));

    const samples: Array<{ init: number; first: number; warm: number[] }> = [];
    for (let i = 0; i < runs; i++) {
      samples.push(
        await runProbe(
          probe,
          [
            join(root, 'dist/catalog/index.js'),
            JSON.stringify(ctx),
            JSON.stringify(i % 2 ? [...events].reverse() : events),
            String(warmN),
          ],
          {
            env,
            cwd: join(root, 'dist/catalog'),
            nodeArgs: process.env.BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROF}`] : [],
          },
        ),
      );
    }
    const cold = median(samples.map((s) => s.init + s.first));
    const warm = median(samples.flatMap((s) => s.warm));
    const p95 = (() => {
      const all = samples.flatMap((s) => s.warm).sort((a, b) => a - b);
      return all[Math.floor(all.length * 0.95)]!;
    })();
    const ok = cold <= 200 && warm <= 20;
    process.stdout.write(
      `\ncatalog: cached regions / key-pairs listing (sandbox Tablestore, ${runs} cold starts, ${warmN} warm requests each)\n` +
        `  cold start (require + first request): median ${cold.toFixed(1)} ms  [init ${median(samples.map((s) => s.init)).toFixed(1)} ms + request ${median(samples.map((s) => s.first)).toFixed(1)} ms]  target ≤ 200 ms\n` +
        `  warm request: median ${warm.toFixed(2)} ms, p95 ${p95.toFixed(2)} ms  target ≤ 20 ms\n` +
        `  ${ok ? 'ok' : 'OVER TARGET'}\n`,
    );
    return ok;
  });
}

runIfMain(import.meta.url, 'bench-catalog', () => benchCatalog());
