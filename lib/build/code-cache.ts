/**
 * Build time: a V8 code cache for each lazy chunk (`lazy/<name>.js.cache`, read by lazy-load.ts).
 * Made in a fresh `node` (this process's binary, no NODE_OPTIONS): V8 accepts a cache only from
 * the same V8 version and flags, and FC nodejs20 starts a plain node 20. The chunk's top level is
 * run before the cache is taken, so the functions it compiles are in the cache too (ECS chunk:
 * 139 KB of cache without the run, 5.3 MB with it, and about three times faster to load).
 * Caches are kept by content under `<outDir>/.cache/code-cache/`, so an unchanged SDK costs nothing.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CACHE_MAGIC, encodeCache, LINE_OFFSET, readHeader, WRAP_HEAD, WRAP_TAIL } from './lazy-load';

export interface CodeCacheOptions {
  /** Node flags of the runtime, when it has any: V8 refuses a cache made under other flags. */
  nodeArgs?: string[];
  /** Run each chunk's top level before taking its cache (default true). */
  afterRun?: boolean;
}

/** The child: compiles (and runs) each chunk as the loader will, writes its cached data. */
const producer = `
const vm = require('node:vm'), fs = require('node:fs'), path = require('node:path'), { createRequire } = require('node:module');
const [head, tail, lineOffset, jobsJson] = process.argv.slice(1);
for (const { name, file, out, run } of JSON.parse(jobsJson)) {
  const script = new vm.Script(head + fs.readFileSync(file, 'utf8') + tail, { filename: name, lineOffset: Number(lineOffset) });
  if (run) {
    const module = { exports: {} };
    script.runInThisContext().call(module.exports, module.exports, createRequire(file), module, file, path.dirname(file));
  }
  fs.writeFileSync(out, script.createCachedData());
}
process.stdout.write(JSON.stringify({ v8: process.versions.v8, arch: process.arch }));
process.exit(0); // a chunk's top level may have left handles open
`;

const sha256 = (...parts: Array<string | Uint8Array>) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
};

/** Cache files (`./lazy/<name>.js` → bytes of `<name>.js.cache`) for the given chunks. */
export async function makeCodeCaches(
  chunks: Map<string, Uint8Array>,
  opts: CodeCacheOptions & { memoDir: string; prune?: boolean },
): Promise<Map<string, Buffer>> {
  const nodeArgs = opts.nodeArgs ?? [];
  const afterRun = opts.afterRun ?? true;
  const made = { v8: process.versions.v8, arch: process.arch };
  const variant = JSON.stringify({ CACHE_MAGIC, ...made, nodeArgs, afterRun, WRAP_HEAD, WRAP_TAIL, LINE_OFFSET });
  const memo = (path: string, source: Uint8Array) => join(opts.memoDir, `${sha256(variant, path, source)}.cache`);
  const out = new Map<string, Buffer>();
  const todo = [...chunks].filter(([path, source]) => {
    const m = memo(path, source);
    const bytes = existsSync(m) ? readFileSync(m) : undefined;
    const h = bytes && readHeader(bytes);
    if (bytes && h && h.header.sha256 === sha256(source, bytes.subarray(h.dataAt))) out.set(path, bytes);
    return !out.has(path);
  });
  if (todo.length) {
    const work = mkdtempSync(join(tmpdir(), 'fleet-code-cache-'));
    try {
      const jobs = todo.map(([path, source], i) => {
        const file = join(work, `${i}.js`);
        writeFileSync(file, source);
        // V8 keeps this name in the cache: stack traces show it, whatever the path at run time.
        return { path, name: path.replace(/^\.\//, ''), source, file, out: `${file}.data`, run: afterRun };
      });
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [
          ...nodeArgs,
          '-e',
          producer,
          WRAP_HEAD,
          WRAP_TAIL,
          String(LINE_OFFSET),
          JSON.stringify(jobs.map(({ name, file, out, run }) => ({ name, file, out, run }))),
        ],
        { env: { PATH: process.env.PATH ?? '' }, maxBuffer: 1 << 20 },
      );
      const child = JSON.parse(stdout) as { v8: string; arch: string };
      if (child.v8 !== made.v8) throw new Error(`code cache: ${process.execPath} runs V8 ${child.v8}, not ${made.v8}`);
      mkdirSync(opts.memoDir, { recursive: true });
      for (const j of jobs) {
        const bytes = encodeCache(j.source, readFileSync(j.out), child);
        const m = memo(j.path, j.source);
        writeFileSync(`${m}.${process.pid}.tmp`, bytes);
        renameSync(`${m}.${process.pid}.tmp`, m); // another build may be reading it
        out.set(j.path, bytes);
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  // What an SDK or node upgrade left behind.
  if (opts.prune && existsSync(opts.memoDir)) {
    const used = new Set([...chunks].map(([path, source]) => memo(path, source)));
    for (const f of readdirSync(opts.memoDir))
      if (f.endsWith('.cache') && !used.has(join(opts.memoDir, f))) rmSync(join(opts.memoDir, f), { force: true });
  }
  return out;
}

/** False when a cache file was made by another V8 than this node's (rebuild it). */
export function cacheFitsThisNode(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(4096);
    const h = readHeader(head.subarray(0, readSync(fd, head, 0, head.length, 0)));
    return !!h && h.header.v8 === process.versions.v8 && h.header.arch === process.arch;
  } finally {
    closeSync(fd);
  }
}
