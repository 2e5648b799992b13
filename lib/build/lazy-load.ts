/**
 * Bundled into every function that has a lazy SDK (the build points each lazy `import()` here):
 * loads `lazy/<name>.js` with the V8 code cache the build wrote beside it (`<name>.js.cache`), so
 * a cold instance deserialises the SDK's compiled code instead of parsing and compiling it again.
 * A missing cache is silent; a damaged one, one made by another V8, or one V8 refuses (other node
 * flags) costs one log line, and the chunk still loads. Node builtins only: it ships in bundles.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';

/** The CommonJS wrapper; its head is a line of its own so the chunk keeps its line numbers. */
export const WRAP_HEAD = '(function (exports, require, module, __filename, __dirname) {\n';
export const WRAP_TAIL = '\n})';
export const LINE_OFFSET = -1;
/** First bytes of a cache file: `<magic> <header JSON>\n<V8 cached data>`. */
export const CACHE_MAGIC = 'fleet-v8-code-cache/1';

export interface CacheHeader {
  /** `process.versions.v8` and `process.arch` of the node that made it. */
  v8: string;
  arch: string;
  /** SHA-256 of the chunk's bytes then the cached data: binds the cache to its chunk, finds damage. */
  sha256: string;
}

/** What happened to a chunk's cache: V8 took it, or why the chunk ran without it. */
export type CacheOutcome = 'used' | 'missing' | 'corrupt' | 'other-v8' | 'rejected';

export interface ChunkLoad {
  chunk: string;
  cache: CacheOutcome;
  /** Reading, checking, compiling and running the chunk's top level. */
  ms: number;
}

const LOADS: unique symbol = Symbol.for('fleet.lazyChunks');

/** The lazy chunks this process loaded and how (the bench and the tests read it). */
export function chunkLoads(): ChunkLoad[] {
  const g = globalThis as { [LOADS]?: ChunkLoad[] };
  g[LOADS] ??= [];
  return g[LOADS];
}

/** The bytes of a cache file; the payload starts 8-byte aligned (V8 copies unaligned data). */
export function encodeCache(source: Uint8Array, data: Uint8Array, made: { v8: string; arch: string }): Buffer {
  const sha256 = createHash('sha256').update(source).update(data).digest('hex');
  let head = `${CACHE_MAGIC} ${JSON.stringify({ v8: made.v8, arch: made.arch, sha256 } satisfies CacheHeader)}`;
  head += ' '.repeat(7 - (head.length % 8));
  return Buffer.concat([Buffer.from(`${head}\n`, 'latin1'), data]);
}

/** The header of a cache file, or undefined when it is not one. */
export function readHeader(file: Uint8Array): { header: CacheHeader; dataAt: number } | undefined {
  const nl = file.subarray(0, 4096).indexOf(10);
  if (nl < 0) return undefined;
  const head = Buffer.from(file.buffer, file.byteOffset, nl).toString('latin1');
  if (!head.startsWith(`${CACHE_MAGIC} `)) return undefined;
  try {
    const h = JSON.parse(head.slice(CACHE_MAGIC.length + 1)) as Partial<CacheHeader>;
    if (typeof h.v8 !== 'string' || typeof h.arch !== 'string' || typeof h.sha256 !== 'string') return undefined;
    return { header: { v8: h.v8, arch: h.arch, sha256: h.sha256 }, dataAt: nl + 1 };
  } catch {
    return undefined;
  }
}

type Check = { ok: true; data: Buffer } | { ok: false; outcome: CacheOutcome; reason: string };

function check(source: Buffer, file: Buffer): Check {
  const read = readHeader(file);
  if (!read) return { ok: false, outcome: 'corrupt', reason: 'no cache header' };
  const { header, dataAt } = read;
  if (header.v8 !== process.versions.v8 || header.arch !== process.arch)
    return {
      ok: false,
      outcome: 'other-v8',
      reason: `made by V8 ${header.v8} (${header.arch}), this is ${process.versions.v8} (${process.arch})`,
    };
  const data = file.subarray(dataAt);
  // V8 checks only lengths and versions: damaged data that passes can crash the process.
  const sum = createHash('sha256').update(source).update(data).digest('hex');
  if (sum !== header.sha256) return { ok: false, outcome: 'corrupt', reason: 'checksum differs from its chunk' };
  return { ok: true, data };
}

function warn(chunk: string, cache: CacheOutcome, reason: string): void {
  const line = { t: new Date().toISOString(), level: 'warn', msg: 'lazy chunk runs without its code cache' };
  process.stderr.write(`${JSON.stringify({ ...line, chunk, cache, reason })}\n`);
}

/** Runs a compiled chunk as CommonJS would, registered in `require.cache` like a required file. */
function run(script: Script, file: string, req: NodeJS.Require): unknown {
  const mod = new Module(file);
  mod.filename = file;
  mod.paths = req.resolve.paths('_') ?? [];
  req.cache[file] = mod;
  try {
    const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
    wrapper.call(mod.exports, mod.exports, req, mod, file, dirname(file));
  } catch (e) {
    delete req.cache[file];
    throw e;
  }
  mod.loaded = true;
  return mod.exports;
}

function evaluate(
  chunk: string,
  file: string,
  req: NodeJS.Require,
  plain: () => unknown,
): { exports: unknown; cache: CacheOutcome } {
  let source: Buffer;
  let cacheFile: Buffer;
  try {
    source = readFileSync(file);
    cacheFile = readFileSync(`${file}.cache`);
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code !== 'ENOENT') warn(chunk, 'corrupt', `unreadable (${String(code)})`);
    return { exports: plain(), cache: code === 'ENOENT' ? 'missing' : 'corrupt' };
  }
  const c = check(source, cacheFile);
  if (!c.ok) {
    warn(chunk, c.outcome, c.reason);
    return { exports: plain(), cache: c.outcome };
  }
  const script = new Script(WRAP_HEAD + source.toString('utf8') + WRAP_TAIL, {
    filename: file,
    lineOffset: LINE_OFFSET,
    cachedData: c.data,
  });
  // Refused (other V8 flags): V8 compiled the source instead, so run that.
  if (script.cachedDataRejected)
    warn(chunk, 'rejected', `V8 refused it (node flags: ${process.execArgv.join(' ') || 'none'})`);
  return { exports: run(script, file, req), cache: script.cachedDataRejected ? 'rejected' : 'used' };
}

/**
 * `import('<lazy sdk>')` in a bundle: the exports of `<dir>/lazy/<name>.js`, evaluated once per
 * process. `plain` is the bundle's own `require` of the chunk, used whenever the cache is not.
 */
export function loadLazyChunk(dir: string, name: string, plain: () => unknown): unknown {
  const file = join(dir, 'lazy', `${name}.js`);
  const req = createRequire(file);
  const loaded = req.cache[file];
  if (loaded) return loaded.exports;
  const chunk = `lazy/${name}.js`;
  const t0 = performance.now();
  const { exports, cache } = evaluate(chunk, file, req, plain);
  chunkLoads().push({ chunk, cache, ms: performance.now() - t0 });
  return exports;
}
