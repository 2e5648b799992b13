/**
 * Test runner: typechecks, then runs every `test/**\/*.test.ts` as its own node process
 * (isolation: each file starts and stops its own servers on free ports), two at a time,
 * sums uvu's per-file totals and ends with the plain line `N passed, M failed` that CI reads.
 *
 *   npm test                 everything
 *   npm test -- unit sandbox only files whose path contains one of the words
 *
 * Every local host started by any test records its answers, logs, Tablestore files and the
 * secrets it was given under one capture dir (`FLEET_CAPTURE_DIR`); after the files ran, the
 * secret scan (`scripts/secret-scan.ts`) searches every secret in all of it and counts as a check.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { availableParallelism, tmpdir } from 'node:os';
import { formatScan, scanCapture } from './secret-scan';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const skipTypecheck = process.argv.includes('--no-typecheck');

function walk(dir: string): string[] {
  let out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(walk(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

interface Result {
  file: string;
  passed: number;
  failed: number;
  skipped: number;
  ms: number;
  output: string;
  code: number | null;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: strips ANSI colour escapes
const strip = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

function run(cmd: string, args: string[], label: string, timeoutMs: number): Promise<Result> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', NODE_ENV: 'test' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => {
      output += `\n[runner] ${label} timed out after ${timeoutMs} ms; killed\n`;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      // Kill anything the test file left behind in its process group.
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* none left */
      }
      const text = strip(output);
      const total = Number(/Total:\s+(\d+)/.exec(text)?.[1] ?? 0);
      const passed = Number(/Passed:\s+(\d+)/.exec(text)?.[1] ?? 0);
      const skipped = Number(/Skipped:\s+(\d+)/.exec(text)?.[1] ?? 0);
      let failed = Math.max(0, total - passed - skipped);
      // A file that crashed or never reported counts as one failure, never as a pass; one whose
      // every test was skipped (say why on a `skipped:` line) counts as skipped.
      if ((code !== 0 || (total === 0 && skipped === 0)) && failed === 0) failed = 1;
      resolve({
        file: label,
        passed: code === 0 || failed > 0 ? passed : 0,
        failed,
        skipped,
        ms: Date.now() - started,
        output,
        code,
      });
    });
  });
}

async function main() {
  const files = walk(join(root, 'test'))
    .map((f) => relative(root, f))
    .filter((f) => filters.length === 0 || filters.some((w) => f.includes(w)))
    .sort();
  const results: Result[] = [];
  if (!skipTypecheck && filters.length === 0) {
    // Whole-tree checks, each one line of the summary: types, then format and lint (`npm run lint`).
    const checks: Array<[string, string[]]> = [
      ['typecheck', [join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', root]],
      // The console's browser code has its own config (DOM types, no node types).
      [
        'typecheck console ui',
        [join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', join(root, 'lib/console/ui')],
      ],
      ['lint', [join(root, 'node_modules/@biomejs/biome/bin/biome'), 'check', '--error-on-warnings', root]],
    ];
    for (const [label, args] of checks) {
      const r = await run(process.execPath, args, label, 300_000);
      const ok = r.code === 0;
      results.push({ ...r, passed: ok ? 1 : 0, failed: ok ? 0 : 1 });
      process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${label} (${r.ms} ms)\n`);
      if (!ok) process.stdout.write(`${r.output}\n`);
    }
  }
  // The local host runs the BUILT bundles: build once here, not once per test file.
  if (files.some((f) => f.includes('e2e') || f.includes('integration') || f.includes('browser'))) {
    const b = await run(process.execPath, ['--import', 'tsx', join(root, 'scripts/build.ts')], 'build', 300_000);
    process.stdout.write(`${b.code === 0 ? 'ok  ' : 'FAIL'} build (${b.ms} ms)\n`);
    if (b.code !== 0) {
      process.stdout.write(`${b.output}\n`);
      results.push({ ...b, passed: 0, failed: 1 });
    } else process.env.FLEET_TEST_BUILT = '1';
  }
  // Every local host of every test file writes what it answered and what it was trusted with here.
  const captureDir = mkdtempSync(join(tmpdir(), 'fleet-capture-'));
  process.env.FLEET_CAPTURE_DIR = captureDir;
  const queue = [...files];
  const width = Math.max(1, Math.min(Number(process.env.TEST_CONCURRENCY) || availableParallelism(), 4));
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let f = queue.shift(); f; f = queue.shift()) {
        // Only a hung file is killed: the chaos file takes ~2-5 min, more on a busy machine.
        const r = await run(process.execPath, ['--import', 'tsx', f], f, 900_000);
        results.push(r);
        const ok = r.failed === 0;
        process.stdout.write(
          `${ok ? 'ok  ' : 'FAIL'} ${f}  ${r.passed} passed${r.failed ? `, ${r.failed} failed` : ''}${r.skipped ? `, ${r.skipped} skipped` : ''} (${r.ms} ms)\n`,
        );
        if (ok && r.skipped && !process.env.TEST_VERBOSE)
          for (const line of strip(r.output)
            .split('\n')
            .filter((l) => /^skipped: [^\s\d]/i.test(l.trim())))
            process.stdout.write(`    ${line.trim()}\n`);
        if (!ok || process.env.TEST_VERBOSE)
          process.stdout.write(
            `${r.output
              .split('\n')
              .map((l) => `    ${l}`)
              .join('\n')}\n`,
          );
      }
    }),
  );
  results.push(...secretScan(captureDir, filters.length > 0));
  const passed = results.reduce((a, r) => a + r.passed, 0);
  const failed = results.reduce((a, r) => a + r.failed, 0);
  const skipped = results.reduce((a, r) => a + r.skipped, 0);
  process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
  process.exit(failed === 0 && results.length > 0 ? 0 : 1);
}

/** The whole-suite secret scan as one more check; a filtered run that started no host skips it. */
function secretScan(dir: string, filtered: boolean): Result[] {
  const started = Date.now();
  const captured = readdirSync(dir).some((n) => n.endsWith('.traffic.jsonl'));
  if (!captured && filtered) {
    rmSync(dir, { recursive: true, force: true });
    return [];
  }
  let output: string;
  let ok: boolean;
  if (!captured) {
    ok = false;
    output =
      'FAIL secret scan: no local host captured any traffic (FLEET_CAPTURE_DIR is not reaching lib/local/capture.ts)';
  } else {
    try {
      const r = scanCapture(dir);
      ok = r.leaks.length === 0;
      output = formatScan(r, Date.now() - started) + (ok ? '' : `\n    capture kept in ${dir}`);
    } catch (e) {
      ok = false;
      output = `FAIL secret scan: the scan failed: ${(e as Error).message}\n    capture kept in ${dir}`;
    }
  }
  process.stdout.write(`${output}\n`);
  if (ok) rmSync(dir, { recursive: true, force: true });
  return [
    {
      file: 'secret scan',
      passed: ok ? 1 : 0,
      failed: ok ? 0 : 1,
      skipped: 0,
      ms: Date.now() - started,
      output,
      code: ok ? 0 : 1,
    },
  ];
}

main();
