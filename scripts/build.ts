/**
 * Bundles each `functions/<fn>/index.ts` into `dist/<fn>/index.js`: one minified CommonJS file
 * per function (FC nodejs20 loads `index.handler`), holding only what that function imports.
 * Heavy SDKs stay behind dynamic `import()` in lib/, which esbuild keeps lazy (wrapped, not run
 * at module init). A metafile per function (`dist/<fn>.meta.json`) lets tests check imports.
 */
import { build as esbuild } from 'esbuild';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface BuiltFunction {
  name: string;
  /** Absolute path of `dist/<fn>/index.js`. */
  file: string;
  bytes: number;
  /** Absolute path of the esbuild metafile. */
  metafile: string;
  /** Repository-relative source files in the bundle. */
  inputs: string[];
}

export interface BuildOptions {
  /** Repository root (default: this file's parent directory). */
  root?: string;
  /** Output directory (default `<root>/dist`). */
  outDir?: string;
  /** Only these functions (default: every folder of `functions/`). */
  only?: string[];
}

const defaultRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** Every function folder that has an `index.ts`. */
export function listFunctions(root = defaultRoot): string[] {
  const dir = join(root, 'functions');
  return readdirSync(dir)
    .filter((n) => statSync(join(dir, n)).isDirectory() && existsSync(join(dir, n, 'index.ts')))
    .sort();
}

/** Builds the function bundles; used by `npm run build`, the local host and tests. */
export async function build(opts: BuildOptions = {}): Promise<BuiltFunction[]> {
  const root = opts.root ?? defaultRoot;
  const outDir = opts.outDir ?? join(root, 'dist');
  const names = opts.only ?? listFunctions(root);
  mkdirSync(outDir, { recursive: true });
  return Promise.all(
    names.map(async (name) => {
      const fnDir = join(outDir, name);
      rmSync(fnDir, { recursive: true, force: true });
      const file = join(fnDir, 'index.js');
      const result = await esbuild({
        absWorkingDir: root,
        entryPoints: [join(root, 'functions', name, 'index.ts')],
        outfile: file,
        bundle: true,
        minify: true,
        platform: 'node',
        target: 'node20',
        format: 'cjs',
        metafile: true,
        legalComments: 'none',
        logLevel: 'silent',
        define: { 'process.env.NODE_ENV': '"production"' },
      });
      const metafile = join(outDir, `${name}.meta.json`);
      writeFileSync(metafile, JSON.stringify(result.metafile));
      return {
        name,
        file,
        bytes: statSync(file).size,
        metafile,
        inputs: Object.keys(result.metafile.inputs),
      };
    }),
  );
}

const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  const started = Date.now();
  build()
    .then((fns) => {
      for (const f of fns) process.stdout.write(`dist/${f.name}/index.js  ${kib(f.bytes)}\n`);
      process.stdout.write(`built ${fns.length} functions in ${Date.now() - started} ms\n`);
    })
    .catch((e) => {
      process.stderr.write(`build failed: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    });
}
