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
 */
import { build as esbuild, type Metafile, type Plugin } from 'esbuild';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

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
  tablestore: `require(${JSON.stringify('./lib/core/node-warnings.ts')}).muteWarning('DEP0005');`,
};

/** Dynamic `import('<lazy package>')` → `require('./lazy/<file>.js')` at run time. */
const lazyPlugin: Plugin = {
  name: 'lazy-sdks',
  setup(b) {
    const filter = new RegExp(
      `^(${Object.keys(LAZY)
        .map((k) => k.replace(/[/.]/g, '\\$&'))
        .join('|')})$`,
    );
    b.onResolve({ filter }, (args) =>
      args.kind === 'dynamic-import' ? { path: `./lazy/${LAZY[args.path]}.js`, external: true } : undefined,
    );
  },
};

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
  return { name, file, bytes: statSync(file).size, metafile, inputs: Object.keys(meta.inputs), rebuilt };
}

/** True when each bundle exists and is newer than every input its metafile lists. */
function upToDate(root: string, outDir: string, names: string[]): boolean {
  for (const name of names) {
    const file = join(outDir, name, 'index.js');
    const metafile = join(outDir, `${name}.meta.json`);
    if (!existsSync(file) || !existsSync(metafile) || !existsSync(join(outDir, name, 'package.json'))) return false;
    const builtAt = statSync(file).mtimeMs;
    if (statSync(fileURLToPath(import.meta.url)).mtimeMs > builtAt) return false;
    const meta = JSON.parse(readFileSync(metafile, 'utf8')) as Metafile;
    for (const input of Object.keys(meta.inputs)) {
      const p = join(root, input);
      if (!existsSync(p) || statSync(p).mtimeMs > builtAt) return false;
    }
  }
  return true;
}

/** Builds the function bundles; used by `npm run build`, the local host and tests. */
export async function build(opts: BuildOptions = {}): Promise<BuiltFunction[]> {
  const root = opts.root ?? defaultRoot;
  const outDir = opts.outDir ?? join(root, 'dist');
  const names = opts.only ?? listFunctions(root);
  if (opts.ifChanged && upToDate(root, outDir, names)) return names.map((n) => describe(outDir, n, false));
  mkdirSync(outDir, { recursive: true });
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
    plugins: [lazyPlugin],
  });
  const lazyChunks = await buildLazyChunks(root, result.metafile);
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
    put(join(outDir, `${name}.meta.json`), JSON.stringify({ inputs, outputs: { [outPath]: output } }));
    for (const imp of output.imports) {
      const chunk = imp.external ? lazyChunks.get(imp.path) : undefined;
      if (!chunk) continue;
      mkdirSync(join(outDir, name, 'lazy'), { recursive: true });
      put(join(outDir, name, imp.path), chunk);
    }
  }
  return names.map((n) => describe(outDir, n, true));
}

/** Builds each lazy SDK that some bundle imports, once: `./lazy/<file>.js` → its bytes. */
async function buildLazyChunks(root: string, meta: Metafile): Promise<Map<string, Uint8Array>> {
  const wanted = new Set<string>();
  for (const out of Object.values(meta.outputs))
    for (const imp of out.imports) if (imp.external && imp.path.startsWith('./lazy/')) wanted.add(imp.path);
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
