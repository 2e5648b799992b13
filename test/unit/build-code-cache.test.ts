/**
 * The V8 code caches beside the lazy chunks: a tiny function that imports two lazy SDKs is built
 * like the real ones, then run in fresh `node` processes with its caches intact, missing, damaged,
 * swapped, made by "another V8", and refused by V8 (other node flags). The SDKs must behave the
 * same every time; a cache that is not used costs exactly one log line (none when it is missing).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from '../../lib/build';
import { findRoot } from '../../lib/local/host';
import { readHeader } from '../../lib/build/lazy-load';

const repo = findRoot();
const root = mkdtempSync(join(tmpdir(), 'fleet-code-cache-'));
const built = join(root, 'dist', 'probe');
const TS = 'lazy/tablestore.js';
const OC = 'lazy/openapi-core.js';

/** The function: imports both SDKs lazily (tablestore twice: it must be evaluated once). */
const source = `
export async function handler() {
  const ts = (await import('tablestore')).default;
  const oc = (await import('@alicloud/openapi-core')).default;
  const again = (await import('tablestore')).default;
  return { ts, oc, again };
}
`;

/** The child: runs the handler, then uses both SDKs and reports how their chunks loaded. */
const probe = `
const dir = process.argv[1];
require(dir + '/index.js').handler().then(({ ts, oc, again }) => {
  process.stdout.write(JSON.stringify({
    tablestoreExports: Object.keys(ts).sort(),
    openapiExports: Object.keys(oc).sort(),
    long: ts.Long.fromNumber(1234567890123).toString(),
    crc: ts.plainBufferCrc8.crcString(0, 'hello'),
    signature: oc.OpenApiUtil.getROASignature('GET\\n/x', 'secret'),
    evaluatedOnce: again === ts && require(dir + '/lazy/tablestore.js') === ts,
    loads: globalThis[Symbol.for('fleet.lazyChunks')].map((l) => l.chunk + ' ' + l.cache).sort(),
  }));
});
`;

interface Run {
  result: Record<string, unknown> & { loads: string[] };
  /** The loader's log lines, parsed (the SDKs' own deprecation warnings are not JSON). */
  logs: Array<{ level: string; msg: string; chunk: string; cache: string; reason: string }>;
}

/** Runs the probe on a copy of the built function (after `tamper` changes the copy). */
function run(tamper: (dir: string) => void = () => {}, nodeArgs: string[] = []): Run {
  const dir = mkdtempSync(join(root, 'run-'));
  for (const f of ['index.js', 'package.json']) copyFileSync(join(built, f), join(dir, f));
  mkdirSync(join(dir, 'lazy'));
  for (const f of readdirSync(join(built, 'lazy'))) copyFileSync(join(built, 'lazy', f), join(dir, 'lazy', f));
  tamper(dir);
  const r = spawnSync(process.execPath, [...nodeArgs, '-e', probe, dir], {
    env: { PATH: process.env.PATH ?? '' },
    encoding: 'utf8',
  });
  assert.is(r.status, 0, `the probe failed (${r.status} ${r.signal}): ${r.stderr}`);
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('{'));
  return { result: JSON.parse(r.stdout), logs: lines.map((l) => JSON.parse(l)) };
}

let plain: Run;

test.before(async () => {
  mkdirSync(join(root, 'functions', 'probe'), { recursive: true });
  writeFileSync(join(root, 'functions', 'probe', 'index.ts'), source);
  writeFileSync(join(root, 'package.json'), '{"type":"module"}\n'); // as the repository: import() in node mode
  symlinkSync(join(repo, 'node_modules'), join(root, 'node_modules'), 'dir');
  await build({ root });
  plain = run((dir) => {
    unlinkSync(join(dir, `${TS}.cache`));
    unlinkSync(join(dir, `${OC}.cache`));
  });
});
test.after(() => rmSync(root, { recursive: true, force: true }));

test('the build writes a cache beside each lazy chunk, made by this V8', () => {
  assert.equal(readdirSync(join(built, 'lazy')).sort(), [
    'openapi-core.js',
    'openapi-core.js.cache',
    'tablestore.js',
    'tablestore.js.cache',
  ]);
  const h = readHeader(readFileSync(join(built, `${TS}.cache`)));
  assert.ok(h, 'the cache has its header');
  assert.is(h.header.v8, process.versions.v8);
  assert.is(h.header.arch, process.arch);
});

test('a missing cache is fine: the chunks load as before, silently', () => {
  assert.equal(plain.result.loads, [`${OC} missing`, `${TS} missing`]);
  assert.equal(plain.logs, []);
  assert.is(plain.result.evaluatedOnce, true);
  assert.is(plain.result.long, '1234567890123');
});

test('with its cache a chunk loads through V8 cached data and behaves identically', () => {
  const r = run();
  assert.equal(r.result.loads, [`${OC} used`, `${TS} used`]);
  assert.equal(r.logs, [], 'no log line');
  assert.equal({ ...r.result, loads: [] }, { ...plain.result, loads: [] });
  assert.is(r.result.evaluatedOnce, true, 'evaluated once, and registered as require would');
});

/** One log line for the chunk whose cache was not used; the other chunk keeps its cache. */
function onlyOneLine(r: Run, cache: string) {
  assert.equal(r.result.loads, [`${OC} used`, `${TS} ${cache}`]);
  assert.is(r.logs.length, 1, JSON.stringify(r.logs));
  assert.is(r.logs[0]!.chunk, TS);
  assert.is(r.logs[0]!.cache, cache);
  assert.is(r.logs[0]!.level, 'warn');
  assert.equal({ ...r.result, loads: [] }, { ...plain.result, loads: [] });
}

test('damaged cached data is refused before V8 sees it (it could crash the process)', () => {
  const r = run((dir) => {
    const b = readFileSync(join(dir, `${TS}.cache`));
    for (let i = 0; i < 64; i++) b[(b.length >> 1) + i]! ^= 0x5a;
    writeFileSync(join(dir, `${TS}.cache`), b);
  });
  onlyOneLine(r, 'corrupt');
});

test('a file that is not a cache, or a truncated one, is corrupt', () => {
  onlyOneLine(
    run((dir) => writeFileSync(join(dir, `${TS}.cache`), 'not a cache\n\u0000\u0001')),
    'corrupt',
  );
  onlyOneLine(
    run((dir) => {
      const b = readFileSync(join(dir, `${TS}.cache`));
      writeFileSync(join(dir, `${TS}.cache`), b.subarray(0, b.length >> 1));
    }),
    'corrupt',
  );
});

test("another chunk's cache is not this chunk's", () => {
  onlyOneLine(
    run((dir) => copyFileSync(join(dir, `${OC}.cache`), join(dir, `${TS}.cache`))),
    'corrupt',
  );
});

test('a cache made by another V8 version is skipped unread', () => {
  const r = run((dir) => {
    const b = readFileSync(join(dir, `${TS}.cache`));
    const h = readHeader(b)!;
    const head = b.subarray(0, h.dataAt).toString('latin1').replace(process.versions.v8, '9.9.999.9-other');
    writeFileSync(join(dir, `${TS}.cache`), Buffer.concat([Buffer.from(head, 'latin1'), b.subarray(h.dataAt)]));
  });
  onlyOneLine(r, 'other-v8');
  assert.match(r.logs[0]!.reason, '9.9.999.9-other');
});

test('V8 refuses caches made under other flags: one line per chunk, and the chunks still work', () => {
  const r = run(undefined, ['--max-semi-space-size=32']);
  assert.equal(r.result.loads, [`${OC} rejected`, `${TS} rejected`]);
  assert.equal(r.logs.map((l) => `${l.chunk} ${l.cache}`).sort(), [`${OC} rejected`, `${TS} rejected`]);
  assert.match(r.logs[0]!.reason, '--max-semi-space-size=32');
  assert.equal({ ...r.result, loads: [] }, { ...plain.result, loads: [] });
});

test('`ifChanged` rebuilds when a cache was made by another V8; `codeCache: false` leaves none behind', async () => {
  assert.ok((await build({ root, ifChanged: true }))[0]!.rebuilt === false, 'up to date');
  const file = join(built, `${TS}.cache`);
  writeFileSync(file, readFileSync(file).toString('latin1').replace(process.versions.v8, '9.9.999.9-other'), 'latin1');
  assert.ok((await build({ root, ifChanged: true }))[0]!.rebuilt, 'rebuilt');
  assert.is(readHeader(readFileSync(file))!.header.v8, process.versions.v8);
  const [fn] = await build({ root, codeCache: false });
  assert.equal(readdirSync(join(built, 'lazy')).sort(), ['openapi-core.js', 'tablestore.js']);
  assert.is(fn!.cacheBytes, 0);
});

test.run();
