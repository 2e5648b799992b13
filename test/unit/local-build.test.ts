/**
 * The build and the import boundaries: one minified CommonJS bundle per function exporting
 * `handler`; no bundle contains the local host, the sandbox, scripts or tests; functions and
 * domain folders never import lib/local or lib/sandbox; heavy SDKs live in lazy/ files only, each
 * with its V8 code cache beside it (test/unit/build-code-cache.test.ts tests how those load).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { build, LAZY, listFunctions, type BuiltFunction } from '../../lib/build';
import { findRoot } from '../../lib/local/host';

const root = findRoot();
const outDir = mkdtempSync(join(tmpdir(), 'fleet-build-'));
let built: BuiltFunction[] = [];

test.before(async () => {
  built = await build({ outDir });
});
test.after(() => rmSync(outDir, { recursive: true, force: true }));

test('one bundle per function folder, minified CommonJS exporting handler', () => {
  assert.equal(
    built.map((b) => b.name),
    listFunctions(root),
  );
  for (const b of built) {
    const code = readFileSync(b.file, 'utf8');
    // Minified: no doc comments survive, and lines are long (template literals keep their newlines).
    assert.not.match(code, /\/\*\*\s/, `${b.name} keeps doc comments`);
    assert.ok(code.length / code.split('\n').length > 150, `${b.name} is not minified`);
    assert.not.match(code, /\bimport\.meta\b/, `${b.name} uses import.meta`);
    assert.equal(JSON.parse(readFileSync(join(outDir, b.name, 'package.json'), 'utf8')), { type: 'commonjs' });
    const files = readdirSync(join(outDir, b.name)).sort();
    assert.ok(
      files.every((f) => ['index.js', 'package.json', 'lazy'].includes(f)),
      `${b.name}: ${files}`,
    );
  }
  const kind = execFileSync(process.execPath, [
    '-e',
    `process.stdout.write(typeof require(${JSON.stringify(join(outDir, 'console', 'index.js'))}).handler)`,
  ]).toString();
  assert.is(kind, 'function');
});

test('a bundle answers an FC event on its own (console health by direct invoke)', () => {
  const out = execFileSync(
    process.execPath,
    [
      '-e',
      `require(${JSON.stringify(join(outDir, 'console', 'index.js'))}).handler(Buffer.from('{"action":"health"}'), {requestId:'r', credentials:{}, function:{name:'c'}})
      .then((r) => process.stdout.write(JSON.stringify(r)))`,
    ],
    { env: { PATH: process.env.PATH, FLEET_VERSION: '9.9.9', LOG_LEVEL: 'error' } },
  ).toString();
  assert.equal(
    JSON.parse(out),
    { ok: true, result: { status: 'ok', version: '9.9.9' } },
    'LOG_LEVEL=error keeps stdout to the answer',
  );
});

test('no bundle contains the local host, the sandbox, scripts or tests', () => {
  for (const b of built) {
    const bad = b.inputs.filter((i) => /^(lib\/local|lib\/sandbox|scripts|test)\//.test(i));
    assert.equal(bad, [], `${b.name} bundles ${bad.join(', ')}`);
  }
});

test('heavy SDKs are never in a bundle: they sit in lazy/ and load on first use', () => {
  const lazyPkgs = Object.keys(LAZY);
  for (const b of built) {
    const inBundle = b.inputs.filter((i) => lazyPkgs.some((p) => i.includes(`node_modules/${p}/`)));
    assert.equal(inBundle, [], `${b.name} bundles ${inBundle.slice(0, 3).join(', ')}`);
    const meta = JSON.parse(readFileSync(b.metafile, 'utf8')) as {
      outputs: Record<string, { imports: Array<{ path: string; external?: boolean }> }>;
    };
    const chunks = Object.values(meta.outputs)[0]!.imports.filter((i) => i.path.startsWith('./lazy/'));
    for (const imp of chunks) {
      assert.ok(existsSync(join(outDir, b.name, imp.path)), `${b.name} lacks ${imp.path}`);
      // Its V8 code cache ships beside it (s.yaml deploys the whole dist/<fn>).
      assert.ok(existsSync(join(outDir, b.name, `${imp.path}.cache`)), `${b.name} lacks ${imp.path}.cache`);
    }
    // Nothing else in lazy/: a stale chunk or cache would ship too.
    const shipped = existsSync(join(outDir, b.name, 'lazy')) ? readdirSync(join(outDir, b.name, 'lazy')).sort() : [];
    assert.equal(shipped, chunks.flatMap((i) => [i.path.slice(7), `${i.path.slice(7)}.cache`]).sort(), b.name);
  }
  const consoleBundle = built.find((b) => b.name === 'console')!;
  assert.ok(consoleBundle.bytes < 100 * 1024, `console is ${consoleBundle.bytes} bytes`);
  assert.not.ok(
    consoleBundle.inputs.some((i) => i.includes('node_modules/tablestore/')),
    'console needs no Tablestore',
  );
});

function sources(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

test('functions/ and the domain folders never import lib/local or lib/sandbox (sources)', () => {
  const guarded = [
    'functions',
    ...readdirSync(join(root, 'lib'))
      .filter((d) => !['local', 'sandbox'].includes(d))
      .map((d) => `lib/${d}`),
  ];
  const offenders: string[] = [];
  for (const dir of guarded) {
    for (const file of sources(join(root, dir))) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"]([^'"]+)['"]/g)) {
        if (/(^|\/)(local|sandbox)(\/|$)/.test(m[1]!) && m[1]!.startsWith('.'))
          offenders.push(`${relative(root, file)} → ${m[1]}`);
      }
    }
  }
  assert.equal(offenders, []);
  assert.ok(guarded.length >= 5, 'the scan saw the domain folders');
});

test('the tablestore chunk keeps Node DEP0005 (its Buffer() calls) out of the function log, and no other warning', () => {
  const chunk = join(outDir, 'settings', 'lazy', 'tablestore.js');
  const stderrOf = (code: string) =>
    spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', env: { PATH: process.env.PATH } }).stderr;
  const tail = `new Buffer(1); process.emitWarning('another deprecation', 'DeprecationWarning', 'DEP0999'); process.emitWarning('plain');`;
  assert.match(stderrOf(tail), /DEP0005/, 'without the chunk, Node warns (the check can fail)');
  const out = stderrOf(`require(${JSON.stringify(chunk)}); ${tail}`);
  assert.not.match(out, /DEP0005|Buffer\(\) is deprecated/);
  assert.match(out, /\[DEP0999\] DeprecationWarning: another deprecation/);
  assert.match(out, /Warning: plain/);
});

test.run();
