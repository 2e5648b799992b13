/**
 * Bundles each `functions/<fn>/index.ts` into `dist/<fn>/index.js`: one minified CommonJS file
 * per function (FC nodejs20 loads `index.handler`), holding only what that function imports.
 * Heavy SDKs stay behind dynamic `import()` in lib/, which esbuild keeps lazy (wrapped, not run
 * at module init). One esbuild run for all entries (shared parsing), one self-contained output
 * each; a metafile per function (`dist/<fn>.meta.json`) lets tests check what went in.
 *
 * CommonJS has no code splitting, and a lazily *evaluated* 3 MB SDK still costs ~300 ms of
 * parsing at init. So the heavy SDKs in `LAZY` go to their own file beside the bundle
 * (`dist/<fn>/lazy/<name>.js`) when, and only when, they are reached by dynamic `import()`.
 * Beside each goes its V8 code cache (`<name>.js.cache`, code-cache.ts), which the bundle's
 * loader (lazy-load.ts) hands to V8 so a cold instance skips compiling the SDK.
 */
import { build as esbuild, type Metafile, type Plugin } from 'esbuild';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheFitsThisNode, type CodeCacheOptions, makeCodeCaches } from './code-cache';
import { compileConsoleUi } from '../console/ui-compile';

export interface BuiltFunction {
  name: string;
  /** Absolute path of `dist/<fn>/index.js`. */
  file: string;
  bytes: number;
  /** Absolute path of the function's esbuild metafile. */
  metafile: string;
  /** Repository-relative source files in the bundle. */
  inputs: string[];
  /** false when `ifChanged` found the bundle up to date. */
  rebuilt: boolean;
  /** Bytes of its lazy chunks and of their code caches. */
  lazyBytes: number;
  cacheBytes: number;
}

export interface BuildOptions {
  /** Repository root (default: this file's parent directory). */
  root?: string;
  /** Output directory (default `<root>/dist`). */
  outDir?: string;
  /** Only these functions (default: every folder of `functions/` with an index.ts). */
  only?: string[];
  /** Skip the build when every bundle is newer than every file it was built from (npm start). */
  ifChanged?: boolean;
  /** V8 code caches beside the lazy chunks (default on; `false` ships the chunks alone). */
  codeCache?: false | CodeCacheOptions;
}

/** Packages split into `lazy/<file>.js` when imported dynamically. */
export const LAZY: Record<string, string> = {
  '@alicloud/ecs20140526': 'ecs20140526',
  // Also sloppy-mode code (`for (pro in …)` without `var`): it throws inside the strict bundle.
  tablestore: 'tablestore',
  // The generic client (VPC, STS, Resource Center, KMS) and its deps (lodash, moment, xml…): ~580 KB
  // the catalog's init parsed for nothing on cached answers (init 45 -> 11 ms).
  '@alicloud/openapi-core': 'openapi-core',
  // The FC 3.0 client of lib/invoke (async invocations): only functions that schedule work need it.
  '@alicloud/fc20230330': 'fc20230330',
};

/**
 * Code a lazy chunk runs before its SDK loads. tablestore 5.x calls the deprecated `Buffer()`;
 * Node's DEP0005 warning would go to stderr, which is the function's log, once per instance.
 */
const LAZY_PRELUDE: Record<string, string> = {
  tablestore: `require(${JSON.stringify(fileURLToPath(new URL('../core/node-warnings.ts', import.meta.url)))}).muteWarning('DEP0005');`,
};

const LOADER = fileURLToPath(new URL('./lazy-load.ts', import.meta.url));

/**
 * Dynamic `import('<lazy package>')` → a tiny module in the bundle that hands the chunk to the
 * loader (lazy-load.ts: the code cache beside it) with the bundle's own `require('./lazy/<file>.js')`
 * as the plain way in; that require stays external, so the metafile still names each chunk.
 */
const lazyPlugin: Plugin = {
  name: 'lazy-sdks',
  setup(b) {
    const filter = new RegExp(
      `^(${Object.keys(LAZY)
        .map((k) => k.replace(/[/.]/g, '\\$&'))
        .join('|')})$`,
    );
    b.onResolve({ filter }, (args) =>
      args.kind === 'dynamic-import' ? { path: LAZY[args.path]!, namespace: 'lazy-sdk' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-sdk' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(LOADER)}).loadLazyChunk(__dirname, ${JSON.stringify(args.path)}, () => require("./lazy/${args.path}.js"));`,
      loader: 'js',
      resolveDir: dirname(LOADER),
    }));
    b.onResolve({ filter: /^\.\/lazy\//, namespace: 'lazy-sdk' }, (args) => ({ path: args.path, external: true }));
  },
};

/**
 * `lib/console/ui-assets.ts` → the console's compiled browser assets as constants, so the bundle
 * serves them without a compiler. The UI's sources are reported through `onInputs`: the bundle's
 * metafile lists them too, so `ifChanged` rebuilds when one of them changes.
 */
function consoleUiPlugin(root: string, onInputs: (inputs: string[]) => void): Plugin {
  return {
    name: 'console-ui',
    setup(b) {
      b.onLoad({ filter: /[\\/]lib[\\/]console[\\/]ui-assets\.ts$/ }, () => {
        const ui = compileConsoleUi(root);
        onInputs(ui.inputs);
        return {
          contents: `const assets = ${JSON.stringify(ui.assets)};\nexport function consoleAssets() { return assets; }\n`,
          loader: 'js',
        };
      });
    },
  };
}

const defaultRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** Every function folder that has an `index.ts`. */
export function listFunctions(root = defaultRoot): string[] {
  const dir = join(root, 'functions');
  return readdirSync(dir)
    .filter((n) => statSync(join(dir, n)).isDirectory() && existsSync(join(dir, n, 'index.ts')))
    .sort();
}

function put(path: string, data: string | Uint8Array) {
  // Atomic replace: a local host or a test may be loading the previous bundle right now.
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

function describe(outDir: string, name: string, rebuilt: boolean): BuiltFunction {
  const file = join(outDir, name, 'index.js');
  const metafile = join(outDir, `${name}.meta.json`);
  const meta = JSON.parse(readFileSync(metafile, 'utf8')) as Metafile;
  const lazy = join(outDir, name, 'lazy');
  const sizes = (ext: string) =>
    existsSync(lazy)
      ? readdirSync(lazy)
          .filter((f) => f.endsWith(ext))
          .reduce((n, f) => n + statSync(join(lazy, f)).size, 0)
      : 0;
  return {
    name,
    file,
    bytes: statSync(file).size,
    metafile,
    inputs: Object.keys(meta.inputs),
    rebuilt,
    lazyBytes: sizes('.js'),
    cacheBytes: sizes('.js.cache'),
  };
}

/** Inputs that are files (not the plugin's `lazy-sdk:` modules). */
const isFile = (input: string) => !/^[a-z-]+:/.test(input);

/** The `./lazy/<file>.js` chunks a bundle requires. */
const lazyImports = (output: Metafile['outputs'][string]) =>
  output.imports.filter((i) => i.external && i.path.startsWith('./lazy/')).map((i) => i.path);

/**
 * True when each bundle exists and is newer than every input its metafile lists and than the
 * build itself, and each lazy chunk is there with (when wanted) a code cache from this node's V8.
 */
function upToDate(root: string, outDir: string, names: string[], codeCache: boolean): boolean {
  const buildDir = dirname(fileURLToPath(import.meta.url));
  const builtFrom = Math.max(...readdirSync(buildDir).map((f) => statSync(join(buildDir, f)).mtimeMs));
  for (const name of names) {
    const file = join(outDir, name, 'index.js');
    const metafile = join(outDir, `${name}.meta.json`);
    if (!existsSync(file) || !existsSync(metafile) || !existsSync(join(outDir, name, 'package.json'))) return false;
    const builtAt = statSync(file).mtimeMs;
    if (builtFrom > builtAt) return false;
    const meta = JSON.parse(readFileSync(metafile, 'utf8')) as Metafile;
    for (const input of Object.keys(meta.inputs).filter(isFile)) {
      const p = join(root, input);
      if (!existsSync(p) || statSync(p).mtimeMs > builtAt) return false;
    }
    for (const chunk of Object.values(meta.outputs).flatMap(lazyImports)) {
      const p = join(outDir, name, chunk);
      if (!existsSync(p)) return false;
      if (codeCache && !(existsSync(`${p}.cache`) && cacheFitsThisNode(`${p}.cache`))) return false;
    }
  }
  return true;
}

/** Builds the function bundles; used by `npm run build`, the local host and tests. */
export async function build(opts: BuildOptions = {}): Promise<BuiltFunction[]> {
  const root = opts.root ?? defaultRoot;
  const outDir = opts.outDir ?? join(root, 'dist');
  const names = opts.only ?? listFunctions(root);
  if (opts.ifChanged && upToDate(root, outDir, names, opts.codeCache !== false))
    return names.map((n) => describe(outDir, n, false));
  mkdirSync(outDir, { recursive: true });
  let uiInputs: string[] = [];
  const result = await esbuild({
    absWorkingDir: root,
    entryPoints: Object.fromEntries(names.map((n) => [`${n}/index`, join(root, 'functions', n, 'index.ts')])),
    outdir: outDir,
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // `import()` → `require()`: native import() of a CJS chunk runs the ESM loader and cjs-module-lexer
    // over it (tablestore chunk: 135 -> 60 ms on a cold request).
    supported: { 'dynamic-import': false },
    metafile: true,
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
    plugins: [lazyPlugin, consoleUiPlugin(root, (i) => (uiInputs = i))],
  });
  const lazyChunks = await buildLazyChunks(root, result.metafile);
  const caches =
    opts.codeCache === false
      ? new Map<string, Uint8Array>()
      : await makeCodeCaches(lazyChunks, {
          ...opts.codeCache,
          memoDir: join(outDir, '.cache', 'code-cache'),
          prune: lazyChunks.size === Object.keys(LAZY).length,
        });
  for (const out of result.outputFiles ?? []) {
    mkdirSync(join(out.path, '..'), { recursive: true });
    put(out.path, out.contents);
  }
  for (const name of names) {
    // The repository is "type": "module"; FC loads the bundle as CommonJS, and so must node here.
    put(join(outDir, name, 'package.json'), '{"type":"commonjs"}\n');
    const [outPath, output] =
      Object.entries(result.metafile.outputs).find(([p]) => resolve(root, p) === join(outDir, name, 'index.js')) ?? [];
    if (!outPath || !output) throw new Error(`esbuild produced no bundle for ${name}`);
    const inputs = Object.fromEntries(Object.keys(output.inputs).map((i) => [i, result.metafile.inputs[i]!]));
    if (Object.keys(output.inputs).some((i) => i.endsWith('lib/console/ui-assets.ts')))
      for (const i of uiInputs) inputs[i] ??= { bytes: statSync(join(root, i)).size, imports: [] };
    put(join(outDir, `${name}.meta.json`), JSON.stringify({ inputs, outputs: { [outPath]: output } }));
    const lazyDir = join(outDir, name, 'lazy');
    const shipped = new Set<string>();
    for (const path of lazyImports(output)) {
      const chunk = lazyChunks.get(path);
      if (!chunk) continue;
      mkdirSync(lazyDir, { recursive: true });
      // Chunk first: the loader checks that a cache belongs to its chunk, so a pair caught mid-write is safe.
      put(join(outDir, name, path), chunk);
      shipped.add(join(outDir, name, path));
      const cache = caches.get(path);
      if (cache) put(join(outDir, name, `${path}.cache`), cache);
      if (cache) shipped.add(join(outDir, name, `${path}.cache`));
    }
    // The deployed code dir holds only what this bundle loads (a stale cache would cost a log line).
    if (existsSync(lazyDir))
      for (const f of readdirSync(lazyDir))
        if (/\.js(\.cache)?$/.test(f) && !shipped.has(join(lazyDir, f))) rmSync(join(lazyDir, f), { force: true });
  }
  return names.map((n) => describe(outDir, n, true));
}

/** Builds each lazy SDK that some bundle imports, once: `./lazy/<file>.js` → its bytes. */
async function buildLazyChunks(root: string, meta: Metafile): Promise<Map<string, Uint8Array>> {
  const wanted = new Set(Object.values(meta.outputs).flatMap(lazyImports));
  const chunks = new Map<string, Uint8Array>();
  for (const [pkg, file] of Object.entries(LAZY)) {
    const path = `./lazy/${file}.js`;
    if (!wanted.has(path)) continue;
    const r = await esbuild({
      absWorkingDir: root,
      stdin: {
        contents: `${LAZY_PRELUDE[pkg] ?? ''}module.exports = require(${JSON.stringify(pkg)});`,
        resolveDir: root,
        loader: 'js',
      },
      bundle: true,
      minify: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      supported: { 'dynamic-import': false }, // as above
      write: false,
      legalComments: 'none',
      logLevel: 'silent',
    });
    chunks.set(path, r.outputFiles[0]!.contents);
  }
  return chunks;
}
