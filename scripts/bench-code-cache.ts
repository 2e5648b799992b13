/**
 * Code-cache bench: the first request of a fresh instance that needs the ECS, openapi-core and
 * Tablestore chunks (nothing cached in Tablestore either), with and without the V8 code caches
 * the build writes beside the chunks, and how long each chunk took to load. Target: ≤ 250 ms
 * with them, judged on the process's CPU time for the request: on the shared bench machine wall
 * time mostly measures the queue for a core. "Without" is the same build with the `.cache` files
 * left out. Each sample is a fresh `node`; with and without alternate, so load hits both alike.
 * Run alone with `tsx scripts/bench-code-cache.ts`, or as part of `npm run bench`.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from '../lib/build';
import { median, root, runIfMain, withBenchSandbox } from './bench-common';
import { type Sample, setUpHeavy } from './bench-heavy';

const TARGET_MS = 250;
const CHUNKS = ['lazy/ecs20140526.js', 'lazy/openapi-core.js', 'lazy/tablestore.js'];

/** Runs the bench and prints its table; false when a first request with the caches takes more CPU than the target. */
export async function benchCodeCache(opts: { runs?: number; skipBuild?: boolean } = {}): Promise<boolean> {
  const runs = opts.runs ?? (Number(process.env.BENCH_COLD_RUNS) || 5);
  if (!opts.skipBuild) await build({ root, only: ['settings', 'catalog'] });
  const bare = mkdtempSync(join(tmpdir(), 'fleet-bench-no-cache-'));
  for (const fn of ['settings', 'catalog'])
    cpSync(join(root, 'dist', fn), join(bare, fn), { recursive: true, filter: (src) => !src.endsWith('.cache') });
  try {
    return await withBenchSandbox('code-cache', { stsTimeScale: 1 }, async (sandbox) => {
      const { run, accessKey, akId } = await setUpHeavy(sandbox);
      let n = 0;
      const cases = [
        {
          fn: 'settings',
          what: 'accounts.create access_key (KMS + STS + ECS)',
          sample: (dir: string) =>
            run('settings', [{ action: 'accounts.create', input: { name: `cc-${n++}`, credential: accessKey } }], dir),
        },
        {
          fn: 'catalog',
          what: 'catalog.regions uncached (ECS)',
          // Cleared by another process: the measured one must start with this request.
          sample: async (dir: string) => {
            await run('catalog', [{ action: 'catalog.clearCache', input: { accountId: akId } }], dir);
            return run('catalog', [{ action: 'catalog.regions', input: { accountId: akId } }], dir);
          },
        },
      ];
      const rows: string[][] = [];
      let over = 0;
      for (const c of cases) {
        const got: Record<'without' | 'with', Sample[]> = { without: [], with: [] };
        for (let i = 0; i < runs; i++) {
          const order = i % 2 ? (['with', 'without'] as const) : (['without', 'with'] as const);
          for (const k of order)
            got[k].push(await c.sample(k === 'with' ? join(root, 'dist', c.fn) : join(bare, c.fn)));
        }
        for (const s of got.with) {
          const bad = s.loads.filter((l) => l.cache !== 'used');
          if (bad.length) throw new Error(`a chunk ran without its cache: ${JSON.stringify(bad)}`);
        }
        const ms = (k: 'without' | 'with') => median(got[k].map((s) => s.ms));
        const cpu = (k: 'without' | 'with') => median(got[k].map((s) => s.cpuMs));
        const chunkMs = (k: 'without' | 'with', chunk: string) =>
          median(got[k].map((s) => s.loads.find((l) => l.chunk === chunk)?.ms ?? Number.NaN));
        const ok = cpu('with') <= TARGET_MS;
        if (!ok) over++;
        rows.push([
          c.fn,
          c.what,
          `${ms('without').toFixed(0)} ms`,
          `${ms('with').toFixed(0)} ms`,
          `${cpu('without').toFixed(0)} → ${cpu('with').toFixed(0)} ms`,
          ...CHUNKS.map((ch) => `${chunkMs('without', ch).toFixed(0)} → ${chunkMs('with', ch).toFixed(0)} ms`),
          `${(Math.max(...got.with.map((s) => s.maxRssKb)) / 1024).toFixed(0)} MiB`,
          ok ? 'ok' : 'OVER',
        ]);
      }
      const head = [
        'function',
        'first request of a fresh instance',
        'no cache',
        'cache',
        'CPU',
        ...CHUNKS.map((c) => c.replace(/^lazy\/|\.js$/g, '')),
        'peak RSS',
        `CPU ≤${TARGET_MS} ms`,
      ];
      const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
      const line = (r: string[]) =>
        r.map((c, i) => (i <= 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
      process.stdout.write(
        `\ncode cache: first request of a fresh instance without / with the V8 code caches (sandbox; median of ${runs} each)\n` +
          `${line(head)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${rows.map(line).join('\n')}\n` +
          `  CPU = the function process's CPU time for the request; chunk columns = that chunk's load, without → with; load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} CPUs\n`,
      );
      return over === 0;
    });
  } finally {
    rmSync(bare, { recursive: true, force: true });
  }
}

runIfMain(import.meta.url, 'bench-code-cache', () => benchCodeCache());
